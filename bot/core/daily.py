"""The daily question's rules, as pure functions: settings, local dates, slot times, the cycle.

Times are aware datetimes. A server's day and its post time are in the server's IANA timezone; the
instants stored and compared are UTC. Nothing here reads a clock.
"""
from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.errors import StudyError, quoted
from bot.core.zones import NOT_ZONES, parse_clock

DAILY_LEVELS = ("junior", "senior", "mixed")
# A post or reveal that failed for a passing reason (network, Discord 5xx) is tried again this long after
# its 1st, 2nd, 3rd and later failure (a post only while its day lasts).
RETRY_DELAYS = (timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=60))
# A posted question whose discussion thread could not be made (Discord busy or failing) gets it this long
# after its 1st, 2nd, 3rd and later failure, while its day lasts; only a refusal (no permission) gives up.
THREAD_RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))
REVEAL_TRIES = 4  # a reveal that keeps failing is given up after this many tries (the note says why)
ZONE_NAME_LIMIT = 64  # the longest IANA name has 32 characters

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
SEND_ERROR = "error"  # anything else: may pass, and the message may even have gone out
# only these are final: the day is skipped until an admin fixes the channel and runs /daily now
FINAL_REASONS = (CHANNEL_MISSING, NO_PERMISSION, NO_QUESTIONS)


class InvalidDailySetting(StudyError):
    pass


class DailyNotSetUp(StudyError):
    def __init__(self) -> None:
        super().__init__("このサーバーでは日替わり問題がまだ設定されていません。/daily setup で設定してください。"
                         " (Daily question not set up.)")


class UnknownDailyPost(StudyError):
    def __init__(self) -> None:
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
    attempts: int = 0  # intents recorded for this day (a check or send may follow each)
    reveal_note: str | None = None  # why the reveal failed or was given up (kept for /daily status)
    failures: int = 0  # failed checks or sends of this day's post
    last_error: str | None = None  # the latest of them, "code: detail" (kept after a later success)
    retry_at: datetime | None = None  # an intent left by a passing failure is checked and tried again then
    pages_revealed: int = 0  # reveal pages already in the channel: a crash resumes after them
    reveal_failures: int = 0
    reveal_retry_at: datetime | None = None
    claimed_by: str | None = None  # the process posting or revealing it now (bot.services.claims), until:
    claimed_until: datetime | None = None


@dataclass(frozen=True)
class ThreadOwed:
    """A posted question whose discussion thread failed for a passing reason: tried again from `retry_at`."""

    post: DailyPost
    retry_at: datetime
    failures: int
    error: str | None = None


def parse_hhmm(text: str, what: str = "time") -> str:
    """'9:05' -> '09:05'; also '9時', '21時30分', '０９：００', '9pm' (bot.core.zones.parse_clock)."""
    hhmm = parse_clock(text)
    if hhmm is None:
        raise InvalidDailySetting(f"{what} は HH:MM の形で指定してください（例: 09:00, 21:30, 9時）。 "
                                  f"({what} must be HH:MM.)")
    return hhmm


def check_reveal_time(post_time: str, reveal_time: str | None) -> None:
    """The model answer at the very minute of the post would show it with the question: refused."""
    if reveal_time is not None and reveal_time == post_time:
        raise InvalidDailySetting(
            f"reveal_time（{reveal_time}）が投稿時刻 time と同じです。模範解答が問題と同時に公開されてしまうので、"
            "別の時刻を指定するか、reveal_time を空にしてください（次の問題が出た時に公開）。 "
            "(reveal_time equal to time would show the answer with the question: choose another time.)")


def parse_timezone(name: str) -> str:
    name = (name or "").strip()
    try:
        # zoneinfo also opens paths and the host's own files, which are no IANA zone names
        if not name or len(name) > ZONE_NAME_LIMIT or name.startswith(("/", ".")) or ".." in name or name in NOT_ZONES:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a directory such as "America"
        raise InvalidDailySetting(
            f"タイムゾーン `{quoted(name)}` は使えません。Asia/Tokyo のような IANA 名で指定してください。 (Unknown IANA timezone.)"
        ) from None
    return name


def parse_level(level: str) -> str:
    if level not in DAILY_LEVELS:
        raise InvalidDailySetting("level は junior / senior / mixed のどれかです。 (level must be junior, senior or mixed.)")
    return level


def clock_time(hhmm: str) -> time:
    hour, minute = hhmm.split(":")
    return time(int(hour), int(minute))


def local_date(instant: datetime, zone: tzinfo) -> date:
    return instant.astimezone(zone).date()


def slot_instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    """The UTC instant of HH:MM on `day` in `zone`: one per local day, always on that day. A time skipped
    by a DST change falls at the same distance after the change (02:30 -> 03:30), or before it where
    after would be the next day (Nuuk skips 23:00-24:00: 23:30 -> 22:30); a repeated one is its first
    occurrence. The scheduler arms its timer at these instants, never at a cron trigger's own sums
    (APScheduler 3's CronTrigger loses whole days around some DST changes)."""
    local = datetime.combine(day, clock_time(hhmm), tzinfo=zone)
    instant = local.astimezone(UTC)
    if local_date(instant, zone) != day:
        instant = local.replace(fold=1).astimezone(UTC)
    return instant


def next_slot(now: datetime, hhmm: str, zone: ZoneInfo) -> datetime:
    """The first slot strictly after `now` (UTC)."""
    day = local_date(now, zone)
    for offset in range(3):  # today, tomorrow; a DST change can push today's slot before `now`
        candidate = slot_instant(day + timedelta(days=offset), hhmm, zone)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a day has a slot")


def is_owed(slot: datetime, settings: DailySettings) -> bool:
    """A slot is owed only if it comes after setup or resume: exactly what next_slot(active_since)
    returns first, so the timer armed at setup and this rule never disagree about today."""
    return settings.active_since is None or slot > settings.active_since


def is_due(now: datetime, settings: DailySettings) -> bool:
    """Has today's slot (in the server's zone) come, and is it owed (not before setup or resume)? Never a
    moment early: a timer that wakes before its minute by this clock is armed again, it does not post."""
    zone = settings.zone
    slot = slot_instant(local_date(now, zone), settings.post_time, zone)
    return is_owed(slot, settings) and now >= slot


def retry_delay(failures: int, delays: Sequence[timedelta] = RETRY_DELAYS) -> timedelta:
    """How long after its `failures`-th failure (1, 2, ...) a post or reveal (or with THREAD_RETRY_DELAYS,
    a thread) is tried again."""
    return delays[min(max(failures, 1), len(delays)) - 1]


def reveal_instant(day: date, settings: DailySettings) -> datetime | None:
    """When the answer to `day`'s question is shown: the first reveal_time after that day's slot.
    None without a reveal_time: then it is shown once the next daily question is out."""
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
