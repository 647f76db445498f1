#!/usr/bin/env python3
"""Release gate: the pushed tag (`v1.2.3`) must equal the package version in
src/trading_api/__about__.py, and every file in the dist folder must carry that version.

    python .ci/check_tag_version.py "$GITHUB_REF_NAME" --dist dist

Exit status: 0 when they agree, 1 when not (the message says which differs).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ABOUT = Path(__file__).resolve().parent.parent / "src" / "trading_api" / "__about__.py"


def package_version(about: Path = ABOUT) -> str:
    match = re.search(r"""^__version__\s*=\s*["']([^"']+)["']""", about.read_text(), re.M)
    if match is None:
        raise SystemExit(f"check-tag-version: no __version__ in {about}")
    return match.group(1)


def problems(tag: str, version: str, dist: Path | None) -> list[str]:
    found = []
    if tag != f"v{version}":
        found.append(
            f"tag {tag!r} does not match the package version {version!r} (want v{version})"
        )
    if dist is not None:
        files = sorted(path.name for path in dist.iterdir() if path.suffix in {".whl", ".gz"})
        if not files:
            found.append(f"{dist} holds no wheel or sdist")
        wheel_version = version.replace("-", "_")
        found += [
            f"{name} is not version {version}"
            for name in files
            if f"-{wheel_version}-" not in name and f"-{version}.tar.gz" not in name
        ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tag", help="the pushed tag, e.g. v0.2.0 ($GITHUB_REF_NAME)")
    parser.add_argument("--dist", type=Path, help="also check the files built into this folder")
    args = parser.parse_args(argv)
    version = package_version()
    found = problems(args.tag, version, args.dist)
    for problem in found:
        print(f"check-tag-version: {problem}", file=sys.stderr)
    if not found:
        print(f"tag {args.tag} matches trading-api {version}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
