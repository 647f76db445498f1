"""The framework's error handlers on a module app of their own: even a bug answers JSON."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx
import pytest
from fastapi import APIRouter

from trading_api.framework import Module
from trading_api.framework.module_app import build_module_app

pytestmark = pytest.mark.anyio

router = APIRouter()


@router.get("/crash")
async def crash() -> int:
    raise RuntimeError("a bug")


class CrashingModule(Module):
    name = "crashing"

    def api_routers(self) -> Mapping[str, Sequence[APIRouter]]:
        return {"v1": [router]}


async def test_an_unexpected_exception_answers_a_json_500() -> None:
    app = build_module_app(CrashingModule(), "v1").app
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get("/crash")
    assert response.status_code == 500
    assert response.json() == {"code": "internal_error", "message": "Internal Server Error"}
