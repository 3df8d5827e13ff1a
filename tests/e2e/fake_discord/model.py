"""The plain data every part of the fake shares: constants, ids, errors and the recorded-request types."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FAKE_TOKEN = "fake-token"
"""The only bot token the fake accepts (anything else: 401 on REST, close 4004 on the gateway)."""
API_PREFIX = "/api/v10"
DISCORD_EPOCH = 1420070400000
DEFAULT_TIMEOUT = 3.0
# a deferred interaction's real reply: Discord allows 15 minutes; a chart drawn by a freshly spawned worker
# on a loaded machine takes seconds (tests/e2e/test_feedback_review.py's /stats)
DEFERRED_TIMEOUT = 30.0
"""Seconds (real time) any ``wait``/``slash``/... waits before failing."""
INTERACTION_DEADLINE = 3.0
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class HarnessTimeout(AssertionError):
    """A wait of the harness ran out; the message explains what was awaited and what happened."""


class DiscordHTTPError(Exception):
    """Raised inside route handlers to answer with a Discord-shaped error body."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None):
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors


def unknown(kind: str, code: int) -> DiscordHTTPError:
    """Discord's 404 for a missing resource, e.g. ``unknown("Channel", JSONErrorCode.UNKNOWN_CHANNEL)``."""
    return DiscordHTTPError(404, code, f"Unknown {kind}")


@dataclass
class FakeFile:
    """A file the bot uploaded: original filename, bytes and the content type of its form part."""

    filename: str
    data: bytes
    content_type: str | None = None
    attachment_id: int | None = None
    index: int | None = None  # n of the files[n] form part

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass
class RecordedRequest:
    """One REST request the bot made (``path`` is below ``/api/v10``; ``json`` is the decoded body
    or the multipart ``payload_json``)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[FakeFile]
    operation_id: str | None
    errors: list[str] = field(default_factory=list)
    status: int | None = None
    unexpected: bool = False
    at: float = 0.0
    acknowledged: bool = False  # set by take_violations()

    def __str__(self) -> str:
        q = ("?" + "&".join(f"{k}={v}" for k, v in self.query.items())) if self.query else ""
        s = f"{self.method} {self.path}{q} -> {self.status} ({self.operation_id or 'no spec operation'})"
        if self.files:
            s += f" files={[f.filename for f in self.files]}"
        return s


@dataclass
class RestRequest:
    """What a route handler gets: the parsed request and its :class:`RecordedRequest`."""

    method: str
    path: str
    query: dict[str, str]
    headers: Any
    json: Any
    files: list[FakeFile]
    record: RecordedRequest


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def snowflake_time(sf: int) -> str:
    return datetime.fromtimestamp(((sf >> 22) + DISCORD_EPOCH) / 1000, UTC).isoformat()


def to_id(obj: Any) -> int:
    """Accept an int, a numeric str, a Discord-shaped dict or any object with ``.id``."""
    if isinstance(obj, bool):
        raise TypeError(f"not an id: {obj!r}")
    if isinstance(obj, int):
        return obj
    if isinstance(obj, str):
        return int(obj)
    if isinstance(obj, dict):
        return int(obj["id"])
    if hasattr(obj, "id"):
        return int(obj.id)
    raise TypeError(f"not an id: {obj!r}")


@dataclass
class FakeGuild:
    """A guild's state; ``roles``/``members`` are keyed by id, ``channel_ids`` in creation order."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, dict[str, Any]] = field(default_factory=dict)
    members: dict[int, dict[str, Any]] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    locale: str = "en-US"
    joined_at: str = field(default_factory=now_iso)
