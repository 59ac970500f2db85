"""The reference chat app (Handlers) end to end: real `websockets` clients, the local gateway, and the
connection store in memory or in DynamoDB (a moto server on loopback, checked with boto3)."""
from __future__ import annotations

import asyncio
import json
import time
import uuid

import boto3
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from conftest import ACCESS_KEY, SECRET_KEY, Gateway

TIMEOUT = 30  # seconds to wait for any one frame: generous for a loaded machine


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 180))


@pytest.fixture(scope="module")
def moto_endpoint():
    server_module = pytest.importorskip("moto.server", reason="Python moto is not installed: pip install 'moto[server]'")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Table:
    """A chat table on the moto server, seen through boto3 (an implementation we did not write)."""

    def __init__(self, endpoint: str):
        self.name = f"chat-{uuid.uuid4().hex[:8]}"
        self.client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                                   aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)
        self.client.create_table(
            TableName=self.name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])

    def keys(self) -> set[tuple[str, str]]:
        items = self.client.scan(TableName=self.name, ConsistentRead=True)["Items"]
        return {(item["pk"]["S"], item["sk"]["S"]) for item in items}

    def partition(self, pk: str) -> list[str]:
        answer = self.client.query(TableName=self.name, KeyConditionExpression="pk = :pk",
                                   ExpressionAttributeValues={":pk": {"S": pk}}, ConsistentRead=True)
        return [item["sk"]["S"] for item in answer["Items"]]

    def wait_until_empty(self, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while self.keys() and time.time() < deadline:
            time.sleep(0.1)
        assert not self.keys(), f"items left behind: {sorted(self.keys())}"


@pytest.fixture(params=["memory", "dynamodb", "dynamodb-2-instances"])
def chat(request):
    """The Handlers function behind the gateway: with the in-memory store, or with a fresh DynamoDB table
    shared by one or two function instances (events go to whichever instance polls first)."""
    table = None
    arguments = []
    if request.param.startswith("dynamodb"):
        endpoint = request.getfixturevalue("moto_endpoint")
        table = Table(endpoint)
        arguments = ["--env", f"CHAT_TABLE_NAME={table.name}", "--env", f"AWS_ENDPOINT_URL_DYNAMODB={endpoint}"]
        if request.param.endswith("2-instances"):
            arguments += ["--instances", "2"]
    gateway = Gateway("Handlers", *arguments)
    gateway.table = table
    gateway.instances = 2 if "--instances" in arguments else 1
    yield gateway
    gateway.stop()


class Client:
    """One chat user: a WebSocket and the frames it received but no step has looked at yet."""

    def __init__(self, name: str, socket):
        self.name = name
        self.socket = socket
        self.inbox: list = []
        self.id: str | None = None

    async def send(self, **request) -> None:
        await self.socket.send(json.dumps(request))

    async def expect(self, description: str, predicate):
        """The first frame, already received or still to come, that `predicate` accepts."""
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
            raise AssertionError(f"{self.name}: no {description} within {TIMEOUT}s; unread: {self.inbox!r}")

    async def reply(self, request_id):
        return await self.expect(f"reply to {request_id!r}",
                                 lambda f: isinstance(f, dict) and "type" in f and f.get("request_id") == request_id)

    async def notice(self, kind: str, **fields):
        return await self.expect(f"{kind} {fields}", lambda f: isinstance(f, dict) and f.get("type") == kind
                                 and all(f.get(k) == v for k, v in fields.items()))

    async def who_am_i(self) -> str:
        await self.send(action="whoAmI", request_id=f"who-{self.name}")
        reply = await self.reply(f"who-{self.name}")
        assert reply["type"] == "whoAmI" and reply["connectionId"], reply
        self.id = reply["connectionId"]
        return self.id

    def assert_nothing_unread(self) -> None:
        assert not self.inbox, f"{self.name} received frames no step expected: {self.inbox!r}"


async def connect(url: str, name: str) -> Client:
    return Client(name, await websockets.connect(url, open_timeout=TIMEOUT, max_size=None))


def test_seed_scenario(chat):
    """The seeds' scenario, message for message: A asks whoAmI and gets its id; B sends A "Hi! :)" and A
    receives exactly that text. (A also hears that B joined General, as every General subscriber does.)"""
    async def scenario():
        a = await connect(chat.url, "A")
        await a.socket.send('{"action":"whoAmI"}')
        who = json.loads(await asyncio.wait_for(a.socket.recv(), TIMEOUT))
        assert who == {"type": "whoAmI", "connectionId": who["connectionId"]} and who["connectionId"], who
        a_id = who["connectionId"]

        b = await connect(chat.url, "B")
        await b.socket.send(json.dumps({"action": "sendMessage", "connectionId": a_id, "message": "Hi! :)"}))
        assert json.loads(await asyncio.wait_for(b.socket.recv(), TIMEOUT)) == {"type": "sent", "connectionId": a_id}
        first = await asyncio.wait_for(a.socket.recv(), TIMEOUT)
        second = await asyncio.wait_for(a.socket.recv(), TIMEOUT)
        assert json.loads(first)["type"] == "joined", first
        assert second == "Hi! :)", second

        # Nothing else arrives: a round trip on each socket comes back first.
        for user in (a, b):
            await user.socket.send('{"action":"whoAmI","request_id":"end"}')
            assert json.loads(await asyncio.wait_for(user.socket.recv(), TIMEOUT))["request_id"] == "end"
        await a.socket.close()
        await b.socket.close()

    run(scenario())


def test_channel_scenario(chat):
    """Connect, join, broadcast, leave, direct-message and disconnect, with three users."""
    table = chat.table

    async def scenario():
        a = await connect(chat.url, "A")
        await a.who_am_i()
        b = await connect(chat.url, "B")
        await b.who_am_i()
        assert await a.notice("joined", channel="General") == {"type": "joined", "channel": "General", "connectionId": b.id}
        c = await connect(chat.url, "C")
        await c.who_am_i()
        for user in (a, b):
            await user.notice("joined", channel="General", connectionId=c.id)
        assert len({a.id, b.id, c.id}) == 3
        if table:
            assert table.partition("CHAN#General") == sorted(f"CONN#{x}" for x in (a.id, b.id, c.id))
            assert table.partition(f"CONN#{a.id}") == ["CHAN#General", "META"]

        # A creates a channel by subscribing; B joins and A is told.
        await a.send(action="subscribe", channel="swift ⚡", request_id="s1")
        assert await a.reply("s1") == {"type": "subscribed", "channel": "swift ⚡", "subscribers": 1,
                                       "changed": True, "request_id": "s1"}
        await b.send(action="subscribe", channel="swift ⚡", request_id=2)
        assert (await b.reply(2))["subscribers"] == 2
        assert await a.notice("joined", channel="swift ⚡") == {"type": "joined", "channel": "swift ⚡", "connectionId": b.id}
        await b.send(action="subscribe", channel="swift ⚡", request_id=3.5)
        again = await b.reply(3.5)
        assert again["changed"] is False and again["subscribers"] == 2
        if table:
            assert table.partition("CHAN#swift ⚡") == sorted([f"CONN#{a.id}", f"CONN#{b.id}"])
            assert table.partition(f"CONN#{b.id}") == ["CHAN#General", "CHAN#swift ⚡", "META"]

        # C, not subscribed, broadcasts to the channel: A and B receive it.
        await c.send(action="channelMessage", channel="swift ⚡", message='hello "swift" ⚡', request_id="m1")
        assert await c.reply("m1") == {"type": "channelMessageSent", "channel": "swift ⚡", "delivered": 2, "gone": 0,
                                       "failed": 0, "request_id": "m1"}
        for user in (a, b):
            assert await user.notice("channelMessage") == {"type": "channelMessage", "channel": "swift ⚡",
                                                           "connectionId": c.id, "message": 'hello "swift" ⚡'}

        # B leaves; A is told; the next broadcast reaches A alone (its own message comes back to it).
        await b.send(action="unsubscribe", channel="swift ⚡", request_id="u1")
        assert await b.reply("u1") == {"type": "unsubscribed", "channel": "swift ⚡", "subscribers": 1,
                                       "changed": True, "request_id": "u1"}
        assert await a.notice("left", channel="swift ⚡") == {"type": "left", "channel": "swift ⚡", "connectionId": b.id}
        await a.send(action="channelMessage", channel="swift ⚡", message="anyone?", request_id="m2")
        assert (await a.reply("m2"))["delivered"] == 1
        await a.notice("channelMessage", message="anyone?", connectionId=a.id)

        # A direct message arrives exactly as sent.
        await a.send(action="sendMessage", connectionId=c.id, message="Hi! :)", request_id="d1")
        assert await a.reply("d1") == {"type": "sent", "connectionId": c.id, "request_id": "d1"}
        assert await c.expect("the direct message", lambda f: f == "Hi! :)") == "Hi! :)"

        # C disconnects: A and B are told it left General, and it is gone from the store.
        await c.socket.close()
        for user in (a, b):
            await user.notice("left", channel="General", connectionId=c.id)
        if table:
            assert table.partition(f"CONN#{c.id}") == []
            assert f"CONN#{c.id}" not in table.partition("CHAN#General")
        await a.send(action="sendMessage", connectionId=c.id, message="still there?", request_id="g1")
        gone = await a.reply("g1")
        assert gone["error"] == "gone" and gone["field"] == "connectionId", gone

        for user in (a, b, c):
            user.assert_nothing_unread()
        await a.socket.close()
        await b.socket.close()

    run(scenario())
    if table:
        table.wait_until_empty()
    assert chat.log_text().count("chat ready") == chat.instances


def test_bad_requests_get_replies_naming_the_problem(chat):
    async def scenario():
        user = await connect(chat.url, "user")
        await user.who_am_i()

        await user.send(action="subscribe", request_id="r1")
        reply = await user.reply("r1")
        assert (reply["error"], reply["field"]) == ("missingField", "channel"), reply

        await user.send(action="sendMessage", connectionId=user.id, message=42, request_id="r2")
        reply = await user.reply("r2")
        assert (reply["error"], reply["field"]) == ("invalidField", "message"), reply
        assert "string" in reply["message"]

        await user.send(action="subscribe", channel="", request_id="r3")
        reply = await user.reply("r3")
        assert (reply["error"], reply["field"]) == ("invalidField", "channel"), reply

        # 40 KB: over the chat's 32 KB limit, sent in two frames under the gateway's 32 KB frame limit.
        body = json.dumps({"action": "channelMessage", "channel": "General", "message": "x" * 40_000,
                           "request_id": "r4"})
        await user.socket.send([body[:20_000], body[20_000:]])
        reply = await user.reply("r4")
        assert (reply["error"], reply["limit"]) == ("messageTooLarge", 32768), reply

        await user.send(action="dance", request_id="r5")
        reply = await user.reply("r5")
        assert reply["error"] == "unknownAction"
        for action in ("whoAmI", "sendMessage", "subscribe", "unsubscribe", "channelMessage"):
            assert action in reply["message"]

        await user.socket.send("this is not JSON")
        reply = await user.expect("invalidRequest", lambda f: isinstance(f, dict) and f.get("error") == "invalidRequest")
        assert "action" in reply["message"]
        await user.socket.send(b"\x00\x01binary")
        reply = await user.expect("invalidRequest", lambda f: isinstance(f, dict) and f.get("error") == "invalidRequest")
        assert "Binary" in reply["message"]

        # A message naming the gateway's own routes is a message: the connection stays in General.
        for number, route in enumerate(("$disconnect", "$connect")):
            await user.send(action=route, request_id=f"g{number}")
            reply = await user.reply(f"g{number}")
            assert reply["error"] == "unknownAction" and route in reply["message"], reply
        await user.send(action="channelMessage", channel="General", message="still here?", request_id="r6")
        assert (await user.reply("r6"))["delivered"] == 1
        await user.notice("channelMessage", message="still here?", connectionId=user.id)

        # After all that, the connection still works.
        assert await user.who_am_i() == user.id
        user.assert_nothing_unread()
        await user.socket.close()

    run(scenario())
    assert "Internal server error" not in chat.log_text()


def test_stale_connections_are_removed_when_a_post_answers_gone(moto_endpoint):
    """Connections that vanished without a $disconnect (left in the table) are removed, with all their items,
    by the first post that finds them gone: a channel broadcast, or a direct message."""
    table = Table(moto_endpoint)
    chat = Gateway("Handlers", "--env", f"CHAT_TABLE_NAME={table.name}",
                   "--env", f"AWS_ENDPOINT_URL_DYNAMODB={moto_endpoint}")
    try:
        ghost, phantom = "Z2hvc3QtY29ubmVjdGlvbg=", "cGhhbnRvbS1jb25uZWN0aW9u"
        for vanished, channel in ((ghost, "lobby"), (phantom, "attic")):
            for pk, sk in ((f"CONN#{vanished}", "META"), (f"CONN#{vanished}", f"CHAN#{channel}"),
                           (f"CHAN#{channel}", f"CONN#{vanished}")):
                table.client.put_item(TableName=table.name, Item={"pk": {"S": pk}, "sk": {"S": sk},
                                                                   "connectionId": {"S": vanished}})

        def traces(vanished: str) -> list:
            return sorted(key for key in table.keys() if any(vanished in part for part in key))

        async def scenario():
            user = await connect(chat.url, "user")
            await user.who_am_i()
            await user.send(action="channelMessage", channel="lobby", message="hello?", request_id=1)
            broadcast = await user.reply(1)
            after_broadcast = traces(ghost)
            assert len(traces(phantom)) == 3
            await user.send(action="sendMessage", connectionId=phantom, message="are you there?", request_id=2)
            direct = await user.reply(2)
            after_direct = traces(phantom)
            await user.socket.close()
            return broadcast, after_broadcast, direct, after_direct

        broadcast, after_broadcast, direct, after_direct = run(scenario())
        assert (broadcast["delivered"], broadcast["gone"], broadcast["failed"]) == (0, 1, 0), broadcast
        assert after_broadcast == [], after_broadcast
        assert (direct["error"], direct["field"], direct["request_id"]) == ("gone", "connectionId", 2), direct
        assert after_direct == [], after_direct
        table.wait_until_empty()
    finally:
        chat.stop()


def test_connect_token_is_required_when_configured():
    chat = Gateway("Handlers", "--env", "CHAT_CONNECT_TOKEN=s3cret-token")
    try:
        async def refused(url):
            with pytest.raises(InvalidStatus) as refusal:
                async with websockets.connect(url, open_timeout=TIMEOUT):
                    pass
            return refusal.value.response.status_code

        async def scenario():
            missing = await refused(chat.url)
            wrong = await refused(chat.url + "?token=s3cret-tokeN")
            user = await connect(chat.url + "?token=s3cret-token", "user")
            me = await user.who_am_i()
            await user.socket.close()
            return missing, wrong, me

        missing, wrong, me = run(scenario())
        assert (missing, wrong) == (401, 401)
        assert me
    finally:
        chat.stop()
