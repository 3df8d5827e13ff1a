"""The daily question's rules, as pure functions: settings, local dates, slot times, the cycle.

Times are aware datetimes. A server's day and its post time are in the server's IANA timezone; the
instants stored and compared are UTC. Nothing here reads a clock.
"""
from __future__ import annotations

import random
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import StudyError

DAILY_LEVELS = ("junior", "senior", "mixed")
NOT_ZONES = {"localtime", "posixrules", "Factory"}
HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# The scheduler's timer and the injected clock are separate readings of the wall clock; a job that
# wakes a moment early must still find its slot due.
EARLY_TOLERANCE = timedelta(minutes=1)

# daily_posts.state
INTENDED = "intended"  # recorded before posting; may or may not be in the channel (a crash leaves it)
PENDING = "pending"  # checked: not in the channel, to be posted
POSTED = "posted"
SKIPPED = "skipped"  # with a reason code in daily_posts.reason
UNRESOLVED = (INTENDED, PENDING)

# reason codes stored for skipped posts; presenters turn them into sentences
CHANNEL_MISSING = "channel_missing"
NO_PERMISSION = "no_permission"
NO_QUESTIONS = "no_questions"
EXPIRED = "expired"  # the intent of a past day was never found in the channel: no back-fill
SEND_ERROR = "error"


class InvalidDailySetting(StudyError):
    pass


class DailyNotSetUp(StudyError):
    def __init__(self):
        super().__init__("このサーバーでは日替わり問題がまだ設定されていません。/daily setup で設定してください。 (Daily question not set up.)")


class UnknownDailyPost(StudyError):
    def __init__(self):
        super().__init__("この日替わり問題は見つかりません。 (Unknown daily question.)")


@dataclass(frozen=True)
class DailySettings:
    guild_id: int
    channel_id: int
    post_time: str  # HH:MM in `timezone`
    timezone: str
    level: str  # junior | senior | mixed
    reveal_time: str | None = None
    paused: bool = False
    active_since: datetime | None = None  # slots before this instant are not owed (setup or resume time)
    updated_at: datetime | None = None
    updated_by: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def bank_level(self) -> str | None:
        return None if self.level == "mixed" else self.level


@dataclass(frozen=True)
class DailyPost:
    id: int
    guild_id: int
    local_date: date
    question_id: str | None
    cycle: int
    state: str
    channel_id: int
    message_id: int | None = None
    thread_id: int | None = None
    reason: str | None = None
    intended_at: datetime | None = None
    posted_at: datetime | None = None
    revealed_at: datetime | None = None
    seq: int | None = None  # 1, 2, 3... in posting order among the server's posted questions
    week_key: str = ""
    month_key: str = ""
    attempts: int = 0
    reveal_note: str | None = None

    @property
    def answer_custom_id(self) -> str:
        """Carried by the posted message's Answer button: the marker that reconciling looks for."""
        return f"daily:answer:{self.id}"

    @property
    def reveal_custom_id(self) -> str:
        return f"daily:reveal:{self.id}"


def parse_custom_id(custom_id: str) -> tuple[str, int] | None:
    """('answer' | 'reveal', post id) for a daily post's button, else None."""
    parts = custom_id.split(":")
    if len(parts) == 3 and parts[0] == "daily" and parts[1] in ("answer", "reveal") and parts[2].isdigit():
        return parts[1], int(parts[2])
    return None


def parse_hhmm(text: str, what: str = "time") -> str:
    """'9:05' -> '09:05'."""
    match = HHMM.match((text or "").strip())
    if not match:
        raise InvalidDailySetting(f"{what} は HH:MM の形で指定してください（例: 09:00, 21:30）。 ({what} must be HH:MM.)")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_timezone(name: str) -> str:
    name = (name or "").strip()
    try:
        # zoneinfo also opens paths and the host's own files, which are no IANA zone names
        if not name or name.startswith(("/", ".")) or ".." in name or name in NOT_ZONES:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidDailySetting(
            f"タイムゾーン `{name}` は使えません。Asia/Tokyo のような IANA 名で指定してください。 (Unknown IANA timezone.)"
        ) from None
    return name


def parse_level(level: str) -> str:
    if level not in DAILY_LEVELS:
        raise InvalidDailySetting("level は junior / senior / mixed のどれかです。 (level must be junior, senior or mixed.)")
    return level


def clock_time(hhmm: str) -> time:
    hour, minute = hhmm.split(":")
    return time(int(hour), int(minute))


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def slot_instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of HH:MM on `day` in `zone`. A time skipped by a DST change falls at the same
    distance after the change (02:30 -> 03:30); a repeated one is its first occurrence. APScheduler's
    CronTrigger fires at these same instants (it also fires at the repeat, which the date key absorbs)."""
    return datetime.combine(day, clock_time(hhmm), tzinfo=zone).astimezone(timezone.utc)


def next_slot(now: datetime, hhmm: str, zone: ZoneInfo) -> datetime:
    """The first slot strictly after `now` (UTC)."""
    day = local_date(now, zone)
    for offset in range(3):  # today, tomorrow; a DST change can push today's slot before `now`
        candidate = slot_instant(day + timedelta(days=offset), hhmm, zone)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a day has a slot")


def is_due(now: datetime, settings: DailySettings) -> bool:
    """Has today's slot (in the server's zone) come, and is it owed (not before setup or resume)?"""
    zone = settings.zone
    slot = slot_instant(local_date(now, zone), settings.post_time, zone)
    owed = settings.active_since is None or slot >= settings.active_since - EARLY_TOLERANCE
    return owed and now >= slot - EARLY_TOLERANCE


def reveal_instant(day: date, settings: DailySettings) -> datetime | None:
    """When the answer to `day`'s question is shown: the first reveal_time after that day's slot.
    None without a reveal_time: then it is shown just before the next daily question."""
    if settings.reveal_time is None:
        return None
    zone = settings.zone
    slot = slot_instant(day, settings.post_time, zone)
    for offset in range(3):
        candidate = slot_instant(day + timedelta(days=offset), settings.reveal_time, zone)
        if candidate > slot:
            return candidate
    raise AssertionError("unreachable: a day has a reveal time")


def choose_daily_question(candidates: Sequence[str], cycle: int, used_in_cycle: Collection[str],
                          last: str | None, rng: random.Random) -> tuple[str, int] | None:
    """(question id, cycle): each cycle shows every candidate once, in random order, then a new one
    starts. The first of a new cycle is not the last one shown, when there is a choice."""
    if not candidates:
        return None
    remaining = sorted(set(candidates) - set(used_in_cycle))
    if remaining:
        return rng.choice(remaining), max(cycle, 1)
    fresh = sorted(q for q in set(candidates) if q != last) or sorted(set(candidates))
    return rng.choice(fresh), cycle + 1
