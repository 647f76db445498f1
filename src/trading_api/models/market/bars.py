"""Bars (OHLCV candles) and the history response of the TradingView Datafeed API."""

from pydantic import ConfigDict, Field

from trading_api.models.wire import Omittable, WireModel


class Bar(WireModel):
    """One OHLCV bar; ``time`` is the bar's opening time in **milliseconds** since the epoch."""

    time: int = Field(ge=0, description="Bar opening time, Unix epoch in milliseconds (UTC).")
    open: float = Field(description="First trade price of the bar.")
    high: float = Field(description="Highest price of the bar.")
    low: float = Field(description="Lowest price of the bar.")
    close: float = Field(description="Last trade price of the bar (the current price if forming).")
    volume: float = Field(default=0.0, ge=0, description="Traded volume of the bar.")


class BarsResponse(WireModel):
    """History answer of ``GET /bars``: bars in ascending time plus TradingView's
    ``HistoryMetadata`` (``noData``, ``nextTime``)."""

    model_config = ConfigDict(populate_by_name=True)

    bars: list[Bar] = Field(description="Bars in ascending time order; empty when `noData`.")
    no_data: bool = Field(
        default=False,
        alias="noData",
        description="True when the requested range holds no bars.",
    )
    next_time: Omittable[int] = Field(
        default=None,
        alias="nextTime",
        description=(
            "With `noData`: time of the latest bar before `from`, Unix epoch in "
            "**milliseconds** like `Bar.time`; absent when there is no older data."
        ),
    )
