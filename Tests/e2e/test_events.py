"""The events the function receives are the ones API Gateway sends."""
from __future__ import annotations

import asyncio
import base64
import json
import re
import socket
import struct

import websockets

from helpers import close_code, receive, run

BASE64_ID = re.compile(r"^[A-Za-z0-9+/]{15}=$")


def check_request_context(context: dict, gateway, route: str, event_type: str, connection_id: str) -> None:
    assert context["routeKey"] == route
    assert context["eventType"] == event_type
    assert context["connectionId"] == connection_id
    assert context["apiId"]
    assert context["stage"] == gateway.stage
    assert context["domainName"] == f"127.0.0.1:{gateway.port}"
    assert BASE64_ID.match(context["requestId"])
    assert context["extendedRequestId"] == context["requestId"]
    assert context["messageDirection"] == "IN"
    assert isinstance(context["connectedAt"], int) and isinstance(context["requestTimeEpoch"], int)
    assert context["requestTimeEpoch"] >= context["connectedAt"]
    assert re.match(r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$", context["requestTime"])
    assert context["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "e2e-client/1.0"}


def test_connect_message_and_disconnect_events(gateway):
    async def scenario():
        async with websockets.connect(gateway.url + "?room=a&room=b&name=J%C3%B6rg", user_agent_header="e2e-client/1.0",
                                      additional_headers=[("X-Tag", "one"), ("X-Tag", "two")]) as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            await ws.send(json.dumps({"action": "event", "extra": [1, 2]}))
            message_event = json.loads(await receive(ws))
            await ws.close(code=4001, reason="done here")
            return me, message_event

    me, message = run(scenario())
    assert BASE64_ID.match(me)

    connect = gateway.wait_for_event("$connect", me)
    check_request_context(connect["requestContext"], gateway, "$connect", "CONNECT", me)
    assert "messageId" not in connect["requestContext"]
    headers = connect["headers"]
    assert headers["Host"] == f"127.0.0.1:{gateway.port}"
    assert headers["User-Agent"] == "e2e-client/1.0"
    assert headers["Sec-WebSocket-Version"] == "13"
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Tag"] == "two"
    assert "Connection" not in headers and "Upgrade" not in headers
    assert connect["multiValueHeaders"]["X-Tag"] == ["one", "two"]
    assert connect["queryStringParameters"] == {"room": "b", "name": "Jörg"}
    assert connect["multiValueQueryStringParameters"] == {"room": ["a", "b"], "name": ["Jörg"]}
    assert connect["isBase64Encoded"] is False

    check_request_context(message["requestContext"], gateway, "event", "MESSAGE", me)
    assert BASE64_ID.match(message["requestContext"]["messageId"])
    assert message["requestContext"]["connectedAt"] == connect["requestContext"]["connectedAt"]
    assert json.loads(message["body"]) == {"action": "event", "extra": [1, 2]}
    assert message["isBase64Encoded"] is False
    assert "headers" not in message

    disconnect = gateway.wait_for_event("$disconnect", me)
    check_request_context(disconnect["requestContext"], gateway, "$disconnect", "DISCONNECT", me)
    assert disconnect["requestContext"]["disconnectStatusCode"] == 4001
    assert disconnect["requestContext"]["disconnectReason"] == "done here"
    assert disconnect["headers"]["Host"] == f"127.0.0.1:{gateway.port}"


def test_a_close_without_status_and_a_dropped_connection(gateway):
    async def scenario():
        quiet = await websockets.connect(gateway.url)
        await quiet.send('{"action":"whoAmI"}')
        quiet_id = await receive(quiet)
        dropped = await websockets.connect(gateway.url)
        await dropped.send('{"action":"whoAmI"}')
        dropped_id = await receive(dropped)
        # A close frame without a status code (websockets refuses to send one): FIN + close opcode, masked,
        # empty payload.
        quiet.transport.write(bytes([0x88, 0x80, 0, 0, 0, 0]))
        await close_code(quiet)
        dropped.transport.abort()  # no close frame at all
        reset = await websockets.connect(gateway.url)
        await reset.send('{"action":"whoAmI"}')
        reset_id = await receive(reset)
        # No close frame, and a TCP reset instead of a FIN: the gateway's read fails with ECONNRESET.
        reset.transport.get_extra_info("socket").setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        reset.transport.abort()
        await asyncio.sleep(0)
        return quiet_id, dropped_id, reset_id

    quiet_id, dropped_id, reset_id = run(scenario())
    quiet = gateway.wait_for_event("$disconnect", quiet_id)["requestContext"]
    assert (quiet["disconnectStatusCode"], quiet["disconnectReason"]) == (1005, "Client-side close frame status not set")
    assert gateway.wait_for_event("$disconnect", dropped_id)["requestContext"]["disconnectStatusCode"] == 1006
    assert gateway.wait_for_event("$disconnect", reset_id)["requestContext"]["disconnectStatusCode"] == 1006


def test_binary_frames_arrive_base64_encoded(gateway):
    payload = bytes([0, 1, 0xFE, 0xFF]) + "é".encode()

    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(payload)
            return await receive(ws)

    assert run(scenario()) == "default:" + base64.b64encode(payload).decode()
    event = gateway.wait_for_event("$default")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload
