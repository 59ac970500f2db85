"""`lambda-local gateway --record-events DIR`: every event sent to the function lands in DIR as a numbered
JSON file, and such a file replays through `lambda-local invoke` as a recorded event."""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import websockets

from conftest import products_dir
from helpers import receive, run


def wait_for_files(directory: Path, count: int, timeout: float = 20) -> list[Path]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        files = sorted(directory.glob("*.json"))
        if len(files) >= count:
            return files
        time.sleep(0.05)
    raise AssertionError(f"expected {count} recorded events in {directory}, found {sorted(directory.iterdir())}")


def test_events_are_recorded_in_order_and_replay(start_gateway, tmp_path):
    directory = tmp_path / "recorded" / "session"  # created by the gateway, parents too
    gateway = start_gateway("--record-events", str(directory), function="Handlers")

    async def scenario():
        async with websockets.connect(gateway.url + "?token=abc", additional_headers={"X-Trace": "one"}) as ws:
            await ws.send(json.dumps({"action": "whoAmI", "request_id": "r1"}))
            reply = json.loads(await receive(ws))
            await ws.send(b"\x00\x01binary")
            await receive(ws)
        return reply

    reply = run(scenario())
    files = wait_for_files(directory, 4)
    assert [f.name for f in files] == ["000001-connect.json", "000002-whoAmI.json", "000003-default.json",
                                       "000004-disconnect.json"]
    events = [json.loads(f.read_text()) for f in files]
    assert [e["requestContext"]["eventType"] for e in events] == ["CONNECT", "MESSAGE", "MESSAGE", "DISCONNECT"]
    connection_id = reply["connectionId"]
    assert {e["requestContext"]["connectionId"] for e in events} == {connection_id}
    assert events[0]["queryStringParameters"] == {"token": "abc"}
    assert events[0]["headers"]["X-Trace"] == "one"
    assert json.loads(events[1]["body"]) == {"action": "whoAmI", "request_id": "r1"}
    assert events[2]["isBase64Encoded"] is True
    assert events[3]["requestContext"]["disconnectStatusCode"] == 1000
    assert files[1].read_text().startswith("{\n"), "recorded events are pretty-printed"

    # A recorded event is a test fixture: it replays through the function with the same answer.
    bin_dir = products_dir()
    replay = subprocess.run([str(bin_dir / "lambda-local"), "invoke", "--function", str(bin_dir / "Handlers"),
                             "--event", str(files[1])], capture_output=True, text=True, timeout=60)
    assert replay.returncode == 0, replay.stderr
    response = json.loads(replay.stdout)
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == reply


def test_an_unusable_record_directory_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    bin_dir = products_dir()
    result = subprocess.run([str(bin_dir / "lambda-local"), "gateway", "--function", str(bin_dir / "Handlers"),
                             "--port", "0", "--runtime-api-port", "0", "--record-events", str(blocker / "events")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "cannot record events in" in result.stderr
