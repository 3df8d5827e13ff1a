"""A snippet is shown as a notebook cell would show it, the same on every run; missing packages skip it; without
bubblewrap the runner says so in one sentence and runs nothing unless its maintainers ask."""
from __future__ import annotations

import importlib.util
import json
import textwrap

from bot.app import main
from bot.content.runner import run_bank, stored_result
from bot.core.models import Question, Snippet
from bot.sandbox import Limits, find_sandbox
from tests.conftest import sandbox_here


def run_one(tmp_path, code: str, **snippet_fields):
    q = Question("t-1", "junior", 1, "c", "t", "a", (Snippet("python", textwrap.dedent(code), **snippet_fields),),
                 None, None, "s")
    return run_bank([q], tmp_path, sandbox=sandbox_here(), report=lambda line: None, force=True)["t-1-1"]


def test_the_last_expression_is_shown_after_stdout(tmp_path):
    result = run_one(tmp_path, """
        print('学習しました')
        {'accuracy': 0.9}
        """)
    assert (result.status, result.output, result.value) == ("ok", "学習しました\n", "{'accuracy': 0.9}")


def test_a_last_statement_that_is_not_an_expression_or_is_none_shows_nothing_more(tmp_path):
    assert run_one(tmp_path, "x = 1").value == ""
    assert run_one(tmp_path, "print('a')").value == ""  # print() returns None, as in a notebook


def test_numpy_scalars_print_as_numbers_and_wide_frames_whole(tmp_path):
    result = run_one(tmp_path, """
        import numpy as np
        import pandas as pd
        frame = pd.DataFrame({f'engineered_feature_{k}': [k * 1.5, k * 2.5] for k in range(12)})
        print(np.float64(0.5), np.int64(3))
        print(frame)
        np.float32(0.25)
        """)
    assert result.status == "ok" and result.value == "0.25"
    assert result.output.startswith("0.5 3\n")
    assert all(f"engineered_feature_{k}" in result.output for k in range(12)) and "..." not in result.output


def test_outputs_are_identical_across_runs(tmp_path):
    code = """
        import random
        import numpy as np
        from sklearn.ensemble import RandomForestClassifier
        X = np.random.rand(60, 4)
        y = (X[:, 0] > 0.5).astype(int)
        model = RandomForestClassifier(n_estimators=10).fit(X, y)
        print(random.random(), hash('studybot'))
        model.predict_proba(X[:3]).round(3)
        """
    first, second = run_one(tmp_path, code), run_one(tmp_path, code)
    assert first.status == "ok" and (first.output, first.value) == (second.output, second.value)


def test_a_snippet_whose_package_is_missing_is_skipped_and_a_good_output_kept(tmp_path, monkeypatch):
    snippet = Snippet("python", "import numpy\nprint('ok')")
    q = Question("t-1", "junior", 1, "c", "t", "a", (snippet,), None, None, "s")
    run_bank([q], tmp_path, sandbox=sandbox_here(), report=lambda line: None)
    stored = (tmp_path / "t-1-1.json").read_text()
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "numpy" else real_find_spec(name, *a))
    lines: list[str] = []
    result = run_bank([q], tmp_path, sandbox=sandbox_here(), force=True, report=lines.append)["t-1-1"]
    assert result.status == "skipped" and "numpy がこの環境に入っていない" in result.reason
    assert (tmp_path / "t-1-1.json").read_text() == stored and "kept" in lines[-1]
    new = Question("t-2", "junior", 2, "c", "t", "a", (snippet,), None, None, "s")
    run_bank([new], tmp_path, sandbox=sandbox_here(), report=lambda line: None)
    assert stored_result(tmp_path, "t-2", 1, snippet).status == "skipped"  # nothing better to keep: it says why
    monkeypatch.undo()
    again = run_bank([new], tmp_path, sandbox=sandbox_here(), report=lambda line: None)  # retried without --force
    assert again["t-2-1"].output == "ok\n"


def test_a_question_may_ask_for_other_limits(tmp_path):
    snippet = Snippet("python", "import time\ntime.sleep(5)")
    q = Question("t-1", "junior", 1, "c", "t", "a", (snippet,), None, None, "s", limits={"seconds": 1})
    result = run_bank([q], tmp_path, sandbox=sandbox_here(), limits=Limits(wall_seconds=60), report=lambda line: None)
    assert result["t-1-1"].status == "timeout" and "1 秒以内" in result["t-1-1"].reason


def bank_with_one_snippet(tmp_path):
    content = tmp_path / "content"
    (content / "questions").mkdir(parents=True)
    (content / "questions" / "t-01.md").write_text(textwrap.dedent("""\
        ---
        id: t-01
        level: junior
        number: 1
        category: テスト
        title: テストの質問
        source: test.txt
        limits: {seconds: 30}
        ---

        模範解答です。

        ```python
        print('走りました')
        ```
        """), encoding="utf-8")
    (tmp_path / "config.toml").write_text(f"[bot]\ncontent_dir = '{content}'\ndatabase = '{tmp_path / 'db.sqlite3'}'\n")
    return content


def test_without_bubblewrap_the_runner_says_so_and_runs_nothing(tmp_path, monkeypatch, capsys):
    content = bank_with_one_snippet(tmp_path)
    monkeypatch.setattr("shutil.which", lambda name: None)
    find_sandbox.cache_clear()
    try:
        code = main(["content", "run", "--config", str(tmp_path / "config.toml")])
        err = capsys.readouterr().err
        assert code == 2 and "bubblewrap" in err and "apt-get install bubblewrap" in err and err.count("\n") == 1
        assert not (content / "outputs" / "t-01-1.json").exists()
        code = main(["content", "run", "--unsandboxed", "--config", str(tmp_path / "config.toml")])
        assert code == 0
        assert json.loads((content / "outputs" / "t-01-1.json").read_text())["output"] == "走りました\n"
    finally:
        find_sandbox.cache_clear()
