"""The base of every wire model: optional fields are absent from JSON, never ``null``.

TradingView types its optional fields as ``T | undefined`` (``limitPrice?: number``): a field
without a value is left out of the object. `Omittable[T]` declares such a field once for every
path — REST responses, WebSocket payloads, client requests all serialize through the model:

* serialization leaves the field out when it is ``None`` (``exclude_if``), and the
  serialization schema says "not required", never "nullable";
* validation takes an explicit ``null`` as "absent" (lenient, and what Python callers pass),
  which the validation schema says; a field of a model used both in requests and in responses
  adds `NeverNull` so that both schemas agree (one component per model).

`WireModel` also marks every field that has a default as required in the *serialization*
schema: a response always carries it (``json_schema_serialization_defaults_required``).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

__all__ = ["NeverNull", "Omittable", "WireModel"]

_T = TypeVar("_T")
_NULL = {"type": "null"}


def _is_none(value: object) -> bool:
    return value is None


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("null is not allowed here: leave the field out instead")
    return value


Omittable = Annotated[_T | None, Field(exclude_if=_is_none)]
"""An optional field that is absent from JSON when it has no value (``T | undefined``).

Declare it with a default: ``limit_price: Omittable[Price] = None``.
"""

NeverNull = BeforeValidator(_refuse_null)
"""Refuses an explicit ``null``: ``Annotated[Omittable[T], NeverNull]``."""


def _without_null(prop: dict[str, Any]) -> None:
    """Turn ``anyOf: [T, null]`` (with ``default: null``) into ``T`` in place."""
    prop.pop("default", None)
    branches = prop.get("anyOf")
    if branches is None or _NULL not in branches:
        return
    rest = [b for b in branches if b != _NULL]
    del prop["anyOf"]
    if len(rest) == 1:
        prop.update(rest[0])
    else:
        prop["anyOf"] = rest


class WireModel(BaseModel):
    """Base of the wire models: `Omittable` fields and "always sent" defaults (see module)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    _omittable: ClassVar[dict[str, bool]] = {}
    """Wire keys of the `Omittable` fields → whether they are `NeverNull`."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._omittable = {
            field.alias or name: NeverNull in field.metadata
            for name, field in cls.model_fields.items()
            if field.exclude_if is _is_none
        }

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(core_schema)
        target = handler.resolve_ref_schema(json_schema)
        properties = target.get("properties", {})
        serialization = handler.mode == "serialization"
        for key, never_null in cls._omittable.items():
            if key in properties and (serialization or never_null):
                _without_null(properties[key])
        return json_schema
