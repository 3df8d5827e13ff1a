"""The schema, as named sqlite-utils migrations: each runs once, in a transaction with its record.

Never edit a migration that has shipped; add a new one below it.
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("studybot")


@migrations()
def m001_question_bank(db: Database) -> None:
    db.table("questions").create(
        {
            "id": str, "level": str, "number": int, "category": str, "title": str, "answer": str,
            "rarity": str, "difficulty": str, "source": str, "notes": str, "key_points": str,
            "content_hash": str, "retired_at": str, "loaded_at": str,
        },
        pk="id",
        not_null={"level", "number", "category", "title", "answer", "source"},
    )
    db.table("snippets").create(
        {
            "question_id": str, "position": int, "language": str, "code": str, "truncated": int,
            "status": str, "output": str, "stderr": str, "reason": str, "seconds": float,
            "figures": str, "versions": str, "stands_in": str,
        },
        pk=("question_id", "position"),
        foreign_keys=[("question_id", "questions", "id")],
    )
    # trigram: Japanese has no spaces, so word tokenizers would index whole sentences as one token
    db.table("questions").enable_fts(["title", "answer"], tokenize="trigram", create_triggers=True)
    db.table("questions").create_index(["level", "retired_at"])


@migrations()
def m002_practice(db: Database) -> None:
    db.table("members").create(
        {"guild_id": int, "user_id": int, "display_name": str, "updated_at": str}, pk=("guild_id", "user_id")
    )
    db.table("draws").create(
        {"id": int, "guild_id": int, "user_id": int, "question_id": str, "drawn_at": str, "via": str},
        pk="id", foreign_keys=[("question_id", "questions", "id")],
    )
    db.table("draws").create_index(["guild_id", "user_id", "drawn_at"])
    db.table("answers").create(
        {
            "id": int, "guild_id": int, "user_id": int, "question_id": str, "text": str, "created_at": str,
            "daily_post_id": int, "score": int, "covered": str, "missed": str,
        },
        pk="id", foreign_keys=[("question_id", "questions", "id")],
    )
    db.table("answers").create_index(["guild_id", "user_id", "created_at"])
    db.table("answers").create_index(["daily_post_id", "user_id"])


@migrations()
def m003_daily(db: Database) -> None:
    db.table("daily_settings").create(
        {
            "guild_id": int, "channel_id": int, "post_time": str, "timezone": str, "level": str,
            "reveal_time": str, "paused": int, "updated_at": str, "updated_by": int,
        },
        pk="guild_id", defaults={"paused": 0},
    )
    db.table("daily_posts").create(
        {
            "id": int, "guild_id": int, "local_date": str, "question_id": str, "cycle": int, "state": str,
            "channel_id": int, "message_id": int, "thread_id": int, "reason": str,
            "intended_at": str, "posted_at": str, "revealed_at": str,
        },
        pk="id", foreign_keys=[("question_id", "questions", "id")],
    )
    # one daily question per server and local date, whatever restarts happen
    db.table("daily_posts").create_index(["guild_id", "local_date"], unique=True)


@migrations()
def m004_review(db: Database) -> None:
    db.table("review_cards").create(
        {"guild_id": int, "user_id": int, "question_id": str, "card": str, "due": str, "updated_at": str},
        pk=("guild_id", "user_id", "question_id"), foreign_keys=[("question_id", "questions", "id")],
    )
    db.table("review_cards").create_index(["guild_id", "user_id", "due"])
    db.table("review_log").create(
        {"id": int, "guild_id": int, "user_id": int, "question_id": str, "rating": str, "reviewed_at": str},
        pk="id",
    )


@migrations()
def m005_streaks(db: Database) -> None:
    db.table("daily_settings").add_column("active_since", str)
    posts = db.table("daily_posts")
    posts.add_column("seq", int)  # 1, 2, 3... per server in posting order; null until posted
    posts.add_column("week_key", str)
    posts.add_column("month_key", str)
    posts.add_column("attempts", int, not_null_default=0)
    posts.add_column("reveal_note", str)
    posts.create_index(["guild_id", "seq"], unique=True)
    posts.create_index(["state"])
    # Derived from answers (db.progress keeps them in step in the answer's transaction and can rebuild
    # them): the per-member fold state, and one row per member and period for the leaderboards.
    db.table("streaks").create(
        {"guild_id": int, "user_id": int, "run": int, "best": int, "freezes": int, "answered": int, "last_seq": int},
        pk=("guild_id", "user_id"),
    )
    db.table("board_stats").create(
        {"guild_id": int, "period_key": str, "user_id": int, "answers": int, "run": int, "alive_until": int},
        pk=("guild_id", "period_key", "user_id"),
    )
    db.execute("create index board_by_answers on board_stats (guild_id, period_key, answers desc, user_id)")
    # A streak is alive when alive_until >= the latest seq, and alive_until is at most latest + 3:
    # the streak board reads four short index ranges instead of sorting the whole server.
    db.execute("create index board_by_streak on board_stats (guild_id, period_key, alive_until, run desc, user_id)")
    # The fold assumes a daily answer is to the server's open (latest posted) question; enforce it here
    # so no write path can feed it anything else.
    db.execute("""
        create trigger answers_daily_open before insert on answers
        when new.daily_post_id is not null
        begin
            select raise(abort, 'daily question is closed or not in this server')
            where not exists (
                select 1 from daily_posts p where p.id = new.daily_post_id and p.guild_id = new.guild_id
                and p.seq is not null and p.seq = (select max(seq) from daily_posts where guild_id = new.guild_id)
            );
        end
    """)


@migrations()
def m006_points(db: Database) -> None:
    # sum of each member's best score per daily question in the period, kept with the score's write
    db.table("board_stats").add_column("points", int, not_null_default=0)
    db.execute("create index board_by_points on board_stats (guild_id, period_key, points desc, user_id)")


@migrations()
def m007_reveals(db: Database) -> None:
    # Each time a member opens a model answer (Reveal button, /reveal, the terminal): a daily question's
    # points count only an answer given before the member saw the model answer.
    db.table("reveals").create(
        {"id": int, "guild_id": int, "user_id": int, "question_id": str, "revealed_at": str},
        pk="id", foreign_keys=[("question_id", "questions", "id")],
    )
    db.table("reveals").create_index(["guild_id", "user_id", "question_id", "revealed_at"])


@migrations()
def m008_daily_retries(db: Database) -> None:
    # A passing failure (network, Discord 5xx) is tried again later the same day instead of losing it;
    # each failure's reason is kept for /daily status. A reveal records each page as it goes out, so a
    # crash half-way resumes after the pages already in the channel.
    posts = db.table("daily_posts")
    posts.add_column("failures", int, not_null_default=0)
    posts.add_column("last_error", str)
    posts.add_column("retry_at", str)
    posts.add_column("pages_revealed", int, not_null_default=0)
    # when the first page went out: from then the model answer is public, even if later pages fail
    posts.add_column("reveal_started_at", str)
    posts.add_column("reveal_failures", int, not_null_default=0)
    posts.add_column("reveal_retry_at", str)


@migrations()
def m009_snippet_value_and_added_code(db: Database) -> None:
    # A reveal shows the last expression's value after stdout, and discloses the code added around the
    # article's (setup before, completion after) so learners see everything that ran. Rows loaded before
    # this have nulls here; their content hash no longer matches, so the next load rewrites them.
    snippets = db.table("snippets")
    snippets.add_column("value", str)
    snippets.add_column("setup", str)
    snippets.add_column("completion", str)


@migrations()
def m010_guild_departures(db: Database) -> None:
    # When the bot was removed from a server: its data is deleted once the grace period
    # ([privacy] forget_after_days) has passed, unless the bot is invited back before that.
    db.table("guild_departures").create({"guild_id": int, "left_at": str}, pk="guild_id")


@migrations()
def m011_daily_claims(db: Database) -> None:
    # Which process is posting (or revealing) a daily post right now, and until when that holds: several
    # bot processes on one database must not both send it, and a process that died must not hold it for good.
    posts = db.table("daily_posts")
    posts.add_column("claimed_by", str)
    posts.add_column("claimed_until", str)


@migrations()
def m012_thread_retries(db: Database) -> None:
    # A posted question whose discussion thread failed for a passing reason (Discord's rate limit, a 5xx)
    # gets it later that day: thread_retry_at is set while a thread is owed, null once made or given up.
    posts = db.table("daily_posts")
    posts.add_column("thread_retry_at", str)
    posts.add_column("thread_failures", int, not_null_default=0)
    posts.add_column("thread_error", str)


@migrations()
def m013_hints(db: Database) -> None:
    # Each key point a member was shown as a hint (the Hint button, /hint): the nth row for a question is
    # its nth key point, and a daily answer's points drop by the hints taken before it (bot.core.points).
    db.table("hints").create(
        {"id": int, "guild_id": int, "user_id": int, "question_id": str, "shown_at": str},
        pk="id", foreign_keys=[("question_id", "questions", "id")],
    )
    db.table("hints").create_index(["guild_id", "user_id", "question_id", "shown_at"])


@migrations()
def m014_daily_ping_and_milestones(db: Database) -> None:
    # The daily post may ping one role; streaks of 7, 30 and 100 are congratulated in the daily thread
    # (unless the server turned it off) and may carry a role, given while the streak lives.
    settings = db.table("daily_settings")
    settings.add_column("ping_role_id", int)
    settings.add_column("milestones_announce", int, not_null_default=1)
    settings.add_column("milestone_note", str)  # the last failure to give or take a role, for /daily status
    db.table("milestone_roles").create({"guild_id": int, "milestone": int, "role_id": int}, pk=("guild_id", "milestone"))
    # one row per member, milestone and the question (seq) whose answer reached it: announced once
    db.table("milestones").create(
        {"guild_id": int, "user_id": int, "milestone": int, "seq": int, "reached_at": str, "announced": int},
        pk=("guild_id", "user_id", "milestone", "seq"))
    # the milestone roles the bot gave, so it takes back only those, and only once the streak breaks
    db.table("milestone_grants").create(
        {"guild_id": int, "user_id": int, "milestone": int, "role_id": int, "granted_at": str},
        pk=("guild_id", "user_id", "milestone"))
    db.table("streaks").create_index(["guild_id", "run"])


@migrations()
def m015_reminders(db: Database) -> None:
    # A member's own DM nudge, per server, at their time in the server's timezone.
    db.table("reminders").create(
        {"guild_id": int, "user_id": int, "streak": int, "review": int, "time": str, "updated_at": str,
         "dm_closed_at": str},
        pk=("guild_id", "user_id"), defaults={"streak": 0, "review": 0})
    # One row per member and local day, written before the DM is sent: a restart never sends it twice.
    db.table("reminder_log").create(
        {"guild_id": int, "user_id": int, "local_date": str, "state": str, "at": str},
        pk=("guild_id", "user_id", "local_date"))
