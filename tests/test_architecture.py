"""The study domain and the database layer never import discord or apscheduler, even indirectly."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("discord", "apscheduler")
# the domain: everything a front end calls; only the adapters (cogs, views, scheduler, app) may import them
DOMAIN = ["bot/core", "bot/services", "bot/content", "db", "bot/presenters"]


def module_files(entry: str) -> list[Path]:
    path = ROOT / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.exists() else []


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def local_file(module: str) -> Path | None:
    base = ROOT / Path(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def test_domain_never_reaches_discord_or_apscheduler():
    start = [f for entry in DOMAIN for f in module_files(entry)]
    assert len(start) > 10
    seen: set[Path] = set()
    todo = [(f, [f.relative_to(ROOT).as_posix()]) for f in start]
    offenders = []
    while todo:
        path, chain = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in imports_of(path):
            if module.split(".")[0] in FORBIDDEN:
                offenders.append(" -> ".join(chain + [module]))
            nxt = local_file(module)
            if nxt is not None:
                todo.append((nxt, chain + [nxt.relative_to(ROOT).as_posix()]))
    assert offenders == []


def test_core_is_standard_library_only():
    import sys

    allowed = set(sys.stdlib_module_names) | {"bot"}
    for path in module_files("bot/core"):
        outside = {m for m in imports_of(path) if m.split(".")[0] not in allowed}
        assert outside == set(), f"{path.name} imports {outside}"


def test_only_db_writes_sql():
    import re

    sql = re.compile(r"\b(insert\s+into|delete\s+from|update\s+\w+\s+set|create\s+table|select\s+.+\s+from)\b", re.I)
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not sql.search(text), f"{path.relative_to(ROOT)} contains SQL; move it to db/"
