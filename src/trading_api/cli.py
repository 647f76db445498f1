"""`trading-api`: generate contracts and clients, list or clean modules, serve the app.

The same pipeline runs in the Hatch build hook; `serve` never generates (it reads what the build
packaged).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

EXIT_USAGE = 2


def _module_list(text: str) -> list[str]:
    """`broker,datafeed` or `broker, datafeed`: spaces after commas are fine."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected comma-separated module names")
    return names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trading-api",
        description="Modular FastAPI trading backend: generate contracts and clients, or serve.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    generate = commands.add_parser(
        "generate",
        help="generate OpenAPI/AsyncAPI specs, WebSocket routers and Python clients",
        description="Generate each module's specs and typed client (only what changed is "
        "rewritten) and the trading_api.clients index.",
    )
    generate.add_argument(
        "--modules",
        type=_module_list,
        metavar="NAMES",
        help="comma-separated modules to generate, e.g. broker,datafeed (default: all)",
    )
    generate.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="write DIR/specs_generated/ and DIR/client_generated/ instead of into the package",
    )
    generate.add_argument(
        "--clean", action="store_true", help="remove stale generated files of these modules first"
    )

    commands.add_parser(
        "list-modules",
        help="list the discovered modules",
        description="List every module package under trading_api/modules/.",
    )

    clean = commands.add_parser(
        "clean",
        help="remove every generated artifact (and nothing else)",
        description="Remove specs_generated/, client_generated/, ws_generated/ of every module "
        "and the trading_api.clients index.",
    )
    clean.add_argument("--output-dir", type=Path, metavar="DIR", help="clean DIR instead")

    serve = commands.add_parser(
        "serve",
        help="run the API server with uvicorn",
        description="Serve the modular app. Specs come from the installed package; run "
        "`trading-api generate` (or `uv sync`) first in a checkout.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument(
        "--modules",
        type=_module_list,
        metavar="NAMES",
        help="comma-separated modules to mount (default: all; core is always mounted)",
    )
    serve.add_argument("--reload", action="store_true", help="restart on source changes (dev)")
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="worker processes sharing the port (default: 1); more than one needs PostgreSQL "
        "and Redis (docs/deployment.md)",
    )
    _add_db_parser(commands)
    _add_users_parser(commands)
    _add_keys_parser(commands)
    _add_contracts_parser(commands)
    return parser


def _workers(text: str) -> int:
    try:
        workers = int(text)
    except ValueError:
        workers = 0
    if workers < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes >= 1, got {text!r}")
    return workers


def _add_db_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser(
        "db",
        help="migrate or inspect the database (TRADING_API_DATABASE_URL)",
        description="Manage the schema of the database named by TRADING_API_DATABASE_URL "
        "(default: a SQLite file in the per-user data directory).",
    )
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="upgrade the schema to the latest revision")
    actions.add_parser("current", help="print the database's revision and the latest one")
    actions.add_parser("check", help="exit 1 unless the schema is at the latest revision")
    revision = actions.add_parser(
        "revision",
        help="(development) write the next migration from the model changes",
        description="Compare the tables with the database (upgraded first) and write "
        "src/trading_api/storage/migrations/versions/vNNNN_<slug>.py; review it before committing.",
    )
    revision.add_argument("-m", "--message", required=True, help="what the migration changes")


def _add_users_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from trading_api.auth.settings import STARTING_BALANCE_ENV

    users = commands.add_parser(
        "users",
        help="create users (each with a paper account and an API key)",
        description="Manage the users of the database named by TRADING_API_DATABASE_URL.",
    )
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add",
        help="create a user with one paper account; prints its API key once, as the last line",
    )
    add.add_argument("name", help="user name (letters, digits, _ . @ -)")
    add.add_argument(
        "--balance",
        type=_balance,
        help=f"starting balance of the paper account (default: ${STARTING_BALANCE_ENV} "
        "or 100000)",
    )


