"""The use-cases every front end calls: Discord and the terminal are thin adapters over these.

Nothing here imports discord or apscheduler. Time and randomness come in from the caller.
"""
from __future__ import annotations

import functools
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlite_utils import Database

from bot.content.check import read_bank
from bot.content.files import Problem
from bot.content.runner import with_results
from bot.core.answers import clean_answer
from bot.core.errors import NoCurrentQuestion, NoQuestionsLeft, UnknownQuestion
from bot.core.models import LEVELS, Question
from bot.core.selection import choose_question
from bot.services.grading import grade_safely
from bot.services.saving import kept_on_failure, member_name, score_stored
from db import bank, practice

if TYPE_CHECKING:  # the scorer pulls in scikit-learn; Study works without one
    from bot.services.feedback import Feedback, Grader

Clock = Callable[[], datetime]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class BankLoad:
    report: bank.LoadReport | None
    problems: list[Problem]


def load_bank(db: Database, content_dir: Path, now: datetime) -> BankLoad:
    """Read the content files (with their stored snippet output) into the database.

    Broken files are reported and skipped; the questions that are valid still load.
    """
    questions, problems = read_bank(content_dir)
    outputs = content_dir / "outputs"
    questions = [with_results(q, outputs) for q in questions]
    if not questions:
        return BankLoad(None, problems)
    return BankLoad(bank.load_questions(db, questions, now), problems)


@dataclass(frozen=True)
class AnswerReceipt:
    answer_id: int
    question: Question
    text: str
    feedback: Feedback | None = None  # None when no grader is configured


@dataclass
class Study:
    db: Database
    clock: Clock
    rng: random.Random = field(default_factory=random.Random)
    content_dir: Path = Path("content")
    grader: Grader | None = None  # fitted once by the composition root; None: answers are saved unscored
    scorer_cache: Path | None = None  # where that fit is kept between runs (bot.services.scorer_cache); None: not kept

    @property
    def outputs_dir(self) -> Path:
        return self.content_dir / "outputs"

    def now(self) -> datetime:
        return self.clock()

    def question(self, question_id: str) -> Question:
        q = bank.get_question(self.db, question_id.strip())
        if q is None:
            raise UnknownQuestion(question_id)
        return q

    def draw(self, guild_id: int, user_id: int, level: str | None = None, category: str | None = None,
             display_name: str | None = None) -> Question:
        if level is not None and level not in LEVELS:
            raise NoQuestionsLeft(level)
        candidates = bank.active_ids(self.db, level, category)
        chosen = choose_question(candidates, practice.last_seen(self.db, guild_id, user_id), self.rng)
        if chosen is None:
            raise NoQuestionsLeft(" / ".join(x for x in (level, category) if x) or "問題バンク")
        practice.record_draw(self.db, guild_id, user_id, chosen, self.now(), via="question", display_name=member_name(display_name))
        return self.question(chosen)

    def current(self, guild_id: int, user_id: int) -> Question:
        qid = practice.current_question_id(self.db, guild_id, user_id)
        if qid is None:
            raise NoCurrentQuestion()
        return self.question(qid)

    def answer(self, guild_id: int, user_id: int, text: str | None, question_id: str | None = None,
               display_name: str | None = None) -> AnswerReceipt:
        """Save an answer (cleaned: bot.core.answers.clean_answer) and grade it; AnswerNotSaved, carrying the
        text, when saving fails."""
        cleaned = clean_answer(text)
        q = self.question(question_id) if question_id else self.current(guild_id, user_id)
        with kept_on_failure(cleaned, q.id, f"answer of member {user_id} to {q.id}"):
            answer_id = practice.record_answer(self.db, guild_id, user_id, q.id, cleaned, self.now(),
                                               display_name=member_name(display_name))
        return AnswerReceipt(answer_id, q, cleaned, self.grade_answer(answer_id, q.id, cleaned))

    def grade_answer(self, answer_id: int, question_id: str, text: str) -> Feedback | None:
        """Score a saved answer and store the verdict; None without a grader."""
        feedback = grade_safely(self.grader, answer_id, question_id, text)
        if feedback is not None and feedback.judged and feedback.score is not None:
            score = feedback.score
            score_stored(lambda: practice.record_feedback(self.db, answer_id, score, feedback.covered, feedback.missed),
                         f"answer {answer_id}")
        return feedback

    def set_current(self, guild_id: int, user_id: int, question_id: str, via: str, display_name: str | None = None) -> Question:
        """Make a question the member's current one (a button on a shared post, /reveal of an id)."""
        q = self.question(question_id)
        practice.record_draw(self.db, guild_id, user_id, q.id, self.now(), via=via, display_name=member_name(display_name))
        return q

    def reveal(self, guild_id: int, user_id: int, question_id: str | None = None) -> Question:
        """The question whose model answer the member is shown; the reveal is recorded, since a daily
        question's points count only an answer given before its model answer was shown."""
        q = self.question(question_id) if question_id else self.current(guild_id, user_id)
        practice.record_reveal(self.db, guild_id, user_id, q.id, self.now())
        return q

    def knows_member(self, guild_id: int, user_id: int) -> bool:
        """Whether the member ever drew or answered a question in this server."""
        return practice.member_known(self.db, guild_id, user_id)

    def revealed(self, guild_id: int, user_id: int, question_id: str) -> bool:
        """Whether the member was ever shown the question's model answer (a recall rating needs one)."""
        return bool(practice.reveal_times(self.db, guild_id, user_id, question_id))

    def stats_chart(self, guild_id: int, user_id: int, name: str = "") -> Callable[[], bytes]:
        """The member's progress chart (answers per week, daily-question streak, mastery per category):
        its numbers are read now, and the returned call draws the PNG. Drawing is slow, so a front end
        with an event loop runs that call in a worker thread (SQLite stays on this one)."""
        from bot.services.charts import render_png, stats_data  # matplotlib loads only when a chart is asked for

        data = stats_data(self.db, guild_id, user_id, self.now(), name=name)
        return functools.partial(render_png, data)  # picklable: Discord draws it in another process

    def stats_png(self, guild_id: int, user_id: int, name: str = "") -> bytes:
        return self.stats_chart(guild_id, user_id, name)()

    def categories(self, level: str | None = None, containing: str = "") -> list[str]:
        """The bank's categories (of one level); with `containing`, those whose name contains it (autocomplete),
        ignoring case and full-width/half-width differences."""
        names = bank.categories(self.db, level)
        wanted = _fold(containing.strip())
        return [c for c in names if wanted in _fold(c)] if wanted else names

    def suggest(self, text: str, limit: int = 25) -> list[tuple[str, str]]:
        """(id, title) pairs for autocomplete: by id prefix, then by words in the title or answer."""
        text = text.strip()
        titles = bank.question_titles(self.db)
        if not text:
            return titles[:limit]
        by_id = [(i, t) for i, t in titles if i.startswith(text.lower())]
        found = {i for i, _ in by_id}
        by_text = [(i, t) for i in bank.search(self.db, text, limit) for j, t in titles if j == i and i not in found]
        return (by_id + by_text)[:limit]
