"""Router and topic registry in-process: keys, reference counts, producers, single serialization."""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, Field, ValidationError, model_serializer

from trading_api.ws import Publish, WsRouter, topic_key

from .harness import CounterRequest, CounterRouter, Tick

pytestmark = pytest.mark.anyio


class FakeSubscriber:
    def __init__(self) -> None:
        self.updates: list[str] = []
        self.controls: list[str] = []
        self.dropped: list[str] = []
        self.dropped_event = asyncio.Event()

    def send_update(self, frame: str) -> None:
        self.updates.append(frame)

    def send_control(self, frame: str) -> None:
        self.controls.append(frame)

    def drop_subscription(self, topic: str, frame: str) -> None:
        self.dropped.append(topic)
        self.controls.append(frame)
        self.dropped_event.set()


class AliasedRequest(BaseModel):
    symbol: str
    fast_symbols: list[str] = Field(default_factory=list, alias="fastSymbols")


def test_topic_key_is_canonical() -> None:
    a = CounterRequest.model_validate({"symbol": "X", "resolution": "5"})
    b = CounterRequest.model_validate({"resolution": "5", "symbol": "X"})
    assert topic_key("bars", a) == topic_key("bars", b) == 'bars:{"resolution":"5","symbol":"X"}'
    aliased = AliasedRequest.model_validate({"symbol": "Y", "fastSymbols": ["Y"]})
    assert topic_key("quotes", aliased) == 'quotes:{"fastSymbols":["Y"],"symbol":"Y"}'


class OptionalRequest(BaseModel):
    account_id: str = Field(alias="accountId")
    symbol: str | None = None
    symbols: list[str] = Field(default_factory=list)
    depth: int = 10


def test_topic_leaves_out_nulls_and_defaults() -> None:
    """Equal requests share one topic, and it is what the client sent minus nulls/defaults."""
    topic = 'r:{"accountId":"A"}'
    for sent in (
        {"accountId": "A"},
        {"accountId": "A", "symbol": None},
        {"accountId": "A", "symbols": [], "depth": 10},
    ):
        assert topic_key("r", OptionalRequest.model_validate(sent)) == topic, sent
    full = OptionalRequest.model_validate({"depth": 5, "symbols": ["é"], "accountId": "A"})
    assert topic_key("r", full) == 'r:{"accountId":"A","depth":5,"symbols":["\\u00e9"]}'


def test_router_validates_client_payloads_by_wire_name_and_refuses_unknown_fields() -> None:
    class OptionalRouter(WsRouter[OptionalRequest, Tick]):
        route = "r"
        request_model = OptionalRequest
        data_type = Tick

    router = OptionalRouter()
    assert router.validate_request({"accountId": "A"}) == OptionalRequest(accountId="A")
    for payload in ({"account_id": "A"}, {"accountId": "A", "extra": 1}):
        with pytest.raises(ValidationError):
            router.validate_request(payload)
    # The answer to an invalid payload names the topic computed by the same rule.
    assert router.payload_topic({"extra": 1, "symbol": None, "depth": 10}) == 'r:{"extra":1}'
    assert router.payload_topic([1, {"b": None}]) == 'r:[1,{"b":null}]'


async def test_reference_counts_and_producer_lifecycle() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()
    starts = 0

    async def producer(request: CounterRequest, publish: Publish[Tick]) -> None:
        nonlocal starts
        starts += 1
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    router = CounterRouter(producer=producer)
    request = CounterRequest(symbol="R")
    key = router.topic(request)
    a, b = FakeSubscriber(), FakeSubscriber()
    assert router.registry.subscribe(key, request, a)
    assert not router.registry.subscribe(key, request, a)  # same subscriber: no extra reference
    assert router.registry.subscribe(key, request, b)
    await asyncio.wait_for(started.wait(), 1)
    assert router.subscriber_count(request) == 2
    assert router.active_topics() == {key: request}

    assert router.registry.unsubscribe(key, a)
    assert not router.registry.unsubscribe(key, a)
    assert not cancelled.is_set()
    assert router.registry.unsubscribe(key, b)
    await asyncio.wait_for(cancelled.wait(), 1)
    assert router.active_topics() == {}
    assert starts == 1
    await router.registry.aclose()


