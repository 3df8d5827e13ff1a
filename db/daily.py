"""Queries for the daily question: a server's settings and what was posted for which local date.

The rows here are the source of truth. An intent row is written before anything is sent to the
channel, and the unique (guild_id, local_date) index makes a second row for the same day impossible.
Functions that change a post by id return it as it is now, or None when no post has that id.
A claim (claimed_by, claimed_until) says which process is posting or revealing a row right now; taking
one is a compare-and-set, and resolving the intent or the reveal clears it.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlite_utils import Database

from bot.core.daily import INTENDED, PENDING, POSTED, SKIPPED, UNRESOLVED, DailyPost, DailySettings, ThreadOwed
from db.connection import inserted_id, writing

SETTINGS_COLUMNS = ("guild_id", "channel_id", "post_time", "timezone", "level", "reveal_time", "paused",
                    "active_since", "updated_at", "updated_by")


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _instant(when: datetime) -> str:
    """Claims are compared as text in SQL: one zone and one precision make text order time order."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def _settings(row: dict[str, Any]) -> DailySettings:
    return DailySettings(
        guild_id=row["guild_id"], channel_id=row["channel_id"], post_time=row["post_time"], timezone=row["timezone"],
        level=row["level"], reveal_time=row["reveal_time"], paused=bool(row["paused"]),
        active_since=_when(row["active_since"]), updated_at=_when(row["updated_at"]), updated_by=row["updated_by"],
    )


def _post(row: dict[str, Any]) -> DailyPost:
    return DailyPost(
        id=row["id"], guild_id=row["guild_id"], local_date=date.fromisoformat(row["local_date"]),
        question_id=row["question_id"], cycle=row["cycle"], state=row["state"], channel_id=row["channel_id"],
        message_id=row["message_id"], thread_id=row["thread_id"], reason=row["reason"],
        intended_at=_when(row["intended_at"]), posted_at=_when(row["posted_at"]), revealed_at=_when(row["revealed_at"]),
        seq=row["seq"], week_key=row["week_key"] or "", month_key=row["month_key"] or "",
        attempts=row["attempts"] or 0, reveal_note=row["reveal_note"], failures=row["failures"] or 0,
        last_error=row["last_error"], retry_at=_when(row["retry_at"]), pages_revealed=row["pages_revealed"] or 0,
        reveal_failures=row["reveal_failures"] or 0, reveal_retry_at=_when(row["reveal_retry_at"]),
        claimed_by=row["claimed_by"], claimed_until=_when(row["claimed_until"]),
    )


def get_settings(db: Database, guild_id: int) -> DailySettings | None:
    rows = list(db.query("select * from daily_settings where guild_id = ?", [guild_id]))
    return _settings(rows[0]) if rows else None


def save_settings(db: Database, settings: DailySettings) -> DailySettings:
    row = {name: getattr(settings, name) for name in SETTINGS_COLUMNS}
    for name in ("active_since", "updated_at"):
        row[name] = row[name].isoformat() if row[name] else None
    row["paused"] = int(row["paused"])
    with writing(db):
        db.table("daily_settings").upsert(row, pk="guild_id")
    return settings


def all_settings(db: Database) -> list[DailySettings]:
    return [_settings(r) for r in db.query("select * from daily_settings order by guild_id")]


def get_post(db: Database, post_id: int) -> DailyPost | None:
    rows = list(db.query("select * from daily_posts where id = ?", [post_id]))
    return _post(rows[0]) if rows else None


def post_for_date(db: Database, guild_id: int, day: date) -> DailyPost | None:
    rows = list(db.query("select * from daily_posts where guild_id = ? and local_date = ?", [guild_id, day.isoformat()]))
    return _post(rows[0]) if rows else None


def guilds_with_unresolved(db: Database) -> list[int]:
    rows = db.query(f"select distinct guild_id from daily_posts where state in ({', '.join('?' * len(UNRESOLVED))})", list(UNRESOLVED))
    return [r["guild_id"] for r in rows]


