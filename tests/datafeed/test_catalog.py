"""Symbol metadata, resolution of names, search and the datafeed configuration."""

from __future__ import annotations

import pytest

from trading_api.modules.datafeed.errors import UnknownSymbolError
from trading_api.modules.datafeed.resolution import parse_resolution
from trading_api.modules.datafeed.simulator import SimulatorSource
from trading_api.modules.datafeed.universe import DEFAULT_UNIVERSE


def test_default_universe_is_realistic() -> None:
    tickers = [spec.ticker for spec in DEFAULT_UNIVERSE]
    assert len(tickers) >= 10 and len(set(tickers)) == len(tickers)
    for spec in DEFAULT_UNIVERSE:
        spec.trading_session  # parses session and timezone  # noqa: B018
        assert spec.start_price > 0 and 0 < spec.annual_volatility < 2
        assert spec.pricescale > 0 and spec.minmov > 0
        if spec.type == "crypto":
            assert spec.session == "24x7"
        if spec.type == "stock":
            assert spec.timezone == "America/New_York" and spec.session.startswith("0930-1600")


def test_symbol_info(source: SimulatorSource) -> None:
    info = source.resolve("AAPL")
    assert (info.name, info.ticker, info.exchange, info.type) == ("AAPL", "AAPL", "NASDAQ", "stock")
    assert info.has_intraday and info.has_daily and info.has_weekly_and_monthly
    assert info.format == "price" and info.data_status == "streaming"
    assert source.resolve("nasdaq:aapl") == info


def test_search(source: SimulatorSource) -> None:
    hits = source.search("USD")
    assert hits[0].symbol.startswith("USD")  # ticker prefixes rank first
    assert {"EURUSD", "BTCUSD", "USDJPY"} <= {h.symbol for h in hits}
    assert [h.symbol for h in source.search("apple")] == ["AAPL"]
    assert {h.type for h in source.search("", symbol_type="crypto")} == {"crypto"}
    assert {h.exchange for h in source.search("", exchange="NYSE")} == {"NYSE"}
    assert len(source.search("", limit=3)) == 3
    assert source.search("zzz") == []


def test_configuration(source: SimulatorSource) -> None:
    config = source.configuration()
    served = {r for info in source.symbols() for r in info.supported_resolutions}
    assert set(config.supported_resolutions) == served
    keys = [parse_resolution(r).sort_key for r in config.supported_resolutions]
    assert keys == sorted(keys)
    assert config.exchanges[0].value == "" and config.symbols_types[0].value == ""
    assert {e.value for e in config.exchanges[1:]} == {i.exchange for i in source.symbols()}
    assert {t.value for t in config.symbols_types[1:]} == {i.type for i in source.symbols()}


def test_unknown_symbol_resolution(source: SimulatorSource) -> None:
    with pytest.raises(UnknownSymbolError):
        source.resolve("NASDAQ:NOPE")
