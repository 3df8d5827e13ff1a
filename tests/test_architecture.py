"""The house plan, enforced: the domain never reaches discord or apscheduler, core is standard library only,
one package talks to Discord, one module to APScheduler, nothing imports the composition root, no import
cycles (imports inside functions included), and only db/ writes SQL."""
from __future__ import annotations

import ast
import functools
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "db")
DISCORD_PACKAGE = "bot.frontends.discord"
DOMAIN = ("bot.core", "bot.services", "bot.content", "bot.sandbox", "bot.presenters", "bot.commands", "db")
SANDBOX_SCRIPTS = "bot.sandbox.scripts"  # run as files inside the sandbox (or just before it), never imported


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


@functools.cache
def imports_of(name: str) -> frozenset[str]:
    """Every module `name` imports, at the top or inside a function, resolved to our modules where it can be."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES)
    return frozenset(found)


def ours(module: str) -> str | None:
    while module and module not in MODULES:
        module = module.rpartition(".")[0]
    return module or None


def graph() -> dict[str, set[str]]:
    return {name: {o for m in imports_of(name) if (o := ours(m)) and o != name} for name in MODULES}


def in_package(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_there_are_modules_to_check():
    assert len(MODULES) > 40 and "bot.commands.table" in MODULES and "bot.frontends.discord.client" in MODULES


def test_no_import_cycle_anywhere_in_bot_and_db():
    edges, state, cycles = graph(), {}, []

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]) if nxt in path else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    sys.setrecursionlimit(10_000)
    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_only_the_discord_package_imports_discord():
    outside = {n: m for n in MODULES for m in imports_of(n)
               if m.split(".")[0] == "discord" and not in_package(n, DISCORD_PACKAGE)}
    assert outside == {}


def test_only_the_scheduler_imports_apscheduler():
    outside = {n for n in MODULES for m in imports_of(n) if m.split(".")[0] == "apscheduler" and n != "bot.scheduler"}
    assert outside == set()


def test_the_domain_never_reaches_discord_or_apscheduler_even_indirectly():
    edges = graph()
    for start in (n for n in MODULES if any(in_package(n, p) for p in DOMAIN)):
        seen, todo = set(), [start]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            assert not in_package(name, "bot.frontends") and name not in ("bot.scheduler", "bot.app"), f"{start} reaches {name}"
            assert not {m for m in imports_of(name) if m.split(".")[0] in ("discord", "apscheduler")}, name
            todo += edges[name]


def test_core_is_standard_library_only():
    allowed = set(sys.stdlib_module_names)
    for name in (n for n in MODULES if in_package(n, "bot.core")):
        outside = {m for m in imports_of(name) if m.split(".")[0] not in allowed and not in_package(m, "bot.core")}
        assert outside == set(), f"{name} imports {outside}"


def test_sandbox_scripts_stand_alone_and_nothing_imports_them():
    """The sandbox shows the Python environment, not the checkout: a script that imported bot or db would fail there."""
    scripts = [n for n in MODULES if in_package(n, SANDBOX_SCRIPTS) and n != SANDBOX_SCRIPTS]
    assert {n.rpartition(".")[2] for n in scripts} >= {"collector", "harness", "as_nobody"}
    for name in scripts:
        ours_imported = {m for m in imports_of(name) if ours(m)}
        assert ours_imported == set(), f"{name} imports {ours_imported}"
    importers = {n for n, targets in graph().items() if any(in_package(t, SANDBOX_SCRIPTS) for t in targets)}
    assert importers == set()


def test_nothing_imports_the_composition_root():
    importers = {n for n, targets in graph().items() if "bot.app" in targets and n != "bot.__main__"}
    assert importers == set()


def test_front_ends_do_not_import_each_other():
    edges = graph()
    for a, b in (("bot.frontends.discord", "bot.frontends.terminal"), ("bot.frontends.terminal", "bot.frontends.discord")):
        assert not {n for n in MODULES if in_package(n, a) and any(in_package(t, b) for t in edges[n])}


def test_only_db_writes_sql():
    sql = re.compile(r"\b(insert\s+into|delete\s+from|update\s+\w+\s+set|create\s+table|select\s+.+\s+from)\b", re.I)
    for path in (ROOT / "bot").rglob("*.py"):
        assert not sql.search(path.read_text(encoding="utf-8")), f"{path.relative_to(ROOT)} contains SQL; move it to db/"


_WRITE_METHODS = {"insert", "insert_all", "upsert", "upsert_all", "update", "delete", "delete_where"}
_WRITE_SQL = re.compile(r"\s*(insert|update|delete|replace)\b", re.I)


def _writes(call: ast.Call) -> bool:
    """`db.table(...).insert(...)` and the like, or `db.execute("update ...")`."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return False
    if func.attr in _WRITE_METHODS:
        receiver = func.value
        return (isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Attribute) and receiver.func.attr == "table") \
            or isinstance(receiver, ast.Subscript)
    if func.attr == "execute" and call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return bool(_WRITE_SQL.match(call.args[0].value))
    return False


def _in_writing(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.With) and any(
                isinstance(item.context_expr, ast.Call) and getattr(item.context_expr.func, "id", None) == "writing"
                for item in node.items):
            return True
    return False


def test_every_write_in_db_takes_the_write_lock_first():
    """db.connection.writing (BEGIN IMMEDIATE, a bounded wait) around every public function's writes; never
    sqlite-utils' deferred db.atomic(). Private helpers (`_apply`) are only called inside a writer's block."""
    offenders = []
    for path in sorted((ROOT / "db").glob("*.py")):
        if path.name in ("connection.py", "schema.py"):  # writing() itself; migrations run as sqlite-utils applies them
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
        for function in (n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")):
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "atomic":
                    offenders.append(f"{path.name}:{node.lineno} {function.name} uses db.atomic()")
                elif isinstance(node, ast.Call) and _writes(node) and not _in_writing(node, parents):
                    offenders.append(f"{path.name}:{node.lineno} {function.name} writes outside `with writing(db)`")
    assert offenders == []
