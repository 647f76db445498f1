"""Compare two whole sets of contracts: spec files added or removed, then each shared spec."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from trading_api.contracts.asyncapi import classify_asyncapi
from trading_api.contracts.changes import Change, Changes
from trading_api.contracts.openapi import classify_openapi
from trading_api.contracts.schemas import JSON
from trading_api.contracts.sources import Contracts, kind_of

CLASSIFIERS: dict[str, Callable[[JSON, JSON], list[Change]]] = {
    "openapi": classify_openapi,
    "asyncapi": classify_asyncapi,
}


@dataclass(frozen=True)
class Report:
    old: Contracts
    new: Contracts
    changes: list[Change]

    @property
    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.breaking]

    @property
    def compatible(self) -> list[Change]:
        return [change for change in self.changes if not change.breaking]


def classify(old: JSON, new: JSON) -> list[Change]:
    """The changes between two versions of one spec (OpenAPI or AsyncAPI)."""
    kind = kind_of(new)
    if kind != kind_of(old):
        changes = Changes()
        changes.add("spec-removed", kind_of(old), "replaced by another kind of spec")
        return changes.list()
    return CLASSIFIERS[kind](old, new)


def compare(old: Contracts, new: Contracts) -> Report:
    found: list[Change] = []
    for name in sorted(old.specs.keys() | new.specs.keys()):
        if name not in new.specs:
            found.append(_spec_change("spec-removed", name, "spec removed"))
        elif name not in old.specs:
            found.append(_spec_change("spec-added", name, "spec added"))
        else:
            found += [
                replace(change, spec=name) for change in classify(old.specs[name], new.specs[name])
            ]
    return Report(old, new, found)


def _spec_change(rule_id: str, name: str, detail: str) -> Change:
    changes = Changes()
    changes.add(rule_id, name, detail)
    return replace(changes.list()[0], spec=name)
