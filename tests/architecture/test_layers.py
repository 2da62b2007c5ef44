"""The house rules of the layout, checked on the source: layers, no cycles, no hidden imports."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.architecture.imports import (
    ROOT,
    cycles,
    graph,
    imports_of,
    known_modules,
    source_files,
)

# Composition roots and optional engines load parts only when a command needs them, so
# `shaosheng org list` never loads the NLU model or a chat framework.
LAZY_ALLOWED = {
    "shaosheng.cli", "shaosheng.report_cli", "shaosheng.people_cli", "shaosheng.web",
    "shaosheng.doctor", "shaosheng.production", "nlu.cli", "nlu.features", "nlu.loader",
    "bot.channels",
}
CHAT_FRAMEWORKS = ("aiogram", "telegram")


def _all_imports() -> list:
    modules = known_modules()
    return [imp for path in source_files() for imp in imports_of(path, modules)]


def test_no_import_cycles_even_through_function_local_imports() -> None:
    edges = graph()
    for imp in _all_imports():
        if imp.target != imp.module:
            edges[imp.module].add(imp.target)
    assert cycles(edges) == []


def test_first_party_imports_sit_at_the_top_of_the_module() -> None:
    hidden = [f"{i.module}:{i.line} imports {i.target}" for i in _all_imports()
              if i.local and i.module not in LAZY_ALLOWED]
    assert hidden == []


def test_the_domain_and_the_nlu_never_import_the_chat_layer_or_the_shell() -> None:
    wrong = [f"{i.module} → {i.target}" for i in _all_imports()
             if i.module.split(".")[0] in ("dispatch", "nlu")
             and i.target.split(".")[0] in ("bot", "shaosheng", "standin", "desk")]
    assert wrong == []


def test_the_desk_uses_the_domain_and_never_the_chat_layer() -> None:
    """The web desk acts through dispatch/ like the chat does, never through the bot."""
    wrong = [f"{i.module} → {i.target}" for i in _all_imports()
             if i.module.split(".")[0] == "desk"
             and i.target.split(".")[0] in ("bot", "shaosheng", "standin", "nlu")]
    assert wrong == []
    assert any(i.module.startswith("desk") for i in _all_imports()), "desk/ is checked"


def test_the_nlu_never_touches_the_database() -> None:
    wrong = [f"{i.module} → {i.target}" for i in _all_imports()
             if i.module.startswith("nlu") and i.target.startswith("dispatch")]
    assert wrong == []


def test_only_the_channel_adapters_import_a_chat_framework() -> None:
    wrong = []
    for path in source_files():
        name = path.relative_to(ROOT).as_posix()
        if name.startswith(("bot/channels/", "standin/")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            wrong += [f"{name}: {n}" for n in names if n.split(".")[0] in CHAT_FRAMEWORKS]
    assert wrong == []


def test_the_checker_sees_a_cycle_when_there_is_one() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


# Handlers call dispatch services that own their session (issue 26): a service's session is
# opened in dispatch/ (`dispatch.core.transactions` for a single service call), never here.
SESSION_FACTORIES = {"sessions", "single"}


def _data_access(path: Path) -> list[str]:
    """What in a module reaches the database itself: SQLAlchemy or the ORM models imported,
    a session opened (`ctx.sessions()`, `ctx.single()`) or a Core connection taken."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found += [f"imports {n}" for n in names
                  if n.split(".")[0] == "sqlalchemy" or n.startswith("dispatch.store")]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, owner = node.func.attr, node.func.value
            if attr in SESSION_FACTORIES or (
                attr == "connect" and isinstance(owner, ast.Attribute)
                and owner.attr == "autocommit"
            ):
                found.append(f"line {node.lineno}: opens {attr}()")
    return found


def _conversation_data_access() -> dict[str, list[str]]:
    return {path.relative_to(ROOT).as_posix(): _data_access(path)
            for path in sorted((ROOT / "bot" / "conversation").rglob("*.py"))}


def test_conversation_handlers_never_import_sqlalchemy_or_the_models() -> None:
    wrong = [f"{name}: {what}" for name, found in _conversation_data_access().items()
             for what in found if what.startswith("imports")]
    assert wrong == []


def test_conversation_handlers_leave_sessions_to_dispatch_services() -> None:
    wrong = [f"{name}: {what}" for name, found in _conversation_data_access().items()
             for what in found]
    assert wrong == []


def test_the_data_access_check_sees_a_session_and_a_query(tmp_path: Path) -> None:
    handler = tmp_path / "handler.py"
    handler.write_text(
        "from sqlalchemy import select\n"
        "async def h(turn):\n"
        "    async with turn.ctx.sessions() as session:\n"
        "        await session.execute(select(1))\n"
        "    async with turn.ctx.autocommit.connect() as connection:\n"
        "        pass\n",
        encoding="utf-8",
    )
    assert _data_access(handler) == [
        "imports sqlalchemy", "line 3: opens sessions()", "line 5: opens connect()"]
