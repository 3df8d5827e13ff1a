"""Streaks and leaderboards for a server: read from derived data that is never stale (see db.progress).

Each query costs a few index lookups, whatever the server's size or history.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, tzinfo

from sqlite_utils import Database

from bot.core.boards import ALL, TOP, check_board, period_label
from bot.core.streaks import FREEZE_EVERY, MAX_FREEZES, board_value
from bot.core.streaks import now as streak_now
from bot.core.study_stats import daily_streak_history
from db import daily as daily_store
from db import progress as store


def server_zone(db: Database, guild_id: int) -> tzinfo:
    """The server's timezone: its daily question's, once set up; UTC before that."""
    settings = daily_store.get_settings(db, guild_id)
    return settings.zone if settings else UTC


@dataclass(frozen=True)
class StreakView:
    user_id: int
    name: str | None  # the stored display name; None when the member never gave one
    current: int
    best: int
    answered: int  # daily questions answered while open
    freezes: int
    answered_open: bool  # has answered the server's open daily question
    next_freeze_in: int | None  # answers until the next freeze; None while holding the maximum


@dataclass(frozen=True)
class BoardEntry:
    rank: int | None  # competition ranking (1, 2, 2, 4); None: not on the board (value 0)
    user_id: int
    name: str | None
    value: int


@dataclass(frozen=True)
class Leaderboard:
    period: str  # week | month | all
    by: str  # streak | answers | points
    period_key: str  # '2026-W48', '2026-11', 'all'; '' before the first daily question
    label: str
    entries: list[BoardEntry]
    caller: BoardEntry | None  # the caller's own line, also when they are in `entries`

    @property
    def caller_in_top(self) -> bool:
        return self.caller is not None and any(e.user_id == self.caller.user_id for e in self.entries)


@dataclass
class Progress:
    db: Database

    def streak(self, guild_id: int, user_id: int) -> StreakView:
        state = store.streak_state(self.db, guild_id, user_id)
        latest = store.latest(self.db, guild_id)
        shown = streak_now(state, latest.seq if latest else 0)
        name = store.display_names(self.db, guild_id, [user_id]).get(user_id)
        next_freeze = None if shown.freezes >= MAX_FREEZES else FREEZE_EVERY - shown.current % FREEZE_EVERY
        return StreakView(user_id, name, shown.current, shown.best, shown.answered, shown.freezes,
                          latest is not None and state.last_seq == latest.seq, next_freeze)

    def leaderboard(self, guild_id: int, period: str = ALL, by: str = "streak", caller_id: int | None = None,
                    limit: int = TOP) -> Leaderboard:
        """This server's top `limit` for the period of its open daily question, and the caller's line.
        period streak: see bot.core.streaks (the current streak's answers within the period)."""
        check_board(period, by)
        latest = store.latest(self.db, guild_id)
        if latest is None:
            return Leaderboard(period, by, "", period_label(ALL) if period == ALL else "", [], None)
        key = {"week": latest.week_key, "month": latest.month_key, ALL: ALL}[period]
        top = store.top(self.db, guild_id, key, by, latest.seq, limit)
        names = store.display_names(self.db, guild_id, [u for u, _ in top] + ([caller_id] if caller_id is not None else []))
        entries = [BoardEntry(1 + sum(1 for _, v in top if v > value), user, names.get(user), value) for user, value in top]
        caller = None
        if caller_id is not None:
            value, rank = self._caller_value(guild_id, key, by, latest.seq, caller_id)
            caller = BoardEntry(rank, caller_id, names.get(caller_id), value)
        return Leaderboard(period, by, key, period_label(key), entries, caller)

    def _caller_value(self, guild_id: int, key: str, by: str, latest_seq: int, user_id: int) -> tuple[int, int | None]:
        row = store.board_row(self.db, guild_id, key, user_id)
        if row is None:
            return 0, None
        if by == "points":
            value = store.board_points(self.db, guild_id, key, user_id)
        else:
            value = row.answers if by == "answers" else board_value(row, latest_seq)
        if value == 0:
            return 0, None
        return value, 1 + store.count_above(self.db, guild_id, key, by, latest_seq, value)

    def streak_history(self, guild_id: int, user_id: int, first: date, last: date) -> list[tuple[date, int]]:
        """The member's daily-question streak at the end of each day from `first` to `last` (the
        server's dates): what /streak showed then; the last day's is the current streak."""
        return daily_streak_history(store.posted_days(self.db, guild_id), store.answered_seqs(self.db, guild_id, user_id),
                                    first, last)

    def rebuild(self, guild_id: int | None = None) -> int:
        """Recompute the derived streak and board data from the stored answers (a repair tool; the
        numbers are kept current without it)."""
        return store.rebuild(self.db, guild_id)
