"""A fake Discord (REST under ``/api/v10`` + JSON gateway) for end-to-end tests of discord.py bots.

The real discord.py client talks to :class:`FakeDiscord`, an aiohttp server on ``127.0.0.1`` with an
ephemeral port.  Typical use (the ``fake_discord`` fixture in ``conftest.py`` does the first line)::

    async with FakeDiscord() as fake:                       # start + point discord.py at it
        bot = make_bot()                                    # guild_ready_timeout=0.05 recommended
        async with running_bot(fake, bot):                  # login, sync, gateway READY, on_ready
            rec = await fake.slash("ping", options={"n": 3})
            assert rec.callback_type == 4 and "pong" in rec.content
            rec = await fake.click(rec, "again")            # press a button on that reply
            await rec.finished()                            # deferred -> wait for the edit/follow-up
    fake.assert_clean()                                     # schema violations, unknown routes, errors

What it models
--------------
* State: one application whose bot user has the application's id; guilds with roles (``@everyone``
  id == guild id), text channels, threads, members, DM channels; messages with ids, embeds, components
  (Discord-assigned numeric component ids are added), attachments (multipart ``payload_json`` +
  ``files[n]``; bytes kept, served at the attachment ``url``).
* Permissions are computed like Discord does (roles, administrator, owner, channel overwrites).
  :meth:`FakeDiscord.deny_bot` adds an overwrite so the bot lacks e.g. SEND_MESSAGES: posting there
  gives 403 ``50013 Missing Permissions``; :meth:`FakeDiscord.delete_channel` makes it 404 ``10003``.
  Guild commands of a guild the bot is not in (wrong ``guild_id``) answer 403 ``50001 Missing Access``.
* Every REST request is recorded (:attr:`FakeDiscord.requests`) and its body validated against
  Discord's OpenAPI file plus a few documented bot limits (see ``openapi_check.py``).  A bad body is
  answered like Discord does (400 ``50035 Invalid Form Body``) and listed in
  :attr:`FakeDiscord.violations`; a route the fake does not implement answers 404
  ``{"message": "404: Not Found", "code": 0}`` and is listed in :attr:`FakeDiscord.unexpected`.
* Interactions are driven like a member would: :meth:`~FakeDiscord.slash`,
  :meth:`~FakeDiscord.autocomplete`, :meth:`~FakeDiscord.click`, :meth:`~FakeDiscord.submit_modal`;
  each returns an :class:`InteractionRecord`.  Discord's rules are applied: callbacks after 3 s get
  404 ``10062 Unknown interaction``, a second callback 400 ``40060``, the first follow-up after a
  "thinking" defer replaces the loading message.
* Gateway: HELLO, heartbeat ACK, IDENTIFY -> READY (``resume_gateway_url`` points back here) ->
  GUILD_CREATE per guild, RESUME with replay, op 9 invalidation, op 8 member chunks; events for
  messages/threads/channels the bot causes are dispatched as Discord would (intent-gated).

API at a glance
---------------
* lifecycle: ``async with FakeDiscord() as fake`` (= :meth:`~FakeDiscord.start` + :meth:`~FakeDiscord.patched`
  + :func:`loopback_only` + error-log capture, :meth:`~FakeDiscord.stop` on exit);
  :func:`running_bot` ``(fake, bot)``; :meth:`~FakeDiscord.assert_clean` / :meth:`~FakeDiscord.problems`.
* ids of the default world: ``app_id``, ``bot_user``, ``guild_id``, ``channel_id``, ``admin_role_id``,
  users ``owner`` and ``alice`` (dicts).
* state: ``add_user``, ``add_guild`` (returns :class:`FakeGuild`), ``remove_guild``, ``add_role``,
  ``add_member``, ``remove_member``, ``add_channel``, ``add_thread``, ``set_overwrite``, ``deny_bot``, ``delete_channel``, ``block_dms``,
  ``user_message`` (a member posts), ``dispatch`` (any gateway event), ``flush``.
* inspection: ``messages`` (id -> dict), ``messages_in``, ``last_message``, ``get_message``, ``files_of``,
  ``dm_messages``, ``commands``, ``requests``, ``requests_for(operation_id)``, ``violations``,
  ``unexpected``, ``bot_errors``, ``interactions``, ``gateway_log``, ``permissions_in``.
* acknowledging provoked problems: ``take_violations``, ``take_unexpected``, ``take_late_callbacks``,
  ``take_bot_errors``.
* driving: ``slash``, ``autocomplete`` (-> choices), ``click``, ``submit_modal`` (-> :class:`InteractionRecord`);
  gateway: ``disconnect(resume=...)``, ``wait_until_connected``.
* waiting: ``wait_for(predicate)``, ``wait_for_message``, ``wait_for_request``, ``mark``;
  ``InteractionRecord.wait(followups=, edits=)`` / ``.finished()``.

Waiting never sleeps: everything waits on a change notification with a short real-time timeout
(:data:`DEFAULT_TIMEOUT`) and fails with a :class:`HarnessTimeout` (an ``AssertionError``) that lists
what happened (recent requests, bot errors, violations).
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import ipaddress
import json
import logging
import mimetypes
import re
import secrets
import socket
import time
import warnings
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from .openapi_check import OpenAPISpec, get_spec

__all__ = [
    "DEFAULT_TIMEOUT",
    "FAKE_TOKEN",
    "FakeDiscord",
    "FakeFile",
    "HarnessTimeout",
    "InteractionRecord",
    "Perm",
    "RecordedRequest",
    "custom_ids",
    "find_component",
    "loopback_only",
    "message_text",
    "running_bot",
]

FAKE_TOKEN = "fake-token"
"""The only bot token the fake accepts (anything else: 401 on REST, close 4004 on the gateway)."""
API_PREFIX = "/api/v10"
DISCORD_EPOCH = 1420070400000
DEFAULT_TIMEOUT = 3.0
"""Seconds (real time) any ``wait``/``slash``/... waits before failing."""
INTERACTION_DEADLINE = 3.0
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# message flags
EPHEMERAL = 1 << 6
LOADING = 1 << 7
IS_COMPONENTS_V2 = 1 << 15

# gateway intents
_I_GUILDS = 1 << 0
_I_GUILD_MEMBERS = 1 << 1
_I_GUILD_MESSAGES = 1 << 9
_I_DIRECT_MESSAGES = 1 << 12
_I_MESSAGE_CONTENT = 1 << 15


class Perm:
    """Permission bits (ints) for roles, overwrites and interaction payloads."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 51) - 1

    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES
        | READ_MESSAGE_HISTORY | USE_EXTERNAL_EMOJIS | CHANGE_NICKNAME | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS | CREATE_PRIVATE_THREADS | SEND_MESSAGES_IN_THREADS
    )
    BOT_DEFAULT = EVERYONE_DEFAULT | MANAGE_MESSAGES | MANAGE_THREADS
    DM = VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | ADD_REACTIONS \
        | USE_EXTERNAL_EMOJIS | USE_APPLICATION_COMMANDS


class HarnessTimeout(AssertionError):
    """A wait of the harness ran out; the message explains what was awaited and what happened."""


class DiscordHTTPError(Exception):
    """Raised inside route handlers to answer with a Discord-shaped error body."""

    def __init__(self, status: int, code: int, message: str, errors: dict | None = None):
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message, self.errors = status, code, message, errors


def _unknown(kind: str, code: int) -> DiscordHTTPError:
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


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _snowflake_time(sf: int) -> str:
    return datetime.fromtimestamp(((sf >> 22) + DISCORD_EPOCH) / 1000, UTC).isoformat()


def _id(obj: Any) -> int:
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


def _json_response(status: int, data: Any) -> web.Response:
    # discord.py only parses JSON when Content-Type is exactly application/json (no charset)
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def _error_response(err: DiscordHTTPError) -> web.Response:
    body: dict[str, Any] = {"message": err.message, "code": err.code}
    if err.errors is not None:
        body["errors"] = err.errors
    return _json_response(err.status, body)


def _walk(components: Iterable[dict[str, Any]] | None) -> Iterator[dict[str, Any]]:
    for c in components or []:
        if not isinstance(c, dict):
            continue
        yield c
        yield from _walk(c.get("components"))
        for key in ("component", "accessory"):
            if isinstance(c.get(key), dict):
                yield from _walk([c[key]])


def find_component(message: dict[str, Any] | None, custom_id: str) -> dict[str, Any] | None:
    """The component dict with ``custom_id`` anywhere in a message's (or modal's) component tree."""
    if not message:
        return None
    return next((c for c in _walk(message.get("components")) if c.get("custom_id") == custom_id), None)


def custom_ids(message: dict[str, Any] | None) -> list[str]:
    """All ``custom_id`` values of a message's (or modal's) components, in order."""
    return [c["custom_id"] for c in _walk((message or {}).get("components")) if c.get("custom_id")]


def message_text(message: dict[str, Any] | None) -> str:
    """Content plus embed titles/descriptions/fields/footers and text-display components, joined by
    newlines: handy for ``assert "..." in message_text(msg)``."""
    if not message:
        return ""
    parts = [message.get("content") or ""]
    for e in message.get("embeds") or []:
        parts += [(e.get("author") or {}).get("name") or "", e.get("title") or "", e.get("description") or ""]
        for f in e.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((e.get("footer") or {}).get("text") or "")
    for c in _walk(message.get("components")):
        if c.get("type") == 10:
            parts.append(c.get("content") or "")
        if c.get("label"):
            parts.append(c["label"] if isinstance(c["label"], str) else "")
    return "\n".join(p for p in parts if p)


