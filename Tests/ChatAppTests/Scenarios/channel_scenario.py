"""The chat's channel scenario, played by real WebSocket clients (the `websockets` package from PyPI).

Usage: channel_scenario.py <ws-url> [connect-token]

Three clients connect, find their ids, join and leave channels, broadcast, send a direct message, make bad
requests and disconnect; every reply and notification is checked, including `request_id` echoes. Prints one
line per step and `SCENARIO OK` at the end; exits non-zero with the reason on the first failure.
"""
import asyncio
import json
import sys

import websockets

TIMEOUT = 30  # seconds to wait for any one frame; generous for a loaded machine


class Client:
    def __init__(self, name, socket):
        self.name = name
        self.socket = socket
        self.inbox = []
        self.id = None

    async def send(self, **request):
        await self.socket.send(json.dumps(request))

    async def send_raw(self, data):
        await self.socket.send(data)

    async def expect(self, description, predicate):
        """Waits for the first frame (received now or earlier) that `predicate` accepts, and returns it."""
        async def wait():
            while True:
                for index, frame in enumerate(self.inbox):
                    if predicate(frame):
                        return self.inbox.pop(index)
                raw = await self.socket.recv()
                try:
                    self.inbox.append(json.loads(raw))
                except ValueError:
                    self.inbox.append(raw)
        try:
            return await asyncio.wait_for(wait(), TIMEOUT)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.name}: no {description} within {TIMEOUT}s; got {self.inbox!r}")

    async def reply(self, request_id):
        return await self.expect(
            f"reply to request {request_id!r}",
            lambda f: isinstance(f, dict) and f.get("request_id") == request_id and "type" in f)

    async def nothing_more(self, seconds=1.0):
        """Checks that no unexpected frame is waiting (a short, best-effort look)."""
        try:
            raw = await asyncio.wait_for(self.socket.recv(), seconds)
            self.inbox.append(raw)
        except asyncio.TimeoutError:
            pass
        check(not self.inbox, f"{self.name} received unexpected frames: {self.inbox!r}")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def step(text):
    print("step:", text, flush=True)


async def connect(url, name, token):
    target = f"{url}?token={token}" if token else url
    return Client(name, await websockets.connect(target, open_timeout=TIMEOUT, max_size=None))


