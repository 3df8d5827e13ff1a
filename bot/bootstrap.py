"""Opening the study: the database and the bank, then the services every front end shares.

Kept apart from the composition root (bot/app.py) so that front ends can open a study without importing it.
"""
from __future__ import annotations

import logging
import random
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Config
from bot.services import Answering, BankLoad, Clock, Daily, Progress, Review, Services, Study, load_bank
from db import bank
from db.connection import open_database

log = logging.getLogger("studybot")


def utc_now() -> datetime:
    return datetime.now(UTC)


class StartupError(Exception):
    """One sentence explaining why the bot cannot start."""


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
    return Study(db, clock, rng or random.Random(), config.content_dir)


def build_services(study: Study) -> Services:
    """The other use-cases share the study's database, clock, randomness and answer scorer.

    The scorer is fitted here, once at start-up, never inside an interaction. scikit-learn is imported only
    here, so a start-up that fails earlier (a database that cannot be opened) says so at once."""
    if study.grader is None:
        from bot.services.feedback import Grader

        study.grader = Grader.fit(bank.active_questions(study.db))
    daily = Daily(study.db, study.clock, study.rng, grader=study.grader)
    return Services(study=study, daily=daily, progress=Progress(study.db), review=Review(study.db, study.clock),
                    answering=Answering(study, daily))
