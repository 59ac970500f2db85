#!/usr/bin/env python3
"""Signs request descriptions with botocore's SigV4Auth, the independent reference for our signer.

Reads a JSON array of cases on stdin:
  {"id", "method", "url", "headers": [[name, value], ...], "body": base64, "accessKey", "secretKey",
   "sessionToken": str|null, "region", "service", "epochSeconds": int}
Writes a JSON array of {"id", "authorization", "amzDate", "securityToken", "canonicalRequest"}.
"""
import base64
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(case):
    fixed = datetime.datetime.fromtimestamp(case["epochSeconds"], datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda: fixed
    request = AWSRequest(method=case["method"], url=case["url"], data=base64.b64decode(case["body"]))
    for name, value in case["headers"]:
        request.headers[name] = value  # HTTPHeaders appends: repeated names stay repeated
    credentials = Credentials(case["accessKey"], case["secretKey"], case.get("sessionToken"))
    signer = botocore.auth.SigV4Auth(credentials, case["service"], case["region"])
    signer.add_auth(request)
    authorization = request.headers["Authorization"]
    del request.headers["Authorization"]
    return {
        "id": case["id"],
        "authorization": authorization,
        "amzDate": request.headers["X-Amz-Date"],
        "securityToken": request.headers.get("X-Amz-Security-Token"),
        "canonicalRequest": signer.canonical_request(request),
    }


def main():
    cases = json.load(sys.stdin)
    json.dump([sign(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