class CountingData(BaseModel):
    """Counts its serializations: fan-out must serialize once per publish, not per subscriber."""

    calls: ClassVar[int] = 0
    value: int

    @model_serializer
    def _serialize(self) -> dict[str, Any]:
        type(self).calls += 1
        return {"value": self.value}


class CountingRouter(WsRouter[CounterRequest, CountingData]):
    route = "counting"
    request_model = CounterRequest
    data_type = CountingData


async def test_publish_serializes_once_and_shares_the_frame() -> None:
    router = CountingRouter()
    request = CounterRequest(symbol="F")
    subscribers = [FakeSubscriber() for _ in range(5)]
    for subscriber in subscribers:
        router.registry.subscribe(router.topic(request), request, subscriber)
    CountingData.calls = 0
    router.publish(request, CountingData(value=7))
    assert CountingData.calls == 1
    frames = [s.updates[0] for s in subscribers]
    assert all(frame is frames[0] for frame in frames)
    assert json.loads(frames[0]) == {
        "type": "counting.update",
        "payload": {"topic": router.topic(request), "payload": {"value": 7}},
    }


async def test_publish_without_subscribers_does_no_work() -> None:
    router = CountingRouter()
    CountingData.calls = 0
    router.publish(CounterRequest(symbol="nobody"), CountingData(value=1))
    other = CounterRequest(symbol="other")
    router.registry.subscribe(router.topic(other), other, FakeSubscriber())
    router.publish(CounterRequest(symbol="nobody"), CountingData(value=1))
    assert CountingData.calls == 0


async def test_publish_accepts_plain_dict_requests() -> None:
    router = CounterRouter()
    request = CounterRequest(symbol="D")
    subscriber = FakeSubscriber()
    router.registry.subscribe(router.topic(request), request, subscriber)
    router.publish({"symbol": "D"}, Tick(symbol="D", seq=1, lastPrice=2.0))  # type: ignore[arg-type]
    assert len(subscriber.updates) == 1


async def test_failed_producer_closes_topic_and_notifies() -> None:
    async def producer(request: CounterRequest, publish: Publish[Tick]) -> None:
        publish(Tick(symbol=request.symbol, seq=0, lastPrice=1.0))
        raise RuntimeError("boom")

    router = CounterRouter(producer=producer)
    request = CounterRequest(symbol="E")
    key = router.topic(request)
    subscriber = FakeSubscriber()
    router.registry.subscribe(key, request, subscriber)
    await asyncio.wait_for(subscriber.dropped_event.wait(), 1)
    assert subscriber.dropped == [key]
    assert len(subscriber.updates) == 1
    error = json.loads(subscriber.controls[0])
    assert error["payload"]["code"] == "producer_error" and error["payload"]["topic"] == key
    assert router.active_topics() == {}


async def test_producer_that_returns_keeps_the_topic() -> None:
    async def producer(request: CounterRequest, publish: Publish[Tick]) -> None:
        publish(Tick(symbol=request.symbol, seq=0, lastPrice=1.0))

    router = CounterRouter(producer=producer)
    request = CounterRequest(symbol="ONCE")
    subscriber = FakeSubscriber()
    router.registry.subscribe(router.topic(request), request, subscriber)
    topic = router.registry.get(router.topic(request))
    assert topic is not None and topic.producer is not None
    await asyncio.wait({topic.producer}, timeout=1)
    router.publish(request, Tick(symbol="ONCE", seq=1, lastPrice=1.0))  # service-side still works
    assert len(subscriber.updates) == 2 and subscriber.dropped == []


async def test_aclose_cancels_every_producer() -> None:
    cancelled: list[str] = []
    started = {"A": asyncio.Event(), "B": asyncio.Event()}

    async def producer(request: CounterRequest, publish: Publish[Tick]) -> None:
        started[request.symbol].set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.append(request.symbol)

    router = CounterRouter(producer=producer)
    for symbol in ("A", "B"):
        request = CounterRequest(symbol=symbol)
        router.registry.subscribe(router.topic(request), request, FakeSubscriber())
    for event in started.values():
        await asyncio.wait_for(event.wait(), 1)
    await asyncio.wait_for(router.registry.aclose(), 1)
    assert sorted(cancelled) == ["A", "B"]
    assert router.active_topics() == {}
