"""The e2e test modules share code through helpers.py and fake_discord/, never by importing each other:
a test module that imports another drags in its tests' dependencies and hides what is shared."""
from __future__ import annotations

import ast
from pathlib import Path

E2E = Path(__file__).parent


def imported_modules(tree: ast.Module) -> list[str]:
    """Every module a file imports, relative ones spelled with their leading dots."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            out.append(base)
            if node.module is None:  # from . import x: x may be a module
                out += [base + alias.name for alias in node.names]
    return out


def is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last.startswith("test_") and (name.startswith(".") or name.startswith("tests.e2e."))


def test_no_e2e_test_module_imports_another():
    modules = sorted(E2E.glob("test_*.py"))
    assert len(modules) >= 10, modules  # the walk sees the test modules
    offenders = {
        path.name: found
        for path in modules
        if (found := [m for m in imported_modules(ast.parse(path.read_text(encoding="utf-8"))) if is_test_module(m)])
    }
    assert offenders == {}, "import shared code from .helpers instead"


def test_the_walk_would_catch_one():
    tree = ast.parse("from .test_daily import at\nfrom . import test_daily\nimport tests.e2e.test_daily\n"
                     "from .helpers import at\nfrom tests.conftest import T0\n")
    assert [m for m in imported_modules(tree) if is_test_module(m)] == [
        ".test_daily", ".test_daily", "tests.e2e.test_daily"]