def cycle_usage(db: Database, guild_id: int) -> tuple[int, set[str], str | None]:
    """(current cycle, questions shown or about to be shown in it, the last question shown).
    A skipped post showed nothing, so its question stays available."""
    last = list(db.query("select cycle, question_id from daily_posts where guild_id = ? and state != ? "
                         "and question_id is not null order by local_date desc limit 1", [guild_id, SKIPPED]))
    if not last:
        return 0, set(), None
    cycle = last[0]["cycle"]
    used = {r["question_id"] for r in db.query(
        "select question_id from daily_posts where guild_id = ? and cycle = ? and state != ?", [guild_id, cycle, SKIPPED])}
    return cycle, used, last[0]["question_id"]


def insert_intent(db: Database, guild_id: int, day: date, question_id: str | None, cycle: int, channel_id: int,
                  week_key: str, month_key: str, now: datetime, *, state: str, reason: str | None = None,
                  claimed_by: str | None = None, claimed_until: datetime | None = None) -> DailyPost:
    """The day's row; with `claimed_by`, claimed by its writer (whoever inserts the day's intent sends it)."""
    with writing(db):
        table = db.table("daily_posts").insert({
            "guild_id": guild_id, "local_date": day.isoformat(), "question_id": question_id, "cycle": cycle, "state": state,
            "channel_id": channel_id, "reason": reason, "intended_at": now.isoformat(), "week_key": week_key,
            "month_key": month_key, "attempts": 1, "claimed_by": claimed_by,
            "claimed_until": _instant(claimed_until) if claimed_until else None,
        })
    return _post(table.get(inserted_id(table)))


def reintend(db: Database, post_id: int, attempts: int, question_id: str, cycle: int, channel_id: int, now: datetime,
             owner: str, until: datetime) -> bool:
    """Compare-and-set: make pending or skipped attempt `attempts` the next intent, claimed by `owner`.
    Two processes that both saw it pending: only one of them gets to send it."""
    with writing(db):
        cursor = db.execute(
            "update daily_posts set state = ?, question_id = ?, cycle = ?, channel_id = ?, reason = null, retry_at = null, "
            "intended_at = ?, attempts = attempts + 1, claimed_by = ?, claimed_until = ? "
            "where id = ? and attempts = ? and state in (?, ?)",
            [INTENDED, question_id, cycle, channel_id, now.isoformat(), owner, _instant(until), post_id, attempts,
             PENDING, SKIPPED])
    return cursor.rowcount == 1


def claim_intent(db: Database, post_id: int, attempts: int, owner: str, until: datetime, now: datetime,
                 seen: str | None) -> bool:
    """Compare-and-set: `owner` takes intent `attempts` (to look for it, then send it again) if the claim
    on it is still `seen` (nobody's, or a holder known to be gone) or has run out."""
    return _claim(db, post_id, "state = ? and attempts = ?", [INTENDED, attempts], owner, until, now, seen)


def claim_reveal(db: Database, post_id: int, owner: str, until: datetime, now: datetime, seen: str | None) -> bool:
    """Compare-and-set, as claim_intent: `owner` reveals this posted question's answer, nobody else meanwhile."""
    return _claim(db, post_id, "state = ? and revealed_at is null", [POSTED], owner, until, now, seen)


def _claim(db: Database, post_id: int, condition: str, params: list[Any], owner: str, until: datetime, now: datetime,
           seen: str | None) -> bool:
    with writing(db):
        cursor = db.execute(
            f"update daily_posts set claimed_by = ?, claimed_until = ? where id = ? and {condition} "
            "and (claimed_by is ? or claimed_until is null or claimed_until <= ?)",
            [owner, _instant(until), post_id, *params, seen, _instant(now)])
    return cursor.rowcount == 1


def renew_claim(db: Database, post_id: int, owner: str, until: datetime) -> bool:
    """Extend `owner`'s claim; False: it no longer holds the row (it ran out and another process took it)."""
    with writing(db):
        cursor = db.execute("update daily_posts set claimed_until = ? where id = ? and claimed_by = ?",
                            [_instant(until), post_id, owner])
    return cursor.rowcount == 1


def release_claim(db: Database, post_id: int, owner: str, attempts: int | None = None) -> None:
    """`owner` stops holding the row (if it still does; with `attempts`, only while it is that attempt):
    the next run may take it at once."""
    with writing(db):
        db.execute("update daily_posts set claimed_by = null, claimed_until = null where id = ? and claimed_by = ? "
                   "and (? is null or attempts = ?)", [post_id, owner, attempts, attempts])


