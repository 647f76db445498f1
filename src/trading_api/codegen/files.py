"""Atomic file writes: a reader (or a crash) never sees a half-written artifact."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write(path: Path, content: str) -> None:
    """Write to a temp file in the same folder, then rename it over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as temp:
            temp.write(content)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def dump_json(document: Any) -> str:
    """Canonical JSON (sorted keys, 2-space indent, final newline): byte-identical across runs."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
