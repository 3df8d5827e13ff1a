"""`studybot content run`: sandboxed runs, real output shown as a notebook cell, figures, limits, caching."""
from __future__ import annotations

import json

from bot.content.runner import run_bank, stored_result
from bot.core.models import Question, Snippet
from bot.sandbox import Limits
from tests.conftest import sandbox_here


def question(*snippets: Snippet, qid: str = "t-1") -> Question:
    return Question(qid, "junior", 1, "c", "t", "a", tuple(snippets), None, None, "s")


def run(tmp_path, *snippets, **kwargs):
    q = question(*snippets)
    results = run_bank([q], tmp_path, sandbox=sandbox_here(), report=lambda line: None, **kwargs)
    return q, results


def test_output_is_real_and_stored_with_versions(tmp_path):
    q, results = run(tmp_path, Snippet("python", "import numpy as np\nprint(np.arange(3).sum())"))
    result = results["t-1-1"]
    assert (result.status, result.output) == ("ok", "3\n")
    assert "numpy" in result.versions and result.seconds is not None
    assert stored_result(tmp_path, "t-1", 1, q.snippets[0]).output == "3\n"


def test_setup_runs_before_and_completion_is_glued_after(tmp_path):
    snippet = Snippet("python", "print(greeting,", setup="greeting = 'やあ'", completion=" 'みんな')", truncated=True)
    _, results = run(tmp_path, snippet)
    assert results["t-1-1"].output == "やあ みんな\n"


def test_environment_has_no_secrets_and_a_fresh_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", "secret-token")
    code = "import os\nprint(os.environ.get('DISCORD_TOKEN'), os.listdir('.'), os.environ['MPLBACKEND'])"
    _, results = run(tmp_path, Snippet("python", code))
    assert results["t-1-1"].output == "None [] Agg\n"


def test_seeds_are_fixed(tmp_path):
    code = "import random, numpy as np\nprint(random.random(), np.random.rand())"
    _, first = run(tmp_path, Snippet("python", code))
    _, second = run(tmp_path, Snippet("python", code), force=True)
    assert first["t-1-1"].output == second["t-1-1"].output


def test_figures_are_saved_as_png(tmp_path):
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()"
    _, results = run(tmp_path, Snippet("python", code))
    figures = results["t-1-1"].figures
    assert figures == ("t-1-1-fig1.png",)
    assert (tmp_path / figures[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_errors_and_timeouts_are_recorded_for_the_learner(tmp_path):
    _, results = run(tmp_path, Snippet("python", "raise ValueError('だめ')"))
    assert results["t-1-1"].status == "error" and "ValueError: だめ" in results["t-1-1"].reason
    _, results = run(tmp_path, Snippet("python", "while True: pass"), force=True, limits=Limits(wall_seconds=1))
    assert results["t-1-1"].status == "timeout" and "打ち切りました" in results["t-1-1"].reason


def test_memory_limit_stops_a_runaway_snippet(tmp_path):
    _, results = run(tmp_path, Snippet("python", "x = bytearray(2 * 1024**3)"), limits=Limits(memory_bytes=512 * 1024**2))
    assert results["t-1-1"].status == "limit" and "メモリの上限（512 MiB）" in results["t-1-1"].reason


def test_other_languages_get_a_reason_not_a_run(tmp_path):
    _, results = run(tmp_path, Snippet("dockerfile", "FROM python:3.9-slim"))
    assert results["t-1-1"].status == "not_run" and "docker build" in results["t-1-1"].reason


def test_only_changed_snippets_run_again(tmp_path):
    q, first = run(tmp_path, Snippet("python", "print(1)"))
    assert list(first) == ["t-1-1"]
    assert run_bank([q], tmp_path, sandbox=sandbox_here(), report=lambda line: None) == {}
    changed = question(Snippet("python", "print(2)"))
    assert stored_result(tmp_path, "t-1", 1, changed.snippets[0]).status == "pending"
    again = run_bank([changed], tmp_path, sandbox=sandbox_here(), report=lambda line: None)
    assert again["t-1-1"].output == "2\n"
    assert json.loads((tmp_path / "t-1-1.json").read_text())["output"] == "2\n"
