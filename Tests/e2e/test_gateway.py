"""The local gateway end to end, with a WebSocket client we did not write (Python `websockets`)."""
from __future__ import annotations

import asyncio
import base64
import json

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from conftest import Gateway


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


async def receive(ws, timeout: float = 10):
    return await asyncio.wait_for(ws.recv(), timeout)


def test_who_am_i_returns_the_connection_id(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            return await receive(ws)

    connection_id = run(scenario())
    connect = gateway.wait_for_event(lambda e: e[0] == "$connect")
    assert connection_id == connect[1]
    assert connection_id.endswith("=")


def test_rejected_connect_surfaces_the_status(gateway):
    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(gateway.url + "?reject=403"):
                pass
        return refused.value.response.status_code

    assert run(scenario()) == 403


def test_wrong_path_is_not_found(gateway):
    async def scenario():
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(f"ws://127.0.0.1:{gateway.port}/other-stage"):
                pass
        return refused.value.response.status_code

    assert run(scenario()) == 404


def test_binary_frames_arrive_base64_on_default_and_non_json_text_too(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(b"\x00\x01\xfe\xff")
            binary = await receive(ws)
            await ws.send("this is not JSON")
            text = await receive(ws)
            await ws.send(json.dumps({"action": "noSuchRoute"}))
            unknown = await receive(ws)
            return binary, text, unknown

    binary, text, unknown = run(scenario())
    assert binary == "default:" + base64.b64encode(b"\x00\x01\xfe\xff").decode()
    assert text == "default:this is not JSON"
    assert unknown == 'default:{"action": "noSuchRoute"}'


def test_a_crash_answers_the_error_frame_and_the_function_is_restarted(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            await ws.send(json.dumps({"action": "crash"}))
            error = json.loads(await receive(ws))
            await ws.send(json.dumps({"action": "whoAmI"}))
            again = await receive(ws, timeout=30)
            return me, error, again

    me, error, again = run(scenario())
    assert error["message"] == "Internal server error"
    assert error["connectionId"] == me
    assert error["requestId"]
    assert again == me
    assert "restarting" in gateway.log_text()


def test_management_api_post_get_delete(gateway):
    async def scenario():
        async with websockets.connect(gateway.url, user_agent_header="e2e-test/1.0") as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            status, _, _ = await asyncio.to_thread(gateway.management, "POST", me, b"pushed from outside")
            assert status == 200
            pushed = await receive(ws)
            status, _, body = await asyncio.to_thread(gateway.management, "GET", me)
            assert status == 200
            info = json.loads(body)
            status, _, _ = await asyncio.to_thread(gateway.management, "DELETE", me)
            assert status == 204
            with pytest.raises(ConnectionClosed) as closed:
                await receive(ws)
            return me, pushed, info, closed.value.rcvd.code if closed.value.rcvd else None

    me, pushed, info, close_code = run(scenario())
    assert pushed == "pushed from outside"
    assert info["identity"]["sourceIp"] == "127.0.0.1"
    assert info["identity"]["userAgent"] == "e2e-test/1.0"
    assert info["connectedAt"].endswith("Z") and info["lastActiveAt"] >= info["connectedAt"]
    assert close_code == 1000
    disconnect = gateway.wait_for_event(lambda e: e[0] == "$disconnect" and e[1] == me)
    assert disconnect[2] == "1000"
    # The connection is gone now.
    status, headers, _ = gateway.management("POST", me, b"late")
    assert status == 410
    assert headers.get("x-amzn-ErrorType") == "GoneException"


def test_management_api_refuses_unsigned_and_unknown(gateway):
    status, headers, _ = gateway.management("POST", "bm90LWEtY29ubmVjdGlvbg==", b"x")
    assert status == 410 and headers.get("x-amzn-ErrorType") == "GoneException"
    status, headers, _ = gateway.management("POST", "bm90LWEtY29ubmVjdGlvbg==", b"x", sign=False)
    assert status == 403 and headers.get("x-amzn-ErrorType") == "ForbiddenException"
    # Signed with the right access key but the wrong secret: the signature does not verify.
    status, headers, _ = gateway.management("POST", "bm90LWEtY29ubmVjdGlvbg==", b"x", secret="wrong-secret")
    assert status == 403 and headers.get("x-amzn-ErrorType") == "ForbiddenException"


def test_oversized_frames_and_messages_close_only_that_connection(gateway):
    async def scenario():
        async with websockets.connect(gateway.url, max_size=None) as bystander:
            async with websockets.connect(gateway.url) as big_frame:
                await big_frame.send("x" * (40 * 1024))
                with pytest.raises(ConnectionClosed) as closed:
                    await receive(big_frame)
                frame_code = closed.value.rcvd.code if closed.value.rcvd else None
            async with websockets.connect(gateway.url) as big_message:
                await big_message.send(("y" * (30 * 1024) for _ in range(5)))  # 150 KB in 30 KB fragments
                with pytest.raises(ConnectionClosed) as closed:
                    await receive(big_message)
                message_code = closed.value.rcvd.code if closed.value.rcvd else None
            await bystander.send(json.dumps({"action": "whoAmI"}))
            still_there = await receive(bystander)
            return frame_code, message_code, still_there

    frame_code, message_code, still_there = run(scenario())
    assert frame_code == 1009
    assert message_code == 1009
    assert still_there.endswith("=")


def test_idle_connections_are_closed():
    gateway = Gateway("GatewayTestFunction", "--idle-timeout", "1")
    try:
        async def scenario():
            async with websockets.connect(gateway.url, ping_interval=None) as ws:
                with pytest.raises(ConnectionClosed) as closed:
                    await receive(ws, timeout=10)
                return closed.value.rcvd.code if closed.value.rcvd else None

        assert run(scenario()) == 1001
        gateway.wait_for_event(lambda e: e[0] == "$disconnect" and e[2] == "1001")
    finally:
        gateway.stop()


def test_ctrl_c_closes_every_socket_cleanly():
    gateway = Gateway("GatewayTestFunction")
    try:
        async def scenario():
            async with websockets.connect(gateway.url) as a, websockets.connect(gateway.url) as b:
                await asyncio.to_thread(gateway.interrupt)
                codes = []
                for ws in (a, b):
                    with pytest.raises(ConnectionClosed) as closed:
                        await receive(ws)
                    codes.append(closed.value.rcvd.code if closed.value.rcvd else None)
                return codes

        assert run(scenario()) == [1001, 1001]
        assert gateway.process.returncode == 0
    finally:
        gateway.stop()
