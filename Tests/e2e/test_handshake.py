"""The opening handshake: `$connect` decides it, before the upgrade completes."""
from __future__ import annotations

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
