#!/usr/bin/env python3
"""A local `@connections` management API for tests and benchmarks.

Every request's SigV4 signature is recomputed with botocore's SigV4Auth (unless --no-verify) and the
connection id in the path must be percent-encoded exactly (`=` -> `%3D`). Answers depend on the id:
  gone-*        410 GoneException            forbidden-*   403 ForbiddenException
  toolarge-*    413 PayloadTooLargeException fail-*        500 always
  throttle-once-* 429 on the first request for that id, then success
  fail-once-*   500 on the first request for that id, then success (not "fail-*")
  anything else 2xx (POST 200, GET 200 with connection info, DELETE 204)
`GET /_requests` returns what was received (JSON); `POST /_reset` forgets it.
Prints the listening port on stdout; exits when stdin closes (the parent test process ended).
"""
import argparse
import base64
import datetime
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE_LOCK = threading.Lock()
VERIFY_LOCK = threading.Lock()  # botocore's clock is patched per request
RECORDS = []
SEEN = {}


def verify(handler, body, args):
    """Recomputes the signature with botocore; returns None when valid, else the reason."""
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    authorization = handler.headers.get("Authorization", "")
    if not authorization.startswith("AWS4-HMAC-SHA256 "):
        return "no SigV4 Authorization header"
    fields = dict(part.strip().split("=", 1) for part in authorization[len("AWS4-HMAC-SHA256 "):].split(","))
    access_key, day, region, service, _ = fields["Credential"].split("/")
    if access_key != args.access_key:
        return f"unknown access key {access_key}"
    if handler.headers.get("X-Amz-Security-Token") != args.session_token:
        return "wrong or missing session token"
    amz_date = handler.headers["X-Amz-Date"]
    fixed = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    botocore.auth.get_current_datetime = lambda: fixed
    url = f"http://{handler.headers['Host']}{handler.path}"
    request = AWSRequest(method=handler.command, url=url, data=body)
    for name in fields["SignedHeaders"].split(";"):
        for value in handler.headers.get_all(name) or []:
            request.headers[name] = value
    signer = botocore.auth.SigV4Auth(Credentials(args.access_key, args.secret_key, args.session_token), service, region)
    # SigV4Auth adds these itself.
    for name in ("X-Amz-Date", "X-Amz-Security-Token"):
        if name in request.headers:
            del request.headers[name]
    signer.add_auth(request)
    if request.headers["Authorization"] != authorization:
        return "signature mismatch; botocore's canonical request:\n" + signer.canonical_request(request)
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    args = None

    def log_message(self, *_):
        pass

    def reply(self, status, body=b"", error_type=None, content_type="application/json"):
        self.send_response(status)
        if error_type:
            self.send_header("x-amzn-ErrorType", f"{error_type}:http://internal.amazon.com/coral/com.amazonaws.apigateway/")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        raw_path = self.path.split("?", 1)[0]
        if raw_path == "/_requests":
            with STATE_LOCK:
                return self.reply(200, json.dumps(RECORDS).encode())
        if raw_path == "/_reset":
            with STATE_LOCK:
                RECORDS.clear()
                SEEN.clear()
            return self.reply(204)

        marker = "/@connections/"
        if marker not in raw_path:
            return self.reply(404, b'{"message":"not a @connections path"}', "NotFoundException")
        prefix, encoded_id = raw_path.split(marker, 1)
        connection_id = urllib.parse.unquote(encoded_id)
        problem = None
        if not self.args.no_verify:
            with VERIFY_LOCK:
                problem = verify(self, body, self.args)
        path_canonical = encoded_id == urllib.parse.quote(connection_id, safe="-._~")
        record = {
            "method": self.command, "stagePath": prefix, "encodedId": encoded_id, "connectionId": connection_id,
            "body": base64.b64encode(body).decode(), "signatureProblem": problem, "pathCanonical": path_canonical,
        }
        with STATE_LOCK:
            if not self.args.no_record:
                RECORDS.append(record)
            attempt = SEEN.get((self.command, connection_id), 0) + 1
            SEEN[(self.command, connection_id)] = attempt
        if problem:
            return self.reply(403, json.dumps({"message": problem}).encode(), "InvalidSignatureException")
        if not path_canonical:
            return self.reply(400, b'{"message":"connection id not percent-encoded"}', "BadRequestException")
        if connection_id.startswith("gone-"):
            return self.reply(410, b"", "GoneException")
        if connection_id.startswith("forbidden-"):
            return self.reply(403, b'{"message":"Forbidden"}', "ForbiddenException")
        if connection_id.startswith("toolarge-"):
            return self.reply(413, b'{"message":"Payload too large"}', "PayloadTooLargeException")
        if connection_id.startswith("throttle-once-") and attempt == 1:
            return self.reply(429, b'{"message":"Rate exceeded"}', "LimitExceededException")
        if connection_id.startswith("fail-once-") and attempt == 1:
            return self.reply(500, b'{"message":"Internal"}', "InternalServerErrorException")
        if connection_id.startswith("fail-") and not connection_id.startswith("fail-once-"):
            return self.reply(500, b'{"message":"Internal"}', "InternalServerErrorException")
        if self.command == "GET":
            info = {
                "connectedAt": "2024-02-29T12:34:56.789Z",
                "identity": {"sourceIp": "203.0.113.7", "userAgent": "test-agent/1.0"},
                "lastActiveAt": "2024-02-29T12:35:00Z",
            }
            return self.reply(200, json.dumps(info).encode())
        if self.command == "DELETE":
            return self.reply(204)
        return self.reply(200)

    do_GET = do_POST = do_DELETE = do_PUT = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--access-key", default="AKIDTEST")
    parser.add_argument("--secret-key", default="test-secret")
    parser.add_argument("--session-token", default=None)
    parser.add_argument("--no-verify", action="store_true", help="skip signature checks (benchmarks)")
    parser.add_argument("--no-record", action="store_true", help="keep no request log (benchmarks)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    Handler.args = args
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)

    def exit_when_parent_ends():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_when_parent_ends, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
