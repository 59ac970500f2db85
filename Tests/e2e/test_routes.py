"""Route selection, route responses, fragmented messages and control frames."""
from __future__ import annotations

import asyncio
import json

import websockets

from helpers import close_code, receive, run


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


def raw_frame(opcode: int, payload: bytes, *, masked: bool = True, rsv: int = 0, fin: bool = True) -> bytes:
    """One WebSocket frame as a client could put it on the wire, RFC 6455 or not (payloads under 126 bytes)."""
    assert len(payload) < 126
    first = (0x80 if fin else 0) | rsv << 4 | opcode
    if not masked:
        return bytes([first, len(payload)]) + payload
    mask = bytes([0x37, 0xFA, 0x21, 0x3D])
    return bytes([first, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_frames_that_break_rfc_6455_close_the_connection_with_its_code(gateway):
    """Unmasked client frames, reserved bits without an extension, reserved opcodes and malformed close frames
    fail the connection with 1002; a text message or close reason that is not UTF-8 with 1007. Each
    connection's `$disconnect` reports the code, and other connections carry on."""
    cases = {
        "unmasked": (raw_frame(0x1, b'{"action":"echo"}', masked=False), 1002),
        "rsv1": (raw_frame(0x1, b'{"action":"echo"}', rsv=4), 1002),
        "reserved opcode": (raw_frame(0x3, b"x"), 1002),
        "text not UTF-8": (raw_frame(0x1, b'{"action":"echo","message":"\xc3\x28"}'), 1007),
        "a character split over frames, then a stray byte": (
            raw_frame(0x1, b"caf\xc3", fin=False) + raw_frame(0x0, b"\xa9") + raw_frame(0x1, b"\xff"), 1007),
        "close code 1005": (raw_frame(0x8, (1005).to_bytes(2, "big")), 1002),
        "close code 2999": (raw_frame(0x8, (2999).to_bytes(2, "big")), 1002),
        "one-byte close": (raw_frame(0x8, b"\x03"), 1002),
        "close reason not UTF-8": (raw_frame(0x8, (1000).to_bytes(2, "big") + b"bye \xff"), 1007),
    }

    async def scenario():
        async with websockets.connect(gateway.url) as bystander:
            results = {}
            for name, (frame, _) in cases.items():
                ws = await websockets.connect(gateway.url)
                await ws.send('{"action":"whoAmI"}')
                connection_id = await receive(ws)
                ws.transport.write(frame)
                results[name] = (connection_id, await close_code(ws))
            await bystander.send(json.dumps({"action": "echo", "message": "still here"}))
            return results, await receive(bystander)

    results, bystander_answer = run(scenario())
    assert bystander_answer == "still here"
    for name, (_, expected) in cases.items():
        connection_id, code = results[name]
        assert code == expected, name
        disconnect = gateway.wait_for_event("$disconnect", connection_id)["requestContext"]
        assert disconnect["disconnectStatusCode"] == expected, name


def test_valid_close_frames_are_echoed(gateway):
    """A close with a registered code (1012-1014 included), an application code or no payload is answered with
    the same code, and reported in `$disconnect` as sent."""
    async def scenario():
        results = []
        for payload in [(1000).to_bytes(2, "big") + "fine, thanks — bye".encode(), (1013).to_bytes(2, "big"),
                        (4999).to_bytes(2, "big"), b""]:
            ws = await websockets.connect(gateway.url)
            await ws.send('{"action":"whoAmI"}')
            connection_id = await receive(ws)
            ws.transport.write(raw_frame(0x8, payload))
            results.append((connection_id, payload, await close_code(ws)))
        return results

    for connection_id, payload, code in run(scenario()):
        # An empty close is answered with an empty close, which websockets reports as 1005 (no status).
        sent = int.from_bytes(payload[:2], "big") if payload else 1005
        assert code == sent
        disconnect = gateway.wait_for_event("$disconnect", connection_id)["requestContext"]
        assert disconnect["disconnectStatusCode"] == sent
        if payload[2:]:
            assert disconnect["disconnectReason"] == payload[2:].decode()
