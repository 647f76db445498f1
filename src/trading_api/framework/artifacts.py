"""Where generated artifacts live and what they are called: shared by the build and the server."""

from __future__ import annotations

from typing import Literal

from trading_api.framework.naming import ModuleNames

SPECS_DIR = "specs_generated"
WS_DIR = "ws_generated"
GENERATED_DIRS = (SPECS_DIR, WS_DIR)  # inside each module's package
CLIENTS_PACKAGE = "clients"  # `trading_api.clients`: every generated client module, and the index

SpecKind = Literal["openapi", "asyncapi"]


def mount_path(names: ModuleNames, version: str) -> str:
    """The path a module's version is served under."""
    return f"/api/{version}/{names.name}"


def artifact_stem(names: ModuleNames, version: str) -> str:
    """`core` for v1 (the common case keeps short names), `core_v2` for later versions."""
    return names.python if version == "v1" else f"{names.python}_{version}"


def spec_filename(names: ModuleNames, version: str, kind: SpecKind) -> str:
    return f"{artifact_stem(names, version)}_{kind}.json"


def client_module_name(names: ModuleNames, version: str) -> str:
    """`broker` for `trading_api.clients.broker`, `broker_v2` for a later version."""
    return artifact_stem(names, version)


def client_class_name(names: ModuleNames, version: str) -> str:
    suffix = "" if version == "v1" else version.upper()
    return f"{names.pascal}{suffix}Client"