# =====================================================================================================
# interactions
# =====================================================================================================
class InteractionRecord:
    """One interaction the harness sent and everything the bot answered to it.

    Attributes: ``id``, ``token``, ``type`` (2 command, 3 component, 4 autocomplete, 5 modal submit),
    ``payload`` (the INTERACTION_CREATE data sent), ``callback`` (the callback request body, or ``None``),
    ``edits`` (bodies of PATCHes to ``@original``), ``files`` (every :class:`FakeFile` uploaded in
    answer to it), ``latency`` (seconds from dispatch to callback), ``source_message_id`` (the message
    a component/modal came from).

    Awaiting: ``await rec.wait(followups=1)``, ``await rec.finished()``.
    """

    def __init__(self, fake: FakeDiscord, payload: dict[str, Any], kind: str):
        self.fake = fake
        self.payload = payload
        self.kind = kind
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.type: int = payload["type"]
        self.channel_id: int | None = int(payload["channel"]["id"]) if payload.get("channel") else None
        self.guild_id: int | None = int(payload["guild_id"]) if payload.get("guild_id") else None
        self.user: dict[str, Any] = (payload.get("member") or {}).get("user") or payload.get("user") or {}
        self.source_message_id: int | None = int(payload["message"]["id"]) if payload.get("message") else None
        self.dispatched_at: float | None = None
        self.callback: dict[str, Any] | None = None
        self.callback_at: float | None = None
        self.callback_errors: list[str] = []
        self.original_message_id: int | None = None
        self.followup_ids: list[int] = []
        self.edits: list[dict[str, Any]] = []
        self.files: list[FakeFile] = []
        self.late = False
        self.late_acknowledged = False
        self.rejected_callbacks: list[tuple[int, dict[str, Any]]] = []
        self.opener: InteractionRecord | None = None  # for modal submits: the interaction that opened it

    # ---- summary ---------------------------------------------------------------------------------
    def __repr__(self) -> str:
        name = (self.payload.get("data") or {}).get("name") or (self.payload.get("data") or {}).get("custom_id")
        return (f"<InteractionRecord {self.kind} {name!r} id={self.id} callback={self.callback_type} "
                f"followups={len(self.followup_ids)} edits={len(self.edits)}>")

    def describe(self) -> str:
        lines = [repr(self)]
        if self.callback is not None:
            lines.append(f"  callback: {json.dumps(self.callback, ensure_ascii=False)[:300]}")
        if self.message:
            lines.append(f"  @original: {message_text(self.message)[:200]!r} flags={self.message.get('flags')}")
        for m in self.followups:
            lines.append(f"  follow-up {m['id']}: {message_text(m)[:200]!r}")
        return "\n".join(lines)

    # ---- state -----------------------------------------------------------------------------------
    @property
    def callback_type(self) -> int | None:
        """4 message, 5 deferred message (thinking), 6 deferred update, 7 update message,
        8 autocomplete result, 9 modal; ``None`` until the callback arrived."""
        return None if self.callback is None else self.callback.get("type")

    @property
    def callback_data(self) -> dict[str, Any]:
        return (self.callback or {}).get("data") or {}

    @property
    def latency(self) -> float | None:
        """Seconds between dispatching the interaction and receiving its callback."""
        if self.callback_at is None or self.dispatched_at is None:
            return None
        return self.callback_at - self.dispatched_at

    @property
    def deferred(self) -> bool:
        return self.callback_type in (5, 6)

    @property
    def message(self) -> dict[str, Any] | None:
        """The live ``@original`` message: the reply (callback 4/5) or, for 6/7 on a component, the
        message the component is on.  Edits and the deferred first follow-up are already applied."""
        if self.original_message_id is None:
            return None
        return self.fake.messages.get(self.original_message_id)

    @property
    def followups(self) -> list[dict[str, Any]]:
        """Live follow-up messages (a follow-up that replaced a "thinking" reply is the original)."""
        return [self.fake.messages[i] for i in self.followup_ids if i in self.fake.messages]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """``@original`` (if any) followed by the follow-ups, without duplicates."""
        out, seen = [], set()
        for m in ([self.message] if self.message else []) + self.followups:
            if m["id"] not in seen:
                seen.add(m["id"])
                out.append(m)
        return out

    @property
    def final(self) -> dict[str, Any] | None:
        """What the member sees last: the last follow-up if any, else ``@original``."""
        fus = self.followups
        return fus[-1] if fus else self.message

    @property
    def content(self) -> str | None:
        """Content of ``@original`` (``None`` when there is none)."""
        return None if self.message is None else self.message.get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return [] if self.message is None else self.message.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return [] if self.message is None else self.message.get("components") or []

    @property
    def attachments(self) -> list[dict[str, Any]]:
        return [] if self.message is None else self.message.get("attachments") or []

    @property
    def flags(self) -> int:
        if self.message is not None:
            return self.message.get("flags") or 0
        return self.callback_data.get("flags") or 0

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def thinking(self) -> bool:
        """True while a type-5 reply still shows the loading state."""
        return bool(self.message and (self.message.get("flags") or 0) & LOADING)

    @property
    def text(self) -> str:
        """:func:`message_text` of all messages of this interaction, joined."""
        return "\n".join(message_text(m) for m in self.messages)

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal (``custom_id``, ``title``, ``components`` with assigned ids) for callback 9."""
        return self.callback_data if self.callback_type == 9 else None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.callback_data.get("choices") if self.callback_type == 8 else None

    # ---- waiting ---------------------------------------------------------------------------------
    async def wait(self, *, followups: int = 0, edits: int = 0, timeout: float = DEFAULT_TIMEOUT) -> InteractionRecord:
        """Wait until the callback arrived and at least ``followups`` follow-ups / ``edits`` edits of
        ``@original`` were made.  Returns ``self``; raises :class:`HarnessTimeout` otherwise."""
        def done() -> bool:
            return (self.callback is not None and len(self.followup_ids) >= followups
                    and len(self.edits) >= edits)

        what = f"interaction {self!r} to get a callback" + (
            f", {followups} follow-up(s)" if followups else "") + (f", {edits} edit(s)" if edits else "")
        await self.fake.wait_for(done, timeout=timeout, what=what, record=self)
        return self

    async def finished(self, timeout: float = DEFAULT_TIMEOUT) -> InteractionRecord:
        """Wait for the callback; if it was a defer (5/6), also for the edit of ``@original`` or a
        follow-up that delivers the real answer.  Returns ``self``."""
        await self.wait(timeout=timeout)
        if self.deferred:
            await self.fake.wait_for(
                lambda: bool(self.edits or self.followup_ids), timeout=timeout,
                what=f"deferred interaction {self!r} to be completed by an edit or follow-up", record=self)
        return self

    def __await__(self):
        return self.wait().__await__()


# =====================================================================================================
# gateway
# =====================================================================================================
class _GatewayConn:
    def __init__(self, ws: web.WebSocketResponse, path: str):
        self.ws = ws
        self.path = path
        self.lock = asyncio.Lock()
        self.session: GatewaySession | None = None

    @property
    def open(self) -> bool:
        return not self.ws.closed

    async def send(self, payload: dict[str, Any]) -> None:
        async with self.lock:
            if not self.ws.closed:
                try:
                    await self.ws.send_str(json.dumps(payload))
                except (ConnectionError, RuntimeError):
                    pass


class GatewaySession:
    """A gateway session (IDENTIFY creates one, RESUME re-attaches a connection to it)."""

    def __init__(self, session_id: str, identify: dict[str, Any]):
        self.id = session_id
        self.identify = identify
        self.intents: int = int(identify.get("intents") or 0)
        self.conn: _GatewayConn | None = None
        self.seq = 0
        self.events: list[dict[str, Any]] = []
        self.ready_sent = False
        self.resumes = 0

    @property
    def connected(self) -> bool:
        return self.conn is not None and self.conn.open

    async def dispatch(self, event: str, data: Any) -> None:
        self.seq += 1
        payload = {"op": 0, "t": event, "s": self.seq, "d": data}
        self.events.append(payload)
        if len(self.events) > 1000:
            del self.events[:500]
        if self.connected:
            assert self.conn is not None
            await self.conn.send(payload)


# =====================================================================================================
# network guard
# =====================================================================================================
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


def _is_loopback(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def loopback_only(on_violation: Callable[[str], None] | None = None) -> Iterator[None]:
    """Refuse (``PermissionError`` / ``socket.gaierror``) any TCP/UDP connect or name lookup that is
    not loopback while active.  ``on_violation`` is called with a description of each attempt."""
    orig_connect, orig_connect_ex, orig_gai = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            if not _is_loopback(address[0]):
                msg = f"e2e tests may only contact 127.0.0.1; refused connect to {address!r}"
                if on_violation:
                    on_violation(msg)
                raise PermissionError(msg)

    def connect(self, address):  # type: ignore[no-untyped-def]
        check(self, address)
        return orig_connect(self, address)

    def connect_ex(self, address):  # type: ignore[no-untyped-def]
        check(self, address)
        return orig_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not _is_loopback(host):
            msg = f"e2e tests may only contact 127.0.0.1; refused name lookup of {host!r}"
            if on_violation:
                on_violation(msg)
            raise socket.gaierror(socket.EAI_NONAME, msg)
        return orig_gai(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect = orig_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = orig_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = orig_gai  # type: ignore[assignment]


class _ErrorLogCapture(logging.Handler):
    IGNORED = ("Attempting a reconnect in",)

    def __init__(self, sink: list[str]):
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if any(msg.startswith(p) for p in self.IGNORED):
            return
        if record.exc_info:
            msg += "\n" + logging.Formatter().formatException(record.exc_info)
        self.sink.append(f"[{record.name}] {msg}")


@dataclass
class _Req:
    method: str
    path: str
    query: dict[str, str]
    headers: Any
    json: Any
    files: list[FakeFile]
    record: RecordedRequest


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
    joined_at: str = field(default_factory=_now_iso)


# =====================================================================================================
# the fake
# =====================================================================================================
class FakeDiscord:
    """Fake Discord server.  See the module docstring for an overview.

    Construction creates: the application (:attr:`app_id`, bot user :attr:`bot_user`), one guild
    :attr:`guild_id` ("Study Guild") with roles ``@everyone``, ``Admin`` (ADMINISTRATOR) and the bot's
    managed role, a text channel :attr:`channel_id` (``#general``), and users :attr:`owner` (guild owner,
    Admin role), :attr:`alice` (plain member, the default interaction user) and the bot member.

    Parameters: ``spec`` (an :class:`OpenAPISpec`; default: the process-wide one), ``token`` (accepted
    bot token), ``reject_invalid`` (answer schema violations with 400 50035, default True),
    ``enforce_deadline`` (callbacks later than 3 s get 404 10062, default True), ``check_responses``
    (validate the fake's own JSON responses against the spec's response schemas into
    :attr:`response_issues`), ``error_loggers`` (logger names whose ERROR records are captured into
    :attr:`bot_errors`).
    """

    def __init__(
        self,
        *,
        spec: OpenAPISpec | None = None,
        token: str = FAKE_TOKEN,
        app_name: str = "StudyBot",
        reject_invalid: bool = True,
        enforce_deadline: bool = True,
        check_responses: bool = False,
        error_loggers: Iterable[str] = ("discord",),
        guild_locale: str = "en-US",
    ):
        self.spec = spec or get_spec()
        self.token = token
        self.reject_invalid = reject_invalid
        self.enforce_deadline = enforce_deadline
        self.check_responses = check_responses
        self.interaction_deadline = INTERACTION_DEADLINE  # seconds; lower it to test late answers quickly
        self.error_loggers = tuple(error_loggers)
        self._last_sf = 0

        # recorded traffic / problems
        self.requests: list[RecordedRequest] = []
        self.bot_errors: list[str] = []
        self.network_violations: list[str] = []
        self.response_issues: list[str] = []
        self.interactions: list[InteractionRecord] = []
        self.gateway_log: list[tuple[str, str]] = []  # (what, session id) e.g. ("READY", sid)
        self.presences: list[dict[str, Any]] = []

        # state
        self.users: dict[int, dict[str, Any]] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.deleted_channels: set[int] = set()
        self.dm_channels: dict[int, int] = {}  # user id -> channel id
        self.dm_blocked: set[int] = set()
        self.messages: dict[int, dict[str, Any]] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.files: dict[int, FakeFile] = {}  # attachment id -> file
        self.global_commands: list[dict[str, Any]] = []
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.sessions: dict[str, GatewaySession] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self._conns: list[_GatewayConn] = []
        self._tasks: set[asyncio.Task] = set()
        self._changed: asyncio.Event | None = None  # created on start (needs a running loop)
        self._component_id = 0

        self.app_id = self.snowflake()
        self.bot_user = self._user_payload(self.app_id, app_name, bot=True)
        self.users[self.app_id] = self.bot_user
        self.app_name = app_name
        self.owner = self.add_user("owner", global_name="Guild Owner")
        self.alice = self.add_user("alice", global_name="Alice")
        guild = self.add_guild("Study Guild", owner=self.owner, locale=guild_locale)
        self.guild_id = guild.id
        self.admin_role_id = self.add_role(guild.id, "Admin", Perm.ADMINISTRATOR)["id"]
        self.guilds[guild.id].members[_id(self.owner)]["roles"].append(self.admin_role_id)
        self.channel_id = int(self.add_channel(guild.id, "general")["id"])
        self.add_member(guild.id, self.alice)

        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self._patch_saved: tuple[Any, Any] | None = None
        self._stack: contextlib.ExitStack | None = None

    # ------------------------------------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """Value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """Sent in READY; discord.py reconnects (RESUME) here, so it is recorded separately."""
        return f"ws://127.0.0.1:{self.port}/resume-gateway"

    async def start(self) -> FakeDiscord:
        """Start the server on 127.0.0.1 with an ephemeral port (does not patch discord.py)."""
        self._changed = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("GET", "/gateway", self._gateway_handler)
        app.router.add_route("GET", "/resume-gateway", self._gateway_handler)
        app.router.add_route("GET", "/attachments/{channel_id}/{attachment_id}/{filename}", self._cdn_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest_handler)
        app.router.add_route("*", "/{tail:.*}", self._not_api_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Close gateway connections and the server."""
        for conn in list(self._conns):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"fake discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @contextlib.contextmanager
    def patched(self) -> Iterator[FakeDiscord]:
        """Point discord.py at this server (``Route.BASE``, ``DEFAULT_GATEWAY``); restore on exit."""
        import discord.gateway
        import discord.http
        import yarl

        saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield self
        finally:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved

    @contextlib.contextmanager
    def _capture_errors(self) -> Iterator[None]:
        handler = _ErrorLogCapture(self.bot_errors)
        loggers = [logging.getLogger(n) for n in self.error_loggers]
        for lg in loggers:
            lg.addHandler(handler)
        try:
            yield
        finally:
            for lg in loggers:
                lg.removeHandler(handler)

    async def __aenter__(self) -> FakeDiscord:
        """Start, patch discord.py, refuse non-loopback network, capture ``discord`` ERROR logs."""
        await self.start()
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(self.patched())
        self._stack.enter_context(loopback_only(self.network_violations.append))
        self._stack.enter_context(self._capture_errors())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self.stop()
        finally:
            if self._stack is not None:
                self._stack.close()
                self._stack = None

    # ------------------------------------------------------------------------------------------------
    # problems
    # ------------------------------------------------------------------------------------------------
    @property
    def violations(self) -> list[RecordedRequest]:
        """Requests whose body/path broke the OpenAPI schema or a Discord rule (see ``errors``)."""
        return [r for r in self.requests if r.errors and not r.unexpected and not r.acknowledged]

    @property
    def unexpected(self) -> list[RecordedRequest]:
        """Requests to routes the fake does not implement (answered 404 code 0)."""
        return [r for r in self.requests if r.unexpected and not r.acknowledged]

    @property
    def late_callbacks(self) -> list[InteractionRecord]:
        return [r for r in self.interactions if r.late and not r.late_acknowledged]

    def take_violations(self) -> list[RecordedRequest]:
        """Return the current violations and mark them acknowledged, so :meth:`assert_clean` no longer
        counts them (for tests that provoke one on purpose; ``errors`` stay readable)."""
        out = self.violations
        for r in out:
            r.acknowledged = True
        return out

    def take_unexpected(self) -> list[RecordedRequest]:
        """Like :meth:`take_violations` for requests to unimplemented routes."""
        out = self.unexpected
        for r in out:
            r.acknowledged = True
        return out

    def take_late_callbacks(self) -> list[InteractionRecord]:
        """Return interactions answered too late and stop counting them as problems."""
        out = self.late_callbacks
        for rec in out:
            rec.late_acknowledged = True
        return out

    def take_bot_errors(self) -> list[str]:
        """Return and forget captured ERROR log records (for tests that expect the bot to log one)."""
        out, self.bot_errors[:] = list(self.bot_errors), []
        return out

    def problems(self) -> list[str]:
        """Human-readable list of everything :meth:`assert_clean` complains about."""
        out: list[str] = []
        for r in self.violations:
            out.append(f"schema/rule violation: {r}")
            out += [f"    {e}" for e in r.errors]
            if r.json is not None:
                out.append(f"    body: {json.dumps(r.json, ensure_ascii=False)[:400]}")
        for r in self.unexpected:
            out.append(f"unexpected route: {r} (not implemented by FakeDiscord)")
        for rec in self.late_callbacks:
            out.append(f"interaction answered after the 3 s deadline: {rec!r} latency={rec.latency:.3f}s")
        for e in self.bot_errors:
            out.append(f"bot logged an error: {e}")
        for n in self.network_violations:
            out.append(f"network: {n}")
        return out

    def assert_clean(self) -> None:
        """Fail with a readable list of violations, unexpected routes, late callbacks, bot errors and
        non-loopback network attempts (the ``fake_discord`` fixture calls this at teardown)."""
        problems = self.problems()
        if problems:
            raise AssertionError("FakeDiscord found problems:\n  " + "\n  ".join(problems))

    def _diagnose(self, what: str, record: InteractionRecord | None = None) -> str:
        lines = [f"timed out waiting for {what}"]
        if record is not None:
            lines.append(record.describe())
            for status, body in record.rejected_callbacks:
                lines.append(f"  rejected callback ({status}): {json.dumps(body)[:200]}")
        if not any(s.connected and s.ready_sent for s in self.sessions.values()):
            lines.append("no bot is connected to the gateway")
        lines.append("last requests:")
        lines += [f"  {r}" + (f"  ERRORS: {r.errors}" if r.errors else "") for r in self.requests[-8:]] or ["  (none)"]
        if self.bot_errors:
            lines.append("bot errors:")
            lines += [f"  {e[:2000]}" for e in self.bot_errors[-3:]]
        return "\n".join(lines)

    # ------------------------------------------------------------------------------------------------
    # waiting
    # ------------------------------------------------------------------------------------------------
    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait_for(self, predicate: Callable[[], Any], *, timeout: float = DEFAULT_TIMEOUT,
                       what: str = "a condition", record: InteractionRecord | None = None) -> Any:
        """Wait until ``predicate()`` is truthy and return its value, or raise :class:`HarnessTimeout`
        after ``timeout`` seconds.  The predicate is re-checked on every fake-side change (request,
        gateway message) and, for predicates on the bot's own state, at least every 20 ms."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise HarnessTimeout(self._diagnose(what, record))
            if self._changed is None:
                self._changed = asyncio.Event()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.02))

    async def wait_for_message(self, channel: Any = None, *, check: Callable[[dict], bool] | None = None,
                               since: int = 0, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """First stored message (in ``channel`` if given; ephemeral ones included) whose index in
        creation order is >= ``since`` (see :meth:`mark`) and that passes ``check``."""
        cid = None if channel is None else _id(channel)

        def find() -> dict[str, Any] | None:
            for m in list(self.messages.values())[since:]:
                if cid is not None and int(m["channel_id"]) != cid:
                    continue
                if check is None or check(m):
                    return m
            return None

        return await self.wait_for(find, timeout=timeout, what=f"a message in channel {cid}")

    def mark(self) -> int:
        """A position in the message history, for ``wait_for_message(since=...)``."""
        return len(self.messages)

    async def wait_for_request(self, method: str, path_regex: str, *, since: int = 0,
                               timeout: float = DEFAULT_TIMEOUT) -> RecordedRequest:
        """First recorded request (index >= ``since``) with ``method`` whose path fully matches the regex."""
        rx = re.compile(path_regex)

        def find() -> RecordedRequest | None:
            return next((r for r in self.requests[since:] if r.method == method.upper() and rx.fullmatch(r.path)
                         and r.status is not None), None)

        return await self.wait_for(find, timeout=timeout, what=f"a {method} {path_regex} request")

    # ------------------------------------------------------------------------------------------------
    # ids & payload builders
    # ------------------------------------------------------------------------------------------------
    def snowflake(self) -> int:
        """A fresh, increasing snowflake id."""
        sf = (int(time.time() * 1000) - DISCORD_EPOCH) << 22
        if sf <= self._last_sf:
            sf = self._last_sf + 1
        self._last_sf = sf
        return sf

    @staticmethod
    def _user_payload(uid: int, username: str, *, bot: bool = False, global_name: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": str(uid), "username": username, "discriminator": "0" if not bot else "0001",
            "global_name": global_name if not bot else None, "avatar": None, "avatar_decoration_data": None,
            "banner": None, "accent_color": None, "public_flags": 0, "flags": 0, "primary_guild": None,
            "collectibles": None,
        }
        if bot:
            d["bot"] = True
        return d

    def _role_payload(self, rid: int, name: str, permissions: int, position: int, **extra: Any) -> dict[str, Any]:
        d = {
            "id": str(rid), "name": name, "description": None, "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False, "icon": None, "unicode_emoji": None, "position": position,
            "permissions": str(permissions), "managed": False, "mentionable": False, "flags": 0,
        }
        d.update(extra)
        return d

    # ------------------------------------------------------------------------------------------------
    # state API for tests
    # ------------------------------------------------------------------------------------------------
    def add_user(self, username: str, *, global_name: str | None = None, bot: bool = False,
                 user_id: int | None = None) -> dict[str, Any]:
        """Create a user (not yet in any guild); returns its Discord user dict (``"id"`` is a str)."""
        uid = user_id or self.snowflake()
        u = self._user_payload(uid, username, bot=bot, global_name=global_name)
        self.users[uid] = u
        return u

    def user(self, user: Any) -> dict[str, Any]:
        """The user dict for an id / dict / object with ``.id``."""
        uid = _id(user)
        if uid not in self.users:
            raise KeyError(f"FakeDiscord has no user {uid}")
        return self.users[uid]

    def add_guild(self, name: str, *, owner: Any = None, locale: str = "en-US",
                  everyone_permissions: int = Perm.EVERYONE_DEFAULT) -> FakeGuild:
        """Create a guild the bot is in (with ``@everyone`` and the bot's managed role, owner and bot as
        members).  Dispatches GUILD_CREATE when a bot is connected."""
        gid = self.snowflake()
        owner_id = _id(owner) if owner is not None else _id(self.owner)
        g = FakeGuild(id=gid, name=name, owner_id=owner_id, locale=locale)
        g.roles[gid] = self._role_payload(gid, "@everyone", everyone_permissions, 0)
        bot_role = self.snowflake()
        g.roles[bot_role] = self._role_payload(bot_role, self.bot_user["username"], Perm.BOT_DEFAULT, 1,
                                               managed=True, tags={"bot_id": str(self.app_id)})
        self.guilds[gid] = g
        self.add_member(gid, owner_id, dispatch=False)
        self.add_member(gid, self.app_id, roles=[bot_role], dispatch=False)
        self._spawn(self._dispatch_all("GUILD_CREATE", lambda s: self._guild_create_payload(g), _I_GUILDS))
        return g

    def remove_guild(self, guild: Any) -> None:
        """The bot leaves/loses the guild (GUILD_DELETE)."""
        gid = _id(guild)
        g = self.guilds.pop(gid)
        for cid in g.channel_ids:
            self.channels.pop(cid, None)
        self._spawn(self._dispatch_all("GUILD_DELETE", lambda s: {"id": str(gid), "unavailable": False}, _I_GUILDS))

    def add_role(self, guild: Any, name: str, permissions: int = 0) -> dict[str, Any]:
        """Create a role; returns the role dict (``"id"`` is a str)."""
        g = self.guilds[_id(guild)]
        rid = self.snowflake()
        role = self._role_payload(rid, name, permissions, len(g.roles))
        g.roles[rid] = role
        self._spawn(self._dispatch_all("GUILD_ROLE_CREATE", lambda s: {"guild_id": str(g.id), "role": role}, _I_GUILDS))
        return role

    def add_member(self, guild: Any, user: Any, *, roles: Iterable[Any] = (), nick: str | None = None,
                   dispatch: bool = True) -> dict[str, Any]:
        """Add a user (id/dict; must exist, see :meth:`add_user`) to a guild with role ids."""
        g = self.guilds[_id(guild)]
        u = self.user(user)
        m = {
            "user": u, "nick": nick, "avatar": None, "banner": None, "roles": [str(_id(r)) for r in roles],
            "joined_at": _now_iso(), "premium_since": None, "deaf": False, "mute": False, "pending": False,
            "flags": 0, "communication_disabled_until": None,
        }
        g.members[_id(u)] = m
        if dispatch:
            self._spawn(self._dispatch_all("GUILD_MEMBER_ADD", lambda s: {**m, "guild_id": str(g.id)}, _I_GUILD_MEMBERS))
        return m

    def remove_member(self, guild: Any, user: Any) -> None:
        """The member leaves (or is kicked from) the guild: their interactions there are refused from now
        on.  GUILD_MEMBER_REMOVE goes only to bots with the (privileged) GUILD_MEMBERS intent."""
        g = self.guilds[_id(guild)]
        u = self.user(user)
        del g.members[_id(u)]
        self._spawn(self._dispatch_all("GUILD_MEMBER_REMOVE", lambda s: {"guild_id": str(g.id), "user": u},
                                       _I_GUILD_MEMBERS))

    def add_channel(self, guild: Any, name: str, *, topic: str | None = None, type: int = 0,
                    parent_id: Any = None) -> dict[str, Any]:
        """Create a text channel (``type`` 0) or category (4); returns the channel dict.  CHANNEL_CREATE."""
        g = self.guilds[_id(guild)]
        cid = self.snowflake()
        ch = {
            "id": str(cid), "type": type, "guild_id": str(g.id), "name": name, "position": len(g.channel_ids),
            "permission_overwrites": [], "topic": topic, "nsfw": False, "last_message_id": None,
            "rate_limit_per_user": 0, "parent_id": str(_id(parent_id)) if parent_id else None, "flags": 0,
            "default_thread_rate_limit_per_user": 0, "default_auto_archive_duration": 1440,
            "last_pin_timestamp": None,
        }
        self.channels[cid] = ch
        g.channel_ids.append(cid)
        self.channel_messages[cid] = []
        self._spawn(self._dispatch_all("CHANNEL_CREATE", lambda s: ch, _I_GUILDS))
        return ch

    def add_thread(self, parent: Any, name: str, *, type: int = 11) -> dict[str, Any]:
        """A thread (``type`` 11 public, 12 private) under a text channel, as if a member had started it;
        permissions are the parent's (SEND_MESSAGES_IN_THREADS to post).  THREAD_CREATE."""
        th = self._new_thread(self.channel(parent), self.snowflake(), name, {}, type)
        th["owner_id"] = str(_id(self.alice))
        th.pop("member")  # the bot has not joined it
        self._spawn(self._dispatch_all("THREAD_CREATE", lambda s: {**th, "newly_created": True}, _I_GUILDS))
        return th

    def channel(self, channel: Any) -> dict[str, Any]:
        return self.channels[_id(channel)]

    def deny_bot(self, channel: Any, permissions: int = Perm.SEND_MESSAGES) -> None:
        """Add a member overwrite denying ``permissions`` to the bot in ``channel`` (CHANNEL_UPDATE).
        REST calls needing them then answer 403 ``50013 Missing Permissions``."""
        self.set_overwrite(channel, self.app_id, deny=permissions, type=1)

    def set_overwrite(self, channel: Any, target: Any, *, allow: int = 0, deny: int = 0, type: int = 0) -> None:
        """Set a permission overwrite (``type`` 0 role, 1 member) on a channel (CHANNEL_UPDATE)."""
        ch = self.channel(channel)
        tid = str(_id(target))
        ows = [o for o in ch["permission_overwrites"] if o["id"] != tid]
        ows.append({"id": tid, "type": type, "allow": str(allow), "deny": str(deny)})
        ch["permission_overwrites"] = ows
        self._spawn(self._dispatch_all("CHANNEL_UPDATE", lambda s: ch, _I_GUILDS))

    def delete_channel(self, channel: Any, *, dispatch: bool = True) -> None:
        """Delete a channel: REST on it answers 404 ``10003 Unknown Channel``.  With ``dispatch=False``
        the bot is not told (CHANNEL_DELETE), like a stale cache."""
        cid = _id(channel)
        ch = self.channels.pop(cid)
        self.deleted_channels.add(cid)
        # Discord deletes a channel's threads with it (they answered 500 here: their parent was missing)
        for tid in [t for t, c in self.channels.items() if c.get("parent_id") == str(cid) and c["type"] in (10, 11, 12)]:
            self.channels.pop(tid)
            self.deleted_channels.add(tid)
        if ch.get("guild_id"):
            g = self.guilds.get(int(ch["guild_id"]))
            if g and cid in g.channel_ids:
                g.channel_ids.remove(cid)
        if dispatch:
            event = "THREAD_DELETE" if ch["type"] in (10, 11, 12) else "CHANNEL_DELETE"
            self._spawn(self._dispatch_all(event, lambda s: ch, _I_GUILDS))

    def block_dms(self, user: Any) -> None:
        """DMs to this user fail with 403 ``50007 Cannot send messages to this user``."""
        self.dm_blocked.add(_id(user))

    def messages_in(self, channel: Any, *, include_ephemeral: bool = False) -> list[dict[str, Any]]:
        """Messages of a channel, oldest first (ephemeral interaction replies only if asked)."""
        ids = self.channel_messages.get(_id(channel), [])
        out = [self.messages[i] for i in ids if i in self.messages]
        if not include_ephemeral:
            out = [m for m in out if not (m.get("flags") or 0) & EPHEMERAL]
        return out

    def last_message(self, channel: Any = None, *, include_ephemeral: bool = False) -> dict[str, Any] | None:
        """The newest stored message (of ``channel`` if given; ephemeral ones only if asked)."""
        if channel is not None:
            msgs = self.messages_in(channel, include_ephemeral=include_ephemeral)
        else:
            msgs = [m for m in self.messages.values()
                    if include_ephemeral or not (m.get("flags") or 0) & EPHEMERAL]
        return msgs[-1] if msgs else None

    def get_message(self, message: Any) -> dict[str, Any]:
        return self.messages[_id(message)]

    def files_of(self, message: Any) -> list[FakeFile]:
        """The uploaded files (name + bytes) behind a message's attachments."""
        m = message if isinstance(message, dict) and "attachments" in message else self.get_message(message)
        return [self.files[int(a["id"])] for a in m.get("attachments") or [] if int(a["id"]) in self.files]

    def dm_channel_id(self, user: Any) -> int | None:
        """The DM channel id between the bot and ``user`` if one was created."""
        return self.dm_channels.get(_id(user))

    def dm_messages(self, user: Any) -> list[dict[str, Any]]:
        """Messages in the bot's DM channel with ``user`` (empty if none)."""
        cid = self.dm_channel_id(user)
        return [] if cid is None else self.messages_in(cid, include_ephemeral=True)

    def commands(self, guild: Any = None) -> list[dict[str, Any]]:
        """The synced global commands, or the guild's commands."""
        return self.global_commands if guild is None else self.guild_commands.get(_id(guild), [])

    def requests_for(self, operation_id: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.operation_id == operation_id]

    # ------------------------------------------------------------------------------------------------
    # permissions
    # ------------------------------------------------------------------------------------------------
    def base_permissions(self, guild: Any, user: Any) -> int:
        g = self.guilds[_id(guild)]
        uid = _id(user)
        if uid == g.owner_id:
            return Perm.ALL
        member = g.members.get(uid)
        perms = int(g.roles[g.id]["permissions"])
        for rid in (member or {}).get("roles", []):
            role = g.roles.get(int(rid))
            if role:
                perms |= int(role["permissions"])
        return Perm.ALL if perms & Perm.ADMINISTRATOR else perms

    def permissions_in(self, channel: Any, user: Any) -> int:
        """Discord's permission computation for ``user`` in a guild channel (threads use the parent)."""
        ch = self.channel(channel)
        if ch["type"] in (10, 11, 12):
            ch = self.channel(ch["parent_id"])
        if not ch.get("guild_id"):
            return Perm.DM
        g = self.guilds[int(ch["guild_id"])]
        perms = self.base_permissions(g.id, user)
        if perms & Perm.ADMINISTRATOR:
            return Perm.ALL
        uid = _id(user)
        member = g.members.get(uid) or {"roles": []}
        ows = {o["id"]: o for o in ch.get("permission_overwrites") or []}
        if str(g.id) in ows:
            o = ows[str(g.id)]
            perms = (perms & ~int(o["deny"])) | int(o["allow"])
        allow = deny = 0
        for rid in member["roles"]:
            if str(rid) in ows:
                allow |= int(ows[str(rid)]["allow"])
                deny |= int(ows[str(rid)]["deny"])
        perms = (perms & ~deny) | allow
        if str(uid) in ows:
            o = ows[str(uid)]
            perms = (perms & ~int(o["deny"])) | int(o["allow"])
        return perms

    def _require(self, channel_id: int, needed: int) -> None:
        ch = self.channels[channel_id]
        if not ch.get("guild_id"):
            return
        have = self.permissions_in(channel_id, self.app_id)
        if have & needed != needed:
            raise DiscordHTTPError(403, 50013, "Missing Permissions")

    # ------------------------------------------------------------------------------------------------
    # gateway payloads & dispatch
    # ------------------------------------------------------------------------------------------------
    def _guild_create_payload(self, g: FakeGuild) -> dict[str, Any]:
        channels, threads = [], []
        for cid in g.channel_ids:
            ch = self.channels.get(cid)
            if ch is None:
                continue
            (threads if ch["type"] in (10, 11, 12) else channels).append(ch)
        return {
            "id": str(g.id), "name": g.name, "icon": None, "icon_hash": None, "splash": None,
            "discovery_splash": None, "owner_id": str(g.owner_id), "afk_channel_id": None, "afk_timeout": 300,
            "widget_enabled": False, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "roles": list(g.roles.values()), "emojis": [], "features": [],
            "mfa_level": 0, "application_id": None, "system_channel_id": None, "system_channel_flags": 0,
            "rules_channel_id": None, "max_members": 500000, "vanity_url_code": None, "description": None,
            "banner": None, "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": g.locale,
            "public_updates_channel_id": None, "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None, "incidents_data": None,
            "joined_at": g.joined_at, "large": False, "unavailable": False, "member_count": len(g.members),
            "voice_states": [], "members": list(g.members.values()), "channels": channels, "threads": threads,
            "presences": [], "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
        }

    def _live_sessions(self) -> list[GatewaySession]:
        return [s for s in self.sessions.values() if s.connected and s.ready_sent]

    async def _dispatch_all(self, event: str, build: Callable[[GatewaySession], Any], intent: int = 0) -> None:
        for s in self._live_sessions():
            if intent and not (s.intents & intent):
                continue
            await s.dispatch(event, build(s))
        self._notify()

    def _spawn(self, coro: Any) -> None:
        """Run a gateway dispatch caused by a synchronous state change in the background."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coro.close()
            return
        if not self._live_sessions():
            coro.close()
            return
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def flush(self) -> None:
        """Wait until gateway events caused by state changes (``add_guild``, ``deny_bot``, ...) were
        sent.  The bot handles them shortly after; wait for its state with :meth:`wait_for`."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def dispatch(self, event: str, data: Any) -> None:
        """Send any gateway DISPATCH event to all connected bots (escape hatch for tests)."""
        await self._dispatch_all(event, lambda s: data)

    def _gateway_message(self, msg: dict[str, Any], session: GatewaySession) -> dict[str, Any] | None:
        """A message as the gateway sends it (guild_id, member), or None if intents hide it."""
        cid = int(msg["channel_id"])
        ch = self.channels.get(cid)
        d = copy.deepcopy(msg)
        if ch is not None and ch.get("guild_id"):
            if not session.intents & _I_GUILD_MESSAGES:
                return None
            d["guild_id"] = ch["guild_id"]
            g = self.guilds.get(int(ch["guild_id"]))
            member = g.members.get(int(msg["author"]["id"])) if g else None
            if member:
                d["member"] = {k: v for k, v in member.items() if k != "user"}
        else:
            if not session.intents & _I_DIRECT_MESSAGES:
                return None
        author_id = int(msg["author"]["id"])
        mentioned = any(int(u["id"]) == self.app_id for u in msg.get("mentions") or [])
        if (not session.intents & _I_MESSAGE_CONTENT and author_id != self.app_id and not mentioned
                and ch is not None and ch.get("guild_id")):
            d.update(content="", embeds=[], attachments=[], components=[])
        return d

    async def _dispatch_message(self, event: str, msg: dict[str, Any]) -> None:
        if (msg.get("flags") or 0) & EPHEMERAL:
            return
        for s in self._live_sessions():
            d = self._gateway_message(msg, s)
            if d is not None:
                await s.dispatch(event, d)
        self._notify()

    async def user_message(self, channel: Any, content: str, *, user: Any = None,
                           mentions: Iterable[Any] = ()) -> dict[str, Any]:
        """A member posts a plain message (MESSAGE_CREATE, intent-gated, content hidden without the
        message-content intent unless it mentions the bot)."""
        cid = _id(channel)
        author = self.user(user if user is not None else self.alice)
        msg = self._new_message(cid, author, {"content": content}, [], type_=0)
        msg["mentions"] = [self.user(u) for u in mentions]
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return msg

    # ------------------------------------------------------------------------------------------------
    # gateway connection
    # ------------------------------------------------------------------------------------------------
    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _GatewayConn(ws, request.path)
        self._conns.append(conn)
        self.gateway_log.append(("CONNECT", request.path))
        await conn.send({"op": 10, "d": {"heartbeat_interval": 41250, "_trace": ["fake-gateway"]}})
        try:
            async for m in ws:
                if m.type == WSMsgType.TEXT:
                    await self._gateway_op(conn, json.loads(m.data))
                elif m.type == WSMsgType.BINARY:
                    await self._gateway_op(conn, json.loads(m.data.decode()))
                elif m.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                    break
        finally:
            self._conns.remove(conn)
            self.gateway_log.append(("DISCONNECT", conn.session.id if conn.session else ""))
            self._notify()
        return ws

    async def _gateway_op(self, conn: _GatewayConn, msg: dict[str, Any]) -> None:
        op, d = msg.get("op"), msg.get("d")
        if op == 1:  # heartbeat
            await conn.send({"op": 11})
        elif op == 2:  # identify
            if d.get("token") != self.token:
                self.gateway_log.append(("IDENTIFY-FAILED", ""))
                await conn.ws.close(code=4004, message=b"Authentication failed.")
                return
            sid = secrets.token_hex(16)
            session = GatewaySession(sid, d)
            self.sessions[sid] = session
            session.conn, conn.session = conn, session
            self.gateway_log.append(("IDENTIFY", sid))
            await session.dispatch("READY", {
                "v": 10, "user_settings": {}, "user": {**self.bot_user, "verified": True, "mfa_enabled": False,
                                                       "email": None},
                "guilds": [{"id": str(gid), "unavailable": True} for gid in self.guilds],
                "session_id": sid, "session_type": "normal", "resume_gateway_url": self.resume_gateway_url,
                "shard": d.get("shard") or [0, 1], "application": {"id": str(self.app_id), "flags": 0},
                "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
                "geo_ordered_rtc_regions": [], "auth": {}, "_trace": ["fake-gateway"],
            })
            session.ready_sent = True
            self.gateway_log.append(("READY", sid))
            for g in list(self.guilds.values()):
                if session.intents & _I_GUILDS:
                    await session.dispatch("GUILD_CREATE", self._guild_create_payload(g))
            self._notify()
        elif op == 6:  # resume
            session = self.sessions.get(d.get("session_id"))
            if session is None or d.get("token") != self.token:
                self.gateway_log.append(("RESUME-FAILED", str(d.get("session_id"))))
                await conn.send({"op": 9, "d": False})
                return
            if session.conn is not None and session.conn is not conn and session.conn.open:
                with contextlib.suppress(Exception):
                    await session.conn.ws.close(code=4000)
            session.conn, conn.session = conn, session
            session.resumes += 1
            seq = d.get("seq") or 0
            for ev in list(session.events):
                if ev["s"] > seq:
                    await conn.send(ev)
            await session.dispatch("RESUMED", {"_trace": ["fake-gateway"]})
            self.gateway_log.append(("RESUMED", session.id))
            self._notify()
        elif op == 3:
            self.presences.append(d)
            self._notify()
        elif op == 8:  # request guild members
            g = self.guilds.get(int(d["guild_id"]))
            if g is not None and conn.session is not None:
                members = list(g.members.values())
                if d.get("user_ids"):
                    want = {int(u) for u in (d["user_ids"] if isinstance(d["user_ids"], list) else [d["user_ids"]])}
                    members = [m for m in members if int(m["user"]["id"]) in want]
                elif d.get("query"):
                    members = [m for m in members if m["user"]["username"].startswith(d["query"])]
                await conn.session.dispatch("GUILD_MEMBERS_CHUNK", {
                    "guild_id": str(g.id), "members": members, "chunk_index": 0, "chunk_count": 1,
                    "not_found": [], "nonce": d.get("nonce"),
                })
        # op 4 (voice) and others are ignored

    async def wait_until_connected(self, *, since: int = 0, timeout: float = DEFAULT_TIMEOUT) -> GatewaySession:
        """Wait for a READY or RESUMED recorded at or after ``gateway_log[since]``; returns the live session."""
        def ok() -> GatewaySession | None:
            if any(w in ("READY", "RESUMED") for w, _ in self.gateway_log[since:]):
                live = self._live_sessions()
                return live[-1] if live else None
            return None

        return await self.wait_for(ok, timeout=timeout, what="the bot to (re)connect to the gateway")

    async def disconnect(self, *, resume: bool = True, wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Drop the bot's gateway connection.  ``resume=True``: close with 4000 (discord.py reconnects
        at once to ``resume_gateway_url`` and RESUMEs; missed events are replayed); ``resume=False``:
        op 9 invalid session (discord.py re-IDENTIFYs, gets READY + GUILD_CREATE, on_ready fires again).
        With ``wait`` returns once the bot is connected again."""
        live = self._live_sessions()
        if not live:
            raise RuntimeError("no bot connected to the fake gateway")
        session = live[-1]
        mark = len(self.gateway_log)
        assert session.conn is not None
        if resume:
            await session.conn.ws.close(code=4000, message=b"fake: reconnect please")
        else:
            await session.conn.send({"op": 9, "d": False})
        if wait:
            await self.wait_until_connected(since=mark, timeout=timeout)

    # ------------------------------------------------------------------------------------------------
    # REST plumbing
    # ------------------------------------------------------------------------------------------------
    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any], bool]]:
        if hasattr(self, "_route_table"):
            return self._route_table
        S = r"(?P<{}>\d+)"
        app = S.format("application_id")
        ch = S.format("channel_id")
        msg = S.format("message_id")
        gid = S.format("guild_id")
        cmd = S.format("command_id")
        tok = r"(?P<token>[^/]+)"
        table = [
            ("GET", r"/users/@me", self._r_get_me, True),
            ("POST", r"/users/@me/channels", self._r_create_dm, True),
            ("GET", rf"/users/{S.format('user_id')}", self._r_get_user, True),
            ("GET", r"/oauth2/applications/@me", self._r_get_app, True),
            ("GET", r"/applications/@me", self._r_get_app, True),
            ("GET", rf"/applications/{app}/commands", self._r_list_commands, True),
            ("PUT", rf"/applications/{app}/commands", self._r_put_commands, True),
            ("POST", rf"/applications/{app}/commands", self._r_post_command, True),
            ("GET", rf"/applications/{app}/commands/{cmd}", self._r_get_command, True),
            ("PATCH", rf"/applications/{app}/commands/{cmd}", self._r_patch_command, True),
            ("DELETE", rf"/applications/{app}/commands/{cmd}", self._r_delete_command, True),
            ("GET", rf"/applications/{app}/guilds/{gid}/commands", self._r_list_commands, True),
            ("PUT", rf"/applications/{app}/guilds/{gid}/commands", self._r_put_commands, True),
            ("POST", rf"/applications/{app}/guilds/{gid}/commands", self._r_post_command, True),
            ("GET", rf"/applications/{app}/guilds/{gid}/commands/{cmd}", self._r_get_command, True),
            ("PATCH", rf"/applications/{app}/guilds/{gid}/commands/{cmd}", self._r_patch_command, True),
            ("DELETE", rf"/applications/{app}/guilds/{gid}/commands/{cmd}", self._r_delete_command, True),
            ("GET", rf"/guilds/{gid}", self._r_get_guild, True),
            ("GET", rf"/guilds/{gid}/channels", self._r_guild_channels, True),
            ("GET", rf"/guilds/{gid}/members/{S.format('user_id')}", self._r_get_member, True),
            ("GET", rf"/channels/{ch}", self._r_get_channel, True),
            ("PATCH", rf"/channels/{ch}", self._r_patch_channel, True),
            ("GET", rf"/channels/{ch}/messages", self._r_list_messages, True),
            ("POST", rf"/channels/{ch}/messages", self._r_create_message, True),
            ("GET", rf"/channels/{ch}/messages/{msg}", self._r_get_message, True),
            ("PATCH", rf"/channels/{ch}/messages/{msg}", self._r_edit_message, True),
            ("DELETE", rf"/channels/{ch}/messages/{msg}", self._r_delete_message, True),
            ("POST", rf"/channels/{ch}/messages/{msg}/threads", self._r_thread_from_message, True),
            ("POST", rf"/channels/{ch}/threads", self._r_thread_without_message, True),
            ("PUT", rf"/channels/{ch}/messages/{msg}/reactions/(?P<emoji>[^/]+)/@me", self._r_add_reaction, True),
            ("DELETE", rf"/channels/{ch}/messages/{msg}/reactions/(?P<emoji>[^/]+)/@me", self._r_remove_reaction, True),
            ("POST", rf"/channels/{ch}/typing", self._r_typing, True),
            ("POST", rf"/interactions/(?P<interaction_id>\d+)/{tok}/callback", self._r_callback, False),
            ("POST", rf"/webhooks/{app}/{tok}", self._r_execute_webhook, False),
            ("GET", rf"/webhooks/{app}/{tok}/messages/(?P<message_id>@original|\d+)", self._r_get_webhook_message, False),
            ("PATCH", rf"/webhooks/{app}/{tok}/messages/(?P<message_id>@original|\d+)", self._r_edit_webhook_message, False),
            ("DELETE", rf"/webhooks/{app}/{tok}/messages/(?P<message_id>@original|\d+)", self._r_delete_webhook_message, False),
        ]
        self._route_table = [(m, re.compile(p + "/?"), h, a) for m, p, h, a in table]
        return self._route_table

    async def _read_body(self, request: web.Request) -> tuple[Any, list[FakeFile], bool]:
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            payload: Any = None
            files: list[FakeFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                name = part.name or ""
                data = await part.read(decode=False)
                if name == "payload_json":
                    payload = json.loads(bytes(data).decode())
                else:
                    m = re.fullmatch(r"files\[(\d+)\]", name)
                    files.append(FakeFile(part.filename or name, bytes(data), part.headers.get("Content-Type"),
                                          index=int(m.group(1)) if m else len(files)))
            return payload, files, True
        raw = await request.read()
        if not raw:
            return None, [], False
        if ctype == "application/json":
            return json.loads(raw), [], True
        return raw.decode(errors="replace"), [], True

    async def _not_api_handler(self, request: web.Request) -> web.Response:
        rec = RecordedRequest(request.method, request.path, dict(request.query), None, [], None,
                              ["not under /api/v10"], 404, True, time.monotonic())
        self.requests.append(rec)
        self._notify()
        return _json_response(404, {"message": "404: Not Found", "code": 0})

    async def _cdn_handler(self, request: web.Request) -> web.Response:
        f = self.files.get(int(request.match_info["attachment_id"]))
        if f is None:
            return _json_response(404, {"message": "404: Not Found", "code": 0})
        return web.Response(body=f.data, headers={"Content-Type": f.content_type or "application/octet-stream"})

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        try:
            body, files, has_body = await self._read_body(request)
        except Exception as exc:  # malformed body
            body, files, has_body = None, [], False
            bad = f"unreadable body: {exc!r}"
        else:
            bad = None
        check = self.spec.check(method, path, body, has_body=has_body)
        rec = RecordedRequest(method, path, dict(request.query), body, files, check.operation_id,
                              list(check.errors) + ([bad] if bad else []), None, False, time.monotonic())
        self.requests.append(rec)
        try:
            route = None
            for m, rx, handler, auth in self._routes():
                if m == method:
                    mt = rx.fullmatch(path)
                    if mt:
                        route = (handler, auth, mt.groupdict())
                        break
            if route is None:
                rec.unexpected = True
                if check.operation is None:
                    rec.errors = [f"no such Discord route {method} {path}"]
                raise DiscordHTTPError(404, 0, "404: Not Found")
            handler, auth, params = route
            if auth and request.headers.get("Authorization") != f"Bot {self.token}":
                raise DiscordHTTPError(401, 0, "401: Unauthorized")
            if rec.errors and self.reject_invalid:
                raise DiscordHTTPError(400, 50035, "Invalid Form Body",
                                       {"_errors": [{"code": "FAKE_SCHEMA", "message": e} for e in rec.errors]})
            req = _Req(method, path, dict(request.query), request.headers, body, files, rec)
            status, data = await handler(req, **params)
            rec.status = status
            if self.check_responses and data is not None and check.operation is not None:
                self._check_response(check.operation, status, data, rec)
            if status == 204 or data is None:
                return web.Response(status=204)
            return _json_response(status, data)
        except DiscordHTTPError as err:
            rec.status = err.status
            return _error_response(err)
        finally:
            self._notify()

    def _check_response(self, op: Any, status: int, data: Any, rec: RecordedRequest) -> None:
        node = self.spec.spec["paths"][op.template][op.method.lower()]
        content = ((node.get("responses") or {}).get(str(status)) or {}).get("content") or {}
        if "application/json" not in content:
            return
        pointer = "/".join(["", "paths", op.template.replace("~", "~0").replace("/", "~1"), op.method.lower(),
                            "responses", str(status), "content", "application~1json", "schema"])
        from .openapi_check import format_errors
        errs = format_errors(self.spec.validator_for_pointer(pointer, request=False).iter_errors(data))
        for e in errs:
            self.response_issues.append(f"{rec.method} {rec.path} ({op.operation_id}) response: {e}")

    # ------------------------------------------------------------------------------------------------
    # REST: users, application, guilds
    # ------------------------------------------------------------------------------------------------
    async def _r_get_me(self, req: _Req) -> tuple[int, Any]:
        return 200, {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US",
                     "premium_type": 0}

    async def _r_get_user(self, req: _Req, user_id: str) -> tuple[int, Any]:
        u = self.users.get(int(user_id))
        if u is None:
            raise _unknown("User", 10013)
        return 200, u

    async def _r_get_app(self, req: _Req) -> tuple[int, Any]:
        return 200, {
            "id": str(self.app_id), "name": self.app_name, "icon": None, "description": "", "summary": "",
            "type": None, "bot": self.bot_user, "rpc_origins": [], "bot_public": True,
            "bot_require_code_grant": False, "integration_types_config": {"0": {}}, "verify_key": "ab" * 32,
            "flags": 0, "flags_new": "0", "approximate_user_authorization_count": 0,
            "eligible_oauth2_scopes": ["bot", "applications.commands"], "tags": [], "redirect_uris": [],
            "interactions_endpoint_url": None, "role_connections_verification_url": None,
            "owner": self.owner, "team": None, "approximate_guild_count": len(self.guilds),
            "approximate_user_install_count": 0, "explicit_content_filter": 0, "hook": True,
            "interactions_event_types": [], "interactions_version": 1, "is_monetized": False,
            "is_verified": False, "is_discoverable": False, "storefront_available": False,
            "monetization_state": 1, "verification_state": 1, "store_application_state": 1,
            "rpc_application_state": 0, "creator_monetization_state": 1, "discoverability_state": 1,
            "discovery_eligibility_flags": 0, "monetization_eligibility_flags": 0,
            "internal_guild_restriction": 1, "event_webhooks_url": None, "event_webhooks_status": 1,
            "event_webhooks_types": [],
        }

    def _guild_or_404(self, guild_id: Any) -> FakeGuild:
        g = self.guilds.get(int(guild_id))
        if g is None:
            raise _unknown("Guild", 10004)
        return g

    async def _r_get_guild(self, req: _Req, guild_id: str) -> tuple[int, Any]:
        g = self._guild_or_404(guild_id)
        full = self._guild_create_payload(g)
        for k in ("joined_at", "large", "unavailable", "member_count", "voice_states", "members", "channels",
                  "threads", "presences", "stage_instances", "guild_scheduled_events", "soundboard_sounds"):
            full.pop(k, None)
        return 200, full

    async def _r_guild_channels(self, req: _Req, guild_id: str) -> tuple[int, Any]:
        g = self._guild_or_404(guild_id)
        return 200, [self.channels[c] for c in g.channel_ids if c in self.channels and self.channels[c]["type"] not in (10, 11, 12)]

    async def _r_get_member(self, req: _Req, guild_id: str, user_id: str) -> tuple[int, Any]:
        g = self._guild_or_404(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise _unknown("Member", 10007)
        return 200, m

    # ------------------------------------------------------------------------------------------------
    # REST: application commands
    # ------------------------------------------------------------------------------------------------
    def _command_list(self, application_id: str, guild_id: str | None) -> list[dict[str, Any]]:
        if int(application_id) != self.app_id:
            raise DiscordHTTPError(403, 50001, "Missing Access")
        if guild_id is None:
            return self.global_commands
        if int(guild_id) not in self.guilds:  # Discord: a server the bot is not in (or no such server)
            raise DiscordHTTPError(403, 50001, "Missing Access")
        return self.guild_commands.setdefault(int(guild_id), [])

    def _command_obj(self, body: dict[str, Any], guild_id: str | None, old: dict[str, Any] | None) -> dict[str, Any]:
        cmd = {
            "id": old["id"] if old else str(self.snowflake()), "application_id": str(self.app_id),
            "version": str(self.snowflake()), "default_member_permissions": None, "type": 1,
            "name": body["name"], "name_localizations": None, "description": "", "description_localizations": None,
            "dm_permission": True, "contexts": None, "integration_types": [0], "nsfw": False,
        }
        for k, v in body.items():
            if v is None and cmd.get(k) is not None:  # Discord answers with the effective default
                continue
            cmd[k] = v
        if cmd.get("type", 1) != 1:
            cmd["description"] = ""
        if guild_id is not None:
            cmd["guild_id"] = str(guild_id)
            cmd.pop("dm_permission", None)
        if cmd.get("default_member_permissions") is not None:
            cmd["default_member_permissions"] = str(cmd["default_member_permissions"])
        if cmd.get("options") is None:
            cmd.pop("options", None)
        return cmd

    async def _r_list_commands(self, req: _Req, application_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        return 200, self._command_list(application_id, guild_id)

    async def _r_put_commands(self, req: _Req, application_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        current = self._command_list(application_id, guild_id)
        old = {(c["name"], c.get("type", 1)): c for c in current}
        new = [self._command_obj(b, guild_id, old.get((b["name"], b.get("type", 1)))) for b in req.json or []]
        current[:] = new
        return 200, new

    async def _r_post_command(self, req: _Req, application_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        current = self._command_list(application_id, guild_id)
        old = next((c for c in current if c["name"] == req.json["name"] and c.get("type", 1) == req.json.get("type", 1)), None)
        cmd = self._command_obj(req.json, guild_id, old)
        if old:
            current[current.index(old)] = cmd
            return 200, cmd
        current.append(cmd)
        return 201, cmd

    def _find_command(self, current: list[dict[str, Any]], command_id: str) -> dict[str, Any]:
        cmd = next((c for c in current if c["id"] == command_id), None)
        if cmd is None:
            raise _unknown("application command", 10063)
        return cmd

    async def _r_get_command(self, req: _Req, application_id: str, command_id: str, guild_id: str | None = None):
        return 200, self._find_command(self._command_list(application_id, guild_id), command_id)

    async def _r_patch_command(self, req: _Req, application_id: str, command_id: str, guild_id: str | None = None):
        current = self._command_list(application_id, guild_id)
        cmd = self._find_command(current, command_id)
        cmd.update(req.json or {})
        return 200, cmd

    async def _r_delete_command(self, req: _Req, application_id: str, command_id: str, guild_id: str | None = None):
        current = self._command_list(application_id, guild_id)
        current.remove(self._find_command(current, command_id))
        return 204, None

    # ------------------------------------------------------------------------------------------------
    # REST: channels & messages
    # ------------------------------------------------------------------------------------------------
    def _channel_or_404(self, channel_id: Any) -> dict[str, Any]:
        ch = self.channels.get(int(channel_id))
        if ch is None:
            raise _unknown("Channel", 10003)
        return ch

    def _message_or_404(self, channel_id: Any, message_id: Any) -> dict[str, Any]:
        self._channel_or_404(channel_id)
        m = self.messages.get(int(message_id))
        if m is None or int(m["channel_id"]) != int(channel_id):
            raise _unknown("Message", 10008)
        return m

    async def _r_get_channel(self, req: _Req, channel_id: str) -> tuple[int, Any]:
        return 200, self._channel_or_404(channel_id)

    async def _r_patch_channel(self, req: _Req, channel_id: str) -> tuple[int, Any]:
        ch = self._channel_or_404(channel_id)
        body = req.json or {}
        is_thread = ch["type"] in (10, 11, 12)
        for k, v in body.items():
            if is_thread and k in ("archived", "locked", "auto_archive_duration", "invitable"):
                ch["thread_metadata"][k] = v
                if k == "archived":
                    ch["thread_metadata"]["archive_timestamp"] = _now_iso()
            else:
                ch[k] = v
        await self._dispatch_all("THREAD_UPDATE" if is_thread else "CHANNEL_UPDATE", lambda s: ch, _I_GUILDS)
        return 200, ch

    async def _r_list_messages(self, req: _Req, channel_id: str) -> tuple[int, Any]:
        self._channel_or_404(channel_id)
        self._require(int(channel_id), Perm.VIEW_CHANNEL | Perm.READ_MESSAGE_HISTORY)
        msgs = self.messages_in(channel_id)
        limit = int(req.query.get("limit", 50))
        if "before" in req.query:
            msgs = [m for m in msgs if int(m["id"]) < int(req.query["before"])]
        if "after" in req.query:
            msgs = [m for m in msgs if int(m["id"]) > int(req.query["after"])]
            return 200, list(reversed(msgs[:limit]))
        return 200, list(reversed(msgs))[:limit]

    def _attachments(self, channel_id: int, declared: list[dict[str, Any]] | None, files: list[FakeFile],
                     existing: list[dict[str, Any]], record: InteractionRecord | None,
                     flags: int = 0) -> list[dict[str, Any]]:
        """Build attachment dicts: keep ``existing`` ones listed in ``declared`` (by id), add uploads."""
        by_index = {f.index if f.index is not None else i: f for i, f in enumerate(files)}
        out: list[dict[str, Any]] = []
        if declared is None:
            out = list(existing)
        else:
            keep = {str(a["id"]) for a in declared if isinstance(a, dict) and "id" in a}
            out = [a for a in existing if a["id"] in keep]
        meta = {str(a.get("id")): a for a in declared or [] if isinstance(a, dict)}
        for idx in sorted(by_index):
            f = by_index[idx]
            aid = self.snowflake()
            info = meta.get(str(idx), {})
            filename = info.get("filename") or f.filename
            ctype = f.content_type if f.content_type not in (None, "application/octet-stream") else None
            ctype = ctype or mimetypes.guess_type(filename)[0] or "application/octet-stream"
            f.attachment_id = aid
            self.files[aid] = FakeFile(filename, f.data, ctype, aid)
            url = f"{self.base_url}/attachments/{channel_id}/{aid}/{filename}"
            att = {"id": str(aid), "filename": filename, "size": len(f.data), "url": url, "proxy_url": url,
                   "content_type": ctype}
            if info.get("description"):
                att["description"] = info["description"]
            if flags & EPHEMERAL:
                att["ephemeral"] = True
            out.append(att)
            if record is not None:
                record.files.append(self.files[aid])
        return out

    def _components(self, comps: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        out = copy.deepcopy(comps or [])
        used = {c["id"] for c in _walk(out) if isinstance(c.get("id"), int)}
        n = 0
        for c in _walk(out):
            if c.get("id") is None:
                n += 1
                while n in used:
                    n += 1
                c["id"] = n
        return out

    @staticmethod
    def _embeds(embeds: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        out = []
        for e in embeds or []:
            e = {k: v for k, v in copy.deepcopy(e).items() if v is not None}
            e.setdefault("type", "rich")
            e["content_scan_version"] = 0
            out.append(e)
        return out

    def _new_message(self, channel_id: int, author: dict[str, Any], data: dict[str, Any], files: list[FakeFile], *,
                     type_: int = 0, flags: int = 0, interaction: InteractionRecord | None = None) -> dict[str, Any]:
        mid = self.snowflake()
        flags = flags | (data.get("flags") or 0)
        msg: dict[str, Any] = {
            "id": str(mid), "channel_id": str(channel_id), "type": type_, "content": data.get("content") or "",
            "author": author, "timestamp": _snowflake_time(mid), "edited_timestamp": None,
            "tts": bool(data.get("tts")), "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": self._attachments(channel_id, data.get("attachments"), files, [], interaction, flags),
            "embeds": self._embeds(data.get("embeds")), "components": self._components(data.get("components")),
            "pinned": False, "flags": flags,
        }
        if data.get("poll"):
            msg["poll"] = data["poll"]
        ref = data.get("message_reference")
        if ref and ref.get("message_id") and int(ref["message_id"]) in self.messages:
            msg["type"] = 19 if type_ == 0 else type_
            msg["message_reference"] = {"type": 0, "channel_id": str(channel_id), "message_id": str(ref["message_id"])}
            msg["referenced_message"] = self.messages[int(ref["message_id"])]
        if interaction is not None:
            msg["webhook_id"] = str(self.app_id)
            msg["application_id"] = str(self.app_id)
            meta = self._interaction_metadata(interaction)
            if interaction.original_message_id is not None:  # a follow-up
                meta["original_response_message_id"] = str(interaction.original_message_id)
            msg["interaction_metadata"] = meta
        self.messages[mid] = msg
        self.channel_messages.setdefault(channel_id, []).append(mid)
        if channel_id in self.channels and not flags & EPHEMERAL:
            self.channels[channel_id]["last_message_id"] = str(mid)
            if self.channels[channel_id]["type"] in (10, 11, 12):
                self.channels[channel_id]["message_count"] += 1
                self.channels[channel_id]["total_message_sent"] += 1
        return msg

    def _interaction_metadata(self, rec: InteractionRecord) -> dict[str, Any]:
        meta: dict[str, Any] = {"id": str(rec.id), "type": rec.type, "user": rec.user,
                                "authorizing_integration_owners": rec.payload.get("authorizing_integration_owners", {})}
        if rec.type == 2:
            meta["name"] = rec.payload["data"]["name"]
            meta["command_type"] = 1
        elif rec.type == 3:
            meta["interacted_message_id"] = str(rec.source_message_id)
        elif rec.type == 5:
            if rec.opener is not None:
                meta["triggering_interaction_metadata"] = self._interaction_metadata(rec.opener)
            else:
                meta["triggering_interaction_metadata"] = {
                    "id": str(rec.id - 1), "type": 2, "user": rec.user,
                    "authorizing_integration_owners": meta["authorizing_integration_owners"]}
        return meta

    def _apply_edit(self, msg: dict[str, Any], body: dict[str, Any], files: list[FakeFile],
                    record: InteractionRecord | None) -> dict[str, Any]:
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "embeds" in body:
            msg["embeds"] = self._embeds(body["embeds"])
        if "components" in body:
            msg["components"] = self._components(body["components"])
        if "attachments" in body or files:
            msg["attachments"] = self._attachments(int(msg["channel_id"]), body.get("attachments"), files,
                                                   msg.get("attachments") or [], record, msg.get("flags") or 0)
        if body.get("flags") is not None:
            keep = (msg.get("flags") or 0) & (EPHEMERAL | LOADING)
            msg["flags"] = keep | body["flags"]
        msg["flags"] = (msg.get("flags") or 0) & ~LOADING
        msg["edited_timestamp"] = _now_iso()
        return msg

    async def _r_create_message(self, req: _Req, channel_id: str) -> tuple[int, Any]:
        ch = self._channel_or_404(channel_id)
        cid = int(channel_id)
        body = req.json or {}
        if ch["type"] == 1:
            recipient = int(ch["recipients"][0]["id"])
            if recipient in self.dm_blocked:
                raise DiscordHTTPError(403, 50007, "Cannot send messages to this user")
        else:
            needed = Perm.VIEW_CHANNEL | (Perm.SEND_MESSAGES_IN_THREADS if ch["type"] in (10, 11, 12) else Perm.SEND_MESSAGES)
            if req.files:
                needed |= Perm.ATTACH_FILES
            self._require(cid, needed)
            if ch["type"] in (10, 11, 12) and ch["thread_metadata"].get("locked"):
                raise DiscordHTTPError(403, 50083, "Thread is archived")
        ref = body.get("message_reference")
        if ref and ref.get("message_id") and int(ref["message_id"]) not in self.messages:
            if ref.get("fail_if_not_exists", True):
                raise DiscordHTTPError(400, 50035, "Invalid Form Body",
                                       {"message_reference": {"_errors": [{"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                                                           "message": "Unknown message"}]}})
        if ch["type"] in (10, 11, 12) and ch["thread_metadata"].get("archived"):
            ch["thread_metadata"]["archived"] = False
        msg = self._new_message(cid, self.bot_user, body, req.files, type_=0)
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return 200, msg

    async def _r_get_message(self, req: _Req, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        self._require(int(channel_id), Perm.READ_MESSAGE_HISTORY)
        return 200, msg

    async def _r_edit_message(self, req: _Req, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        if int(msg["author"]["id"]) != self.app_id:
            raise DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")
        self._apply_edit(msg, req.json or {}, req.files, None)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, msg

    async def _r_delete_message(self, req: _Req, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        if int(msg["author"]["id"]) != self.app_id:
            self._require(int(channel_id), Perm.MANAGE_MESSAGES)
        self._delete_message(msg)
        return 204, None

    def _delete_message(self, msg: dict[str, Any]) -> None:
        mid, cid = int(msg["id"]), int(msg["channel_id"])
        self.messages.pop(mid, None)
        if mid in self.channel_messages.get(cid, []):
            self.channel_messages[cid].remove(mid)
        ch = self.channels.get(cid)
        d = {"id": str(mid), "channel_id": str(cid)}
        if ch and ch.get("guild_id"):
            d["guild_id"] = ch["guild_id"]
        if not (msg.get("flags") or 0) & EPHEMERAL:
            self._spawn(self._dispatch_all("MESSAGE_DELETE", lambda s: d,
                                           _I_GUILD_MESSAGES if d.get("guild_id") else _I_DIRECT_MESSAGES))

    async def _r_add_reaction(self, req: _Req, channel_id: str, message_id: str, emoji: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        self._require(int(channel_id), Perm.ADD_REACTIONS | Perm.READ_MESSAGE_HISTORY)
        name = emoji.split(":")[0]
        reactions = msg.setdefault("reactions", [])
        r = next((r for r in reactions if r["emoji"]["name"] == name), None)
        if r is None:
            reactions.append({"emoji": {"id": None, "name": name}, "count": 1, "me": True, "burst_colors": [],
                              "count_details": {"burst": 0, "normal": 1}, "me_burst": False, "burst_count": 0})
        elif not r["me"]:
            r["me"] = True
            r["count"] += 1
        return 204, None

    async def _r_remove_reaction(self, req: _Req, channel_id: str, message_id: str, emoji: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        name = emoji.split(":")[0]
        for r in list(msg.get("reactions") or []):
            if r["emoji"]["name"] == name and r["me"]:
                r["me"] = False
                r["count"] -= 1
                if r["count"] <= 0:
                    msg["reactions"].remove(r)
        return 204, None

    async def _r_typing(self, req: _Req, channel_id: str) -> tuple[int, Any]:
        self._channel_or_404(channel_id)
        return 204, None

    async def _r_create_dm(self, req: _Req) -> tuple[int, Any]:
        uid = int((req.json or {}).get("recipient_id", 0))
        if uid not in self.users:
            raise _unknown("User", 10013)
        return 200, self._dm_channel(uid)

    def _dm_channel(self, uid: int) -> dict[str, Any]:
        cid = self.dm_channels.get(uid)
        if cid is None:
            cid = self.snowflake()
            self.dm_channels[uid] = cid
            self.channels[cid] = {"id": str(cid), "type": 1, "last_message_id": None, "flags": 0,
                                  "recipients": [self.users[uid]], "last_pin_timestamp": None}
            self.channel_messages[cid] = []
        return self.channels[cid]

    def _new_thread(self, parent: dict[str, Any], thread_id: int, name: str, body: dict[str, Any], type_: int) -> dict[str, Any]:
        now = _now_iso()
        th = {
            "id": str(thread_id), "type": type_, "guild_id": parent["guild_id"], "parent_id": parent["id"],
            "owner_id": str(self.app_id), "name": name, "last_message_id": None, "message_count": 0,
            "member_count": 1, "rate_limit_per_user": body.get("rate_limit_per_user") or 0, "flags": 0,
            "total_message_sent": 0, "applied_tags": [], "permission_overwrites": [],
            "thread_metadata": {"archived": False, "archive_timestamp": now, "locked": False,
                                "auto_archive_duration": body.get("auto_archive_duration") or 1440,
                                "create_timestamp": now, **({"invitable": body.get("invitable", True)} if type_ == 12 else {})},
            "member": {"id": str(thread_id), "user_id": str(self.app_id), "join_timestamp": now, "flags": 1},
        }
        self.channels[thread_id] = th
        self.channel_messages.setdefault(thread_id, [])
        self.guilds[int(parent["guild_id"])].channel_ids.append(thread_id)
        return th

    async def _r_thread_from_message(self, req: _Req, channel_id: str, message_id: str) -> tuple[int, Any]:
        parent = self._channel_or_404(channel_id)
        msg = self._message_or_404(channel_id, message_id)
        if parent["type"] not in (0, 5):
            raise DiscordHTTPError(400, 50024, "Cannot execute action on this channel type")
        self._require(int(channel_id), Perm.VIEW_CHANNEL | Perm.CREATE_PUBLIC_THREADS)
        if int(message_id) in self.channels or msg.get("thread"):
            raise DiscordHTTPError(400, 160004, "A thread has already been created for this message")
        body = req.json or {}
        th = self._new_thread(parent, int(message_id), body["name"], body, 11)
        msg["thread"] = th
        msg["flags"] = (msg.get("flags") or 0) | (1 << 5)  # HAS_THREAD
        await self._dispatch_all("THREAD_CREATE", lambda s: {**th, "newly_created": True}, _I_GUILDS)
        return 201, th

    async def _r_thread_without_message(self, req: _Req, channel_id: str) -> tuple[int, Any]:
        parent = self._channel_or_404(channel_id)
        body = req.json or {}
        type_ = body.get("type") or 12
        self._require(int(channel_id), Perm.VIEW_CHANNEL |
                      (Perm.CREATE_PRIVATE_THREADS if type_ == 12 else Perm.CREATE_PUBLIC_THREADS))
        th = self._new_thread(parent, self.snowflake(), body["name"], body, type_)
        await self._dispatch_all("THREAD_CREATE", lambda s: {**th, "newly_created": True}, _I_GUILDS)
        return 201, th

    # ------------------------------------------------------------------------------------------------
    # REST: interactions & webhooks
    # ------------------------------------------------------------------------------------------------
    _ALLOWED_CALLBACKS = {2: {4, 5, 9}, 3: {4, 5, 6, 7, 9}, 4: {8}, 5: {4, 5, 6, 7}}

    async def _r_callback(self, req: _Req, interaction_id: str, token: str) -> tuple[int, Any]:
        rec = self._by_token.get(token)
        if rec is None or rec.id != int(interaction_id):
            raise _unknown("interaction", 10062)
        body = req.json or {}
        t = body.get("type")
        loop = asyncio.get_running_loop()
        elapsed = loop.time() - (rec.dispatched_at or loop.time())
        if rec.callback is not None:
            rec.rejected_callbacks.append((400, body))
            raise DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
        if self.enforce_deadline and elapsed > self.interaction_deadline:
            rec.late = True
            rec.callback_at = loop.time()
            rec.rejected_callbacks.append((404, body))
            raise _unknown("interaction", 10062)
        allowed = self._ALLOWED_CALLBACKS.get(rec.type, set())
        if t == 6 or t == 7:
            if rec.source_message_id is None:
                allowed = allowed - {6, 7}
        if t not in allowed:
            err = f"callback type {t} is not valid for interaction type {rec.type}"
            req.record.errors.append(err)
            rec.rejected_callbacks.append((400, body))
            raise DiscordHTTPError(400, 50035, "Invalid Form Body",
                                   {"type": {"_errors": [{"code": "INTERACTION_CALLBACK_TYPE_INVALID", "message": err}]}})
        data = body.get("data") or {}
        msg: dict[str, Any] | None = None
        channel_id = rec.channel_id or 0
        if t in (4, 5):
            flags = (data.get("flags") or 0) & (EPHEMERAL | IS_COMPONENTS_V2 | (1 << 2) | (1 << 12))
            if t == 5:
                flags = (data.get("flags") or 0) & EPHEMERAL | LOADING
                data_for_msg: dict[str, Any] = {}
            else:
                data_for_msg = {k: v for k, v in data.items() if k != "flags"}
            msg = self._new_message(channel_id, self.bot_user, data_for_msg, req.files,
                                    type_=20 if rec.type == 2 else 19 if rec.type in (3, 5) else 0,
                                    flags=flags, interaction=rec)
            rec.original_message_id = int(msg["id"])
        elif t in (6, 7):
            msg = self.messages.get(rec.source_message_id or 0)
            if msg is None:
                raise _unknown("Message", 10008)
            rec.original_message_id = int(msg["id"])
            if t == 7:
                self._apply_edit(msg, data, req.files, rec)
        elif t == 9:
            body = {**body, "data": {**data, "components": self._components(data.get("components"))}}
        rec.callback = body
        rec.callback_at = loop.time()
        if msg is not None:
            await self._dispatch_message("MESSAGE_CREATE" if t in (4, 5) else "MESSAGE_UPDATE", msg)
        if req.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        info: dict[str, Any] = {"id": str(rec.id), "type": rec.type}
        if msg is not None:
            info.update(response_message_id=msg["id"], response_message_loading=t == 5,
                        response_message_ephemeral=bool((msg.get("flags") or 0) & EPHEMERAL))
        resp: dict[str, Any] = {"interaction": info}
        if msg is not None and t in (4, 7):  # Discord sends the message resource only for 4 and 7
            resp["resource"] = {"type": t, "message": msg}
        return 200, resp

    def _webhook_record(self, application_id: str, token: str) -> InteractionRecord:
        rec = self._by_token.get(token)
        if rec is None or int(application_id) != self.app_id:
            raise _unknown("Webhook", 10015)
        if rec.callback is None or rec.late:
            raise _unknown("Webhook", 10015)
        return rec

    async def _r_execute_webhook(self, req: _Req, application_id: str, token: str) -> tuple[int, Any]:
        rec = self._webhook_record(application_id, token)
        body = req.json or {}
        original = rec.message
        if rec.callback_type == 5 and original is not None and (original.get("flags") or 0) & LOADING:
            # Discord: the first follow-up after a "thinking" defer replaces the loading message
            msg = self._apply_edit(original, {k: v for k, v in body.items() if k != "flags"}, req.files, rec)
            await self._dispatch_message("MESSAGE_UPDATE", msg)
        else:
            mtype = 20 if rec.type == 2 else 0
            msg = self._new_message(rec.channel_id or 0, self.bot_user,
                                    {k: v for k, v in body.items() if k != "flags"}, req.files,
                                    type_=mtype, flags=(body.get("flags") or 0) & (EPHEMERAL | IS_COMPONENTS_V2),
                                    interaction=rec)
            await self._dispatch_message("MESSAGE_CREATE", msg)
        rec.followup_ids.append(int(msg["id"]))
        if req.query.get("wait") in ("1", "true", "True"):
            return 200, msg
        return 204, None

    def _webhook_message(self, rec: InteractionRecord, message_id: str) -> dict[str, Any]:
        if message_id == "@original":
            msg = rec.message
            if msg is None:
                raise _unknown("Message", 10008)
            return msg
        mid = int(message_id)
        if mid not in rec.followup_ids and mid != rec.original_message_id:
            raise _unknown("Message", 10008)
        msg = self.messages.get(mid)
        if msg is None:
            raise _unknown("Message", 10008)
        return msg

    async def _r_get_webhook_message(self, req: _Req, application_id: str, token: str, message_id: str):
        rec = self._webhook_record(application_id, token)
        return 200, self._webhook_message(rec, message_id)

    async def _r_edit_webhook_message(self, req: _Req, application_id: str, token: str, message_id: str):
        rec = self._webhook_record(application_id, token)
        msg = self._webhook_message(rec, message_id)
        self._apply_edit(msg, req.json or {}, req.files, rec)
        if message_id == "@original" or int(message_id) == rec.original_message_id:
            rec.edits.append(req.json or {})
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, msg

    async def _r_delete_webhook_message(self, req: _Req, application_id: str, token: str, message_id: str):
        rec = self._webhook_record(application_id, token)
        msg = self._webhook_message(rec, message_id)
        self._delete_message(msg)
        return 204, None

    # ------------------------------------------------------------------------------------------------
    # driving interactions
    # ------------------------------------------------------------------------------------------------
    def _member_payload(self, g: FakeGuild, uid: int, channel_id: int, permissions: int | None) -> dict[str, Any]:
        member = g.members.get(uid)
        if member is None:
            raise ValueError(f"user {uid} is not a member of guild {g.id}; use fake.add_member()")
        perms = permissions if permissions is not None else self.permissions_in(channel_id, uid)
        return {**copy.deepcopy(member), "permissions": str(perms)}

    def _interaction_channel(self, channel_id: int, uid: int, permissions: int | None) -> dict[str, Any]:
        ch = copy.deepcopy(self._channel_or_404_plain(channel_id))
        if ch["type"] != 1:
            ch["permissions"] = str(permissions if permissions is not None else self.permissions_in(channel_id, uid))
        return ch

    def _channel_or_404_plain(self, channel_id: int) -> dict[str, Any]:
        ch = self.channels.get(channel_id)
        if ch is None:
            raise ValueError(f"no channel {channel_id} in FakeDiscord")
        return ch

    async def _interact(self, itype: int, data: dict[str, Any], *, kind: str, user: Any, guild_id: Any,
                        channel_id: Any, dm: bool, message: dict[str, Any] | None = None,
                        permissions: int | None = None, app_permissions: int | None = None,
                        locale: str = "en-US", wait: bool = True, opener: InteractionRecord | None = None,
                        timeout: float = DEFAULT_TIMEOUT) -> InteractionRecord:
        u = self.user(user if user is not None else self.alice)
        uid = _id(u)
        iid = self.snowflake()
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(self.app_id), "type": itype, "data": data,
            "token": "itok_" + secrets.token_urlsafe(48), "version": 1, "locale": locale,
            "entitlements": [], "entitlement_sku_ids": [], "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if dm:
            cid = int(channel_id) if channel_id is not None else int(self._dm_channel(uid)["id"])
            payload["user"] = u
            payload["channel"] = self._interaction_channel(cid, uid, None)
            payload["channel_id"] = str(cid)
            payload["context"] = 1
            payload["authorizing_integration_owners"] = {"0": "0"}
            payload["app_permissions"] = str(app_permissions if app_permissions is not None else Perm.DM)
        else:
            g = self.guilds[_id(guild_id) if guild_id is not None else self.guild_id]
            cid = _id(channel_id) if channel_id is not None else next(
                c for c in g.channel_ids if c in self.channels and self.channels[c]["type"] == 0)
            ch = self._channel_or_404_plain(cid)
            if ch.get("guild_id") != str(g.id):
                raise ValueError(f"channel {cid} is not in guild {g.id}")
            payload["guild_id"] = str(g.id)
            payload["guild"] = {"id": str(g.id), "locale": g.locale, "features": []}
            payload["guild_locale"] = g.locale
            payload["member"] = self._member_payload(g, uid, cid, permissions)
            payload["channel"] = self._interaction_channel(cid, uid, permissions)
            payload["channel_id"] = str(cid)
            payload["context"] = 0
            payload["authorizing_integration_owners"] = {"0": str(g.id)}
            payload["app_permissions"] = str(app_permissions if app_permissions is not None
                                             else self.permissions_in(cid, self.app_id))
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        rec = InteractionRecord(self, payload, kind)
        rec.opener = opener
        live = await self.wait_for(self._live_sessions, timeout=timeout,
                                   what="a bot connected to the gateway (READY sent)")
        self.interactions.append(rec)
        self._by_token[rec.token] = rec
        rec.dispatched_at = asyncio.get_running_loop().time()
        await live[-1].dispatch("INTERACTION_CREATE", payload)
        self._notify()
        if wait:
            await rec.wait(timeout=timeout)
        return rec

    def _find_command_def(self, name: str, guild_id: int | None, dm: bool, require_synced: bool) -> dict[str, Any] | None:
        cands = []
        if guild_id is not None and not dm:
            cands += [c for c in self.guild_commands.get(guild_id, []) if c["name"] == name and c.get("type", 1) == 1]
        cands += [c for c in self.global_commands if c["name"] == name and c.get("type", 1) == 1]
        if not cands:
            if require_synced:
                synced = [c["name"] for c in self.global_commands] + [
                    c["name"] for c in self.guild_commands.get(guild_id or 0, [])]
                raise ValueError(f"command /{name} was not synced to FakeDiscord (synced: {synced}); "
                                 "sync the tree in setup_hook or pass require_synced=False")
            return None
        cmd = cands[0]
        ctx = cmd.get("contexts")
        if dm:
            if (ctx is not None and 1 not in ctx) or cmd.get("dm_permission") is False:
                raise ValueError(f"/{name} is not available in DMs (contexts={ctx})")
        elif ctx is not None and 0 not in ctx:
            raise ValueError(f"/{name} is not available in guilds (contexts={ctx})")
        return cmd

    @staticmethod
    def _infer_type(value: Any) -> int:
        if isinstance(value, bool):
            return 5
        if isinstance(value, int):
            return 4
        if isinstance(value, float):
            return 10
        return 3

    def _option_value(self, d: dict[str, Any] | None, name: str, value: Any, resolved: dict[str, Any],
                      focused: bool, channel_id: int | None, guild_id: int | None) -> dict[str, Any]:
        t = d["type"] if d else self._infer_type(value)
        if d is None and isinstance(value, dict) and "username" in value:
            t = 6
        opt: dict[str, Any] = {"name": name, "type": t}
        if focused:
            opt["value"] = value if isinstance(value, str) else str(value)
            opt["focused"] = True
            return opt
        if t in (6, 7, 8, 9, 11):
            if t == 11:
                filename, data = value
                aid = self.snowflake()
                ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
                self.files[aid] = FakeFile(filename, bytes(data), ctype, aid)
                url = f"{self.base_url}/attachments/{channel_id or 0}/{aid}/{filename}"
                resolved.setdefault("attachments", {})[str(aid)] = {
                    "id": str(aid), "filename": filename, "size": len(data), "url": url, "proxy_url": url,
                    "content_type": ctype, "ephemeral": True}
                opt["value"] = str(aid)
                return opt
            oid = _id(value)
            opt["value"] = str(oid)
            g = self.guilds.get(guild_id) if guild_id else None
            if oid in self.users and t in (6, 9):
                resolved.setdefault("users", {})[str(oid)] = self.users[oid]
                if g and oid in g.members:
                    m = {k: v for k, v in g.members[oid].items() if k != "user"}
                    m["permissions"] = str(self.base_permissions(g.id, oid))
                    resolved.setdefault("members", {})[str(oid)] = m
            elif oid in self.channels and t == 7:
                ch = self.channels[oid]
                resolved.setdefault("channels", {})[str(oid)] = {
                    k: ch[k] for k in ("id", "type", "name", "parent_id", "thread_metadata") if k in ch} | {
                    "permissions": str(self.permissions_in(oid, self.alice))}
            elif g and oid in g.roles and t in (8, 9):
                resolved.setdefault("roles", {})[str(oid)] = g.roles[oid]
            else:
                raise ValueError(f"option {name}: unknown {['user', 'channel', 'role', 'mentionable'][t - 6]} {oid}")
            return opt
        if d is not None:
            if (t == 4 and not isinstance(value, int)) or (t == 10 and not isinstance(value, (int, float))) \
                    or (t == 5 and not isinstance(value, bool)) or (t == 3 and not isinstance(value, str)):
                raise ValueError(f"option {name} has type {t}; {value!r} cannot be sent by Discord")
            if d.get("choices") and value not in [c["value"] for c in d["choices"]]:
                raise ValueError(f"option {name}: {value!r} is not one of the choices {[c['value'] for c in d['choices']]}")
            for key, ok in (("min_value", lambda lim: value >= lim), ("max_value", lambda lim: value <= lim),
                            ("min_length", lambda lim: len(value) >= lim), ("max_length", lambda lim: len(value) <= lim)):
                if d.get(key) is not None and not ok(d[key]):
                    raise ValueError(f"option {name}: {value!r} violates {key}={d[key]}")
        opt["value"] = value
        return opt

    def _build_options(self, defs: list[dict[str, Any]] | None, values: dict[str, Any], resolved: dict[str, Any],
                       *, focused: str | None, channel_id: int | None, guild_id: int | None,
                       check_required: bool) -> list[dict[str, Any]]:
        by_name = {d["name"]: d for d in defs or []}
        out = []
        for name, value in values.items():
            d = by_name.get(name)
            if defs is not None and d is None:
                raise ValueError(f"no option {name!r}; the command has {sorted(by_name)}")
            out.append(self._option_value(d, name, value, resolved, focused == name, channel_id, guild_id))
        if check_required and defs is not None:
            missing = [d["name"] for d in defs if d.get("required") and d["name"] not in values]
            if missing:
                raise ValueError(f"required option(s) missing: {missing}")
        if focused is not None and focused not in values:
            raise ValueError(f"focused option {focused!r} needs a value in the options")
        return out

    def _command_data(self, name: str, options: dict[str, Any] | list | None, subcommand: str | None,
                      guild_id: int | None, channel_id: int | None, dm: bool, require_synced: bool,
                      focused: str | None) -> dict[str, Any]:
        cmd = self._find_command_def(name, guild_id, dm, require_synced)
        resolved: dict[str, Any] = {}
        if isinstance(options, list):  # raw Discord options
            opts = options
        else:
            defs = cmd.get("options") or [] if cmd else None
            path = subcommand.split() if subcommand else []
            wrappers: list[dict[str, Any]] = []
            for part in path:
                sub = next((o for o in defs or [] if o["name"] == part and o["type"] in (1, 2)), None) if defs is not None else None
                if defs is not None and sub is None:
                    raise ValueError(f"/{name} has no subcommand (group) {part!r}")
                wrappers.append({"name": part, "type": sub["type"] if sub else (1 if part == path[-1] else 2)})
                defs = sub.get("options") or [] if sub else None
            if defs and any(o["type"] in (1, 2) for o in defs):
                raise ValueError(f"/{name} needs subcommand=... (one of {[o['name'] for o in defs]})")
            opts = self._build_options(defs, dict(options or {}), resolved, focused=focused,
                                       channel_id=channel_id, guild_id=guild_id, check_required=focused is None)
            for w in reversed(wrappers):
                w["options"] = opts
                opts = [w]
        data: dict[str, Any] = {"id": cmd["id"] if cmd else str(self.snowflake()), "name": name, "type": 1}
        if opts:
            data["options"] = opts
        if resolved:
            data["resolved"] = resolved
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return data

    def _check_visibility(self, name: str, cmd_perms: Any, uid: int, guild_id: int, permissions: int | None) -> None:
        if cmd_perms is None:
            return
        have = permissions if permissions is not None else self.base_permissions(guild_id, uid)
        need = int(cmd_perms)
        if not (have & Perm.ADMINISTRATOR) and have & need != need:
            raise ValueError(f"/{name} requires default_member_permissions={need}; the member (perms {have}) "
                             "would not see it (pass enforce_visibility=False to send it anyway)")

    def _where(self, guild_id: Any, channel_id: Any, dm: bool) -> tuple[int | None, int | None, bool]:
        """(guild id, channel id, dm) for an interaction; the guild is taken from the channel if only
        the channel is given, and a DM channel implies ``dm``."""
        cid = _id(channel_id) if channel_id is not None else None
        if cid is not None and guild_id is None:
            ch = self._channel_or_404_plain(cid)
            if ch.get("guild_id"):
                if dm:
                    raise ValueError(f"channel {cid} is a guild channel, not a DM")
                return int(ch["guild_id"]), cid, False
            return None, cid, True
        if dm:
            return None, cid, True
        return (_id(guild_id) if guild_id is not None else self.guild_id), cid, False

    async def slash(self, name: str, options: dict[str, Any] | list | None = None, *, subcommand: str | None = None,
                    user: Any = None, guild_id: Any = None, channel_id: Any = None, dm: bool = False,
                    permissions: int | None = None, app_permissions: int | None = None, locale: str = "en-US",
                    require_synced: bool = True, enforce_visibility: bool = True, wait: bool = True,
                    timeout: float = DEFAULT_TIMEOUT) -> InteractionRecord:
        """Run ``/name`` as a member (type-2 interaction) and (with ``wait``) wait for the callback.

        ``options``: ``{name: value}`` typed from the synced command definition (ints, floats, bools,
        strings; users/channels/roles as ids or dicts, which also fill ``resolved``; attachments as
        ``(filename, bytes)``), or a raw Discord options list.  ``subcommand``: ``"sub"`` or
        ``"group sub"``.  ``user`` defaults to :attr:`alice`; ``guild_id``/``channel_id`` to the
        default guild / its first text channel (a ``channel_id`` alone implies its guild, or a DM for
        a DM channel).  ``dm=True`` sends it from the user's DM with the bot
        (no guild_id/member; ``user``, ``context`` 1).  ``permissions`` overrides
        ``member.permissions``, ``app_permissions`` the bot's.  Discord-client rules are applied:
        the command must be synced (unless ``require_synced=False``), available in that context,
        visible to the member (``default_member_permissions``, unless ``enforce_visibility=False``),
        required options present and values within choices/limits (``ValueError`` otherwise).
        """
        gid, cid, dm = self._where(guild_id, channel_id, dm)
        data = self._command_data(name, options, subcommand, gid, cid, dm, require_synced, None)
        if enforce_visibility and not dm and gid is not None:
            cmd = self._find_command_def(name, gid, dm, False)
            if cmd is not None:
                self._check_visibility(name, cmd.get("default_member_permissions"),
                                       _id(user if user is not None else self.alice), gid, permissions)
        return await self._interact(2, data, kind="slash", user=user, guild_id=gid, channel_id=cid, dm=dm,
                                    permissions=permissions, app_permissions=app_permissions, locale=locale,
                                    wait=wait, timeout=timeout)

    async def autocomplete(self, name: str, focused: str, value: Any = "", options: dict[str, Any] | None = None,
                           *, subcommand: str | None = None, user: Any = None, guild_id: Any = None,
                           channel_id: Any = None, dm: bool = False, locale: str = "en-US",
                           require_synced: bool = True, timeout: float = DEFAULT_TIMEOUT) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused`` of ``/name`` (type-4 interaction, other already
        filled ``options`` included) and return the bot's choices (``[{"name", "value"}]``).
        The record is ``fake.interactions[-1]``."""
        gid, cid, dm = self._where(guild_id, channel_id, dm)
        data = self._command_data(name, {**(options or {}), focused: value}, subcommand, gid, cid, dm,
                                  require_synced, focused)
        rec = await self._interact(4, data, kind="autocomplete", user=user, guild_id=gid, channel_id=cid, dm=dm,
                                   locale=locale, timeout=timeout)
        if rec.callback_type != 8:
            raise AssertionError(f"autocomplete answered with callback type {rec.callback_type}, not 8")
        return rec.choices or []

    def _resolve_message(self, target: Any, custom_id: str | None = None) -> dict[str, Any]:
        if isinstance(target, InteractionRecord):
            msgs = target.messages
            if custom_id is not None:
                hit = [m for m in msgs if find_component(m, custom_id)]
                if hit:
                    return hit[-1]
            if not msgs:
                raise ValueError(f"{target!r} has no message")
            return msgs[0]
        if isinstance(target, dict) and "id" in target and "channel_id" in target:
            return self.messages.get(int(target["id"]), target)
        m = self.messages.get(_id(target))
        if m is None:
            raise ValueError(f"no stored message {target!r}")
        return m

    def _context_of(self, msg: dict[str, Any]) -> tuple[int | None, int, bool]:
        cid = int(msg["channel_id"])
        ch = self.channels.get(cid)
        if ch is None:
            raise ValueError(f"the message's channel {cid} no longer exists")
        if ch.get("guild_id"):
            return int(ch["guild_id"]), cid, False
        return None, cid, True

    async def click(self, message: Any, custom_id: str, *, user: Any = None, values: list[Any] | None = None,
                    permissions: int | None = None, app_permissions: int | None = None, locale: str = "en-US",
                    wait: bool = True, timeout: float = DEFAULT_TIMEOUT) -> InteractionRecord:
        """Press the button / choose ``values`` in the select with ``custom_id`` on ``message`` (a stored
        message dict, its id, a ``discord.Message`` or an :class:`InteractionRecord`, whose messages
        are searched for the component).  Sends a type-3 interaction carrying the full stored message
        and (with ``wait``) waits for the callback.  Disabled or missing components raise ValueError."""
        msg = self._resolve_message(message, custom_id)
        comp = find_component(msg, custom_id)
        if comp is None:
            raise ValueError(f"message {msg['id']} has no component {custom_id!r}; it has {custom_ids(msg)}")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"], "id": comp.get("id")}
        if comp["type"] in (3, 5, 6, 7, 8):
            vals = list(values or [])
            if comp["type"] == 3:
                allowed = [o["value"] for o in comp.get("options") or []]
                bad = [v for v in vals if v not in allowed]
                if bad:
                    raise ValueError(f"select {custom_id!r} has no option(s) {bad}; options: {allowed}")
            lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
            if not lo <= len(vals) <= hi:
                raise ValueError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(vals)}")
            if comp["type"] == 3:
                data["values"] = vals
            else:
                gid0, cid0, _ = self._context_of(msg)
                resolved: dict[str, Any] = {}
                t = {5: 6, 6: 8, 7: 9, 8: 7}[comp["type"]]
                data["values"] = [self._option_value({"type": t}, "v", v, resolved, False, cid0, gid0)["value"]
                                  for v in vals]
                data["resolved"] = resolved
        elif values:
            raise ValueError("values= is only for selects")
        gid, cid, dm = self._context_of(msg)
        return await self._interact(3, data, kind="click", user=user, guild_id=gid, channel_id=cid, dm=dm,
                                    message=msg, permissions=permissions, app_permissions=app_permissions,
                                    locale=locale, wait=wait, timeout=timeout)

    def _find_modal_source(self, custom_id: str) -> InteractionRecord | None:
        for rec in reversed(self.interactions):
            if rec.modal and rec.modal.get("custom_id") == custom_id:
                return rec
        return None

    @staticmethod
    def _modal_item(comp: dict[str, Any], values: dict[str, Any], used: set[str]) -> dict[str, Any]:
        cid = comp.get("custom_id")
        t = comp["type"]
        out: dict[str, Any] = {"type": t, "id": comp.get("id")}
        if cid is None:
            return out
        out["custom_id"] = cid
        if t == 4:  # text input
            value = values.get(cid, comp.get("value") or "")
            if cid in values:
                used.add(cid)
            if not isinstance(value, str):
                raise ValueError(f"text input {cid!r} takes a str")
            if comp.get("required", True) and not value:
                raise ValueError(f"text input {cid!r} is required")
            if value and comp.get("min_length") is not None and len(value) < comp["min_length"]:
                raise ValueError(f"text input {cid!r}: shorter than min_length {comp['min_length']}")
            if comp.get("max_length") is not None and len(value) > comp["max_length"]:
                raise ValueError(f"text input {cid!r}: longer than max_length {comp['max_length']}")
            out["value"] = value
        else:  # selects / file upload / checkbox-like
            v = values.get(cid, [])
            if cid in values:
                used.add(cid)
            out["values"] = list(v) if isinstance(v, (list, tuple)) else [v]
        return out

    async def submit_modal(self, modal: Any, values: dict[str, Any], *, user: Any = None,
                           message: Any = None, permissions: int | None = None,
                           app_permissions: int | None = None, locale: str = "en-US", wait: bool = True,
                           timeout: float = DEFAULT_TIMEOUT) -> InteractionRecord:
        """Submit a modal (type-5 interaction) with ``{field_custom_id: value}``.

        ``modal`` is the :class:`InteractionRecord` whose callback opened it or the modal's
        ``custom_id`` (the most recent modal with that id is used).  The submitted components mirror
        the shown modal the way Discord sends them: action rows (type 1) of text inputs (type 4) or
        label (type 18) wrappers with ``component``, text displays (type 10) with only their id;
        component ids are the ones Discord assigned when the modal was shown.  ``user``, guild,
        channel and (for modals opened from a component) ``message`` default to the opener's.
        Required/length limits are checked like the Discord client does (``ValueError``)."""
        if isinstance(modal, InteractionRecord):
            src = modal
            if src.modal is None:
                raise ValueError(f"{src!r} did not answer with a modal (callback {src.callback_type})")
        else:
            src = self._find_modal_source(str(modal))
            if src is None:
                shown_ids = [r.modal["custom_id"] for r in self.interactions if r.modal]
                raise ValueError(f"no modal with custom_id {modal!r} was shown (shown: {shown_ids}); "
                                 "Discord only lets members submit a modal the bot opened")
        if src is not None:
            shown = src.modal or {}
            custom_id = shown["custom_id"]
            used: set[str] = set()
            comps = []
            for top in shown.get("components") or []:
                if top["type"] == 1:
                    comps.append({"type": 1, "id": top.get("id"),
                                  "components": [self._modal_item(c, values, used) for c in top.get("components") or []]})
                elif top["type"] == 18:
                    comps.append({"type": 18, "id": top.get("id"),
                                  "component": self._modal_item(top["component"], values, used)})
                else:
                    comps.append(self._modal_item(top, values, used))
            unknown = set(values) - used
            if unknown:
                raise ValueError(f"modal {custom_id!r} has no field(s) {sorted(unknown)}; it has {custom_ids(shown)}")
            gid, cid, dm = src.guild_id, src.channel_id, src.guild_id is None
            if user is None:
                user = src.user
            if message is None and src.type == 3 and src.source_message_id in self.messages:
                message = self.messages[src.source_message_id]
        else:
            custom_id = str(modal)
            comps = [{"type": 1, "id": i * 2 + 1, "components": [{"type": 4, "id": i * 2 + 2, "custom_id": k, "value": v}]}
                     for i, (k, v) in enumerate(values.items())]
            gid, cid, dm = self.guild_id, None, False
        msg = self._resolve_message(message) if message is not None else None
        data = {"custom_id": custom_id, "components": comps}
        return await self._interact(5, data, kind="modal", user=user, guild_id=gid, channel_id=cid, dm=dm,
                                    message=msg, permissions=permissions, app_permissions=app_permissions,
                                    locale=locale, wait=wait, opener=src, timeout=timeout)


