"""What the specs promise about the wire models, checked on the documents the build emits.

Integer enums carry their member names; optional fields are "absent", never "null", in every
response and WebSocket payload schema; fields always sent are required. The rules live in
`trading_api.models.wire` and `trading_api.models.named_enum`, so every model — broker and
datafeed, REST and WebSocket — follows them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

import trading_api.models as all_models
from trading_api.framework.module_app import ModuleApp, build_module_app
from trading_api.models import OrderModification
from trading_api.models.named_enum import NamedIntEnum
from trading_api.models.wire import WireModel
from trading_api.modules.broker import BrokerModule
from trading_api.modules.datafeed import DatafeedModule

NULLABLE_BY_DESIGN = {("OrderModification", name) for name in OrderModification.model_fields}
NULLABLE_BY_DESIGN.add(("ContractsStatus", "reason"))
"""Fields where ``null`` is a documented value (an order edit's ``null`` removes a bracket)."""


def _apps() -> list[ModuleApp]:
    return [build_module_app(module, "v1") for module in (BrokerModule(), DatafeedModule())]


def _schemas() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every component schema of the modules' OpenAPI and AsyncAPI documents."""
    for app in _apps():
        yield from app.openapi()["components"]["schemas"].items()
        asyncapi = app.asyncapi()
        assert asyncapi is not None
        yield from asyncapi["components"]["schemas"].items()


def _models() -> list[type[BaseModel]]:
    exported = (getattr(all_models, name) for name in all_models.__all__)
    return [c for c in exported if isinstance(c, type) and issubclass(c, WireModel)]


def _enums() -> list[type[NamedIntEnum]]:
    exported = (getattr(all_models, name) for name in all_models.__all__)
    return [c for c in exported if isinstance(c, type) and issubclass(c, NamedIntEnum)]


def test_every_integer_enum_is_named_in_every_document() -> None:
    enums = {cls.__name__: cls for cls in _enums()}
    assert {"OrderType", "Side", "OrderStatus", "ParentType", "StopType"} <= enums.keys()
    assert {"ConnectionStatus", "DisconnectType"} <= enums.keys()
    seen: set[str] = set()
    for name, schema in _schemas():
        if schema.get("type") != "integer" or "enum" not in schema:
            continue
        cls = enums[name]
        assert schema["enum"] == [m.value for m in cls]
        assert schema["x-enum-varnames"] == schema["x-enumNames"] == [m.name for m in cls]
        for member in cls:
            assert f"{member.name} = {member.value}" in schema["description"]
        seen.add(name)
    assert seen == enums.keys()


def test_every_wire_model_is_a_wire_model() -> None:
    exported = (getattr(all_models, name) for name in all_models.__all__)
    models = [c for c in exported if isinstance(c, type) and issubclass(c, BaseModel)]
    plain = {c.__name__ for c in models if not issubclass(c, WireModel)}
    assert plain <= {"ErrorResponse"}, plain


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_optional_fields_are_omittable_unless_null_means_something(
    model: type[BaseModel],
) -> None:
    for name, field in model.model_fields.items():
        if field.default is None and (model.__name__, name) not in NULLABLE_BY_DESIGN:
            assert field.exclude_if is not None, f"{model.__name__}.{name} would be sent as null"


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_response_schemas_say_absent_not_null_and_require_what_is_always_sent(
    model: type[BaseModel],
) -> None:
    schema = model.model_json_schema(mode="serialization")
    required = set(schema.get("required", ()))
    for name, field in model.model_fields.items():
        key = field.alias or name
        prop = schema["properties"][key]
        if field.exclude_if is not None:
            assert key not in required and "default" not in prop
            assert {"type": "null"} not in prop.get("anyOf", []), f"{model.__name__}.{key}"
        elif model.__name__ != "DatafeedConfiguration":  # all optional, as TradingView types it
            assert key in required, f"{model.__name__}.{key} is always sent"


def test_served_documents_never_declare_a_nullable_response_field() -> None:
    """Every wire model sent by the server is documented in serialization mode; request-only
    models (validation mode) may accept null as "absent"."""
    requests = {"OrderModification", "PreOrder", "Brackets", "LeverageSetParams"}
    requests |= {"CurrentQuotes", "QuotesRequest"}
    sent = {m.__name__ for m in _models()} - requests
    for name, schema in _schemas():
        if name not in sent or name.endswith("SubscriptionRequest"):
            continue
        for key, prop in schema.get("properties", {}).items():
            assert {"type": "null"} not in prop.get("anyOf", []), f"{name}.{key}"
