"""Bars (OHLCV candles) and the history response of the TradingView Datafeed API."""

from pydantic import BaseModel, ConfigDict, Field


class Bar(BaseModel):
    """One OHLCV bar; ``time`` is the bar's opening time in **milliseconds** since the epoch."""

    time: int = Field(ge=0, description="Bar opening time, Unix epoch in milliseconds (UTC).")
    open: float = Field(description="First trade price of the bar.")
    high: float = Field(description="Highest price of the bar.")
    low: float = Field(description="Lowest price of the bar.")
    close: float = Field(description="Last trade price of the bar (the current price if forming).")
    volume: float = Field(default=0.0, ge=0, description="Traded volume of the bar.")


class BarsResponse(BaseModel):
    """History answer of ``GET /bars``: bars in ascending time plus the TradingView metadata."""

    model_config = ConfigDict(populate_by_name=True)

    bars: list[Bar] = Field(description="Bars in ascending time order; empty when `noData`.")
    no_data: bool = Field(
        default=False,
        alias="noData",
        description="True when the requested range holds no bars.",
    )
    next_time: int | None = Field(
        default=None,
        alias="nextTime",
        description=(
            "With `noData`: Unix time in **seconds** of the latest bar before `from`, "
            "or null when there is no older data."
        ),
    )
