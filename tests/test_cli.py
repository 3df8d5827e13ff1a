"""studybot load / export as an admin would run them."""
from __future__ import annotations

import json

from bot.app import main
from tests.conftest import CONTENT

FIELDS = {"id", "level", "number", "category", "title", "answer", "snippets", "rarity", "difficulty", "source"}
SNIPPET_FIELDS = {"language", "code", "status", "output", "reason", "seconds"}


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
