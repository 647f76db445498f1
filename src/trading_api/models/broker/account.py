"""Account models: identity (`AccountMetainfo`), money (`EquityData`) and their combination."""

from pydantic import Field

from trading_api.models.broker.base import BrokerBaseModel


class AccountMetainfo(BrokerBaseModel):
    """Identity of a trading account (TradingView `AccountMetainfo`)."""

    id: str
    name: str
    currency: str = "USD"


class EquityData(BrokerBaseModel):
    """Money of an account.

    balance = initial deposit + realizedPL - commissions; equity = balance + unrealizedPL;
    freeMargin = equity - marginUsed.
    """

    equity: float
    balance: float
    unrealized_pl: float = Field(alias="unrealizedPL")
    realized_pl: float = Field(alias="realizedPL")
    margin_used: float = Field(default=0.0, description="Margin held by open positions.")
    free_margin: float = Field(default=0.0, description="Equity not held as margin.")


class AccountSummary(BrokerBaseModel):
    """Response of `GET /account`."""

    account: AccountMetainfo
    equity: EquityData
