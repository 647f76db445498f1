"""End-to-end protocol tests: real uvicorn server, real ``websockets`` client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from .harness import (
    TIMEOUT,
    Client,
    CounterRequest,
    LiveServer,
    Status,
    StatusRequest,
    client,
    wait_event,
)

pytestmark = pytest.mark.anyio


def counter_topic(symbol: str) -> str:
    """The topic a client computes: its fields, sorted, the default resolution left out."""
    return f'counter:{{"symbol":"{symbol}"}}'


async def recv_updates(c: Client, route: str, topic: str, count: int) -> list[dict[str, Any]]:
    """The next ``count`` updates of ``topic`` (anything else received fails the test)."""
    updates: list[dict[str, Any]] = []
    while len(updates) < count:
        message = await c.recv()
        assert message["type"] == f"{route}.update", message
        assert message["payload"]["topic"] == topic
        updates.append(message["payload"]["payload"])
    return updates


async def test_subscribe_updates_unsubscribe(server: LiveServer) -> None:
    topic = counter_topic("LIFE")
    async with client(server.ws_url()) as c:
        # Defaults omitted or sent, keys in any order: one canonical topic.
        response = await c.subscribe("counter", {"symbol": "LIFE"})
        assert response == {
            "type": "counter.subscribe.response",
            "payload": {"status": "ok", "message": "subscribed", "topic": topic},
        }
        ticks = await recv_updates(c, "counter", topic, 3)
        assert [t["seq"] for t in ticks] == [0, 1, 2]
        assert ticks[0] == {"symbol": "LIFE", "seq": 0, "lastPrice": 100.0}  # by alias

        await c.send("counter.unsubscribe", {"resolution": "1", "symbol": "LIFE"})
        response = await c.recv_type("counter.unsubscribe.response")
        assert response["payload"] == {"status": "ok", "message": "unsubscribed", "topic": topic}
        await wait_event(server.tracker.event("stopped", "counter:LIFE"))
        # Updates queued before the response may have been received above; none may follow it.
        assert await c.ping_until_pong("after-unsubscribe") == []
        assert server.routers["counter"].subscriber_count(CounterRequest(symbol="LIFE")) == 0


async def test_two_clients_share_one_producer(server: LiveServer) -> None:
    key, topic = "counter:SHARED", counter_topic("SHARED")
    async with client(server.ws_url()) as a, client(server.ws_url()) as b:
        await a.subscribe("counter", {"symbol": "SHARED"})
        await b.subscribe("counter", {"symbol": "SHARED", "resolution": "1"})
        await recv_updates(a, "counter", topic, 3)
        await recv_updates(b, "counter", topic, 3)
        assert server.tracker.starts[key] == 1
        assert server.routers["counter"].subscriber_count(CounterRequest(symbol="SHARED")) == 2

        await a.send("counter.unsubscribe", {"symbol": "SHARED"})
        await a.recv_type("counter.unsubscribe.response")
        await recv_updates(b, "counter", topic, 3)  # b is still served by the same producer
        assert not server.tracker.event("stopped", key).is_set()

        await b.send("counter.unsubscribe", {"symbol": "SHARED"})
        await b.recv_type("counter.unsubscribe.response")
        await wait_event(server.tracker.event("stopped", key))
        assert server.tracker.starts[key] == 1


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-frame", "tcp-abort"])
async def test_disconnect_releases_subscriptions(server: LiveServer, abrupt: bool) -> None:
    symbol = f"GONE-{abrupt}"
    key, topic = f"counter:{symbol}", counter_topic(symbol)
    async with client(server.ws_url()) as c:
        await c.subscribe("counter", {"symbol": symbol})
        await c.subscribe("status", {"account": f"acc-{abrupt}"})
        update = await c.recv_type("counter.update")
        assert update["payload"]["topic"] == topic
        if abrupt:
            c.ws.transport.abort()
        else:
            await c.ws.close()
    await wait_event(server.tracker.event("stopped", key))
    assert server.routers["counter"].subscriber_count(CounterRequest(symbol=symbol)) == 0
    assert server.routers["status"].subscriber_count(StatusRequest(account=f"acc-{abrupt}")) == 0


MALFORMED: list[tuple[str | bytes, str]] = [
    ("{not json", "invalid_json"),
    ("[1, 2, 3]", "invalid_message"),
    ('"just a string"', "invalid_message"),
    ('{"payload": {"symbol": "X"}}', "invalid_message"),
    ('{"type": 42}', "invalid_message"),
    ('{"type": "nope.subscribe", "payload": {}}', "unknown_type"),
    ('{"type": "counter.explode", "payload": {}}', "unknown_type"),
    ('{"type": "counter.update", "payload": {}}', "unknown_type"),
    (b"\x00\x01binary", "unsupported_frame"),
]

#: Requests of a known route with a bad payload, and the topic their answer carries: the
#: usual rule applied to what was sent (nulls and defaults left out), whatever was sent.
INVALID_REQUESTS: list[tuple[str, str]] = [
    ('{"type": "counter.subscribe", "payload": {"symbol": 5}}', 'counter:{"symbol":5}'),
    ('{"type": "counter.subscribe"}', "counter:{}"),
    ('{"type": "counter.subscribe", "payload": null}', "counter:null"),
    ('{"type": "counter.subscribe", "payload": [1]}', "counter:[1]"),
    ('{"type": "counter.subscribe", "payload": "AAPL"}', 'counter:"AAPL"'),
    (
        '{"type": "counter.subscribe", "payload": {"resolution": "1", "symbol": null}}',
        "counter:{}",
    ),
    (
        '{"type": "counter.subscribe", "payload": {"symbol": "X", "extra": true}}',
        'counter:{"extra":true,"symbol":"X"}',
    ),
    ('{"type": "counter.unsubscribe", "payload": {"symbol": []}}', 'counter:{"symbol":[]}'),
    (  # a lone surrogate (not UTF-8 encodable) echoed back safely, as a \u escape
        '{"type": "counter.subscribe", "payload": {"symbol": "\\ud800", "resolution": 1}}',
        r'counter:{"resolution":1,"symbol":"\ud800"}',
    ),
    ('{"type": "status.unsubscribe", "payload": {"acount": "A"}}', 'status:{"acount":"A"}'),
]


async def test_malformed_frames_get_errors_and_connection_survives(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        for frame, code in MALFORMED:
            await c.send_raw(frame)
            message = await c.recv()
            assert message["type"] == "error", (frame, message)
            assert message["payload"]["code"] == code, (frame, message)
            assert message["payload"]["message"]
        # The same connection still works.
        await c.subscribe("counter", {"symbol": "AFTER-ERRORS"})
        await recv_updates(c, "counter", counter_topic("AFTER-ERRORS"), 1)


async def test_invalid_requests_are_answered_with_status_error(server: LiveServer) -> None:
    """Every subscribe/unsubscribe gets its response, so a client awaiting acks never hangs:
    first the `error` with pydantic's details, then the answer, both naming the topic."""
    async with client(server.ws_url()) as c:
        for frame, topic in INVALID_REQUESTS:
            message_type = json.loads(frame)["type"]
            await c.send_raw(frame)
            error = await c.recv()
            assert error["type"] == "error", (frame, error)
            assert error["payload"]["code"] == "validation_error", (frame, error)
            assert error["payload"]["message_type"] == message_type
            assert error["payload"]["topic"] == topic
            answer = await c.recv()
            assert answer["type"] == f"{message_type}.response", (frame, answer)
            assert answer["payload"] == {
                "status": "error",
                "message": error["payload"]["message"],
                "topic": topic,
            }
        assert server.routers["counter"].active_topics() == {}  # nothing was subscribed
        assert await c.ping_until_pong("answered") == []


