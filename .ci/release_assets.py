#!/usr/bin/env python3
"""Release assets: the per-module contracts of the built wheel and the breaking-change report
against the previous release, written next to the merged specs (from smoke_wheel.py).

    python .ci/release_assets.py dist/trading_api-0.2.0-py3-none-any.whl \
        --previous v0.1.0 --out release

Writes OUT/specs/<module>_{openapi,asyncapi}.json, OUT/contract-changes.{md,json} and
OUT/release-notes.md (the release body). Without --previous (the first release) the report
says so. Exit status: 0, or 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from trading_api.contracts.command import load_and_compare
from trading_api.contracts.render import headline, render_json, render_markdown
from trading_api.contracts.sources import SourceError, load


def write_assets(contracts: str, previous: str | None, out: Path) -> str:
    """Write the assets; returns the release notes."""
    specs = out / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    current = load(contracts)
    for name, document in sorted(current.specs.items()):
        (specs / name).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    if previous is None:
        report_md = "## Contract changes\n\nFirst release: no previous tag to compare with.\n"
        (out / "contract-changes.md").write_text(report_md, encoding="utf-8")
        notes_head = "First release."
    else:
        report = load_and_compare(previous, contracts)
        report_md = render_markdown(report)
        (out / "contract-changes.md").write_text(report_md, encoding="utf-8")
        (out / "contract-changes.json").write_text(render_json(report), encoding="utf-8")
        notes_head = f"Compared with {previous}: {headline(report)}."
    notes = (
        f"trading-api {current.version}\n\n{notes_head}\n\n"
        "Assets: the wheel and sdist (with build provenance), the merged OpenAPI/AsyncAPI "
        "contracts per API version, every module's own specs (`specs/`), and this report "
        "(`contract-changes.md`, `.json`). See docs/releasing.md.\n\n" + report_md
    )
    (out / "release-notes.md").write_text(notes, encoding="utf-8")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("contracts", help="the release's wheel (or any `contracts diff` source)")
    parser.add_argument("--previous", help="the previous release: a tag, wheel or folder")
    parser.add_argument("--out", type=Path, required=True, help="assets folder")
    args = parser.parse_args(argv)
    try:
        notes = write_assets(args.contracts, args.previous or None, args.out)
    except SourceError as error:
        print(f"release-assets: error: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
