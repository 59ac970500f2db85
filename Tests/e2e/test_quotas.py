"""API Gateway's quotas: oversized frames and messages close that connection only; idle connections close."""
from __future__ import annotations

import json

import websockets

from helpers import close_code, receive, run


def test_oversized_frames_and_messages_close_only_that_connection_with_1009(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as bystander:
            await bystander.send(json.dumps({"action": "whoAmI"}))
            me = await receive(bystander)
            async with websockets.connect(gateway.url) as big_frame:
                await big_frame.send(json.dumps({"action": "whoAmI"}))
                frame_id = await receive(big_frame)
                await big_frame.send("x" * (32 * 1024 + 1))
                frame_code = await close_code(big_frame)
            async with websockets.connect(gateway.url) as big_message:
                await big_message.send(json.dumps({"action": "whoAmI"}))
                message_id = await receive(big_message)
                await big_message.send(["y" * (32 * 1024)] * 4 + ["y"])  # 128 KB + 1 byte in five frames
                message_code = await close_code(big_message)
            await bystander.send(json.dumps({"action": "whoAmI"}))
            return me, frame_id, frame_code, message_id, message_code, await receive(bystander)

    me, frame_id, frame_code, message_id, message_code, still_there = run(scenario())
    assert frame_code == 1009
    assert message_code == 1009
    assert still_there == me
    for connection_id in (frame_id, message_id):
        disconnect = gateway.wait_for_event("$disconnect", connection_id)["requestContext"]
        assert (disconnect["disconnectStatusCode"], disconnect["disconnectReason"]) == (1009, "Message too big")
    # The oversized message never reached the function.
    assert all(len(e.get("body") or "") < 128 * 1024 for e in gateway.events())


def test_idle_connections_are_closed_with_1001(start_gateway):
    gateway = start_gateway("--idle-timeout", "1")

    async def scenario():
        async with websockets.connect(gateway.url, ping_interval=None) as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            return me, await close_code(ws)

    me, code = run(scenario())
    assert code == 1001
    disconnect = gateway.wait_for_event("$disconnect", me)["requestContext"]
    assert (disconnect["disconnectStatusCode"], disconnect["disconnectReason"]) == (1001, "Going away")
