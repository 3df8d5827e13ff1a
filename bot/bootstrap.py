"""Opening the study: the database and the bank, then the services every front end shares.

Kept apart from the composition root (bot/app.py) so that front ends can open a study without importing it.
"""
from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Config
from bot.services import Answering, BankLoad, Clock, Daily, Progress, Review, Services, Study, load_bank
from db import bank
from db.backup import daily_backups
from db.connection import open_database
from db.health import Unusable, inspect

if TYPE_CHECKING:
    from bot.core.models import Question
    from bot.services.feedback import Grader

log = logging.getLogger("studybot")


def utc_now() -> datetime:
    return datetime.now(UTC)


class StartupError(Exception):
    """One sentence explaining why the bot cannot start."""


def check_database(config: Config, *, write: bool = True) -> list[str]:
    """Before opening: whether the database can be used by a command that writes it (`write`: the bot,
    `studybot load`) or only reads it (`studybot backup`). Returns warnings (a database file of 0 bytes,
    which SQLite, and so the bot, starts afresh); raises StartupError with what is wrong and what to do."""
    try:
        state = inspect(config.database, write=write)
    except Unusable as problem:
        raise StartupError(unusable_sentence(problem)) from None
    if state != "empty":
        return []
    if not write:
        raise StartupError(f"The database {config.database} is empty (0 bytes), so there is nothing to back up.")
    return [f"warning: the database {config.database} is empty (0 bytes), so studybot starts with a new, empty one; "
            f"if it held answers and streaks, stop studybot and restore a backup (README: Backups){_backups_hint(config)}."]


def _backups_hint(config: Config) -> str:
    if config.backup is None:
        return "; no daily backup is configured ([backup] in the config)"
    found = daily_backups(config.backup.dir)
    if not found:
        return f"; the daily backups go to {config.backup.dir}, which has none yet"
    return f"; the newest daily backup is {found[0]}"


def unusable_sentence(problem: Unusable) -> str:
    """What is wrong with the database and what to do, in one sentence."""
    path, detail = problem.path, " ".join(problem.detail.split()).rstrip(".")
    give = "let the user running studybot"
    return {
        "directory": f"The database {path} cannot be opened: it is a directory, not a file (set database in [bot] to a file path).",
        "missing": f"The database {path} does not exist (check database in [bot] of the config).",
        "unreadable": f"The database {path} cannot be read ({detail}): {give} read and write it (chown or chmod).",
        "read_only": f"The database file {path} is read-only: {give} write it, and the -wal and -shm files beside it "
                     "(chown or chmod u+w).",
        "read_only_dir": f"The data directory {path} is not writable ({detail}), and SQLite must create the database's -wal "
                         f"and -shm files there: {give} write to it (chown or chmod u+w), or set database in [bot] to a "
                         "path in a writable directory.",
        "not_sqlite": f"The database {path} is not a SQLite database (damaged, or another kind of file): restore it from a "
                      "backup (README: Backups), or move it away to start with an empty one.",
        "corrupt": f"The database {path} is damaged ({detail}): stop studybot and restore it from a "
                   "backup (README: Backups).",
        "busy": f"The database {path} is locked by another program ({detail}): stop the other studybot or sqlite3 "
                "that is writing it and try again.",
        "unusable": f"The database {path} cannot be opened: {detail}.",
    }[problem.kind]


def open_study(config: Config, *, clock: Clock = utc_now, rng: random.Random | None = None,
               on_load: Callable[[BankLoad], None] | None = None) -> Study:
    """`on_load` gets what loading the bank gave, before any failure is raised, and then reports its content
    problems itself (the terminal shows them in brief); otherwise they are logged."""
    try:
        db = open_database(config.database)
    except (sqlite3.Error, OSError) as exc:
        raise StartupError(f"The database {config.database} cannot be opened: {exc}.") from None
    loaded = load_bank(db, config.content_dir, clock())
    if on_load is not None:
        on_load(loaded)
    else:
        for problem in loaded.problems:
            log.warning("content problem: %s", problem)
    if loaded.report is None:
        db.close()
        raise StartupError(f"No valid questions in {config.content_dir / 'questions'}; run `studybot content check`.")
    return Study(db, clock, rng or random.Random(), config.content_dir, scorer_cache=scorer_cache(config))


def scorer_cache(config: Config) -> Path:
    """Beside the database, in the bot's own directory (check_database made sure it may write there)."""
    return config.database.parent / "cache" / "scorer.npz"


def build_services(study: Study, *, fit_scorer: bool = True) -> Services:
    """The other use-cases share the study's database, clock, randomness and answer scorer.

    The scorer is fitted here, once at start-up, never inside an interaction; with `fit_scorer=False` it is
    left to the caller (Discord connects first and fits it in a worker thread, see `fit_grader`)."""
    if fit_scorer and study.grader is None:
        study.grader = fit_grader(scorer_questions(study))
    daily = Daily(study.db, study.clock, study.rng, grader=study.grader)
    return Services(study=study, daily=daily, progress=Progress(study.db), review=Review(study.db, study.clock),
                    answering=Answering(study, daily))


@dataclass(frozen=True)
class ScorerBank:
    """What the scorer is fitted on, the bank's active questions, and where the fit is cached (Study.scorer_cache)."""

    questions: list[Question]
    cache: Path | None


def scorer_questions(study: Study) -> ScorerBank:
    """Read on the database's own thread, for `fit_grader` in any thread."""
    return ScorerBank(bank.active_questions(study.db), study.scorer_cache)


def fit_grader(scorer_bank: ScorerBank) -> Grader:
    """The answer scorer, from its cache when the bank is unchanged (milliseconds), else fitted (about a second,
    plus importing scikit-learn) and cached. Touches no database, so it may run in a worker thread. Imported only
    here: a start-up that fails earlier says so at once."""
    from bot.services.scorer_cache import load_or_fit

    return load_or_fit(scorer_bank.questions, scorer_bank.cache)
