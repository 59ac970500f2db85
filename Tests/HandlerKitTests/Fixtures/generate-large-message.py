#!/usr/bin/env python3
"""Writes message-128kb.json: a sendMessage event whose body is exactly 128 KB (131072 bytes), the
API Gateway WebSocket message payload limit. Run from this directory: ./generate-large-message.py"""
import json

BODY_BYTES = 128 * 1024
prefix = '{"action": "sendMessage", "connectionId": "L0SM9cOFvHcCIhw=", "message": "'
suffix = '"}'
body = prefix + "x" * (BODY_BYTES - len(prefix) - len(suffix)) + suffix
assert len(body.encode()) == BODY_BYTES

event = {
    "requestContext": {
        "routeKey": "sendMessage",
        "messageId": "L0SXlfS2vHcCIhw=",
        "eventType": "MESSAGE",
        "extendedRequestId": "L0SXlGyJPHcFkNw=",
        "requestTime": "25/Nov/2026:07:40:15 +0000",
        "messageDirection": "IN",
        "stage": "dev",
        "connectedAt": 1795678751000,
        "requestTimeEpoch": 1795678815042,
        "identity": {"userAgent": "websocat/1.13", "sourceIp": "203.0.113.7"},
        "requestId": "L0SXlGyJPHcFkNw=",
        "domainName": "abcdef1234.execute-api.us-east-1.amazonaws.com",
        "connectionId": "L0SM9cOFvHcCIhw=",
        "apiId": "abcdef1234",
    },
    "body": body,
    "isBase64Encoded": False,
}
with open("message-128kb.json", "w") as f:
    json.dump(event, f, indent=2)
    f.write("\n")
