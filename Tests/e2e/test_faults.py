"""Function faults: the client gets API Gateway's error frame, the socket stays open, others are unaffected."""
from __future__ import annotations

import asyncio
import json

import websockets

from helpers import receive, run


def check_error_frame(frame: str, connection_id: str) -> None:
    assert frame.startswith('{"message": "Internal server error", "connectionId":')
    error = json.loads(frame)
    assert error["message"] == "Internal server error"
    assert error["connectionId"] == connection_id
    assert error["requestId"].endswith("=")


def test_a_crash_answers_the_error_frame_and_the_function_is_restarted(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws, websockets.connect(gateway.url) as bystander:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            await ws.send(json.dumps({"action": "crash"}))
            error = await receive(ws)
            await ws.send(json.dumps({"action": "whoAmI"}))
            again = await receive(ws, timeout=30)
            await bystander.send(json.dumps({"action": "echo", "message": "still here"}))
            return me, error, again, await receive(bystander, timeout=30)

    me, error, again, bystander = run(scenario())
    check_error_frame(error, me)
    assert again == me
    assert bystander == "still here"
    assert "function exited" in gateway.log_text() and "restarting" in gateway.log_text()


def test_a_handler_error_answers_the_error_frame(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            await ws.send(json.dumps({"action": "fail"}))
            error = await receive(ws)
            await ws.send(json.dumps({"action": "echo", "message": "after"}))
            return me, error, await receive(ws)

    me, error, after = run(scenario())
    check_error_frame(error, me)
    assert after == "after"
    assert "restarting" not in gateway.log_text()


def test_a_time_out_answers_the_error_frame_and_the_function_is_stopped_and_restarted(start_gateway):
    gateway = start_gateway("--timeout", "2")

    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            await ws.send(json.dumps({"action": "slow", "ms": 600000}))
            error = await receive(ws, timeout=30)
            await ws.send(json.dumps({"action": "echo", "message": "after"}))
            return me, error, await receive(ws, timeout=30)

    me, error, after = run(scenario())
    check_error_frame(error, me)
    assert after == "after"
    assert "timed out" in gateway.log_text() and "restarting" in gateway.log_text()


def test_several_instances_serve_events_at_once(start_gateway):
    gateway = start_gateway("--instances", "2")

    async def scenario():
        async with websockets.connect(gateway.url) as slow, websockets.connect(gateway.url) as quick:
            await slow.send(json.dumps({"action": "slow", "ms": 8000}))
            await quick.send(json.dumps({"action": "echo", "message": "quick"}))
            first = await receive(quick, timeout=30)
            # The slow event is still running in the other instance: its answer has not come yet. (With one
            # instance the quick event would wait for it, and "slept" would already be here.)
            try:
                early = await asyncio.wait_for(slow.recv(), 0.5)
            except asyncio.TimeoutError:
                early = None
            return first, early, await receive(slow, timeout=30)

    first, early, slow = run(scenario())
    assert first == "quick"
    assert early is None
    assert slow == "slept"