def _add_keys_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser(
        "keys",
        help="list, add or revoke API keys",
        description="API keys are shown once when created and stored hashed.",
    )
    actions = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list keys (id, user, first/last characters)")
    listing.add_argument("--user", help="only this user's keys")
    add = actions.add_parser("add", help="create another key of USER; prints it once")
    add.add_argument("user")
    revoke = actions.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id", metavar="KEY_ID")


def _balance(text: str) -> Decimal:
    from trading_api.auth.settings import balance

    try:
        return balance(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_contracts_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from trading_api.contracts.command import add_parser

    add_parser(commands)


SERVER_PACKAGES = ("fastapi", "fastapi_offline", "uvicorn", "sqlalchemy", "alembic", "platformdirs")
"""Import names of the `server` extra (a `[clients]` install has none of them)."""


def _missing_server_extra() -> str | None:
    """The message for `serve`/`db` when the `server` extra is not installed, else None."""
    from importlib.util import find_spec

    missing = [name for name in SERVER_PACKAGES if find_spec(name) is None]
    if not missing:
        return None
    return (
        f"the server needs {', '.join(missing)}, which this install lacks: "
        'pip install "trading-api[server]"'
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("serve", "db", "users", "keys") and (missing := _missing_server_extra()):
        return _fail(missing, EXIT_USAGE)
    handler = {
        "generate": _generate,
        "list-modules": _list_modules,
        "clean": _clean,
        "serve": _serve,
        "db": _db,
        "users": _users,
        "keys": _keys,
        "contracts": _contracts,
    }[args.command]
    return handler(args)


def _fail(message: str, code: int = 1) -> int:
    print(f"trading-api: error: {message}", file=sys.stderr)
    return code


def _generate(args: argparse.Namespace) -> int:
    from trading_api.framework.discovery import UnknownModuleError, select_packages

    try:
        select_packages(args.modules)
    except UnknownModuleError as error:
        return _fail(str(error), EXIT_USAGE)
    from trading_api.codegen import GenerationError, MissingToolError, generate

    try:
        generate(args.modules, output_dir=args.output_dir, clean=args.clean)
    except MissingToolError as error:
        return _fail(str(error))
    except GenerationError as error:
        return _fail(f"generation failed: {error} (no files were changed)")
    return 0


def _list_modules(args: argparse.Namespace) -> int:
    from trading_api.framework.discovery import discover_packages, ignored_folders

    print("Discovered modules:")
    for name in discover_packages():
        print(f"  - {name}")
    for name, reason in ignored_folders().items():  # the same rule as generate and serve
        print(f"Ignored folder modules/{name}: {reason}")
    return 0


def _clean(args: argparse.Namespace) -> int:
    from trading_api.codegen import default_layout, remove_outputs
    from trading_api.framework.discovery import discover_packages

    removed = remove_outputs(default_layout(args.output_dir), discover_packages())
    if not removed:
        print("Nothing to clean")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from trading_api.serving.startup_gc import STARTUP_GC

    if args.reload:  # the reloader's supervisor runs as long as the developer works: no pause
        return _start(args)
    with STARTUP_GC.paused():  # until the server listens (trading_api.serving.startup_gc)
        return _start(args)


def _start(args: argparse.Namespace) -> int:
    from trading_api.app import MODULES_ENV, create_app
    from trading_api.env_settings import SettingsError
    from trading_api.framework.discovery import ModuleError, UnknownModuleError
    from trading_api.framework.packaged_specs import MissingArtifactsError
    from trading_api.serving.refusals import workers_refusal
    from trading_api.serving.run import run
    from trading_api.serving.settings import ServingSettings

    if args.modules:
        os.environ[MODULES_ENV] = ",".join(args.modules)  # read by create_app, also on --reload
    if args.reload:
        if args.workers > 1:
            return _fail("--reload serves one process: drop --workers", EXIT_USAGE)
        return _serve_reload(args)
    try:
        settings = ServingSettings.from_env()
        refusal = workers_refusal(args.workers)
    except SettingsError as error:
        return _fail(str(error), EXIT_USAGE)
    if refusal is not None:
        return _fail(refusal, EXIT_USAGE)
    try:
        app = create_app()  # fails fast, with a clear message, before uvicorn starts or forks
    except UnknownModuleError as error:
        return _fail(str(error), EXIT_USAGE)
    except (MissingArtifactsError, ModuleError, SettingsError) as error:
        return _fail(str(error))
    _warn_if_stale()
    _warn_if_unreachable(args.host)
    return run(
        app,
        workers=args.workers,
        settings=settings,
        host=args.host,
        port=args.port,
        ws_max_size=_ws_max_size(),
    )


def _ws_max_size() -> int:
    """uvicorn closes a connection sending a larger WebSocket frame (docs/limits.md)."""
    from trading_api.ws.limits import DEFAULT_LIMITS

    return DEFAULT_LIMITS.max_frame_bytes


def _warn_if_unreachable(host: str) -> None:
    """A public bind with only loopback `Host` names allowed answers remote clients 400."""
    from trading_api.framework.security import BrowserPolicy, public_bind_warning

    warning = public_bind_warning(host, BrowserPolicy.from_env(os.environ))
    if warning is not None:
        print(warning, file=sys.stderr, flush=True)


def _warn_if_stale() -> None:
    """A checkout whose last generation failed serves older contracts: say so at start."""
    from trading_api.framework.staleness import stale_reason

    reason = stale_reason()
    if reason is not None:  # only then the code generator's package (not needed to serve)
        from trading_api.codegen.stale import stale_warning

        print(stale_warning(reason), file=sys.stderr, flush=True)


def _serve_reload(args: argparse.Namespace) -> int:
    """In a checkout, regenerate before every reload; an installed package only reloads code."""
    import uvicorn

    from trading_api.framework.discovery import UnknownModuleError, select_packages

    try:
        select_packages(args.modules)  # no import: a broken module must not stop the dev loop
    except UnknownModuleError as error:
        return _fail(str(error), EXIT_USAGE)
    from trading_api.codegen.devserver import is_source_checkout, serve_with_live_regeneration

    _warn_if_stale()
    if is_source_checkout():
        serve_with_live_regeneration(args.host, args.port)
    else:  # the reloader imports the factory in a subprocess; nothing is ever written
        uvicorn.run(
            "trading_api.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            reload=True,
            ws_max_size=_ws_max_size(),
        )
    return 0


def _db(args: argparse.Namespace) -> int:
    from trading_api.storage.commands import run_db_command
    from trading_api.storage.settings import SettingsError, StorageSettings

    try:
        settings = StorageSettings.from_env()
    except SettingsError as error:
        return _fail(str(error), EXIT_USAGE)
    return run_db_command(args.db_command, settings, message=getattr(args, "message", None))


def _users(args: argparse.Namespace) -> int:
    from trading_api.auth import AuthSettings, commands
    from trading_api.storage.settings import SettingsError, StorageSettings

    try:
        storage, auth = StorageSettings.from_env(), AuthSettings.from_env()
    except SettingsError as error:
        return _fail(str(error), EXIT_USAGE)
    balance = args.balance if args.balance is not None else auth.starting_balance
    return commands.run(storage, commands.add_user(args.name, balance))


def _keys(args: argparse.Namespace) -> int:
    from trading_api.auth import commands
    from trading_api.storage.settings import SettingsError, StorageSettings

    try:
        storage = StorageSettings.from_env()
    except SettingsError as error:
        return _fail(str(error), EXIT_USAGE)
    action = {
        "list": lambda: commands.list_keys(args.user),
        "add": lambda: commands.add_key(args.user),
        "revoke": lambda: commands.revoke_key(args.key_id),
    }[args.keys_command]()
    return commands.run(storage, action)


def _contracts(args: argparse.Namespace) -> int:
    from trading_api.contracts.command import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
