"""Common configuration of the broker wire models."""

from pydantic import ConfigDict
from pydantic.alias_generators import to_camel

from trading_api.models.wire import WireModel


class BrokerBaseModel(WireModel):
    """Base of every broker model: camelCase on the wire, snake_case in Python.

    `populate_by_name` lets services build models with Python names while requests and
    responses use the TradingView spellings. Dump with ``by_alias=True`` (FastAPI does).
    Optional fields are `Omittable`: absent from JSON rather than ``null`` (see `WireModel`).
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)
