"""The opening handshake: `$connect` decides it, before the upgrade completes."""
from __future__ import annotations

import socket

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from helpers import receive, run


async def refused_status(url: str) -> tuple[int, bytes]:
    with pytest.raises(InvalidStatus) as refused:
        async with websockets.connect(url):
            pass
    return refused.value.response.status_code, refused.value.response.body


def test_a_non_2xx_connect_answer_refuses_the_handshake_with_that_status(gateway):
    status, body = run(refused_status(gateway.url + "?reject=403"))
    assert status == 403
    assert body == b"rejected"
    status, _ = run(refused_status(gateway.url + "?reject=401"))
    assert status == 401
    # The refused connections never opened: nothing to disconnect.
    assert [e for e in gateway.events() if e["requestContext"]["routeKey"] == "$disconnect"] == []


def test_a_connect_handler_crash_refuses_with_502_and_the_function_is_restarted(gateway):
    status, body = run(refused_status(gateway.url + "?crash=1"))
    assert status == 502
    assert b"Internal server error" in body

    async def afterwards():
        async with websockets.connect(gateway.url) as ws:
            await ws.send('{"action":"whoAmI"}')
            return await receive(ws, timeout=30)

    assert run(afterwards()).endswith("=")
    assert "restarting" in gateway.log_text()


def test_only_the_stage_path_upgrades(gateway):
    status, _ = run(refused_status(f"ws://127.0.0.1:{gateway.port}/other-stage"))
    assert status == 404
    status, _ = run(refused_status(f"ws://127.0.0.1:{gateway.port}/{gateway.stage}/deeper"))
    assert status == 404


def test_the_function_chooses_the_subprotocol(gateway):
    async def scenario():
        async with websockets.connect(gateway.url + "?protocol=chat.v2", subprotocols=["chat.v1", "chat.v2"]) as ws:
            return ws.subprotocol

    assert run(scenario()) == "chat.v2"


def test_a_client_that_leaves_during_connect_gets_its_disconnect(gateway):
    """$connect accepts a client that already hung up: the function still hears $disconnect for it (as it
    would for any connection it accepted), and no open connection is left behind."""
    handshake = (f"GET /{gateway.stage}?slow=400 HTTP/1.1\r\nHost: 127.0.0.1:{gateway.port}\r\n"
                 "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n")
    with socket.create_connection(("127.0.0.1", gateway.port)) as client:
        client.sendall(handshake.encode())
        connect = gateway.wait_for_event("$connect")
    connection_id = connect["requestContext"]["connectionId"]
    disconnect = gateway.wait_for_event("$disconnect", connection_id)
    assert disconnect["requestContext"]["disconnectStatusCode"] == 1006
    status, _, _ = gateway.management("GET", connection_id)
    assert status == 410

    # The gateway goes on serving handshakes.
    async def afterwards():
        async with websockets.connect(gateway.url) as ws:
            await ws.send('{"action":"whoAmI"}')
            return await receive(ws)

    assert run(afterwards()) != connection_id
