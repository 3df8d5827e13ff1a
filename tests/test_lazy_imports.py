"""Start-up pays only for what it uses: the Discord front end connects without the data libraries (scikit-learn,
numpy, pandas, matplotlib: the scorer is fitted or read back after connecting, charts drawn in other processes),
and `studybot grade` with a cached scorer never imports scikit-learn. Each check is a fresh interpreter."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import CONTENT, ROOT, bank_database

HEAVY = ("sklearn", "scipy", "pandas", "numpy", "matplotlib", "rich")
REPORT = f"import json, sys; print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"


def loaded(code: str, *args: str, stdin: str = "") -> list[str]:
    done = subprocess.run([sys.executable, "-c", f"{code}\n{REPORT}", *args], cwd=ROOT, input=stdin, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def modules_of(front_end: str) -> list[str]:
    package = ROOT / "bot" / "frontends" / front_end
    names = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in sorted(package.rglob("*.py"))]
    return [n.removesuffix(".__init__") for n in names]


def test_the_discord_front_end_imports_no_data_library():
    modules = modules_of("discord")
    assert {"bot.frontends.discord.launch", "bot.frontends.discord.client", "bot.frontends.discord.cogs.practice"} <= set(modules)
    assert loaded("import " + ", ".join(modules) + ", bot.bootstrap, bot.services") == []


def test_a_stats_figure_crosses_to_the_chart_pool_without_matplotlib_in_the_bot_process(tmp_path):
    """/stats reads its data and pickles the draw call (by reference) in the bot's process; only the worker draws."""
    bank_database(tmp_path / "bank.sqlite3").close()
    loaded_db_path = tmp_path / "bank.sqlite3"
    code = (f"import pickle; from db.connection import open_database; from bot.services.charts import render_png, stats_data; "
            f"from datetime import datetime, UTC; data = stats_data(open_database({str(loaded_db_path)!r}), 1, 10, datetime.now(UTC)); "
            f"import functools; pickle.dumps(functools.partial(render_png, data))")
    assert loaded(code) == []


def test_the_terminal_front_end_imports_only_rich_of_them():
    modules = modules_of("terminal")
    assert {"bot.frontends.terminal", "bot.frontends.terminal.session"} <= set(modules)
    assert loaded("import " + ", ".join(modules)) == ["rich"]


def test_sqlite_utils_loads_without_pandas_and_numpy_and_they_still_import_afterwards():
    code = ("import numpy, bot, sqlite_utils.db as d\n"
            "assert d.pd is None and d.np is None, (d.pd, d.np)\n"
            "import pandas\n"
            "assert sys.modules['numpy'] is numpy and pandas.DataFrame({'a': [1]}).shape == (1, 1)\n")
    assert loaded("import sys\n" + code) == ["numpy", "pandas"]


def test_grade_with_a_cached_scorer_imports_no_scikit_learn(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndatabase = "{tmp_path / "db.sqlite3"}"\ncontent_dir = "{CONTENT}"\n')
    grade = "from bot.app import main\nassert main(sys.argv[1:]) == 0"
    answer = "ジェネレーターでチャンクごとにバッチ処理し、必要なデータのみをロードします。"
    cold = loaded(f"import sys\n{grade}", "--config", str(config), "grade", "junior-01", stdin=answer)
    assert "sklearn" in cold and (tmp_path / "cache" / "scorer.npz").is_file()
    warm = loaded(f"import sys\n{grade}", "--config", str(config), "grade", "junior-01", stdin=answer)
    assert warm == ["numpy"]
