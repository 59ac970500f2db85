"""Shared fixtures: the built products, a running `lambda-local gateway`, signed @connections requests."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parents[2]
ACCESS_KEY = "AKIDLOCALGATEWAY"
SECRET_KEY = "local-gateway-secret"


def products_dir() -> Path:
    path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return Path(path.stdout.strip())


class Gateway:
    """A `lambda-local gateway` process serving a function binary."""

    def __init__(self, function: str, *extra: str, env: dict[str, str] | None = None):
        self.event_log = Path(tempfile.mkstemp(prefix="gateway-events-")[1])
        self.output = tempfile.NamedTemporaryFile(prefix="gateway-out-", delete=False)
        bin_dir = products_dir()
        command = [str(bin_dir / "lambda-local"), "gateway", "--function", str(bin_dir / function),
                   "--port", "0", "--runtime-api-port", "0", "--env", f"GATEWAY_EVENT_LOG={self.event_log}", *extra]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.output, text=True,
                                        env={**os.environ, **(env or {})})
        line = self.process.stdout.readline()
        match = re.search(r"ws://127\.0\.0\.1:(\d+)/(\S+)", line)
        if not match:
            self.stop()
            raise RuntimeError(f"gateway did not start: {line!r} {Path(self.output.name).read_text()}")
        self.port = int(match.group(1))
        self.stage = match.group(2)
        self.url = f"ws://127.0.0.1:{self.port}/{self.stage}"

    def events(self) -> list[list[str]]:
        return [line.split() for line in self.event_log.read_text().splitlines() if line.strip()]

    def wait_for_event(self, predicate, timeout: float = 10) -> list[str]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for event in self.events():
                if predicate(event):
                    return event
            time.sleep(0.05)
        raise AssertionError(f"no matching event in {self.events()}")

    def management(self, method: str, connection_id: str, body: bytes = b"", sign: bool = True,
                   secret: str = SECRET_KEY) -> tuple[int, dict[str, str], bytes]:
        """A @connections request, SigV4-signed by botocore as an AWS SDK would sign it."""
        quoted = urllib.parse.quote(connection_id, safe="")
        url = f"http://127.0.0.1:{self.port}/{self.stage}/@connections/{quoted}"
        headers = {}
        if sign:
            request = AWSRequest(method=method, url=url, data=body)
            SigV4Auth(Credentials(ACCESS_KEY, secret), "execute-api", "us-east-1").add_auth(request)
            headers = dict(request.headers)
        http_request = urllib.request.Request(url, data=body if method == "POST" else None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(http_request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return Path(self.output.name).read_text()


@pytest.fixture
def gateway():
    instance = Gateway("GatewayTestFunction")
    yield instance
    instance.stop()


import urllib.parse  # noqa: E402  (used by Gateway.management)
