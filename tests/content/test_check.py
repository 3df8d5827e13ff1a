"""`studybot content check`: every kind of broken file is reported as file:line: message."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.app import main
from bot.content.check import read_bank
from tests.conftest import CONTENT

GOOD = """\
---
id: {id}
level: junior
number: 1
category: テスト
title: テストの質問ですか?
rarity: 一般的
difficulty: null
source: test.txt
---

回答の本文です。

```python
print("こんにちは")
```
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "questions"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str, name: str = "q-1.md") -> list[str]:
    write(tmp_path, name, text)
    _, problems = read_bank(tmp_path)
    return [f"{p.path.name}:{p.line}: {p.message}" for p in problems]


def test_good_file_passes(tmp_path):
    write(tmp_path, "q-1.md", GOOD.format(id="q-1"))
    questions, problems = read_bank(tmp_path)
    assert problems == []
    assert questions[0].snippets[0].code == 'print("こんにちは")'
    assert questions[0].difficulty is None


@pytest.mark.parametrize(
    "change, expected",
    [
        (("level: junior", "level: expert"), "q-1.md:3: unknown level 'expert'"),
        (("number: 1", "number: one"), "q-1.md:4: number must be a positive whole number"),
        (("title: テストの質問ですか?\n", ""), "q-1.md:1: missing required field 'title'"),
        (("source: test.txt", "source: test.txt\nsauce: x"), "q-1.md:10: unknown field 'sauce'"),
        (('print("こんにちは")', 'print("こんにちは"'), "q-1.md:15: Python does not compile"),
        (("```python\nprint", "```\nprint"), "q-1.md:14: code block has no language"),
        (("category: テスト", "category: [テスト"), "q-1.md:"),
        (("回答の本文です。", ""), "the model answer (the Markdown body) is empty"),
        (("id: q-1", "id: Q_1"), "q-1.md:2: id 'Q_1' must be lower-case"),
        (("```python\nprint(\"こんにちは\")\n```", "```python\nprint(1)"), "q-1.md:14: code block opened with ``` is never closed"),
    ],
)
def test_each_kind_of_bad_file(tmp_path, change, expected):
    old, new = change
    text = GOOD.format(id="q-1")
    assert old in text
    found = problems_for(tmp_path, text.replace(old, new, 1))
    assert any(expected in p for p in found), found


def test_broken_yaml_and_toml_snippets_are_reported(tmp_path):
    text = GOOD.format(id="q-1") + "\n```yaml\nkey: [unclosed\n```\n\n```toml\nx = \n```\n"
    found = problems_for(tmp_path, text)
    assert any("YAML does not parse" in p for p in found), found
    assert any("TOML does not parse" in p for p in found), found


def test_truncated_snippets_are_not_compiled(tmp_path):
    text = GOOD.format(id="q-1") + "\n```python truncated\nfoo(1,\n```\n"
    assert problems_for(tmp_path, text) == []


def test_duplicate_ids_and_file_name_mismatch(tmp_path):
    write(tmp_path, "q-1.md", GOOD.format(id="q-1"))
    write(tmp_path, "q-2.md", GOOD.format(id="q-1"))
    _, problems = read_bank(tmp_path)
    messages = [p.message for p in problems]
    assert any("duplicate id 'q-1'" in m for m in messages)
    assert any("does not match id 'q-1'" in m for m in messages)


def test_missing_front_matter_and_hidden_block_without_snippet(tmp_path):
    assert problems_for(tmp_path, "no front matter\n") == ["q-1.md:1: missing front matter: the file must start with '---'"]
    text = GOOD.format(id="q-1").replace("```python\nprint", "```python setup\nimport os\n```\n\n```python\nprint")
    assert any("must follow the snippet" in p for p in problems_for(tmp_path, text))


def test_a_broken_file_does_not_hide_the_good_ones(tmp_path):
    write(tmp_path, "q-1.md", GOOD.format(id="q-1"))
    write(tmp_path, "q-2.md", "---\nid: q-2\n")
    questions, problems = read_bank(tmp_path)
    assert [q.id for q in questions] == ["q-1"]
    assert len(problems) == 1


def test_cli_prints_file_line_message_and_exits_1(tmp_path, capsys):
    write(tmp_path, "q-1.md", GOOD.format(id="q-1").replace("level: junior", "level: expert"))
    config = tmp_path / "c.toml"
    config.write_text('[bot]\ncontent_dir = "."\n')
    assert main(["--config", str(config), "content", "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{tmp_path / 'questions' / 'q-1.md'}:3: unknown level 'expert'")


def test_the_shipped_bank_is_clean(capsys, monkeypatch):
    monkeypatch.chdir(CONTENT.parent)
    assert main(["content", "check"]) == 0


@pytest.mark.parametrize(("limits", "message"), [
    ("limits: {seconds: 9999}", "limits: seconds must be a whole number from 1 to 600"),
    ("limits: {gpu: 1}", "limits: unknown setting 'gpu'"),
    ("limits: 60", "limits must be a mapping"),
])
def test_limits_a_question_asks_for_are_checked(tmp_path, limits, message):
    write(tmp_path, "q-1.md", GOOD.format(id="q-1").replace("source: test.txt", f"source: test.txt\n{limits}"))
    questions, problems = read_bank(tmp_path)
    assert questions == [] and any(f"q-1.md:10: {message}" in str(p) for p in problems), problems


def test_limits_within_the_ceiling_reach_the_question(tmp_path):
    write(tmp_path, "q-1.md", GOOD.format(id="q-1").replace("source: test.txt", "source: test.txt\nlimits: {seconds: 30, memory_mb: 2048}"))
    questions, problems = read_bank(tmp_path)
    assert problems == [] and questions[0].limits == {"seconds": 30, "memory_mb": 2048}