async def test_validation_error_details(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        await c.send("counter.subscribe", {"resolution": 5, "symbol_name": "X"})
        error = (await c.recv())["payload"]
        answer = await c.recv_type("counter.subscribe.response")
    assert error["code"] == "validation_error"
    assert error["message_type"] == "counter.subscribe"
    assert "CounterRequest" in error["message"]
    problems = {(tuple(d["loc"]), d["type"]) for d in error["details"]}
    assert problems == {
        (("symbol",), "missing"),
        (("resolution",), "string_type"),
        (("symbol_name",), "extra_forbidden"),  # unknown fields are refused, not ignored
    }
    assert answer["payload"]["status"] == "error"
    assert answer["payload"]["topic"] == 'counter:{"resolution":5,"symbol_name":"X"}'


async def test_unknown_type_names_the_valid_types(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        await c.send("bars.subscribe", {})
        error = (await c.recv())["payload"]
    assert error["code"] == "unknown_type"
    assert "'bars.subscribe'" in error["message"]
    assert "counter.subscribe" in error["message"] and "ping" in error["message"]


async def test_unsubscribe_without_subscribe(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        await c.send("counter.unsubscribe", {"symbol": "NEVER"})
        assert await c.recv() == {
            "type": "counter.unsubscribe.response",
            "payload": {
                "status": "error",
                "message": "not subscribed to this topic",
                "topic": counter_topic("NEVER"),
            },
        }
        assert "counter:NEVER" not in server.tracker.starts


async def test_duplicate_subscribe_is_idempotent(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        await c.subscribe("counter", {"symbol": "TWICE"})
        second = await c.subscribe("counter", {"symbol": "TWICE"})
        assert second["payload"]["message"] == "already subscribed"
        assert server.routers["counter"].subscriber_count(CounterRequest(symbol="TWICE")) == 1
        await c.send("counter.unsubscribe", {"symbol": "TWICE"})
        assert (await c.recv_type("counter.unsubscribe.response"))["payload"]["status"] == "ok"
        await wait_event(server.tracker.event("stopped", "counter:TWICE"))
        assert server.tracker.starts["counter:TWICE"] == 1


async def test_ping_pong(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        await c.send("ping", {"nonce": 7, "nested": [1, {"a": None}]})
        assert await c.recv() == {
            "type": "pong",
            "payload": {"nonce": 7, "nested": [1, {"a": None}]},
        }
        await c.send("ping")
        assert await c.recv() == {"type": "pong", "payload": {}}


async def test_snapshot_sent_to_each_new_subscriber(server: LiveServer) -> None:
    topic = 'status:{"account":"SNAP"}'
    async with client(server.ws_url()) as a, client(server.ws_url()) as b:
        await a.subscribe("status", {"account": "SNAP"})
        assert await a.recv() == {
            "type": "status.update",
            "payload": {"topic": topic, "payload": {"state": "snapshot-1"}},
        }
        await b.subscribe("status", {"account": "SNAP"})
        assert (await b.recv())["payload"]["payload"] == {"state": "snapshot-2"}
        # The second snapshot went to b only.
        assert await a.ping_until_pong("a") == []

        # Service-side push reaches both subscribers.
        router = server.routers["status"]
        await server.call(_publish(router, StatusRequest(account="SNAP"), Status(state="live")))
        for c in (a, b):
            assert (await c.recv())["payload"] == {"topic": topic, "payload": {"state": "live"}}


async def _publish(router: Any, request: Any, data: Any) -> None:
    router.publish(request, data)


async def test_snapshot_none_and_failure(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        await c.subscribe("status", {"account": "none"})
        assert await c.ping_until_pong("none") == []  # no snapshot data: nothing sent
        await c.subscribe("status", {"account": "broken"})
        error = await c.recv()
        assert error["type"] == "error"
        assert error["payload"]["code"] == "snapshot_error"
        assert error["payload"]["topic"] == 'status:{"account":"broken"}'
        # Still subscribed: the failure only concerned the snapshot.
        router = server.routers["status"]
        assert router.subscriber_count(StatusRequest(account="broken")) == 1


@pytest.mark.parametrize(
    "account, reason",
    [
        ("refused", "account 'refused' not found"),  # the check's LookupError, as is
        ("check-crash", "internal error checking the subscription"),  # nothing leaked
    ],
)
async def test_a_check_refusal_is_answered_and_starts_nothing(
    server: LiveServer, account: str, reason: str
) -> None:
    topic = f'status:{{"account":"{account}"}}'
    async with client(server.ws_url()) as c:
        await c.send("status.subscribe", {"account": account})
        assert await c.recv() == {
            "type": "status.subscribe.response",
            "payload": {"status": "error", "message": reason, "topic": topic},
        }
        assert await c.ping_until_pong(account) == []  # no snapshot, no error frame
    assert server.tracker.snapshots[account] == 0
    assert topic not in server.routers["status"].active_topics()


async def test_publish_without_subscribers_is_a_noop(server: LiveServer) -> None:
    router = server.routers["status"]
    await server.call(_publish(router, StatusRequest(account="nobody"), Status(state="x")))
    assert 'status:{"account":"nobody"}' not in router.active_topics()


async def test_failing_producer_does_not_break_others(server: LiveServer) -> None:
    failing_topic = 'failing:{"symbol":"BOOM"}'
    async with client(server.ws_url()) as c, client(server.ws_url()) as other:
        await other.subscribe("counter", {"symbol": "STEADY-2"})
        await c.subscribe("counter", {"symbol": "STEADY"})
        await c.subscribe("failing", {"symbol": "BOOM"})
        error = await c.recv_type("error")
        assert error["payload"]["code"] == "producer_error"
        assert error["payload"]["topic"] == failing_topic
        assert "exchange feed lost" not in error["payload"]["message"]  # no internals leaked
        # The failed topic is closed; everything else keeps flowing.
        assert server.routers["failing"].subscriber_count(CounterRequest(symbol="BOOM")) == 0
        await c.recv_type("counter.update")
        await recv_updates(other, "counter", counter_topic("STEADY-2"), 3)
        # Subscribing again starts a fresh producer.
        await c.subscribe("failing", {"symbol": "BOOM"})
        await c.recv_type("error")
        assert server.tracker.starts["failing:BOOM"] == 2


async def test_non_model_data_type(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        await c.subscribe("tick-batches", {"symbol": "B"})
        update = await c.recv()
        assert update["type"] == "tick-batches.update"
        assert [t["seq"] for t in update["payload"]["payload"]] == [0, 1, 2]


async def test_stalled_client_does_not_block_others(server: LiveServer) -> None:
    """A client that stops reading loses old updates; another client on the topic doesn't."""
    url = server.ws_url("/api/v1/test/ws-small")  # endpoint with queue_size=4
    endpoint = server.endpoints["small"]
    # No compression: the blobs would compress to nothing and never fill the socket buffers.
    async with (
        client(url, max_queue=1, compression=None, rcvbuf=16_384) as slow,
        client(url, max_size=None, compression=None) as fast,
    ):
        await slow.subscribe("blobs", {"name": "big"})
        await fast.subscribe("blobs", {"name": "big"})
        # slow never reads now: its socket buffers fill, then its server-side queue overflows.
        last = -1
        async with asyncio.timeout(60):
            while not any(s.dropped_updates for s in endpoint.connection_stats()):
                message = await fast.recv()
                seq = message["payload"]["payload"]["seq"]
                assert seq == last + 1 or last == -1, "the fast client must not lose updates"
                last = seq
        for _ in range(50):  # and fast keeps receiving every update while slow is stalled
            seq = (await fast.recv())["payload"]["payload"]["seq"]
            assert seq == last + 1
            last = seq
        stats = endpoint.connection_stats()
        assert sorted(s.dropped_updates > 0 for s in stats) == [False, True]
        assert all(s.pending_updates <= 4 for s in stats)

        # When slow reads again it is told how much it lost, and updates resume.
        notice = await slow.recv_type("error", timeout=TIMEOUT)
        assert notice["payload"]["code"] == "updates_dropped"
        assert "dropped" in notice["payload"]["message"]
        await slow.recv_type("blobs.update")
        slow.ws.transport.abort()  # a graceful close would wait behind megabytes of unread data
        await fast.send("blobs.unsubscribe", {"name": "big"})  # stop the flow before closing
        await fast.recv_type("blobs.unsubscribe.response")


async def test_aclose_closes_connections_and_stops_producers(server: LiveServer) -> None:
    endpoint = server.endpoints["closable"]
    url = server.ws_url("/api/v1/test/ws-closable")
    async with client(url) as c:
        await c.subscribe("counter", {"symbol": "CLOSE"})
        await c.recv_type("counter.update")
        await server.call(endpoint.aclose())
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(TIMEOUT):
                while True:
                    await c.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    await wait_event(server.tracker.event("stopped", "counter:CLOSE"))
    assert endpoint.connection_count == 0
    assert server.routers["closable"].active_topics() == {}
    # New connections are refused once closed.
    with pytest.raises(Exception):  # noqa: B017 - handshake rejection type varies by version
        async with client(url):
            pass


async def test_frames_are_compact_text_json(server: LiveServer) -> None:
    async with client(server.ws_url()) as c:
        await c.send("counter.subscribe", {"symbol": "RAW"})
        frame = await asyncio.wait_for(c.ws.recv(), TIMEOUT)
        assert isinstance(frame, str)
        assert json.loads(frame)["type"] == "counter.subscribe.response"
        update = await asyncio.wait_for(c.ws.recv(), TIMEOUT)
        assert isinstance(update, str)
        assert update.startswith('{"type":"counter.update","payload":{"topic":')
