"""Summarise a py-spy ``--format raw`` (collapsed stacks) profile into cost centres.

    py-spy record --gil -r 200 -d 10 -f raw -o prof.txt -p <service pid>
    python benchmarks/profile_summary.py prof.txt

Prints the share of samples spent (inclusively) under each cost centre — a frame whose file path or
function name contains the centre's marker — and the top functions by self time.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

# Most specific first: a sample is charged to the first centre found walking from the leaf up.
CENTRES: list[tuple[str, tuple[str, ...]]] = [
    ("logging", ("logging/",)),
    ("SQLAlchemy (compile, execute, result)", ("sqlalchemy/",)),
    ("aiosqlite / sqlite3 (driver thread hand-off)", ("aiosqlite/", "sqlite3/")),
    ("asyncpg", ("asyncpg/",)),
    ("httpx API layer", ("httpx/",)),
    ("httpx_aiohttp transport", ("httpx_aiohttp/",)),
    ("aiohttp client", ("aiohttp/",)),
    ("msgspec / validation", ("msgspec", "cata_sandbox/validation.py")),
    ("Litestar (routing, DI, responses)", ("litestar/",)),
    ("uvicorn / httptools (server)", ("uvicorn/", "httptools")),
    ("asyncio event loop", ("asyncio/", "uvloop")),
    ("cata_sandbox (own code)", ("cata_sandbox/",)),
]
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def parse(path: str) -> list[tuple[list[tuple[str, str]], int]]:
    stacks = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                continue
            frames_text, _, count = line.rpartition(" ")
            frames = []
            for frame in frames_text.split(";"):
                match = _FRAME.match(frame)
                frames.append((match["func"], match["file"]) if match else (frame, ""))
            stacks.append((frames, int(count)))
    return stacks


def centre_of(frames: list[tuple[str, str]]) -> str:
    for func, file in reversed(frames):
        where = f"{file} {func}"
        for name, markers in CENTRES:
            if any(marker in where for marker in markers):
                return name
    return "other"


def main(path: str, top: int = 20) -> None:
    stacks = parse(path)
    total = sum(count for _, count in stacks) or 1
    by_centre: Counter[str] = Counter()
    by_self: Counter[str] = Counter()
    for frames, count in stacks:
        by_centre[centre_of(frames)] += count
        func, file = frames[-1]
        by_self[f"{func} ({file})"] += count
    print(f"{total} samples")
    print("cost centre (leaf charged to the innermost matching library):")
    for name, count in by_centre.most_common():
        print(f"  {100 * count / total:5.1f}%  {name}")
    inclusive: Counter[str] = Counter()
    for frames, count in stacks:
        seen = set()
        for func, file in frames:
            if "cata_sandbox/" in file and (func, file) not in seen:
                seen.add((func, file))
                inclusive[f"{func} ({file.rpartition('/')[2]})"] += count
    print("own functions, inclusive:")
    for name, count in inclusive.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {name}")
    print(f"top {top} functions by self time:")
    for name, count in by_self.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1], *(int(a) for a in sys.argv[2:3]))
