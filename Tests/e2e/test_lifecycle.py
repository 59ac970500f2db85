"""Stopping the gateway: Ctrl-C closes every socket cleanly and the function hears every `$disconnect`."""
from __future__ import annotations

import asyncio
import json

import websockets

from helpers import close_code, receive, run


def test_ctrl_c_closes_every_socket_with_1001_and_delivers_disconnects(start_gateway):
    gateway = start_gateway()

    async def scenario():
        async with websockets.connect(gateway.url) as a, websockets.connect(gateway.url) as b:
            ids = []
            for ws in (a, b):
                await ws.send(json.dumps({"action": "whoAmI"}))
                ids.append(await receive(ws))
            status = asyncio.create_task(asyncio.to_thread(gateway.interrupt))
            codes = [await close_code(a), await close_code(b)]
            return ids, codes, await status

    ids, codes, exit_status = run(scenario())
    assert codes == [1001, 1001]
    assert exit_status == 0
    for connection_id in ids:
        disconnect = gateway.wait_for_event("$disconnect", connection_id, timeout=1)["requestContext"]
        assert disconnect["disconnectStatusCode"] == 1001
