"""Fingerprints of generator inputs: outputs are rebuilt when spec, template or code change."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

_HEADER = re.compile(r"^# fingerprint: ([0-9a-f]{64})$", re.MULTILINE)


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def source_files_digest(paths: Iterable[Path]) -> str:
    """Digest of generator sources: editing the generator itself invalidates its outputs."""
    return fingerprint(*(path.read_bytes() for path in sorted(paths)))


def header_line(value: str) -> str:
    return f"# fingerprint: {value}"


def read_fingerprint(text: str | None) -> str | None:
    """The fingerprint recorded in a generated file's header, if any."""
    if text is None:
        return None
    match = _HEADER.search(text[:2000])
    return match.group(1) if match else None
