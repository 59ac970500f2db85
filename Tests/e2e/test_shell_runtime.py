"""A runtime that opens one connection per Runtime API request, as the shell runtime of AWS's custom-runtime
tutorial does with one `curl` per call, works under `lambda-local invoke`, `serve` and `gateway`; its crash
mid-invocation still fails that invocation at once."""
from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import websockets

from conftest import products_dir
from helpers import receive, run

# Answers every event; a body mentioning "crash" makes it exit after taking the event, before answering, one
# mentioning "slow" makes it take a minute, and one mentioning "pause" a second. PID in $RESPONSE becomes the
# shell's process id.
SHELL_RUNTIME = r"""#!/bin/sh
set -eu
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
headers="$(mktemp)"
while true; do
  event=$(curl -sS -D "$headers" "$api/invocation/next")
  request_id=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$headers" | tr -d '[:space:]' | cut -d: -f2)
  case "$event" in *crash*) exit 3 ;; *slow*) sleep 60 ;; *pause*) sleep 1 ;; esac
  curl -sS -o /dev/null "$api/invocation/$request_id/response" -d "$(printf '%s' "$RESPONSE" | sed "s/PID/$$/g")"
done
"""


@pytest.fixture
def shell_runtime(tmp_path: Path) -> Path:
    if subprocess.run(["sh", "-c", "command -v curl"], capture_output=True).returncode != 0:
        pytest.fail("the shell runtime needs the curl command line (scripts/ensure-deps.sh installs it)")
    path = tmp_path / "bootstrap"
    path.write_text(SHELL_RUNTIME)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def invoke(function: Path, event: str, response: str) -> subprocess.CompletedProcess:
    event_file = function.parent / "event.json"
    event_file.write_text(event)
    return subprocess.run(
        [str(products_dir() / "lambda-local"), "invoke", "--function", str(function), "--event", str(event_file),
         "--timeout", "60"],
        capture_output=True, text=True, timeout=90, env={**os.environ, "RESPONSE": response})


def test_invoke_answers_through_a_runtime_with_one_connection_per_request(shell_runtime):
    result = invoke(shell_runtime, '{"n": 1}', '{"answer": 42}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"answer": 42}


def test_invoke_reports_that_runtime_exiting_mid_invocation_at_once(shell_runtime):
    started = time.monotonic()
    result = invoke(shell_runtime, '{"op": "crash"}', "{}")
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    error = json.loads(result.stdout)
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Runtime exited with error: exit status 3")
    assert elapsed < 30  # not the 60 s deadline


class Serve:
    """`lambda-local serve` running `function` on a free port with the shell runtime's $RESPONSE, as a context
    manager; `post` invokes it and returns the answer, its headers and how long it took. Its standard error is
    in `errors` once it has stopped."""

    def __init__(self, function: Path, response: str, *options: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations"
        self.process = subprocess.Popen(
            [str(products_dir() / "lambda-local"), "serve", "--function", str(function), "--port", str(port),
             *options],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "RESPONSE": response})
        self.errors = ""

    def __enter__(self) -> "Serve":
        assert "Invoke:" in self.process.stdout.readline()
        return self

    def __exit__(self, *_) -> None:
        self.process.terminate()
        _, self.errors = self.process.communicate(timeout=30)

    def post(self, body: bytes) -> tuple[dict, dict, float]:
        started = time.monotonic()
        with urllib.request.urlopen(urllib.request.Request(self.url, data=body), timeout=90) as answer:
            return json.loads(answer.read()), dict(answer.headers), time.monotonic() - started


def test_serve_answers_many_invocations_and_reports_a_crash_at_once(shell_runtime):
    with Serve(shell_runtime, '{"ok": true}', "--timeout", "60") as serve:
        for n in range(5):
            assert serve.post(json.dumps({"n": n}).encode())[0] == {"ok": True}
        crashed, headers, elapsed = serve.post(b'{"op": "crash"}')
        assert crashed["errorType"] == "Runtime.ExitError"
        assert headers.get("X-Amz-Function-Error") == "Unhandled"
        assert elapsed < 30
        # The restarted process serves the next one.
        assert serve.post(b'{"n": 6}')[0] == {"ok": True}


def test_serve_with_two_instances_fails_only_the_invocation_of_the_one_that_crashed(shell_runtime):
    with Serve(shell_runtime, '{"ok": true}', "--instances", "2", "--timeout", "60") as serve:
        for _ in range(3):  # each round: one instance pauses while the other crashes (and is restarted)
            with ThreadPoolExecutor(2) as pool:
                paused = pool.submit(serve.post, b'{"op": "pause"}')
                time.sleep(0.3)
                crashed = pool.submit(serve.post, b'{"op": "crash"}')
                (paused_answer, _, _), (crashed_answer, _, crashed_after) = paused.result(), crashed.result()
            assert paused_answer == {"ok": True}
            assert crashed_answer["errorType"] == "Runtime.ExitError"
            assert crashed_answer["errorMessage"].endswith("exit status 3")
            assert crashed_after < 30
            time.sleep(0.5)  # the restart


def test_serve_stops_a_runtime_that_runs_past_its_timeout(shell_runtime):
    with Serve(shell_runtime, '{"pid": PID}', "--timeout", "2") as serve:
        first = serve.post(b'{"n": 1}')[0]["pid"]
        timed_out = serve.post(b'{"op": "slow"}')[0]
        assert timed_out["errorType"] == "Sandbox.Timedout", timed_out
        second = serve.post(b'{"n": 2}')[0]["pid"]
        assert second != first
    assert f"stopped process {first}" in serve.errors


def test_gateway_delivers_the_route_response_and_the_error_frame_of_a_crash(start_gateway, shell_runtime):
    gateway = start_gateway("--timeout", "60", function=str(shell_runtime), env={"RESPONSE": '{"statusCode": 200, "body": "pong"}'})

    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "ping"}))
            pong = await receive(ws)
            started = time.monotonic()
            await ws.send(json.dumps({"action": "crash"}))
            error = json.loads(await receive(ws, timeout=30))
            return pong, error, time.monotonic() - started

    pong, error, elapsed = run(scenario())
    assert pong == "pong"
    assert error["message"] == "Internal server error"
    assert elapsed < 30


def test_gateway_stops_that_runtime_when_it_runs_past_its_timeout(start_gateway, shell_runtime):
    gateway = start_gateway("--timeout", "2", function=str(shell_runtime), env={"RESPONSE": '{"statusCode": 200, "body": "pong from PID"}'})

    async def scenario():
        async with websockets.connect(gateway.url) as ws:
            await ws.send(json.dumps({"action": "ping"}))
            before = await receive(ws)
            await ws.send(json.dumps({"action": "slow"}))
            error = json.loads(await receive(ws, timeout=30))
            # A fresh process serves the next message, not the one still sleeping.
            await ws.send(json.dumps({"action": "ping"}))
            return before, error, await receive(ws, timeout=30)

    before, error, after = run(scenario())
    assert error["message"] == "Internal server error"
    first, second = before.removeprefix("pong from "), after.removeprefix("pong from ")
    assert first.isdigit() and second.isdigit() and first != second, (before, after)
    assert f"stopped process {first}" in gateway.log_text()
