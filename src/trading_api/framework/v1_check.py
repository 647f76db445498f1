"""FastAPI's check for `pydantic.v1` models, made only once `pydantic.v1` is loaded.

FastAPI checks every field it creates (parameters, bodies, responses; at start-up and again
when a router's routes are first matched) for a `pydantic.v1` model, which it no longer
supports, and imports `pydantic.v1` to do so: ~0.03 s of a server's start from bytecode, 0.2 s
of a cold build that compiles it. No `pydantic.v1` model can exist before `pydantic.v1` is
imported, so until something imports it the check answers False without importing it; from
then on FastAPI's own check runs, and rejects v1 models as before.
"""

from __future__ import annotations

import sys
from typing import Any


def check_v1_models_once_loaded() -> None:
    """Install the check in this process (again: nothing happens). A FastAPI laid out
    otherwise, without `fastapi._compat.shared.is_pydantic_v1_model_class`, is left as it is."""
    try:
        from fastapi._compat import shared

        check = shared.is_pydantic_v1_model_class
    except (ImportError, AttributeError):
        return
    if check.__module__ == __name__:
        return

    def check_once_loaded(cls: Any) -> bool:
        return "pydantic.v1" in sys.modules and check(cls)

    shared.is_pydantic_v1_model_class = check_once_loaded