async def scenario(url, token):
    if token:
        step("a client without the token is refused with 401")
        try:
            await websockets.connect(url, open_timeout=TIMEOUT)
            raise AssertionError("connected without the token")
        except websockets.exceptions.InvalidStatus as refusal:
            check(refusal.response.status_code == 401, f"expected 401, got {refusal.response.status_code}")
        try:
            await websockets.connect(f"{url}?token=wrong-{token}", open_timeout=TIMEOUT)
            raise AssertionError("connected with a wrong token")
        except websockets.exceptions.InvalidStatus as refusal:
            check(refusal.response.status_code == 401, f"expected 401, got {refusal.response.status_code}")

    step("A, B and C connect and learn their ids")
    a = await connect(url, "A", token)
    for client in [a]:
        await client.send(action="whoAmI", request_id="who-" + client.name)
        reply = await client.reply("who-" + client.name)
        check(reply["type"] == "whoAmI" and reply["connectionId"], f"bad whoAmI reply {reply!r}")
        client.id = reply["connectionId"]
    b = await connect(url, "B", token)
    # A is in General: it hears B join.
    joined = await a.expect("B joining General", lambda f: isinstance(f, dict) and f.get("type") == "joined")
    check(joined["channel"] == "General", f"bad join notice {joined!r}")
    await b.send(action="whoAmI", request_id=2)
    b.id = (await b.reply(2))["connectionId"]
    check(joined["connectionId"] == b.id, f"A was told {joined['connectionId']} joined, not B ({b.id})")
    c = await connect(url, "C", token)
    await c.send(action="whoAmI", request_id=3.5)
    c.id = (await c.reply(3.5))["connectionId"]
    for client in (a, b):
        notice = await client.expect("C joining General", lambda f: isinstance(f, dict) and f.get("type") == "joined")
        check(notice == {"type": "joined", "channel": "General", "connectionId": c.id}, f"bad notice {notice!r}")
    check(len({a.id, b.id, c.id}) == 3, "connection ids are not distinct")

    step("A creates channel 'swift ⚡' by subscribing; B joins and A is told")
    await a.send(action="subscribe", channel="swift ⚡", request_id="s1")
    reply = await a.reply("s1")
    check(reply == {"type": "subscribed", "channel": "swift ⚡", "subscribers": 1, "changed": True,
                    "request_id": "s1"}, f"bad subscribe reply {reply!r}")
    await b.send(action="subscribe", channel="swift ⚡", request_id="s2")
    reply = await b.reply("s2")
    check(reply["subscribers"] == 2 and reply["changed"] is True, f"bad subscribe reply {reply!r}")
    notice = await a.expect("B joining swift", lambda f: isinstance(f, dict) and f.get("channel") == "swift ⚡")
    check(notice == {"type": "joined", "channel": "swift ⚡", "connectionId": b.id}, f"bad notice {notice!r}")
    await b.send(action="subscribe", channel="swift ⚡", request_id="s3")
    reply = await b.reply("s3")
    check(reply["changed"] is False and reply["subscribers"] == 2, f"resubscribe changed something: {reply!r}")

    step("C (not subscribed) broadcasts to 'swift ⚡'; A and B receive it")
    await c.send(action="channelMessage", channel="swift ⚡", message="hello \"swift\" ⚡", request_id="m1")
    reply = await c.reply("m1")
    check(reply == {"type": "channelMessageSent", "channel": "swift ⚡", "delivered": 2, "gone": 0, "failed": 0,
                    "request_id": "m1"}, f"bad broadcast reply {reply!r}")
    for client in (a, b):
        message = await client.expect("the channel message", lambda f: isinstance(f, dict) and f.get("type") == "channelMessage")
        check(message == {"type": "channelMessage", "channel": "swift ⚡", "connectionId": c.id,
                          "message": "hello \"swift\" ⚡"}, f"{client.name} got {message!r}")

    step("B unsubscribes; A is told; a broadcast now reaches only A")
    await b.send(action="unsubscribe", channel="swift ⚡", request_id="u1")
    reply = await b.reply("u1")
    check(reply["type"] == "unsubscribed" and reply["subscribers"] == 1, f"bad unsubscribe reply {reply!r}")
    notice = await a.expect("B leaving swift", lambda f: isinstance(f, dict) and f.get("type") == "left")
    check(notice == {"type": "left", "channel": "swift ⚡", "connectionId": b.id}, f"bad notice {notice!r}")
    await a.send(action="channelMessage", channel="swift ⚡", message="anyone?", request_id="m2")
    check((await a.reply("m2"))["delivered"] == 1, "broadcast did not reach exactly A")
    await a.expect("its own channel message", lambda f: isinstance(f, dict) and f.get("message") == "anyone?")

    step("A sends C a direct message; C receives exactly the text")
    await a.send(action="sendMessage", connectionId=c.id, message="Hi! :)", request_id="d1")
    reply = await a.reply("d1")
    check(reply == {"type": "sent", "connectionId": c.id, "request_id": "d1"}, f"bad sendMessage reply {reply!r}")
    check(await c.expect("the direct message", lambda f: f == "Hi! :)") == "Hi! :)", "direct message altered")

    step("bad requests get replies naming the problem")
    await b.send(action="subscribe", request_id="bad1")
    reply = await b.reply("bad1")
    check(reply["error"] == "missingField" and reply["field"] == "channel", f"bad reply {reply!r}")
    await b.send(action="sendMessage", connectionId=a.id, message=42, request_id="bad2")
    reply = await b.reply("bad2")
    check(reply["error"] == "invalidField" and reply["field"] == "message", f"bad reply {reply!r}")
    await b.send(action="channelMessage", channel="swift ⚡", message="x" * 40000, request_id="bad3")
    reply = await b.reply("bad3")
    check(reply["error"] == "messageTooLarge" and reply["limit"] == 32768, f"bad reply {reply!r}")
    await b.send(action="dance", request_id="bad4")
    reply = await b.reply("bad4")
    check(reply["error"] == "unknownAction" and "whoAmI" in reply["message"] and "channelMessage" in reply["message"],
          f"bad reply {reply!r}")
    await b.send_raw("this is not JSON")
    reply = await b.expect("the invalid request reply", lambda f: isinstance(f, dict) and f.get("error") == "invalidRequest")
    check("action" in reply["message"], f"bad reply {reply!r}")

    step("C disconnects; A and B are told it left General")
    await c.socket.close()
    for client in (a, b):
        notice = await client.expect("C leaving", lambda f: isinstance(f, dict) and f.get("type") == "left")
        check(notice == {"type": "left", "channel": "General", "connectionId": c.id}, f"bad notice {notice!r}")

    step("a direct message to the departed C answers gone")
    await a.send(action="sendMessage", connectionId=c.id, message="still there?", request_id="g1")
    reply = await a.reply("g1")
    check(reply["error"] == "gone" and reply["field"] == "connectionId", f"bad reply {reply!r}")

    await a.nothing_more()
    await b.nothing_more()
    step("A and B disconnect")
    await a.socket.close()
    await b.socket.close()
    print(json.dumps({"ids": [a.id, b.id, c.id]}), flush=True)
    print("SCENARIO OK", flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: channel_scenario.py <ws-url> [connect-token]")
    try:
        asyncio.run(scenario(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
    except AssertionError as failure:
        print("SCENARIO FAILED:", failure, flush=True)
        sys.exit(1)
