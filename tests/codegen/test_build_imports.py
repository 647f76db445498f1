"""Documenting the modules (what the build hook does) imports only the hook's dependencies.

The hook installs `generator-dependencies` into a fresh build environment: a module that imports
its storage (SQLAlchemy), its server or a client library while being instantiated or documented
would fail the build there — and cost seconds of imports even where it is installed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata

from support import ROOT, SRC, clean_env

_DOCUMENT_EVERY_MODULE = """
import json, sys
from trading_api.codegen.openapi import documenting, module_openapi
from trading_api.framework.discovery import discover_packages, instantiate
from trading_api.framework.module_app import build_module_apps
with documenting():  # as the pipeline documents them
    for package in discover_packages():
        for module_app in build_module_apps(instantiate(package)):
            module_openapi(module_app)
            module_app.asyncapi()
print(json.dumps(sorted(sys.modules)))
"""

_AT_START = """
import json, sys
print(json.dumps(sorted(sys.modules)))
"""


def _generator_dependencies() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hook = config["tool"]["hatch"]["build"]["hooks"]["custom"]
    assert "dependencies" not in hook, "static hook dependencies are installed even when warm"
    return list(hook["generator-dependencies"])


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _closure(requirements: list[str]) -> set[str]:
    """Distributions the requirements install (extras and optional requirements left out)."""
    found: set[str] = set()
    pending = [_name(requirement) for requirement in requirements]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # required only on other Pythons or platforms: not installed here
        found.add(name)
        for requirement in requires:
            if "extra ==" not in requirement:
                pending.append(_name(requirement))
    return found


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def _imports(script: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=clean_env(PYTHONPATH=str(SRC)),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_documenting_every_module_imports_only_the_hook_dependencies() -> None:
    # what the interpreter imports before any code runs (site's .pth files, e.g. setuptools'
    # _distutils_hack, a dev dependency's requirement) is no module's doing
    modules = _imports(_DOCUMENT_EVERY_MODULE)
    imported = _top_level(modules) - _top_level(_imports(_AT_START))
    allowed = _closure(_generator_dependencies())
    distributions = metadata.packages_distributions()
    outside = {
        name: sorted(_name(d) for d in distributions[name])
        for name in imported
        if name in distributions
        and name not in sys.stdlib_module_names
        and not any(_name(d) in allowed for d in distributions[name])
    }
    assert outside == {}, f"imported without being a hook dependency: {outside}"
    assert "sqlalchemy" not in imported and "uvicorn" not in imported
    # FastAPI imports it only to reject v1 models: a cold build would compile it for nothing
    assert "pydantic.v1" not in modules
