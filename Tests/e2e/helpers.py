"""Small helpers for the end-to-end tests."""
from __future__ import annotations

import asyncio

from websockets.exceptions import ConnectionClosed


def run(coroutine, timeout: float = 90):
    """Runs one scenario with an overall limit, so that a hang fails instead of blocking CI."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


async def receive(ws, timeout: float = 20):
    return await asyncio.wait_for(ws.recv(), timeout)


async def close_code(ws, timeout: float = 20) -> int | None:
    """Waits for the server to close `ws`; returns the code of the close frame it sent."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
