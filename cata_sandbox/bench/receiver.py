"""The receiver that answers at once: raw ASGI, so the direct measurement is the network, not a framework."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

_counter = iter(range(1, 2**62))
REVEL_SUBMIT = "/specialresources/cart/submit"


async def fast_receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A raw ASGI receiver, so the measurement is of the sender, not of the receiver.

    ``POST /hook`` answers ``200 {"externalOrderId": N}`` at once, ``POST .../specialresources/cart/submit``
    Revel's ``200 {"status":"OK","data":{"orderId":N}}``; ``/delay/<ms>`` answers after that
    many milliseconds; ``/hang`` never answers (it waits until the client goes away).
    """
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    path: str = scope["path"]
    if path.startswith("/hang"):
        while (await receive())["type"] != "http.disconnect":
            pass
        return
    if path.startswith("/delay/"):
        with contextlib.suppress(ValueError):
            await asyncio.sleep(int(path.rsplit("/", 1)[1]) / 1000)
    if path.endswith(REVEL_SUBMIT):  # Revel's cart submit: its success body, so interpret reads an id
        body = b'{"status":"OK","data":{"orderId":%d}}' % next(_counter)
    else:
        body = b'{"externalOrderId":"%d"}' % next(_counter)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})
