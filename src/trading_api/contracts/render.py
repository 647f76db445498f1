"""The report in text (terminal), Markdown (job summaries, release notes) and JSON (tools)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from trading_api.contracts.changes import Change
from trading_api.contracts.policy import required_bump
from trading_api.contracts.rules import RULES

if TYPE_CHECKING:  # the CLI's parser reads FORMATS: no loading of wheels or git refs for that
    from trading_api.contracts.compare import Report

FORMATS = ("text", "json", "markdown")


def render(report: Report, fmt: str) -> str:
    return {"text": render_text, "json": render_json, "markdown": render_markdown}[fmt](report)


def suggested_bump(report: Report) -> str:
    return required_bump(
        report.old.version, breaking=bool(report.breaking), changed=bool(report.changes)
    )


def headline(report: Report) -> str:
    counts = f"{len(report.breaking)} breaking, {len(report.compatible)} compatible change(s)"
    bump = suggested_bump(report)
    return f"{counts}; " + (
        f"needs a {bump} release" if bump != "none" else "no version bump needed"
    )


def _ordered(changes: Iterable[Change]) -> list[Change]:
    return sorted(changes, key=lambda change: (change.spec, not change.breaking))


def _label(change: Change) -> str:
    return "BREAKING" if change.breaking else "compatible"


def _side(source: str, version: str | None) -> str:
    return f"{source} ({version or 'version unknown'})"


def render_text(report: Report) -> str:
    lines = [
        f"Contracts {_side(report.old.source, report.old.version)} → "
        f"{_side(report.new.source, report.new.version)}",
        headline(report),
    ]
    spec = None
    for change in _ordered(report.changes):
        if change.spec != spec:
            spec = change.spec
            lines.append(spec)
        direction = f" [{change.direction}]" if change.direction else ""
        lines.append(f"  {_label(change):<10}  {change.rule.id}{direction}: {change.line}")
    if not report.changes:
        lines.append("No contract changes.")
    return "\n".join(lines) + "\n"


def render_markdown(report: Report) -> str:
    lines = [
        "## Contract changes",
        "",
        f"`{report.old.source}` ({report.old.version or 'version unknown'}) → "
        f"`{report.new.source}` ({report.new.version or 'version unknown'}): "
        f"**{headline(report)}**.",
        "",
    ]
    if not report.changes:
        return "\n".join([*lines, "No contract changes."]) + "\n"
    lines += ["| | spec | rule | where | change |", "|---|---|---|---|---|"]
    for change in _ordered(report.changes):
        mark = "❌ breaking" if change.breaking else "✅ compatible"
        rule = change.rule.id + (f" ({change.direction})" if change.direction else "")
        cells = [_cell(change.spec), _cell(rule), _cell(change.location), _escape(change.detail)]
        lines.append("| " + " | ".join([mark, *cells]) + " |")
    lines += ["", "Rules: docs/contracts.md."]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _cell(text: str) -> str:
    return "`" + _escape(text).replace("`", "'") + "`"


def render_json(report: Report) -> str:
    document = {
        "old": {"source": report.old.source, "version": report.old.version},
        "new": {"source": report.new.source, "version": report.new.version},
        "breaking": len(report.breaking),
        "compatible": len(report.compatible),
        "required_bump": suggested_bump(report),
        "changes": [
            {
                "spec": change.spec,
                "rule": change.rule.id,
                "breaking": change.breaking,
                "direction": change.direction,
                "location": change.location,
                "detail": change.detail,
            }
            for change in _ordered(report.changes)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_rule_table() -> str:
    """The rule table of docs/contracts.md (a test keeps the two equal)."""
    lines = [
        "| rule | change | in a request (client sends) | in a response (client reads) | why |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES.values():
        verdicts = [_verdict(rule.request), _verdict(rule.response)]
        cells = [f"`{rule.id}`", _escape(rule.summary), *verdicts, _escape(rule.why)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _verdict(breaking: bool) -> str:
    return "**breaking**" if breaking else "compatible"
