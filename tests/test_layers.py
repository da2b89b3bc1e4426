"""The shape of bot/: which layer may import which, no import cycles, no oversized modules.

Read from the source with `ast` (nothing is imported), so a lazy import inside a function
counts like any other: it is still a dependency. The layers, lowest first:

    leaves (normalize, money, lang, datafiles)  <-  rating  <-  content  <-  understanding
    <-  flows, the engine (conversation, moves, replies, turn, ...)  <-  slack, cli

A lower layer importing a higher one is how a Slack detail ends up in the rate table, or the
content files can no longer be validated without the matcher; these tests say where it happened.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

LEAVES = {"normalize", "money", "lang", "datafiles"}
"""Modules every layer may use; they import nothing of the bot but each other."""

MAX_MODULE_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    """Every module under bot/, by dotted name (a package by its own name)."""
    return {_module_name(p): p for p in sorted(BOT.rglob("*.py"))}


def _resolve(name: str) -> str:
    """The module an imported name refers to: `bot.content.faq.FaqContent` -> `bot.content.faq`."""
    modules = _modules()
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


@cache
def _imports(module: str) -> frozenset[str]:
    """The bot modules `module` imports, anywhere in its source."""
    path = _modules()[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        found.update(_resolve(n) for n in names if n == "bot" or n.startswith("bot."))
    found.discard(module)
    found.discard("bot")
    return frozenset(found)


def _unit(module: str) -> str:
    """The part of bot/ a module belongs to: `bot.content.faq` -> `content`, `bot.turn` -> `turn`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _importers(unit: str, of: set[str]) -> list[str]:
    """`module -> module` for each import from `unit` into any of the units `of`."""
    return sorted(
        f"{m} -> {i}" for m in _modules() if _unit(m) == unit for i in _imports(m) if _unit(i) in of
    )


def test_the_import_reader_sees_imports() -> None:
    """The rules below are only as good as the reader: it must see the engine's own imports."""
    assert "bot.understanding.reading" in _imports("bot.conversation")
    assert "bot.content.faq" in _imports("bot.understanding.faq.index")


def test_leaves_import_only_leaves() -> None:
    bad = [f"{m} -> {i}" for m in _modules() if _unit(m) in LEAVES for i in _imports(m) if _unit(i) not in LEAVES]
    assert not bad, f"a leaf module imports a layer above it: {bad}"


def test_rating_imports_neither_content_nor_understanding() -> None:
    bad = _importers("rating", {"content", "understanding", "flows", "slack", "conversation", "cli"})
    assert not bad, f"the rate table must stand on the leaves alone: {bad}"


def test_content_imports_nothing_that_reads_or_talks() -> None:
    bad = _importers("content", {"understanding", "flows", "slack", "conversation", "cli"})
    assert not bad, f"content must load and validate without the layers that use it: {bad}"


def test_understanding_knows_no_dialogue_or_transport() -> None:
    bad = _importers("understanding", {"slack", "flows", "conversation", "cli"})
    assert not bad, f"reading a message must not depend on the dialogue or on Slack: {bad}"


def test_only_slack_and_cli_import_slack() -> None:
    bad = [
        f"{m} -> {i}" for m in _modules() if _unit(m) not in {"slack", "cli"}
        for i in _imports(m) if _unit(i) == "slack"
    ]
    assert not bad, f"the engine and everything under it know nothing of Slack: {bad}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_modules() -> None:
    graph = {m: set(_imports(m)) for m in _modules()}
    assert not _cycles(graph), f"modules that import each other, directly or round a loop: {_cycles(graph)}"


def test_no_import_cycle_among_parts_of_bot() -> None:
    """Between the parts of bot/ (a subpackage, or a top-level module): content and rating,
    say, must not lean on each other both ways, even through different modules."""
    graph: dict[str, set[str]] = {}
    for m in _modules():
        graph.setdefault(_unit(m), set()).update(_unit(i) for i in _imports(m) if _unit(i) != _unit(m))
    assert not _cycles(graph), f"parts of bot/ that import each other: {_cycles(graph)}"


@pytest.mark.parametrize("module", sorted(_modules()))
def test_no_module_is_over_400_lines(module: str) -> None:
    """A module over this size usually does more than one job. This covers all of bot/, and
    may fail while a module's owner is still splitting it: the message names which."""
    lines = len(_modules()[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, (
        f"{module} has {lines} lines (limit {MAX_MODULE_LINES}): split it by job"
    )