def set_state(db: Database, post_id: int, state: str, reason: str | None = None) -> DailyPost | None:
    with writing(db):
        db.execute("update daily_posts set state = ?, reason = ? where id = ?", [state, reason, post_id])
    return get_post(db, post_id)


def settle_intent(db: Database, post_id: int, attempts: int, state: str, reason: str | None = None) -> bool:
    """Compare-and-set: resolve the intent of attempt `attempts` only if it is still that intent. Another
    run may meanwhile have reconciled it and recorded (and be sending) a fresh intent of its own."""
    with writing(db):
        cursor = db.execute("update daily_posts set state = ?, reason = ?, retry_at = null, claimed_by = null, "
                            "claimed_until = null where id = ? and state = ? and attempts = ?",
                            [state, reason, post_id, INTENDED, attempts])
    return cursor.rowcount == 1


def reopen_skipped(db: Database, post_id: int, attempts: int, *, claimed_by: str | None = None,
                   claimed_until: datetime | None = None) -> bool:
    """A skipped day whose last intent may have reached the channel becomes that intent again, to be
    looked for before anything is re-posted (compare-and-set, as settle_intent), claimed by `claimed_by`."""
    with writing(db):
        cursor = db.execute("update daily_posts set state = ?, claimed_by = ?, claimed_until = ? "
                            "where id = ? and state = ? and attempts = ?",
                            [INTENDED, claimed_by, _instant(claimed_until) if claimed_until else None, post_id, SKIPPED,
                             attempts])
    return cursor.rowcount == 1


def record_failure(db: Database, post_id: int, attempts: int, state: str, error: str, retry_at: datetime | None) -> bool:
    """A check or send of attempt `attempts` failed: keep why, and skip the day (`state` skipped) or leave
    the intent to be checked and tried again at `retry_at` (compare-and-set, as settle_intent)."""
    with writing(db):
        cursor = db.execute(
            "update daily_posts set state = ?, reason = ?, last_error = ?, failures = failures + 1, retry_at = ?, "
            "claimed_by = null, claimed_until = null where id = ? and state = ? and attempts = ?",
            [state, error if state == SKIPPED else None, error, retry_at.isoformat() if retry_at else None, post_id,
             INTENDED, attempts])
    return cursor.rowcount == 1


def mark_posted(db: Database, post_id: int, message_id: int, thread_id: int | None, now: datetime) -> DailyPost | None:
    """Posted, with the next seq of its server: from here on it is the open daily question."""
    with writing(db):
        db.execute(
            "update daily_posts set state = ?, message_id = ?, thread_id = ?, reason = null, retry_at = null, posted_at = ?, "
            "claimed_by = null, claimed_until = null, "
            "seq = (select coalesce(max(seq), 0) + 1 from daily_posts d where d.guild_id = daily_posts.guild_id) "
            "where id = ? and seq is null", [POSTED, message_id, thread_id, now.isoformat(), post_id])
    return get_post(db, post_id)


def mark_revealed(db: Database, post_id: int, now: datetime, note: str | None) -> DailyPost | None:
    with writing(db):
        db.execute("update daily_posts set revealed_at = ?, reveal_note = ?, reveal_retry_at = null, claimed_by = null, "
                   "claimed_until = null where id = ?", [now.isoformat(), note, post_id])
    return get_post(db, post_id)


def page_revealed(db: Database, post_id: int, pages: int, now: datetime) -> None:
    """`pages` pages of the reveal are in the channel (each is recorded as soon as Discord accepts it)."""
    with writing(db):
        db.execute("update daily_posts set pages_revealed = max(pages_revealed, ?), "
                   "reveal_started_at = coalesce(reveal_started_at, ?) where id = ?", [pages, now.isoformat(), post_id])


def reveal_failed(db: Database, post_id: int, note: str, retry_at: datetime | None) -> DailyPost | None:
    with writing(db):
        db.execute("update daily_posts set reveal_note = ?, reveal_failures = reveal_failures + 1, reveal_retry_at = ?, "
                   "claimed_by = null, claimed_until = null where id = ?",
                   [note, retry_at.isoformat() if retry_at else None, post_id])
    return get_post(db, post_id)


