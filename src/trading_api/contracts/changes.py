"""One classified change, and the collector the spec comparers report into."""

from __future__ import annotations

from dataclasses import dataclass, field

from trading_api.contracts.rules import RULES, Direction, Rule


@dataclass(frozen=True)
class Change:
    rule: Rule
    location: str
    """Where: `GET /orders`, `GET /orders query parameter 'limit'`, `Order.qty`, …"""
    detail: str
    direction: Direction | None = None
    spec: str = ""
    """The spec file it was found in (`broker_openapi.json`); set when whole sets are compared."""

    @property
    def breaking(self) -> bool:
        return self.rule.breaking(self.direction)

    @property
    def line(self) -> str:
        return f"{self.location}: {self.detail}"


@dataclass
class Changes:
    """Collects changes once each (a shared model is reached from many operations)."""

    items: dict[tuple[str, str, str, Direction | None], Change] = field(default_factory=dict)

    def add(
        self, rule_id: str, location: str, detail: str, direction: Direction | None = None
    ) -> None:
        key = (rule_id, location, detail, direction)
        self.items.setdefault(key, Change(RULES[rule_id], location, detail, direction))

    def list(self) -> list[Change]:
        return list(self.items.values())
