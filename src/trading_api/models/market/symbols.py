"""Symbol metadata (TradingView ``LibrarySymbolInfo`` subset) and symbol search results."""

from typing import Literal

from pydantic import Field

from trading_api.models.wire import WireModel


class SymbolInfo(WireModel):
    """What the chart needs to know about a symbol (answer of ``GET /resolve/{symbol}``)."""

    name: str = Field(description="Symbol name shown to the user, e.g. `AAPL`.")
    full_name: str = Field(description="Name with the exchange, e.g. `NASDAQ:AAPL`.")
    ticker: str = Field(description="Unique identifier used in every data request.")
    description: str = Field(description="Human-readable description.")
    type: str = Field(description="Instrument type, e.g. `stock`, `forex`, `crypto`, `fund`.")
    session: str = Field(description="TradingView session string, e.g. `24x7`, `0930-1600:23456`.")
    timezone: str = Field(description="IANA timezone of the exchange, e.g. `America/New_York`.")
    exchange: str = Field(description="Exchange the symbol is traded on.")
    listed_exchange: str = Field(description="Exchange the symbol is listed on.")
    format: Literal["price", "volume"] = Field(
        default="price", description="How the chart formats the values of this symbol."
    )
    pricescale: int = Field(gt=0, description="Price denominator: 100 means 2 decimals.")
    minmov: int = Field(gt=0, description="Tick size in units of 1/pricescale.")
    has_intraday: bool = Field(description="True when minute resolutions are served.")
    has_daily: bool = Field(description="True when daily bars are served.")
    has_weekly_and_monthly: bool = Field(
        default=False, description="True when weekly/monthly bars are served directly."
    )
    supported_resolutions: list[str] = Field(
        description="Resolutions that return data for this symbol, e.g. `1`, `60`, `1D`."
    )
    volume_precision: int = Field(default=0, ge=0, description="Decimals of the volume.")
    data_status: Literal["streaming", "endofday", "pulsed", "delayed_streaming"] = Field(
        default="streaming", description="Whether live updates are streamed."
    )


class SearchSymbolResultItem(WireModel):
    """One hit of ``GET /search``."""

    symbol: str = Field(description="Symbol name.")
    full_name: str = Field(description="Name with the exchange, e.g. `NASDAQ:AAPL`.")
    description: str = Field(description="Human-readable description.")
    exchange: str = Field(description="Exchange the symbol is traded on.")
    ticker: str = Field(description="Identifier to pass to `/resolve` and `/bars`.")
    type: str = Field(description="Instrument type, e.g. `stock`, `forex`, `crypto`.")
