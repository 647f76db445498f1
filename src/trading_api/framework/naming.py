"""Names derived from a module name, so files and classes are valid Python whatever the spelling."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[^0-9a-zA-Z]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def words(text: str) -> list[str]:
    """Split `trading-signals`, `trading_signals`, `tradingSignals` alike into lowercase words."""
    spaced = _CAMEL_BOUNDARY.sub(" ", text)
    return [word.lower() for word in _SEPARATORS.split(spaced) if word]


def snake_case(text: str) -> str:
    """A valid, non-keyword Python identifier in snake_case (`from` → `from_`, `1st` → `_1st`)."""
    name = "_".join(words(text)) or "_"
    if name[0].isdigit():
        name = f"_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


def pascal_case(text: str) -> str:
    """A valid Python class name in PascalCase (`trading-signals` → `TradingSignals`)."""
    name = "".join(word.capitalize() for word in words(text)) or "_"
    return f"_{name}" if name[0].isdigit() else name


def kebab_case(text: str) -> str:
    """URL-friendly spelling (`BrokerConnection` → `broker-connection`)."""
    return "-".join(words(text))


@dataclass(frozen=True)
class ModuleNames:
    """Every spelling of one module's name that the framework and the generators need."""

    name: str  # as mounted in URLs: /api/v1/{name}

    @property
    def python(self) -> str:
        """File-name and identifier form: `trading-signals` → `trading_signals`."""
        return snake_case(self.name)

    @property
    def pascal(self) -> str:
        """Class-name form: `trading-signals` → `TradingSignals`."""
        return pascal_case(self.name)


def normalize_module_name(text: str) -> str:
    """Compare module names the way users type them: case, `-` and `_` don't matter."""
    return snake_case(text.strip())
