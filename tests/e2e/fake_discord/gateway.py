"""The gateway: HELLO, heartbeat ACK, IDENTIFY -> READY -> GUILD_CREATE per guild, RESUME with replay,
op 9 invalidation, op 8 member chunks, and the dispatch of events the world's changes cause (intent-gated).
Sharded like Discord: GET /gateway/bot recommends ``shard_count`` shards (1 unless a test sets it), and a
session identified with ``shard: [id, count]`` gets only the events of its guilds ((id >> 22) % count).

State lives on ``FakeDiscord`` (fake.py): ``sessions``, ``gateway_log``, ``presences``, ``_conns``, ``_tasks``.
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import WSMsgType, web

from .enums import THREAD_TYPES, GatewayCloseCode, GatewayIntent, GatewayOpcode, MessageFlag
from .model import DEFAULT_TIMEOUT, FakeGuild


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
                with contextlib.suppress(ConnectionError, RuntimeError):  # the bot hung up meanwhile
                    await self.ws.send_str(json.dumps(payload))


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

    def owns(self, guild_id: int | str | None) -> bool:
        """Does this session's shard get the events of `guild_id` (None: not a guild's event)?"""
        shard_id, count = self.identify.get("shard") or (0, 1)
        return guild_id is None or (int(guild_id) >> 22) % count == shard_id

    async def dispatch(self, event: str, data: Any) -> None:
        self.seq += 1
        payload = {"op": GatewayOpcode.DISPATCH, "t": event, "s": self.seq, "d": data}
        self.events.append(payload)
        if len(self.events) > 1000:
            del self.events[:500]
        if self.connected:
            assert self.conn is not None
            await self.conn.send(payload)


class GatewayMixin:
    """Gateway connections, sessions and event dispatch of :class:`FakeDiscord`."""

    # ------------------------------------------------------------------------------------------------
    # payloads & dispatch
    # ------------------------------------------------------------------------------------------------
    def _guild_create_payload(self, g: FakeGuild) -> dict[str, Any]:
        channels, threads = [], []
        for cid in g.channel_ids:
            ch = self.channels.get(cid)
            if ch is None:
                continue
            (threads if ch["type"] in THREAD_TYPES else channels).append(ch)
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
            data = build(s)
            if s.owns(_guild_of(event, data)):
                await s.dispatch(event, data)
        self._notify()

    def session_for(self, guild_id: int | None) -> GatewaySession | None:
        """The newest live session whose shard owns `guild_id` (where an interaction in it goes)."""
        owners = [s for s in self._live_sessions() if s.owns(guild_id)]
        return owners[-1] if owners else None

    async def _r_gateway_bot(self, req: Any) -> tuple[int, Any]:
        return 200, {"url": self.gateway_url, "shards": self.shard_count, "session_start_limit": {
            "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}}

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
            if not session.intents & GatewayIntent.GUILD_MESSAGES:
                return None
            d["guild_id"] = ch["guild_id"]
            g = self.guilds.get(int(ch["guild_id"]))
            member = g.members.get(int(msg["author"]["id"])) if g else None
            if member:
                d["member"] = {k: v for k, v in member.items() if k != "user"}
        else:
            if not session.intents & GatewayIntent.DIRECT_MESSAGES:
                return None
        author_id = int(msg["author"]["id"])
        mentioned = any(int(u["id"]) == self.app_id for u in msg.get("mentions") or [])
        if (not session.intents & GatewayIntent.MESSAGE_CONTENT and author_id != self.app_id and not mentioned
                and ch is not None and ch.get("guild_id")):
            d.update(content="", embeds=[], attachments=[], components=[])
        return d

    async def _dispatch_message(self, event: str, msg: dict[str, Any]) -> None:
        if (msg.get("flags") or 0) & MessageFlag.EPHEMERAL:
            return
        for s in self._live_sessions():
            d = self._gateway_message(msg, s)
            if d is not None and s.owns(d.get("guild_id")):
                await s.dispatch(event, d)
        self._notify()

    # ------------------------------------------------------------------------------------------------
    # gateway connection
    # ------------------------------------------------------------------------------------------------
    async def _gateway_handler(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        conn = _GatewayConn(ws, request.path)
        self._conns.append(conn)
        self.gateway_log.append(("CONNECT", request.path))
        await conn.send({"op": GatewayOpcode.HELLO, "d": {"heartbeat_interval": 41250, "_trace": ["fake-gateway"]}})
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
        if op == GatewayOpcode.HEARTBEAT:
            await conn.send({"op": GatewayOpcode.HEARTBEAT_ACK})
        elif op == GatewayOpcode.IDENTIFY:
            await self._identify(conn, d)
        elif op == GatewayOpcode.RESUME:
            await self._resume(conn, d)
        elif op == GatewayOpcode.PRESENCE_UPDATE:
            self.presences.append(d)
            self._notify()
        elif op == GatewayOpcode.REQUEST_GUILD_MEMBERS:
            await self._request_guild_members(conn, d)
        # VOICE_STATE_UPDATE and others are ignored

    async def _identify(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        if d.get("token") != self.token:
            self.gateway_log.append(("IDENTIFY-FAILED", ""))
            await conn.ws.close(code=GatewayCloseCode.AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        sid = secrets.token_hex(16)
        session = GatewaySession(sid, d)
        self.sessions[sid] = session
        session.conn, conn.session = conn, session
        self.gateway_log.append(("IDENTIFY", sid))
        await session.dispatch("READY", {
            "v": 10, "user_settings": {}, "user": {**self.bot_user, "verified": True, "mfa_enabled": False,
                                                   "email": None},
            "guilds": [{"id": str(gid), "unavailable": True} for gid in self.guilds if session.owns(gid)],
            "session_id": sid, "session_type": "normal", "resume_gateway_url": self.resume_gateway_url,
            "shard": d.get("shard") or [0, 1], "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [], "relationships": [], "presences": [], "guild_join_requests": [],
            "geo_ordered_rtc_regions": [], "auth": {}, "_trace": ["fake-gateway"],
        })
        session.ready_sent = True
        self.gateway_log.append(("READY", sid))
        for g in list(self.guilds.values()):
            if session.intents & GatewayIntent.GUILDS and session.owns(g.id):
                await session.dispatch("GUILD_CREATE", self._guild_create_payload(g))
        self._notify()

    async def _resume(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        session = self.sessions.get(d.get("session_id"))
        if session is None or d.get("token") != self.token:
            self.gateway_log.append(("RESUME-FAILED", str(d.get("session_id"))))
            await conn.send({"op": GatewayOpcode.INVALID_SESSION, "d": False})
            return
        if session.conn is not None and session.conn is not conn and session.conn.open:
            with contextlib.suppress(Exception):
                await session.conn.ws.close(code=GatewayCloseCode.UNKNOWN_ERROR)
        session.conn, conn.session = conn, session
        session.resumes += 1
        seq = d.get("seq") or 0
        for ev in list(session.events):
            if ev["s"] > seq:
                await conn.send(ev)
        await session.dispatch("RESUMED", {"_trace": ["fake-gateway"]})
        self.gateway_log.append(("RESUMED", session.id))
        self._notify()

    async def _request_guild_members(self, conn: _GatewayConn, d: dict[str, Any]) -> None:
        g = self.guilds.get(int(d["guild_id"]))
        if g is None or conn.session is None:
            return
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
            await session.conn.ws.close(code=GatewayCloseCode.UNKNOWN_ERROR, message=b"fake: reconnect please")
        else:
            await session.conn.send({"op": GatewayOpcode.INVALID_SESSION, "d": False})
        if wait:
            await self.wait_until_connected(since=mark, timeout=timeout)



def _guild_of(event: str, data: Any) -> int | str | None:
    """The guild an event is about (guild events carry it as their own id), or None."""
    if not isinstance(data, dict):
        return None
    if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"):
        return data.get("id")
    return data.get("guild_id")
