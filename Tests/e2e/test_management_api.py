"""The `@connections` management API, called as an AWS SDK calls it (SigV4-signed by botocore)."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime

import botocore.auth
import websockets

from conftest import SECRET_KEY
from helpers import close_code, receive, run


def test_post_get_delete(gateway):
    async def scenario():
        async with websockets.connect(gateway.url, user_agent_header="e2e-test/1.0") as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            status, _, _ = await asyncio.to_thread(gateway.management, "POST", me, "pushed ✓".encode())
            assert status == 200
            text = await receive(ws)
            status, _, _ = await asyncio.to_thread(gateway.management, "POST", me, bytes([0xFF, 0, 1]))
            assert status == 200
            binary = await receive(ws)
            status, headers, body = await asyncio.to_thread(gateway.management, "GET", me)
            assert status == 200 and headers["Content-Type"] == "application/json"
            info = json.loads(body)
            status, _, _ = await asyncio.to_thread(gateway.management, "DELETE", me)
            assert status == 204
            return me, text, binary, info, await close_code(ws)

    me, text, binary, info, code = run(scenario())
    assert text == "pushed ✓"
    assert binary == bytes([0xFF, 0, 1])
    assert set(info) == {"connectedAt", "identity", "lastActiveAt"}
    assert info["identity"] == {"sourceIp": "127.0.0.1", "userAgent": "e2e-test/1.0"}
    connected = datetime.strptime(info["connectedAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
    last_active = datetime.strptime(info["lastActiveAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert last_active >= connected
    assert code == 1000
    disconnect = gateway.wait_for_event("$disconnect", me)["requestContext"]
    assert disconnect["disconnectStatusCode"] == 1000
    status, headers, body = gateway.management("POST", me, b"late")
    assert status == 410
    assert headers["x-amzn-ErrorType"] == "GoneException"
    assert "message" in json.loads(body)


def test_unknown_ids_are_gone(gateway):
    for method in ("POST", "GET", "DELETE"):
        status, headers, body = gateway.management(method, "bm90LWEtY29ubmVjdGlvbg==", b"x")
        assert status == 410
        assert headers["x-amzn-ErrorType"] == "GoneException"
        assert json.loads(body)["message"]


def test_error_bodies_stay_json_whatever_the_id_holds(gateway):
    for connection_id in ('quote"back\\slash', "line\nbreak\ttab\x01", "caf\u00e9-\u2603"):
        status, headers, body = gateway.management("GET", connection_id)
        assert status == 410
        assert headers["x-amzn-ErrorType"] == "GoneException"
        assert connection_id in json.loads(body)["message"], body


def test_a_client_may_sign_headers_botocore_leaves_out(gateway, monkeypatch):
    # Signers differ in the headers they skip; the gateway checks the ones the client lists as signed.
    monkeypatch.setattr(botocore.auth, "SIGNED_HEADERS_BLACKLIST", [])
    extra = {"User-Agent": "custom-sdk/1.0", "X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793"}
    status, headers, _ = gateway.management("GET", "bm90LWEtY29ubmVjdGlvbg==", extra_headers=extra)
    assert status == 410, headers  # verified, then found gone; not 403
    # Once signed, they count: a request whose signed User-Agent was rewritten after signing does not verify.
    rewritten = {**extra, "User-Agent": "rewritten/2.0"}
    status, headers, _ = gateway.management("GET", "bm90LWEtY29ubmVjdGlvbg==", extra_headers=extra,
                                            sent_headers=rewritten)
    assert status == 403, headers


def test_requests_that_do_not_verify_are_forbidden(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            results = [
                await asyncio.to_thread(gateway.management, "POST", me, b"x", sign=False),
                await asyncio.to_thread(gateway.management, "POST", me, b"x", secret=SECRET_KEY + "-wrong"),
                await asyncio.to_thread(gateway.management, "POST", me, b"x", access_key="AKIDSOMEONEELSE"),
                await asyncio.to_thread(gateway.management, "GET", me, sign=False),
                await asyncio.to_thread(gateway.management, "DELETE", me, secret="nope"),
            ]
            await ws.send(json.dumps({"action": "echo", "message": "unharmed"}))
            return results, await receive(ws)

    results, unharmed = run(scenario())
    for status, headers, body in results:
        assert status == 403
        assert headers["x-amzn-ErrorType"] == "ForbiddenException"
        assert json.loads(body)["message"]
    assert unharmed == "unharmed"
    # Nothing forbidden was delivered or closed.


def test_payloads_over_128_kb_are_refused(gateway):
    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "whoAmI"}))
            me = await receive(ws)
            return await asyncio.to_thread(gateway.management, "POST", me, b"z" * (128 * 1024 + 1))

    status, headers, _ = run(scenario())
    assert status == 413
    assert headers["x-amzn-ErrorType"] == "PayloadTooLargeException"
    # Any body over the limit is refused once it ends, before the signature or the id is looked at; the
    # gateway keeps none of it past the limit.
    status, headers, body = gateway.management("POST", "bm90LWEtY29ubmVjdGlvbg==", b"z" * (1024 * 1024), sign=False)
    assert status == 413
    assert headers["x-amzn-ErrorType"] == "PayloadTooLargeException"
    assert json.loads(body)["message"] == "Request Entity Too Large"


def test_another_stage_is_not_found(gateway):
    status, _, _ = gateway.management("POST", "bm90LWEtY29ubmVjdGlvbg==", b"x", stage="prod")
    assert status == 404
