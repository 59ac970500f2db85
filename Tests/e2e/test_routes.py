"""Route selection, route responses, fragmented messages and control frames."""
from __future__ import annotations

import asyncio
import json

import websockets

from helpers import receive, run


def test_messages_without_a_matching_route_reach_default(start_gateway):
    gateway = start_gateway("--routes", "whoAmI,echo")

    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            answers = []
            for message in ["this is not JSON", json.dumps({"action": "noSuchRoute"}), json.dumps({"other": 1}),
                            json.dumps({"action": 42}), "[1, 2]", ""]:
                await ws.send(message)
                answers.append(await receive(ws))
            return answers

    assert run(scenario()) == [
        "default:this is not JSON", 'default:{"action": "noSuchRoute"}', 'default:{"other": 1}',
        'default:{"action": 42}', "default:[1, 2]", "default:",
    ]
    routes = [e["requestContext"]["routeKey"] for e in gateway.events() if e["requestContext"]["eventType"] == "MESSAGE"]
    assert routes == ["$default"] * 6


def test_without_a_route_list_every_selected_key_is_a_route(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "someAction"}))
            return await receive(ws)

    assert run(scenario()) == 'default:{"action": "someAction"}'
    assert gateway.wait_for_event("someAction")["requestContext"]["routeKey"] == "someAction"


def test_a_custom_route_selection_expression(start_gateway):
    gateway = start_gateway("--route-selection", "$request.body.meta.kind")

    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"meta": {"kind": "whoAmI"}}))
            me = await receive(ws)
            await ws.send(json.dumps({"action": "whoAmI"}))
            return me, await receive(ws)

    me, other = run(scenario())
    assert me.endswith("=")
    assert other == 'default:{"action": "whoAmI"}'


def test_fragmented_messages_are_reassembled(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(['{"action":', '"echo", "message": "', "x" * 20000, '"}'])
            return await receive(ws)

    assert run(scenario()) == "x" * 20000


def test_a_message_of_exactly_128_kb_in_32_kb_frames_is_accepted(gateway):
    async def scenario():
        async with websockets.connect(gateway.url, max_size=None) as ws:
            await ws.send(["y" * (32 * 1024)] * 4)
            return await receive(ws)

    assert run(scenario()) == "default:" + "y" * (128 * 1024)


def test_pings_are_answered(gateway):
    async def scenario():
        async with websockets.connect(gateway.url, ping_interval=None) as ws:
            pong = await ws.ping(b"are you there")
            latency = await asyncio.wait_for(pong, 20)
            await ws.send(json.dumps({"action": "whoAmI"}))
            return latency, await receive(ws)

    latency, me = run(scenario())
    assert latency >= 0
    assert me.endswith("=")


def test_a_route_without_a_response_body_sends_nothing_back(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "echo"}))  # no message: the function answers without a body
            await ws.send(json.dumps({"action": "echo", "message": "second"}))
            return await receive(ws)

    assert run(scenario()) == "second"


def test_a_body_naming_a_connection_route_reaches_default(gateway):
    """`$connect` and `$disconnect` are the connection's routes: a message selecting one goes to `$default`."""
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            answers = []
            for action in ["$connect", "$disconnect"]:
                await ws.send(json.dumps({"action": action}))
                answers.append(await receive(ws))
            return answers

    assert run(scenario()) == ['default:{"action": "$connect"}', 'default:{"action": "$disconnect"}']
    messages = [e for e in gateway.events() if e["requestContext"]["eventType"] == "MESSAGE"]
    assert [e["requestContext"]["routeKey"] for e in messages] == ["$default", "$default"]
