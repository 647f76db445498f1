"""``WsRouter``: one WebSocket route (request model → stream of data) and its topics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Generic, cast

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from trading_api.ws.protocol import ROUTE_PATTERN
from trading_api.ws.topics import (
    DataT,
    Producer,
    RequestT,
    Snapshot,
    TopicRegistry,
    payload_topic,
    topic_key,
    wire_names,
)

_CLASS_VARS = ("route", "request_model", "data_type")


class WsRouter(Generic[RequestT, DataT]):
    """A route such as ``bars``: clients subscribe with ``request_model``, receive ``data_type``.

    Concrete routers are classes (usually generated from ``TypeAlias`` declarations) that set the
    three class variables; the runtime reads those and never introspects generic arguments::

        class BarsRouter(WsRouter[BarsSubscriptionRequest, Bar]):
            route = "bars"
            request_model = BarsSubscriptionRequest
            data_type = Bar

    A service feeds a route either with a ``producer`` (one task per topic, started with the
    first subscriber, cancelled with the last) or by calling :meth:`publish` from anywhere on the
    event loop. ``snapshot`` sends the current state to every new subscriber.
    """

    route: ClassVar[str]
    request_model: ClassVar[type[BaseModel]]
    data_type: ClassVar[Any]
    _data_adapter: ClassVar[TypeAdapter[Any] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "__parameters__", ()):
            return  # still generic: an intermediate base class, not a concrete route
        missing = [name for name in _CLASS_VARS if not hasattr(cls, name)]
        if missing:
            raise TypeError(
                f"WebSocket router {cls.__qualname__} must set the class variable(s) "
                f"{', '.join(missing)} (route name, request model and data type)"
            )
        if not isinstance(cls.route, str) or not ROUTE_PATTERN.match(cls.route):
            raise TypeError(
                f"{cls.__qualname__}.route = {cls.route!r} is not a valid route name "
                f"(letters, digits, '-' and '_', e.g. 'bars' or 'broker-connection')"
            )
        if not (isinstance(cls.request_model, type) and issubclass(cls.request_model, BaseModel)):
            raise TypeError(
                f"{cls.__qualname__}.request_model must be a pydantic model class, "
                f"got {cls.request_model!r}"
            )
        cls._data_adapter = None  # built lazily: data_type may contain forward references

    @classmethod
    def data_adapter(cls) -> TypeAdapter[Any]:
        """Cached ``TypeAdapter`` of ``data_type`` (serialization and JSON schema)."""
        adapter = cls._data_adapter
        if adapter is None:
            adapter = TypeAdapter(cls.data_type)
            cls._data_adapter = adapter
        return adapter

    def __init__(
        self,
        *,
        producer: Producer[RequestT, DataT] | None = None,
        snapshot: Snapshot[RequestT, DataT] | None = None,
        check: Callable[[RequestT], Awaitable[None] | None] | None = None,
    ) -> None:
        """`check` (sync or async) vets each subscription: a ValueError, LookupError or
        `DomainError` (e.g. `database_unavailable`) it raises rejects the subscribe with that
        message (status "error"), before any producer
        starts; any other exception is logged and rejects it with a generic message."""
        cls = type(self)
        if not all(hasattr(cls, name) for name in _CLASS_VARS):
            raise TypeError(
                f"{cls.__qualname__} is generic; instantiate a concrete subclass that sets "
                f"{', '.join(_CLASS_VARS)}"
            )
        dump_json = cls.data_adapter().dump_json

        def serialize(data: DataT) -> str:
            return dump_json(data, by_alias=True).decode()

        self.producer = producer
        self.snapshot = snapshot
        self.check = check
        self.registry: TopicRegistry[RequestT, DataT] = TopicRegistry(
            cls.route, serialize, producer
        )

    def __repr__(self) -> str:
        return f"<{type(self).__qualname__} route={self.route!r} topics={len(self.registry)}>"

    def validate_request(self, payload: Any) -> RequestT:
        """Validate a client's subscribe/unsubscribe payload (raises ``ValidationError``).

        Only the wire names of the request model are accepted and unknown fields are refused
        (``extra_forbidden``), so the topic a client computes from what it sent is always the
        one it is answered with. Checked here rather than with pydantic's validation options,
        which a model with its own ``__init__`` does not pass on.
        """
        model = self.request_model
        unknown = (
            [key for key in payload if key not in wire_names(model)]
            if isinstance(payload, dict)
            else []
        )
        if not unknown:
            return cast("RequestT", model.model_validate(payload))
        errors: list[InitErrorDetails] = []
        try:
            model.model_validate({k: v for k, v in payload.items() if k not in unknown})
        except ValidationError as exc:
            errors = [_init_details(error) for error in exc.errors()]
        errors += [
            {"type": "extra_forbidden", "loc": (key,), "input": payload[key]} for key in unknown
        ]
        raise ValidationError.from_exception_data(model.__name__, errors)

    def topic(self, request: RequestT) -> str:
        """Topic key of ``request``: ``route:`` + canonical JSON of its non-default fields."""
        return topic_key(self.route, self._coerce(request))

    def payload_topic(self, payload: Any) -> str:
        """Topic named in the answer to a payload that is not a valid request."""
        return payload_topic(self.route, self.request_model, payload)

    def publish(self, request: RequestT, data: DataT) -> None:
        """Push ``data`` to the topic of ``request``; a no-op without subscribers, never blocks.

        Call it from the event loop thread. Without any subscriber on the route it returns
        before even computing the topic key. It reaches this process's subscribers only, in
        cluster mode too: a service whose state changes in any worker distributes them itself
        (the broker does, in commit order); only producers are shared by the workers.
        """
        registry = self.registry
        if not len(registry):
            return
        topic = registry.get(topic_key(self.route, self._coerce(request)))
        if topic is not None:
            registry.fan_out(topic, data)

    def subscriber_count(self, request: RequestT) -> int:
        """Number of connections subscribed to the topic of ``request``."""
        topic = self.registry.get(self.topic(request))
        return 0 if topic is None else len(topic.subscribers)

    def active_topics(self) -> dict[str, RequestT]:
        """Topics with at least one subscriber: topic key → request (a snapshot copy)."""
        return {topic.key: topic.request for topic in self.registry}

    def _coerce(self, request: RequestT | Any) -> RequestT:
        """A request given by the service: a model, or a dict validated leniently."""
        if isinstance(request, self.request_model):
            return cast("RequestT", request)
        return cast("RequestT", self.request_model.model_validate(request))


def _init_details(error: ErrorDetails) -> InitErrorDetails:
    """An error of ``ValidationError.errors()`` in the form that builds one again (same type
    and message, also for the custom types of a model's validators)."""
    kind = PydanticCustomError(error["type"], error["msg"])
    return {"type": kind, "loc": error["loc"], "input": error["input"]}
