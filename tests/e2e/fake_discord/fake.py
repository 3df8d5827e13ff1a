"""The façade: :class:`FakeDiscord` (the world it starts with, the server's lifecycle, pointing discord.py
at it) and :func:`running_bot`.  Its behaviour comes from the mixins, one concern each:

* :class:`~.state.WorldMixin`: users, guilds, roles, members, channels, threads, permissions
* :class:`~.messages.MessagesMixin`: the message store, building/editing/deleting messages
* :class:`~.gateway.GatewayMixin`: gateway sessions and event dispatch
* :class:`~.rest.RestMixin`, :class:`~.routes.RoutesMixin`, :class:`~.callbacks.CallbacksMixin`: REST
* :class:`~.interactions.InteractionsMixin`, :class:`~.options.CommandOptionsMixin`: driving interactions
* :class:`~.recording.RecordingMixin`, :class:`~.waiting.WaitingMixin`: problems and waiting

All state is created here, in :meth:`FakeDiscord.__init__`.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from aiohttp import web

from ..openapi_check import OpenAPISpec, get_spec
from .callbacks import CallbacksMixin
from .enums import GatewayCloseCode, Perm
from .gateway import GatewayMixin, GatewaySession, _GatewayConn
from .guard import loopback_only
from .interactions import InteractionsMixin
from .messages import MessagesMixin
from .model import API_PREFIX, FAKE_TOKEN, INTERACTION_DEADLINE, FakeFile, FakeGuild, HarnessTimeout, RecordedRequest, to_id
from .options import CommandOptionsMixin
from .ratelimit import RateLimitMixin
from .record import InteractionRecord
from .recording import RecordingMixin
from .rest import RestMixin
from .routes import RoutesMixin
from .state import WorldMixin
from .waiting import WaitingMixin


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


class FakeDiscord(WorldMixin, MessagesMixin, GatewayMixin, RestMixin, RoutesMixin, CallbacksMixin,
                  InteractionsMixin, CommandOptionsMixin, RecordingMixin, WaitingMixin, RateLimitMixin):
    """Fake Discord server.  See the package docstring (``fake_discord/__init__.py``) for an overview.

    Construction creates: the application (:attr:`app_id`, bot user :attr:`bot_user`), one guild
    :attr:`guild_id` ("Study Guild") with roles ``@everyone``, ``Admin`` (ADMINISTRATOR) and the bot's
    managed role, a text channel :attr:`channel_id` (``#general``), and users :attr:`owner` (guild owner,
    Admin role), :attr:`alice` (plain member, the default interaction user) and the bot member.

    Parameters: ``spec`` (an :class:`OpenAPISpec`; default: the process-wide one), ``token`` (accepted
    bot token), ``reject_invalid`` (answer schema violations with 400 50035, default True),
    ``enforce_deadline`` (callbacks later than 3 s get 404 10062, default True), ``check_responses``
    (validate the fake's own JSON responses against the spec's response schemas into
    :attr:`response_issues`), ``error_loggers`` (logger names whose ERROR records are captured into
    :attr:`bot_errors`), ``global_limit`` (requests a second before Discord's global 429; default None,
    no limit: see ``ratelimit.py``).
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
        global_limit: int | None = None,
    ):
        self.spec = spec or get_spec()
        self.token = token
        self.reject_invalid = reject_invalid
        self.enforce_deadline = enforce_deadline
        self.check_responses = check_responses
        # every message body must carry allowed_mentions allowing no ping (mentions.py); a test of a
        # feature that means to ping sets this
        self.pings_allowed = False
        self.role_pings: frozenset[str] = frozenset()  # role ids a message may ping, alone (mentions.py)
        self.interaction_deadline = INTERACTION_DEADLINE  # seconds; lower it to test late answers quickly
        self.shard_count = 1  # what GET /gateway/bot recommends
        self.global_limit = global_limit  # requests a second (ratelimit.py); None: no limit
        self._window: deque[float] = deque()  # when the requests of the last second were served
        self._refusals: list[Any] = []  # refuse_next's 429s still to give
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
        self.guilds[guild.id].members[to_id(self.owner)]["roles"].append(self.admin_role_id)
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
                await conn.ws.close(code=GatewayCloseCode.GOING_AWAY, message=b"fake discord stopping")
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
            # the bot is closed whatever happened; how its task ended was reported above (or an error is
            # already on its way out of this block)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout)
