"""Wire models: TradingView spellings, enum values, validation rules, JSON schemas."""

import pytest
from pydantic import BaseModel, ValidationError

import trading_api.models as all_models
import trading_api.models.broker as broker_models
from trading_api.models.broker import (
    Brackets,
    CurrentQuotes,
    EquityData,
    OrderStatus,
    OrderType,
    PlacedOrder,
    Position,
    PreOrder,
    Side,
)


def test_enum_values_match_the_broker_api() -> None:
    assert [(s.name, s.value) for s in OrderStatus] == [
        ("Canceled", 1),
        ("Filled", 2),
        ("Inactive", 3),
        ("Placing", 4),
        ("Rejected", 5),
        ("Working", 6),
    ]
    assert [(t.name, t.value) for t in OrderType] == [
        ("Limit", 1),
        ("Market", 2),
        ("Stop", 3),
        ("StopLimit", 4),
    ]
    assert (Side.Buy.value, Side.Sell.value) == (1, -1)


def test_wire_names_are_camel_case_and_python_names_snake_case() -> None:
    order = PlacedOrder.model_validate(
        {
            "id": "ORD-1",
            "symbol": "ACME",
            "type": 1,
            "side": -1,
            "qty": 2,
            "limitPrice": 10.5,
            "status": 6,
            "filledQty": 0,
            "updateTime": 1,
        }
    )
    assert (order.limit_price, order.side, order.status) == (10.5, Side.Sell, OrderStatus.Working)
    wire = order.model_dump(mode="json", by_alias=True)
    assert {"limitPrice", "filledQty", "avgPrice", "updateTime", "parentId"} <= wire.keys()
    equity = EquityData(equity=1, balance=1, unrealized_pl=0, realized_pl=0)
    assert {"unrealizedPL", "realizedPL"} <= equity.model_dump(by_alias=True).keys()
    position = Position(id="P", symbol="ACME", qty=1, side=Side.Buy, avg_price=1)
    assert {"avgPrice", "unrealizedPL", "takeProfit"} <= position.model_dump(by_alias=True).keys()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": OrderType.Limit}, "Limit orders require limitPrice"),
        ({"type": OrderType.Stop}, "Stop orders require stopPrice"),
        ({"type": OrderType.StopLimit, "limit_price": 10}, "StopLimit orders require stopPrice"),
        ({"qty": 0}, "greater than 0"),
        (
            {"limit_price": 10, "type": OrderType.Limit, "take_profit": 9},
            "takeProfit must be above",
        ),
        ({"limit_price": 10, "type": OrderType.Limit, "stop_loss": 11}, "stopLoss must be below"),
        (
            {"side": Side.Sell, "current_quotes": CurrentQuotes(ask=10.2, bid=10), "stop_loss": 9},
            "stopLoss must be above",
        ),
        ({"seen_price": 10, "guaranteed_stop": 11}, "guaranteedStop must be below"),
        ({"stop_loss": 9, "guaranteed_stop": 8}, "mutually exclusive"),
    ],
)
def test_invalid_tickets_are_refused(fields: dict[str, object], message: str) -> None:
    ticket: dict[str, object] = {"symbol": "ACME", "type": OrderType.Market, "side": Side.Buy}
    ticket["qty"] = 1
    ticket.update(fields)
    with pytest.raises(ValidationError, match=message):
        PreOrder.model_validate(ticket)


def test_valid_tickets_are_accepted() -> None:
    PreOrder(symbol="A", type=OrderType.Market, side=Side.Buy, qty=1, take_profit=5, stop_loss=1)
    PreOrder(
        symbol="A",
        type=OrderType.Limit,
        side=Side.Sell,
        qty=1,
        limit_price=10,
        take_profit=9,
        stop_loss=11,
    )
    Brackets(take_profit=5, trailing_stop_pips=10)


def _models() -> list[type[BaseModel]]:
    exported = (getattr(broker_models, n) for n in broker_models.__all__)
    return [c for c in exported if isinstance(c, type) and issubclass(c, BaseModel)]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_model_has_a_json_schema(model: type[BaseModel]) -> None:
    schema = model.model_json_schema()
    assert schema["title"] == model.__name__


def test_broker_models_are_exported_once_from_trading_api_models() -> None:
    assert len(all_models.__all__) == len(set(all_models.__all__))
    for name in broker_models.__all__:
        assert getattr(all_models, name) is getattr(broker_models, name)
