"""A local HTTP server that holds each request for `?ms=N` milliseconds and counts how many it holds at once.

Prints its port on the first line and exits when its standard input closes (the test process ended).
`GET /peak` answers the most requests held at once since the last `POST /reset`. `/echo` (and any path under it),
with any method, answers what arrived: the method, body length, request target and `Accept` header (or `none`) as
`X-Method`, `X-Body-Length`, `X-Target` and `X-Accept` headers (and the first two as JSON but for HEAD)."""
from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

lock = threading.Lock()
state = {"active": 0, "peak": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def echo(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        data = json.dumps({"method": self.command, "body_length": length}).encode()
        self.send_response(200)
        self.send_header("X-Method", self.command)
        self.send_header("X-Body-Length", str(length))
        self.send_header("X-Target", self.path)
        self.send_header("X-Accept", self.headers.get("Accept", "none"))
        # Optional whitespace around a value (RFC 9110: spaces and tabs) is not part of it.
        self.send_header("X-Padded", "\t value \t")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def is_echo(self) -> bool:
        path = urlparse(self.path).path
        return path == "/echo" or path.startswith("/echo/")

    do_HEAD = do_PUT = do_DELETE = echo

    def do_GET(self):
        url = urlparse(self.path)
        if self.is_echo():
            return self.echo()
        if url.path == "/peak":
            with lock:
                return self.answer({"peak": state["peak"]})
        self.hold(url)

    def do_POST(self):
        if self.is_echo():
            return self.echo()
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        url = urlparse(self.path)
        if url.path == "/reset":
            with lock:
                state["peak"] = state["active"]
            return self.answer({})
        self.hold(url)

    def hold(self, url) -> None:
        milliseconds = int(parse_qs(url.query).get("ms", ["0"])[0])
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        time.sleep(milliseconds / 1000)
        with lock:
            state["active"] -= 1
        self.answer({"held_ms": milliseconds})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
