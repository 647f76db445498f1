"""Semantic versioning driven by the classified diff, and when a breaking change is announced.

Breaking changes need a major bump (while 0.x: a minor bump, as semver leaves 0.x open and
pip/uv users pin `~=0.N`); compatible changes a minor bump (0.x: patch). A pull request may
also announce a breaking change with the `breaking-change` label; the release then bumps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BREAKING_LABEL = "breaking-change"
_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch or 0)


def required_bump(version: str | None, *, breaking: bool, changed: bool) -> str:
    """`major`, `minor`, `patch` (or `none`) for a release after `version` with these changes."""
    zero = (parse_version(version or "") or (1, 0, 0))[0] == 0
    if breaking:
        return "minor" if zero else "major"
    if changed:
        return "patch" if zero else "minor"
    return "none"


def is_breaking_bump(old: str | None, new: str | None) -> bool:
    """Whether `old` → `new` is a bump that may break: a major one (a minor one while 0.x)."""
    before, after = parse_version(old or ""), parse_version(new or "")
    if before is None or after is None:
        return False
    if after[0] != before[0]:
        return after[0] > before[0]
    return before[0] == 0 and after[1] > before[1]


@dataclass(frozen=True)
class Announcement:
    announced: bool
    how: str


def announcement(old: str | None, new: str | None, labels: list[str]) -> Announcement:
    if BREAKING_LABEL in labels:
        return Announcement(True, f"the pull request has the `{BREAKING_LABEL}` label")
    if is_breaking_bump(old, new):
        return Announcement(True, f"the version goes from {old} to {new}")
    kind = "minor (0.x) or major" if (parse_version(old or "") or (1,))[0] == 0 else "major"
    return Announcement(
        False,
        f"no `{BREAKING_LABEL}` label and no {kind} version bump "
        f"in src/trading_api/__about__.py ({old} → {new})",
    )
