"""Integer enumerations whose member names reach the specs, validated strictly.

TradingView sends its enums (`Side`, `OrderType`, …) as integers. A bare ``enum: [1, -1]`` makes
client generators invent names (``VALUE_1``, ``ValueMinus1``); `NamedIntEnum` adds the names to
the JSON schema once for every enum, in the vendor extensions the generators read
(``x-enum-varnames`` for openapi-python-client and openapi-typescript, ``x-enumNames`` for
NSwag and others) and in the description (``Buy = 1``) for readers.

Validation accepts integers only: ``true`` or ``"1"`` would otherwise be coerced into a
member. Query parameters are text by nature: annotate them with `FromQueryText`.
"""

from __future__ import annotations

import re
from enum import IntEnum
from typing import Any, cast

from pydantic import BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

__all__ = ["FromQueryText", "NamedIntEnum"]

_INTEGER_TEXT = re.compile(r"-?[0-9]{1,9}")


def _integer_only(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected an integer, got {type(value).__name__}")
    return value


def _integer_from_text(value: Any) -> Any:
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        return int(value)
    return value


FromQueryText = BeforeValidator(_integer_from_text)
"""Parses ``"1"``/``"-1"`` (ASCII digits only) for an enum read from a query string."""


class NamedIntEnum(IntEnum):
    """An `IntEnum` with named JSON-schema members and integer-only validation."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler(source)
        # The reference moves to the wrapper so that the enum stays one named component.
        inner = cast(CoreSchema, {k: v for k, v in schema.items() if k != "ref"})
        return core_schema.no_info_before_validator_function(
            _integer_only, inner, ref=schema.get("ref")
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        target = handler.resolve_ref_schema(json_schema)
        names = [member.name for member in cls]
        target["x-enum-varnames"] = names
        target["x-enumNames"] = names
        listing = ", ".join(f"{member.name} = {member.value}" for member in cls)
        intro = target.get("description", "").strip()
        target["description"] = f"{intro}\n\n{listing}" if intro else listing
        return json_schema
