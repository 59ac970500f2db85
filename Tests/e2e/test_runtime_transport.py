"""The runtime against a Runtime API that breaks at the HTTP level, scripted byte by byte over a raw socket:
an event cut short is that invocation's error, and the loop goes on to the next one."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time

from conftest import products_dir


class ScriptedRuntimeAPI:
    """A one-request-at-a-time HTTP server on loopback whose answers the test writes out in full."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]
        self.connection: socket.socket | None = None
        self.buffer = b""

    def request(self) -> tuple[str, dict[str, str], bytes]:
        """The next request: its request line, headers (lower-cased names) and body."""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self._receive()
            if not chunk:  # the function closed this connection: it will open another
                self.connection = None
                continue
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        line, *fields = head.decode().split("\r\n")
        headers = {name.strip().lower(): value.strip() for name, value in (f.split(":", 1) for f in fields)}
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self.buffer += self._receive()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return line, headers, body

    def _receive(self) -> bytes:
        if self.connection is None:
            self.connection, _ = self.listener.accept()
            self.connection.settimeout(30)
            self.buffer = b""
        return self.connection.recv(65536)

    def send(self, data: bytes) -> None:
        self.connection.sendall(data)

    def hang_up(self) -> None:
        self.connection.close()
        self.connection = None

    def event(self, request_id: str, body: bytes, announced: int | None = None) -> bytes:
        deadline = int(time.time() * 1000) + 60_000
        return (f"HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: {request_id}\r\n"
                f"Lambda-Runtime-Deadline-Ms: {deadline}\r\n"
                "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:f\r\n"
                f"Content-Type: application/json\r\nContent-Length: {announced or len(body)}\r\n\r\n").encode() + body

    ACCEPTED = b'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{"status":"OK"}\n'


def test_an_event_cut_short_is_reported_for_its_request_id_and_the_loop_goes_on():
    api = ScriptedRuntimeAPI()
    function = subprocess.Popen(
        [str(products_dir() / "FaultyFunction")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.port}", "AWS_LAMBDA_LOG_LEVEL": "ERROR"})
    try:
        line, _, _ = api.request()
        assert line.startswith("GET /2018-06-01/runtime/invocation/next ")
        # Headers and 6 of the 100 bytes they announce, then the connection closes.
        api.send(api.event("cut-short", b'{"op":', announced=100))
        api.hang_up()

        line, headers, body = api.request()
        assert line.startswith("POST /2018-06-01/runtime/invocation/cut-short/error "), line
        assert headers["lambda-runtime-function-error-type"] == "Runtime.IncompleteEvent"
        report = json.loads(body)
        assert report["errorType"] == "Runtime.IncompleteEvent"
        assert "ended after 6 of 100 bytes" in report["errorMessage"], report
        api.send(api.ACCEPTED)

        line, _, _ = api.request()
        assert line.startswith("GET /2018-06-01/runtime/invocation/next ")
        api.send(api.event("whole", b'{"op": "echo", "message": "still serving"}'))
        line, _, body = api.request()
        assert line.startswith("POST /2018-06-01/runtime/invocation/whole/response "), line
        assert json.loads(body)["message"] == "still serving"
        api.send(api.ACCEPTED)
        assert function.poll() is None
    finally:
        function.kill()
        function.wait(timeout=30)
        api.listener.close()
