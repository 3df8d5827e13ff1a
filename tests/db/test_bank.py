"""Loading the bank into SQLite: idempotent, updates in place, retires, searches Japanese."""
from __future__ import annotations

from dataclasses import replace

from bot.core.models import SnippetResult
from db import bank, practice
from db.connection import open_database
from tests.conftest import T0, parsed_bank


def questions():
    found, problems = parsed_bank()
    assert problems == []
    return found


def test_loading_twice_changes_nothing(db):
    first = bank.load_questions(db, questions(), T0)
    again = bank.load_questions(db, questions(), T0)
    assert (first.added, again.added, again.unchanged, again.updated) == (29, 0, 29, 0)
    assert db["questions"].count == 29 and db["snippets"].count == 31


def test_a_changed_question_updates_in_place_and_keeps_answers(db):
    qs = questions()
    bank.load_questions(db, qs, T0)
    practice.record_answer(db, 1, 2, "junior-06", "バギングは並列", T0)
    edited = [replace(q, title="新しいタイトル") if q.id == "junior-06" else q for q in qs]
    report = bank.load_questions(db, edited, T0)
    assert report.updated == 1 and report.unchanged == 28
    assert bank.get_question(db, "junior-06").title == "新しいタイトル"
    assert practice.answers_of(db, 1, 2)[0]["question_id"] == "junior-06"


def test_a_removed_question_is_retired_not_deleted(db):
    qs = questions()
    bank.load_questions(db, qs, T0)
    practice.record_answer(db, 1, 2, "senior-14", "MLflow", T0)
    report = bank.load_questions(db, [q for q in qs if q.id != "senior-14"], T0)
    assert report.retired == 1
    assert "senior-14" not in bank.active_ids(db)
    assert bank.get_question(db, "senior-14").title  # still there for the answers that point at it
    assert bank.load_questions(db, qs, T0).updated == 1  # coming back un-retires it
    assert "senior-14" in bank.active_ids(db)


def test_japanese_full_text_search(db):
    bank.load_questions(db, questions(), T0)
    assert set(bank.search(db, "ブースティング")) == {"junior-06", "senior-03"}
    assert "senior-01" in bank.search(db, "過剰適合")
    assert bank.search(db, "存在しない言葉です") == []


def test_snippets_and_output_round_trip(loaded_db):
    q = bank.get_question(loaded_db, "junior-11")
    assert q.snippets[0].result.status == "ok"
    assert "Model saved to models/model_20250101_000000.joblib" in q.snippets[0].result.output
    assert q.snippets[0].result.stands_in == ("tensorflow", "torch")


def test_file_database_uses_wal_and_survives_reopen(tmp_path):
    path = tmp_path / "nested" / "bot.sqlite3"
    db = open_database(path)
    bank.load_questions(db, questions(), T0)
    assert db.journal_mode == "wal"
    db.close()
    assert open_database(path)["questions"].count == 29


def _with_first_snippet(qs, qid, **changes):
    """`qs` with question `qid`'s first snippet changed (its Snippet fields, or its result's)."""
    def edit(q):
        s = q.snippets[0]
        result = replace(s.result or SnippetResult("pending"), **{k: v for k, v in changes.items() if k == "value"})
        snippet = replace(s, result=result, **{k: v for k, v in changes.items() if k != "value"})
        return replace(q, snippets=(snippet, *q.snippets[1:]))
    return [edit(q) if q.id == qid else q for q in qs]


def test_added_code_and_the_last_value_round_trip(db):
    qs = _with_first_snippet(questions(), "junior-03", setup="import numpy as np", completion="print('おわり')", value="array([1, 2])")
    bank.load_questions(db, qs, T0)
    s = bank.get_question(db, "junior-03").snippets[0]
    assert (s.setup, s.completion, s.result.value) == ("import numpy as np", "print('おわり')", "array([1, 2])")
    assert bank.get_question(db, "junior-06").snippets[0].completion == ""


def test_a_change_to_added_code_or_value_alone_reloads_the_question(db):
    qs = questions()
    bank.load_questions(db, qs, T0)
    for change in ({"setup": "x = 1"}, {"completion": "print(x)"}, {"value": "42"}):
        qs = _with_first_snippet(qs, "junior-03", **change)
        report = bank.load_questions(db, qs, T0)
        assert (report.updated, report.unchanged) == (1, 28), change
    s = bank.get_question(db, "junior-03").snippets[0]
    assert (s.setup, s.completion, s.result.value) == ("x = 1", "print(x)", "42")
