"""Python source laid out as black and isort lay it out, so formatting it changes nothing.

black formats a file a second time whenever its first pass changed it, and parsing is most of
a pass: generated text that already is black's (and isort's) output costs one pass. These
helpers cover what the templates emit — bracketed argument, parameter and display lists, and
import blocks. Text they lay out differently is still formatted right, only slower:
`tests/codegen/test_formatting.py` checks that every generated file kind renders stable.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LINE_LENGTH = 100
INDENT = 4


@dataclass(frozen=True)
class Brackets:
    """`opening` (text up to and including the bracket), items, `closing` bracket.

    `display`: a list/dict/set display, which black puts one item per line once it splits.
    `comma`: items are comma-separated (False: the parts of a comprehension).
    """

    opening: str
    items: Sequence[str | Brackets]
    closing: str
    display: bool = False
    comma: bool = True

    def flat(self) -> str:
        separator = ", " if self.comma else " "
        return self.opening + separator.join(map(_flat, self.items)) + self.closing


def lay_out(node: str | Brackets, indent: int, prefix: str = "", suffix: str = "") -> str:
    """`prefix + node + suffix` as black writes it at `indent` (the first line unindented)."""
    return "\n".join(_lines(node, indent, prefix, suffix))[indent:]


def _flat(node: str | Brackets) -> str:
    return node if isinstance(node, str) else node.flat()


def _fits(indent: int, text: str) -> bool:
    return indent + len(text) <= LINE_LENGTH


def _lines(node: str | Brackets, indent: int, prefix: str, suffix: str) -> list[str]:
    pad = " " * indent
    flat = prefix + _flat(node) + suffix
    if isinstance(node, str) or _fits(indent, flat):
        return [pad + flat]
    head, tail = pad + prefix + node.opening, pad + node.closing + suffix
    inner = indent + INDENT
    forced = node.display and len(node.items) > 1  # black always explodes a split display
    if not node.comma and len(node.items) > 1:
        forced = True  # a comprehension that does not fit: one part per line
    body = _flat(Brackets("", node.items, "", comma=node.comma))
    if not forced and (_fits(inner, body) or len(node.items) == 1):
        return [head, *_lines(node.items[0] if len(node.items) == 1 else body, inner, "", ""), tail]
    separator = "," if node.comma else ""
    return [
        head,
        *(line for item in node.items for line in _lines(item, inner, "", separator)),
        tail,
    ]


def call(function: str, arguments: Sequence[str | Brackets]) -> Brackets:
    return Brackets(f"{function}(", arguments, ")")


def mapping(pairs: Iterable[tuple[str, str]], opening: str = "{") -> Brackets:
    """A dict display of source `key: value` pairs (`opening` may carry a prefix: `params={`)."""
    return Brackets(opening, [f"{key}: {value}" for key, value in pairs], "}", display=True)


# isort's black profile: sections, then modules and names in its order (natural, ignoring case,
# constants before classes before the rest), a name list wrapped like black wraps it.
_SECTIONS = ("future", "stdlib", "thirdparty", "local")
_NATURAL = re.compile(r"(\d+)")


@dataclass
class Imports:
    """`from module import names` statements, merged and ordered as isort orders them."""

    modules: dict[str, set[str]]
    straight: set[str]  # `import x` statements, which isort puts first in their section

    def __init__(self) -> None:
        self.modules = {}
        self.straight = set()

    def add(self, module: str, *names: str) -> Imports:
        self.modules.setdefault(module, set()).update(names)
        return self

    def add_statement(self, statement: str) -> Imports:
        """An `import x` or `from module import a, b` line (as the type mapper records them)."""
        if not statement.startswith("from "):
            self.straight.add(statement)
            return self
        module, _, names = statement.removeprefix("from ").partition(" import ")
        return self.add(module.strip(), *(name.strip() for name in names.split(",")))

    def render(self) -> str:
        """The import block: sections separated by one blank line, no trailing newline."""
        sections: dict[str, list[str]] = {name: [] for name in _SECTIONS}
        for statement in sorted(self.straight, key=lambda line: _module_key(line.split()[1])):
            sections[_section(statement.split()[1])].append(statement)
        for module in sorted(self.modules, key=_module_key):
            names = sorted(self.modules[module], key=_name_key)
            line = f"from {module} import {', '.join(names)}"
            if not _fits(0, line):
                line = lay_out(Brackets(f"from {module} import (", names, ")", display=True), 0)
            sections[_section(module)].append(line)
        return "\n\n".join("\n".join(lines) for lines in sections.values() if lines)


def _section(module: str) -> str:
    if module == "__future__":
        return "future"
    if module.startswith("."):
        return "local"
    return "stdlib" if module.split(".")[0] in sys.stdlib_module_names else "thirdparty"


def _natural(text: str) -> list[int | str]:
    return [int(part) if part.isdigit() else part for part in _NATURAL.split(text)]


def _module_key(module: str) -> list[int | str]:
    dots = len(module) - len(module.lstrip("."))
    name = "." * dots + "_" + module[dots:] if dots else module
    return _natural(name.lower())


def _name_key(name: str) -> list[int | str]:
    if name.isupper() and len(name) > 1:
        kind = "A"
    elif name[:1].isupper():
        kind = "B"
    else:
        kind = "C"
    return _natural(kind + name.lower())