def unresolved(db: Database, guild_id: int, before: date | None = None) -> list[DailyPost]:
    """The server's intents and pending posts (only those of days before `before`, if given), oldest first."""
    rows = db.query(
        f"select * from daily_posts where guild_id = ? and local_date < ? and state in ({', '.join('?' * len(UNRESOLVED))}) "
        "order by local_date", [guild_id, (before or date.max).isoformat(), *UNRESOLVED])
    return [_post(r) for r in rows]


def latest_posted(db: Database, guild_id: int) -> DailyPost | None:
    rows = list(db.query("select * from daily_posts where guild_id = ? and seq is not null order by seq desc limit 1", [guild_id]))
    return _post(rows[0]) if rows else None


def unrevealed(db: Database, guild_id: int) -> list[DailyPost]:
    rows = db.query("select * from daily_posts where guild_id = ? and state = ? and revealed_at is null order by seq",
                    [guild_id, POSTED])
    return [_post(r) for r in rows]


def recent_posts(db: Database, guild_id: int, limit: int) -> list[DailyPost]:
    rows = db.query("select * from daily_posts where guild_id = ? order by local_date desc limit ?", [guild_id, limit])
    return [_post(r) for r in rows]


def question_titles(db: Database, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = db.query(f"select id, title from questions where id in ({', '.join('?' * len(ids))})", sorted(ids))
    return {r["id"]: r["title"] for r in rows}


# -- discussion threads still owed (m012) -----------------------------------------------------------


def _owed(row: dict[str, Any]) -> ThreadOwed:
    return ThreadOwed(_post(row), datetime.fromisoformat(row["thread_retry_at"]), row["thread_failures"] or 0,
                      row["thread_error"])


def owed_threads(db: Database, guild_id: int) -> list[ThreadOwed]:
    """The server's posted questions whose thread is still to be made, in posting order."""
    rows = db.query("select * from daily_posts where guild_id = ? and state = ? and thread_id is null "
                    "and thread_retry_at is not null order by seq", [guild_id, POSTED])
    return [_owed(r) for r in rows]


def guilds_owing_threads(db: Database) -> list[int]:
    rows = db.query("select distinct guild_id from daily_posts where state = ? and thread_id is null "
                    "and thread_retry_at is not null order by guild_id", [POSTED])
    return [r["guild_id"] for r in rows]


def owe_thread(db: Database, post_id: int, error: str, retry_at: datetime | None) -> None:
    """The thread failed (once more): tried again at `retry_at`, or given up with None."""
    with writing(db):
        db.execute("update daily_posts set thread_failures = thread_failures + 1, thread_error = ?, thread_retry_at = ? "
                   "where id = ? and thread_id is null", [error, retry_at.isoformat() if retry_at else None, post_id])


def thread_made(db: Database, post_id: int, thread_id: int) -> DailyPost | None:
    with writing(db):
        db.execute("update daily_posts set thread_id = ?, thread_retry_at = null where id = ?", [thread_id, post_id])
    return get_post(db, post_id)


# -- the daily post's role ping and milestone settings (issue 13): columns of daily_settings beside the above


def engage_settings(db: Database, guild_id: int) -> dict[str, Any] | None:
    """{"ping_role_id", "milestones_announce", "milestone_note"} of a server set up for the daily question."""
    rows = list(db.query("select ping_role_id, milestones_announce, milestone_note from daily_settings where guild_id = ?",
                         [guild_id]))
    return dict(rows[0]) if rows else None


def set_ping_role(db: Database, guild_id: int, role_id: int | None) -> None:
    with writing(db):
        db.execute("update daily_settings set ping_role_id = ? where guild_id = ?", [role_id, guild_id])


def set_milestones_announce(db: Database, guild_id: int, on: bool) -> None:
    with writing(db):
        db.execute("update daily_settings set milestones_announce = ? where guild_id = ?", [int(on), guild_id])


def set_milestone_note(db: Database, guild_id: int, note: str | None) -> None:
    with writing(db):
        db.execute("update daily_settings set milestone_note = ? where guild_id = ?", [note, guild_id])
