"""WsRouter TypeAlias declarations are read with ast: strings and comments don't count."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from trading_api.codegen.errors import GenerationError
from trading_api.codegen.ws_declarations import RouterDeclaration, parse_ws_declarations

PACKAGE = "trading_api.modules.demo.ws"


def _parse(tmp_path: Path, source: str) -> list[RouterDeclaration]:
    path = tmp_path / "ws.py"
    path.write_text(textwrap.dedent(source))
    return parse_ws_declarations(path, PACKAGE)


def _line_of(tmp_path: Path, text: str) -> int:
    lines = (tmp_path / "ws.py").read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(text))


def test_declarations_with_nested_types_other_modules_and_type_checking_block(
    tmp_path: Path,
) -> None:
    declarations = _parse(
        tmp_path,
        '''
        """Routes.

        NotARouter: TypeAlias = WsRouter[Fake, Fake]   (inside the docstring: ignored)
        """
        from typing import TYPE_CHECKING, TypeAlias

        from trading_api.models import Bar, BarsSubscriptionRequest
        from trading_api.ws import WsRouter
        from .models import Tick as LocalTick

        # CommentRouter: TypeAlias = WsRouter[Fake, Fake]
        BarsRouter: TypeAlias = WsRouter[BarsSubscriptionRequest, Bar]
        text = "StringRouter: TypeAlias = WsRouter[Fake, Fake]"

        if TYPE_CHECKING:
            BrokerConnectionRouter: TypeAlias = WsRouter[BarsSubscriptionRequest, list[LocalTick]]
        ''',
    )
    assert [(d.class_name, d.route, d.request, d.data) for d in declarations] == [
        ("BarsRouter", "bars", "BarsSubscriptionRequest", "Bar"),
        (
            "BrokerConnectionRouter",
            "broker-connection",
            "BarsSubscriptionRequest",
            "list[LocalTick]",
        ),
    ]
    assert declarations[0].line == _line_of(tmp_path, "BarsRouter")
    assert declarations[1].imports == (
        "from trading_api.models import BarsSubscriptionRequest",
        "from trading_api.modules.demo.models import Tick as LocalTick",
    )


@pytest.mark.parametrize(
    ("source", "line", "reason"),
    [
        ("from typing import TypeAlias\nX: TypeAlias = int\n", 2, "'X' must end in 'Router'"),
        (
            "from typing import TypeAlias\nfrom trading_api.ws import WsRouter\n"
            "ThingsRouter: TypeAlias = WsRouter[int]\n",
            3,
            "must be WsRouter[RequestModel, DataType], found WsRouter[int]",
        ),
        (
            "from typing import TypeAlias\nfrom trading_api.ws import WsRouter\n"
            "ThingsRouter: TypeAlias = WsRouter[Missing, int]\n",
            3,
            "uses Missing, which ws.py does not import",
        ),
        (
            "from typing import TypeAlias\nfrom trading_api.ws import WsRouter\n"
            "ThingsRouter: TypeAlias = WsRouter[int, int]\n"
            "ThingsRouter: TypeAlias = WsRouter[int, str]\n",
            4,
            "route 'things' is already declared on line 3",
        ),
        ("ThingsRouter: TypeAlias = WsRouter[int, int\n", 1, "never closed"),
    ],
)
def test_malformed_declaration_names_file_and_line(
    tmp_path: Path, source: str, line: int, reason: str
) -> None:
    with pytest.raises(GenerationError) as caught:
        _parse(tmp_path, source)
    message = str(caught.value)
    assert f"{tmp_path / 'ws.py'}:{line}:" in message
    assert reason in message
