"""Shared fixtures: the built products, a running `lambda-local gateway`, signed @connections requests."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parents[2]
ACCESS_KEY = "AKIDLOCALGATEWAY"
SECRET_KEY = "local-gateway-secret"
REGION = "us-east-1"


def products_dir() -> Path:
    path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return Path(path.stdout.strip())


class Gateway:
    """A `lambda-local gateway` process serving a function binary, started as a user starts it."""

    def __init__(self, function: str = "GatewayTestFunction", *extra: str, env: dict[str, str] | None = None):
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
            raise RuntimeError(f"gateway did not start: {line!r} {self.log_text()}")
        self.port = int(match.group(1))
        self.stage = match.group(2)
        self.url = f"ws://127.0.0.1:{self.port}/{self.stage}"

    def events(self) -> list[dict]:
        """Every event the function received so far, oldest first."""
        return [json.loads(line) for line in self.event_log.read_text().splitlines() if line.strip()]

    def wait_for_event(self, route: str, connection_id: str | None = None, timeout: float = 20) -> dict:
        """The first event for `route` (and `connection_id`), waiting for it to arrive."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for event in self.events():
                context = event["requestContext"]
                if context["routeKey"] == route and connection_id in (None, context["connectionId"]):
                    return event
            time.sleep(0.05)
        raise AssertionError(f"no {route} event for {connection_id} in {self.events()}")

    def management(self, method: str, connection_id: str, body: bytes = b"", sign: bool = True,
                   secret: str = SECRET_KEY, access_key: str = ACCESS_KEY,
                   stage: str | None = None, extra_headers: dict[str, str] | None = None,
                   sent_headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """A @connections request, SigV4-signed by botocore as an AWS SDK signs it (the id percent-encoded);
        `extra_headers` are sent, and signed unless botocore leaves them out; `sent_headers` replace headers
        after signing, as a proxy rewriting them would."""
        quoted = urllib.parse.quote(connection_id, safe="")
        url = f"http://127.0.0.1:{self.port}/{stage or self.stage}/@connections/{quoted}"
        body = body if method == "POST" else b""
        headers = dict(extra_headers or {})
        if sign:
            request = AWSRequest(method=method, url=url, data=body, headers=headers)
            SigV4Auth(Credentials(access_key, secret), "execute-api", REGION).add_auth(request)
            headers = dict(request.headers)
        headers.update(sent_headers or {})
        http_request = urllib.request.Request(url, data=body or None, method=method,
                                              headers=headers)
        try:
            with urllib.request.urlopen(http_request, timeout=20) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def interrupt(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return Path(self.output.name).read_text()


@pytest.fixture
def gateway():
    instance = Gateway()
    yield instance
    instance.stop()


@pytest.fixture
def start_gateway():
    """Starts gateways with extra command-line options; stops them after the test."""
    started: list[Gateway] = []

    def start(*extra: str, function: str = "GatewayTestFunction", env: dict[str, str] | None = None) -> Gateway:
        instance = Gateway(function, *extra, env=env)
        started.append(instance)
        return instance

    yield start
    for instance in started:
        instance.stop()
