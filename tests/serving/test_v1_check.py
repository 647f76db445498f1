"""FastAPI's check for `pydantic.v1` models imports nothing, and still rejects them (issue 13).

Each case runs in a fresh interpreter: whether `pydantic.v1` is loaded is process state.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

BUILD_ROUTES = """
import sys
from fastapi import FastAPI
from pydantic import BaseModel
from trading_api.framework.v1_check import check_v1_models_once_loaded

check_v1_models_once_loaded()
check_v1_models_once_loaded()  # installing twice wraps once


class Body(BaseModel):
    name: str


app = FastAPI()


@app.post("/items")
def create(body: Body) -> Body:
    return body
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )


def test_routes_are_built_without_importing_pydantic_v1() -> None:
    result = _run(BUILD_ROUTES + "print('pydantic.v1' in sys.modules)")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_v1_model_is_still_refused_once_pydantic_v1_is_loaded() -> None:
    result = _run(BUILD_ROUTES + """
from fastapi.exceptions import PydanticV1NotSupportedError
from pydantic import v1

class Legacy(v1.BaseModel):
    name: str

try:
    @app.post("/legacy")
    def legacy(body: Legacy) -> None: ...
except PydanticV1NotSupportedError as error:
    print("refused:", error)
""")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused: pydantic.v1 models are no longer supported")
