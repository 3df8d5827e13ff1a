"""studybot load / export as an admin would run them."""
from __future__ import annotations

import json

import pytest

from bot.app import main
from bot.cli import shown_output
from bot.core.models import SnippetResult
from tests.conftest import CONTENT

FIELDS = {"id", "level", "number", "category", "title", "answer", "snippets", "rarity", "difficulty", "source"}
SNIPPET_FIELDS = {"language", "code", "setup", "completion", "status", "output", "stdout", "value", "reason", "seconds"}
CELL = """---
id: cell-01
level: junior
number: 1
category: 基礎
title: 合計は?
source: test.txt
---

足し算です。

```python
print("合計します")
total
```

```python setup
total = 1 + 2
```
"""


def config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(f'[bot]\ndatabase = "{tmp_path / "db.sqlite3"}"\ncontent_dir = "{CONTENT}"\n')
    return str(path)


def test_export_prints_the_bank_as_json(tmp_path, capsys):
    assert main(["--config", config(tmp_path), "export", "--format", "json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert len(items) == 29 and all(set(i) >= FIELDS for i in items)
    snippets = [s for i in items for s in i["snippets"]]
    assert all(set(s) >= SNIPPET_FIELDS for s in snippets)
    python = [s for s in snippets if s["language"] == "python"]
    assert len(python) == 27 and {s["status"] for s in python} == {"ok"}
    assert next(i for i in items if i["id"] == "junior-03")["rarity"] is None
    assert all(s["output"] == s["stdout"] for s in python if not s["value"])
    assert next(i for i in items if i["id"] == "senior-14")["snippets"][0]["completion"]


def test_export_output_is_what_a_learner_sees_stdout_then_the_value(tmp_path, capsys):
    from bot.content.check import read_bank
    from bot.content.runner import output_path, snippet_key

    content = tmp_path / "content"
    (content / "questions").mkdir(parents=True)
    (content / "questions" / "cell-01.md").write_text(CELL, encoding="utf-8")
    [q], _ = read_bank(content)
    stored = {"key": snippet_key(q.snippets[0]), "status": "ok", "output": "合計します\n", "value": "3", "seconds": 0.1}
    (content / "outputs").mkdir()
    output_path(content / "outputs", "cell-01", 1).write_text(json.dumps(stored), encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(f'[bot]\ndatabase = "{tmp_path / "db.sqlite3"}"\ncontent_dir = "{content}"\n')
    assert main(["--config", str(path), "export"]) == 0
    [snippet] = json.loads(capsys.readouterr().out)[0]["snippets"]
    assert (snippet["output"], snippet["stdout"], snippet["value"]) == ("合計します\n3", "合計します\n", "3")
    assert (snippet["setup"], snippet["completion"]) == ("total = 1 + 2", "")


@pytest.mark.parametrize(("stdout", "value", "output"), [
    ("1\n", "", "1\n"), ("", "(150, 4)", "(150, 4)"), ("no newline", "3", "no newline\n3"), ("", "", "")])
def test_exported_output_joins_stdout_and_value_with_one_newline(stdout, value, output):
    assert shown_output(SnippetResult("ok", output=stdout, value=value)) == output


def test_load_is_idempotent(tmp_path, capsys):
    assert main(["--config", config(tmp_path), "load"]) == 0
    assert "29 added" in capsys.readouterr().out
    assert main(["--config", config(tmp_path), "load"]) == 0
    assert "0 added, 0 updated, 29 unchanged, 0 retired" in capsys.readouterr().out


def test_config_is_accepted_before_or_after_the_command(tmp_path, capsys):
    """The README writes `studybot run --config config.toml`; the option works in either place."""
    for argv in (["--config", config(tmp_path), "load"], ["load", "--config", config(tmp_path)],
                 ["content", "check", "--config", config(tmp_path)]):
        assert main(argv) == 0, argv
    printed = capsys.readouterr()
    assert "29 added" in printed.out and "29 unchanged" in printed.out
    assert "29 questions OK" in printed.out + printed.err


def test_grade_prints_the_scorers_feedback_and_reads_its_fit_back_the_next_time(tmp_path, capsys, monkeypatch):
    import io

    from bot.services.feedback import Grader
    from tests.conftest import parsed_bank

    answer = "pandasのchunksizeで分割して読み込み、ジェネレーターで遅延評価しながら処理する。"
    expected = Grader.fit(parsed_bank()[0]).grade("junior-01", answer).as_json()
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    assert main(["--config", config(tmp_path), "grade", "junior-01"]) == 0
    assert json.loads(capsys.readouterr().out) == expected and expected["covered"]
    assert (tmp_path / "cache" / "scorer.npz").is_file()  # beside the database

    def refit(questions):
        raise AssertionError("fitted although the bank is unchanged")

    monkeypatch.setattr(Grader, "fit", refit)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    assert main(["--config", config(tmp_path), "grade", "junior-01"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