# =====================================================================================================
# running a bot
# =====================================================================================================
@contextlib.asynccontextmanager
async def running_bot(fake: FakeDiscord, bot: Any, *, token: str = FAKE_TOKEN, timeout: float = 5.0,
                      guild_ready_timeout: float | None = 0.05, fast_reidentify: bool = True) -> AsyncIterator[Any]:
    """Log ``bot`` (a ``discord.Client`` / ``commands.Bot``) in to ``fake``, connect, wait for
    ``on_ready`` (all GUILD_CREATEs processed), yield the bot, then close it and wait for its task.

    ``login`` (GET /users/@me, application info, ``setup_hook``) runs in the caller's task, so a bad
    token raises ``discord.LoginFailure`` straight from ``async with``.  ``guild_ready_timeout``
    lowers discord.py's 2 s wait after the last GUILD_CREATE (``None`` keeps the bot's value);
    ``fast_reidentify`` replaces the default ``before_identify_hook`` (a 5 s sleep before every
    non-initial IDENTIFY, e.g. after an invalidated session) with a no-op unless the bot overrides it.
    Restart by leaving the block and entering it again with a new bot object."""
    if guild_ready_timeout is not None:
        state = bot._connection
        if state.guild_ready_timeout > guild_ready_timeout:
            state.guild_ready_timeout = guild_ready_timeout
    elif bot._connection.guild_ready_timeout >= 1:
        warnings.warn("bot waits guild_ready_timeout >= 1 s for guilds; tests will be slow", stacklevel=2)
    if fast_reidentify and getattr(type(bot).before_identify_hook, "__qualname__", "") == "Client.before_identify_hook":
        async def _no_identify_wait(shard_id: Any, *, initial: bool = False) -> None:
            return None

        bot.before_identify_hook = _no_identify_wait  # discord.py sleeps 5 s before every re-IDENTIFY
    task: asyncio.Task | None = None
    try:
        await bot.login(token)
        task = asyncio.create_task(bot.connect(reconnect=True), name=f"running_bot:{bot!r}")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if task in done:
                exc = task.exception()
                raise HarnessTimeout(fake._diagnose(f"bot to become ready; connect() ended with {exc!r}")) from exc
            raise HarnessTimeout(fake._diagnose("bot to become ready (on_ready)"))
        yield bot
        if task.done() and task.exception() is not None:
            raise AssertionError(f"the bot's gateway task crashed: {task.exception()!r}") from task.exception()
    finally:
        await bot.close()
        if task is not None:
            try:
                await asyncio.wait_for(task, timeout)
            except (asyncio.CancelledError, Exception):
                pass
