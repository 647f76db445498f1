"""Who is calling: the user behind an API key (or a WebSocket ticket) and their accounts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principal:
    """An authenticated caller; `accounts` are the ones it may act on, oldest first."""

    user_id: str
    user_name: str
    key_id: str
    accounts: tuple[str, ...]

    @property
    def default_account(self) -> str | None:
        """The account an omitted ``accountId`` means (the user's first)."""
        return self.accounts[0] if self.accounts else None

    def owns(self, account_id: str) -> bool:
        return account_id in self.accounts
