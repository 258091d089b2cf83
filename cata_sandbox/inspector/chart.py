"""A small inline SVG of an outlet's last attempts: one bar per attempt, height = latency, mark = outcome.

Readable without colour: a dispatched attempt's bar ends in a circle, a failed one's in a cross, and each
bar has a ``<title>`` (shown on hover and read by screen readers) saying the outcome in words.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from cata_sandbox.store import AttemptPoint

WIDTH = 320
HEIGHT = 90
TOP = 10
BOTTOM = 16


def latency_chart(points: list[AttemptPoint], label: str) -> Markup:
    if not points:
        return Markup('<p class="muted">No attempts yet.</p>')
    slowest = max(p.duration_ms for p in points) or 1.0
    step = WIDTH / len(points)
    usable = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" height="{HEIGHT}"'
        f' role="img" aria-label="{escape(label)}">',
        f'<line x1="0" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" class="axis"/>',
        f'<text x="2" y="{TOP - 1}" class="tick">{slowest:.0f} ms</text>',
        f'<text x="2" y="{HEIGHT - 3}" class="tick">oldest</text>',
        f'<text x="{WIDTH - 2}" y="{HEIGHT - 3}" class="tick end">newest</text>',
    ]
    for index, point in enumerate(points):
        height = max(1.0, usable * point.duration_ms / slowest)
        x = index * step + step / 2
        y = HEIGHT - BOTTOM - height
        outcome = "dispatched" if point.dispatched else "failed"
        status = f"HTTP {point.response_status}" if point.response_status is not None else "no answer"
        title = f"{point.started_at:%Y-%m-%d %H:%M:%S} - {outcome}, {status}, {point.duration_ms:.1f} ms"
        parts.append(f'<g class="{outcome}"><title>{escape(title)}</title>')
        parts.append(
            f'<rect x="{x - max(step * 0.35, 0.5):.1f}" y="{y:.1f}" width="{max(step * 0.7, 1):.1f}"'
            f' height="{height:.1f}"/>'
        )
        if point.dispatched:
            parts.append(f'<circle cx="{x:.1f}" cy="{y - 4:.1f}" r="3"/>')
        else:
            parts.append(f'<path d="M{x - 3:.1f} {y - 7:.1f} l6 6 m0 -6 l-6 6" class="cross"/>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
