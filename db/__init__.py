"""The database: its schema, queries and transactions (nothing else writes SQL).

Importing this package also keeps sqlite-utils from importing pandas and numpy. sqlite-utils imports both when it
loads, if they are installed (they are, for the question bank's snippets), only to accept their types as column
types, which studybot never gives it: that was 0.4 s and ~40 MB of every start-up. bot/__init__.py imports this
package first, so the first `import sqlite_utils` anywhere in bot or db loads it without them.
"""
from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec, PathFinder
from types import ModuleType
from typing import Any

_HIDDEN = ("pandas", "numpy")


class _WithoutDataFrames:
    """Runs sqlite_utils/db.py with pandas and numpy unimportable (a None in sys.modules), then puts back what was there."""

    def __init__(self, loader: Any):
        self._loader = loader

    def __getattr__(self, name: str) -> Any:  # get_source, get_resource_reader...: the real loader's
        return getattr(self._loader, name)

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        saved = {name: sys.modules.get(name) for name in _HIDDEN}
        sys.modules.update(dict.fromkeys(_HIDDEN))  # type: ignore[arg-type]  # None: "not importable", as the import system means it
        try:
            self._loader.exec_module(module)
        finally:
            for name, held in saved.items():
                if held is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = held


class _SqliteUtilsFinder:
    """A meta path finder for the one module `sqlite_utils.db`; every other import goes on as usual."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: ModuleType | None = None) -> ModuleSpec | None:
        if name != "sqlite_utils.db":
            return None
        spec = PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _WithoutDataFrames(spec.loader)  # type: ignore[assignment]
        return spec


if not any(isinstance(f, _SqliteUtilsFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _SqliteUtilsFinder())
