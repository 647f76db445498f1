"""The default symbol universe: TradingView metadata plus the simulator's parameters."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from trading_api.models.market import SymbolInfo
from trading_api.modules.datafeed.sessions import TradingSession

STOCK_SESSION = "0930-1600:23456"
"""Regular US hours, Monday-Friday (TradingView day digits: 2 = Monday … 6 = Friday)."""
FOREX_SESSION = "0000-0000:23456"
"""24 hours, Monday-Friday (UTC)."""
CRYPTO_SESSION = "24x7"


@dataclass(frozen=True)
class SymbolSpec:
    """One symbol: wire metadata and the parameters of its simulated price path."""

    ticker: str
    description: str
    type: str
    exchange: str
    session: str
    timezone: str
    pricescale: int
    minmov: int
    start_price: float
    """Price level of the simulation (the log price mean-reverts slowly towards it)."""
    annual_volatility: float
    """Annualised volatility of log returns, e.g. 0.25 for 25 %."""
    daily_volume: float
    """Mean volume of one full trading day."""
    spread_bps: float = 2.0
    """Quoted bid/ask spread in basis points of the price (at least one tick)."""
    listed_exchange: str = ""
    volume_precision: int = 0
    """Decimals of the volume."""

    @cached_property
    def trading_session(self) -> TradingSession:
        """The parsed session (validates the session string and the timezone)."""
        return TradingSession.parse(self.session, self.timezone)

    @property
    def tick_size(self) -> float:
        """Smallest price step."""
        return self.minmov / self.pricescale

    def symbol_info(
        self,
        resolutions: list[str],
        data_status: Literal["streaming", "endofday", "delayed_streaming"] = "streaming",
    ) -> SymbolInfo:
        """TradingView ``LibrarySymbolInfo`` for this symbol."""
        return SymbolInfo(
            name=self.ticker,
            full_name=f"{self.exchange}:{self.ticker}",
            ticker=self.ticker,
            description=self.description,
            type=self.type,
            session=self.session,
            timezone=self.timezone,
            exchange=self.exchange,
            listed_exchange=self.listed_exchange or self.exchange,
            format="price",
            pricescale=self.pricescale,
            minmov=self.minmov,
            has_intraday=any(r[-1].isdigit() for r in resolutions),
            has_daily="1D" in resolutions,
            has_weekly_and_monthly="1W" in resolutions or "1M" in resolutions,
            supported_resolutions=resolutions,
            volume_precision=self.volume_precision,
            data_status=data_status,
        )


def _stock(
    ticker: str, description: str, exchange: str, price: float, vol: float, volume: float
) -> SymbolSpec:
    return SymbolSpec(
        ticker=ticker,
        description=description,
        type="stock",
        exchange=exchange,
        session=STOCK_SESSION,
        timezone="America/New_York",
        pricescale=100,
        minmov=1,
        start_price=price,
        annual_volatility=vol,
        daily_volume=volume,
        spread_bps=1.0,
    )


def _forex(ticker: str, description: str, price: float, pricescale: int, vol: float) -> SymbolSpec:
    return SymbolSpec(
        ticker=ticker,
        description=description,
        type="forex",
        exchange="FX",
        session=FOREX_SESSION,
        timezone="Etc/UTC",
        pricescale=pricescale,
        minmov=1,
        start_price=price,
        annual_volatility=vol,
        daily_volume=150_000,
        spread_bps=0.8,
    )


def _crypto(ticker: str, description: str, price: float, vol: float, volume: float) -> SymbolSpec:
    return SymbolSpec(
        ticker=ticker,
        description=description,
        type="crypto",
        exchange="CRYPTO",
        session=CRYPTO_SESSION,
        timezone="Etc/UTC",
        pricescale=100,
        minmov=1,
        start_price=price,
        annual_volatility=vol,
        daily_volume=volume,
        spread_bps=3.0,
    )


DEFAULT_UNIVERSE: tuple[SymbolSpec, ...] = (
    _stock("AAPL", "Apple Inc.", "NASDAQ", 190.0, 0.25, 55_000_000),
    _stock("MSFT", "Microsoft Corporation", "NASDAQ", 420.0, 0.22, 22_000_000),
    _stock("GOOGL", "Alphabet Inc. Class A", "NASDAQ", 170.0, 0.28, 25_000_000),
    _stock("AMZN", "Amazon.com, Inc.", "NASDAQ", 185.0, 0.30, 40_000_000),
    _stock("TSLA", "Tesla, Inc.", "NASDAQ", 250.0, 0.55, 100_000_000),
    _stock("NVDA", "NVIDIA Corporation", "NASDAQ", 130.0, 0.50, 250_000_000),
    _stock("JPM", "JPMorgan Chase & Co.", "NYSE", 200.0, 0.22, 9_000_000),
    SymbolSpec(
        ticker="SPY",
        description="SPDR S&P 500 ETF Trust",
        type="fund",
        exchange="NYSEARCA",
        session=STOCK_SESSION,
        timezone="America/New_York",
        pricescale=100,
        minmov=1,
        start_price=550.0,
        annual_volatility=0.15,
        daily_volume=60_000_000,
        spread_bps=0.5,
    ),
    _forex("EURUSD", "Euro / U.S. Dollar", 1.08, 100_000, 0.07),
    _forex("GBPUSD", "British Pound / U.S. Dollar", 1.27, 100_000, 0.08),
    _forex("USDJPY", "U.S. Dollar / Japanese Yen", 150.0, 1_000, 0.09),
    _crypto("BTCUSD", "Bitcoin / U.S. Dollar", 65_000.0, 0.60, 25_000),
    _crypto("ETHUSD", "Ethereum / U.S. Dollar", 3_200.0, 0.70, 350_000),
)
