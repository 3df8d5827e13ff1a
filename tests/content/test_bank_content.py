"""The shipped bank is the two seed articles, faithfully: titles, answers, every code line, ratings."""
from __future__ import annotations

import re

import pytest

from bot.content.runner import with_results
from tests.conftest import CONTENT, SEEDS, parsed_bank

QUESTIONS, PROBLEMS = parsed_bank()
BY_ID = {q.id: q for q in QUESTIONS}
SEED_FILES = {"junior": "000_f2f8452cb70b17b2.txt", "senior": "001_9ae542549b629b71.txt"}


def seed_lines(level: str) -> list[str]:
    return (SEEDS / SEED_FILES[level]).read_text(encoding="utf-8").split("\n")


def contiguous_in(needle: list[str], haystack: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def test_all_29_questions_load_without_problems():
    assert PROBLEMS == []
    assert sorted(BY_ID) == [f"junior-{n:02d}" for n in range(1, 16)] + [f"senior-{n:02d}" for n in range(1, 15)]
    for q in QUESTIONS:
        assert q.number == int(q.id.split("-")[1]) and q.source == SEED_FILES[q.level]


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_displayed_code_matches_the_article_line_for_line(q):
    lines = seed_lines(q.level)
    for snippet in q.snippets:
        assert contiguous_in(snippet.code.split("\n"), lines), f"{q.id}: a snippet differs from the article"


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_title_and_answer_come_from_the_article(q):
    text = "\n".join(seed_lines(q.level))
    title = q.title.replace("@staticmethodと@classmethod", "@staticmethod@classmethod")
    assert f"{q.number}. {title}" in text
    for line in q.answer.split("\n"):
        plain = re.sub(r"^\s*(- |\d+\. )", "", line).strip()
        if plain:
            assert plain in text, f"{q.id}: answer line not in the article: {plain!r}"


def test_categories_are_the_section_headings():
    assert {q.category for q in QUESTIONS if q.level == "junior"} == {
        "Pythonとプログラミング", "MLアルゴリズムと理論", "モデルのトレーニングとデプロイメント"}
    assert {q.category for q in QUESTIONS if q.level == "senior"} == {
        "高度な機械学習", "特徴量エンジニアリング", "モデルのデプロイと本番環境"}


def test_blank_ratings_stay_null():
    junior = [q for q in QUESTIONS if q.level == "junior" and q.number < 15]
    assert sum(q.difficulty is None for q in junior) == 11  # blank in the article
    assert BY_ID["junior-03"].rarity is None
    # both articles are cut off before the last question's rating line
    for qid in ("junior-15", "senior-14"):
        assert BY_ID[qid].rarity is None and BY_ID[qid].difficulty is None
    assert all(q.rarity and q.difficulty for q in QUESTIONS if q.level == "senior" and q.number < 14)
    assert BY_ID["senior-01"].rarity == "非常に一般的" and BY_ID["senior-01"].difficulty == "難しい"


def test_damage_is_handled_and_said():
    assert "@staticmethodと@classmethod" in BY_ID["junior-03"].title and BY_ID["junior-03"].notes
    assert [s.language for s in BY_ID["junior-13"].snippets] == ["dockerfile", "bash", "yaml"]
    for qid in ("junior-15", "senior-14"):
        assert BY_ID[qid].snippets[-1].truncated and BY_ID[qid].notes
    assert BY_ID["senior-14"].snippets[0].completion
    assert "Loading diagram" not in BY_ID["senior-01"].answer and BY_ID["senior-01"].notes


def test_all_27_python_snippets_have_current_ok_output():
    python = [(q.id, s) for q in QUESTIONS for s in with_results(q, CONTENT / "outputs").snippets if s.language == "python"]
    assert len(python) == 27
    not_ok = [(qid, s.result.status, s.result.reason) for qid, s in python if s.result.status != "ok"]
    assert not_ok == [], "run `studybot content run` and commit content/outputs/"


def test_every_python_snippet_shows_the_learner_something():
    """stdout or the last expression's value: never an empty result box (issue 10 counted 7 of 27)."""
    python = [(q.id, s) for q in QUESTIONS for s in with_results(q, CONTENT / "outputs").snippets if s.language == "python"]
    silent = [qid for qid, s in python if not (s.result.output.strip() or s.result.value.strip())]
    assert silent == []


def test_stored_outputs_name_no_path_of_the_machine_that_ran_them():
    for path in sorted((CONTENT / "outputs").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert "/tmp/" not in text and "studybot-run-" not in text and "/work/" not in text, path.name


def test_blocks_that_cannot_run_say_why():
    for q in QUESTIONS:
        for s in with_results(q, CONTENT / "outputs").snippets:
            if s.language != "python":
                assert s.result.status == "not_run" and len(s.result.reason) > 10


def test_editorial_notes_are_written_for_learners():
    """Notes are shown under the model answer: no file-format or runner terms a learner would not know."""
    developer_terms = ("null", "stands-in", "truncated", "completion", "setup", "import ", "隠しセットアップ")
    found = [(q.id, note) for q in QUESTIONS for note in q.notes if any(term in note for term in developer_terms)]
    assert QUESTIONS and found == []
