"""Wire models: TradingView spellings, JSON schemas, validation and package exports."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

import trading_api.models as all_models
import trading_api.models.market as market
from trading_api.models.market import (
    BarsRequest,
    BarsResponse,
    QuoteData,
    QuotesRequest,
    QuotesSubscriptionRequest,
    QuoteValues,
)


def _model_classes() -> list[type[BaseModel]]:
    return [getattr(market, name) for name in market.__all__]


def test_every_model_is_exported_with_a_schema_named_after_its_class() -> None:
    for cls in _model_classes():
        assert issubclass(cls, BaseModel)
        schema = cls.model_json_schema()
        assert schema["title"] == cls.__name__
        for name in schema.get("$defs", {}):
            assert name in market.__all__, f"{cls.__name__} references unexported {name}"
        assert getattr(all_models, cls.__name__) is cls
        assert cls.__name__ in all_models.__all__
    assert len(all_models.__all__) == len(set(all_models.__all__))


def test_history_metadata_uses_tradingview_spellings() -> None:
    response = BarsResponse(bars=[], no_data=True, next_time=1_700_000_000_000)
    wire = response.model_dump(mode="json", by_alias=True)
    assert wire == {"bars": [], "noData": True, "nextTime": 1_700_000_000_000}
    assert BarsResponse.model_validate(wire) == response
    assert set(BarsResponse.model_json_schema()["properties"]) == {"bars", "noData", "nextTime"}

    request = BarsRequest.model_validate(
        {"symbol": "AAPL", "resolution": "1D", "from": 1, "to": 2, "countBack": 3}
    )
    assert (request.from_time, request.to_time, request.count_back) == (1, 2, 3)
    assert set(BarsRequest.model_json_schema()["properties"]) == {
        "symbol",
        "resolution",
        "from",
        "to",
        "countBack",
    }


def test_quote_data_ok_and_error() -> None:
    ok = QuoteData(s="ok", n="AAPL", v=QuoteValues(lp=1.5))
    assert ok.model_dump(mode="json")["v"]["lp"] == 1.5
    error = QuoteData(s="error", n="NOPE", errmsg="unknown symbol")
    assert error.v == QuoteValues()
    with pytest.raises(ValidationError, match="errmsg"):
        QuoteData(s="error", n="NOPE")
    with pytest.raises(ValidationError, match="lp"):
        QuoteData(s="ok", n="AAPL")
    with pytest.raises(ValidationError):
        QuoteData.model_validate({"s": "maybe", "n": "AAPL", "v": {"lp": 1}})


def test_request_validation() -> None:
    assert QuotesRequest(symbols=["AAPL"]).symbols == ["AAPL"]
    for bad in ([], [""]):
        with pytest.raises(ValidationError):
            QuotesRequest(symbols=bad)
    assert QuotesSubscriptionRequest(fast_symbols=["AAPL"]).symbols == []
    with pytest.raises(ValidationError, match="at least one symbol"):
        QuotesSubscriptionRequest()
    with pytest.raises(ValidationError):
        BarsRequest.model_validate(
            {"symbol": "AAPL", "resolution": "1", "from": 1, "to": 2, "countBack": 0}
        )
