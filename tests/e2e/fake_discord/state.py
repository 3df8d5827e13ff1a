"""The world: users, guilds with roles and members, channels, threads, DM channels, and Discord's
permission computation.  State changes are told to connected bots as gateway events (intent-gated).

The attributes (``users``, ``guilds``, ``channels``, ...) are created by ``FakeDiscord.__init__``
(fake.py); the gateway side (``_spawn``, ``_dispatch_all``) is :class:`~.gateway.GatewayMixin`.
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from .enums import THREAD_TYPES, ChannelType, GatewayIntent, JSONErrorCode, OverwriteType, Perm
from .model import DISCORD_EPOCH, DiscordHTTPError, FakeGuild, now_iso, to_id


class WorldMixin:
    """Ids, payload builders and the state API of :class:`FakeDiscord` (``add_guild``, ``deny_bot``, ...)."""

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
        uid = to_id(user)
        if uid not in self.users:
            raise KeyError(f"FakeDiscord has no user {uid}")
        return self.users[uid]

    def add_guild(self, name: str, *, owner: Any = None, locale: str = "en-US",
                  everyone_permissions: int = Perm.EVERYONE_DEFAULT, guild_id: int | None = None) -> FakeGuild:
        """Create a guild the bot is in (with ``@everyone`` and the bot's managed role, owner and bot as
        members).  Dispatches GUILD_CREATE when a bot is connected.  ``guild_id`` picks its id (and so
        its shard, ``(guild_id >> 22) % shard_count``)."""
        gid = guild_id or self.snowflake()
        owner_id = to_id(owner) if owner is not None else to_id(self.owner)
        g = FakeGuild(id=gid, name=name, owner_id=owner_id, locale=locale)
        g.roles[gid] = self._role_payload(gid, "@everyone", everyone_permissions, 0)
        bot_role = self.snowflake()
        g.roles[bot_role] = self._role_payload(bot_role, self.bot_user["username"], Perm.BOT_DEFAULT, 1,
                                               managed=True, tags={"bot_id": str(self.app_id)})
        self.guilds[gid] = g
        self.add_member(gid, owner_id, dispatch=False)
        self.add_member(gid, self.app_id, roles=[bot_role], dispatch=False)
        self._spawn(self._dispatch_all("GUILD_CREATE", lambda s: self._guild_create_payload(g), GatewayIntent.GUILDS))
        return g

    def remove_guild(self, guild: Any) -> None:
        """The bot leaves/loses the guild (GUILD_DELETE)."""
        gid = to_id(guild)
        g = self.guilds.pop(gid)
        for cid in g.channel_ids:
            self.channels.pop(cid, None)
        self._spawn(self._dispatch_all("GUILD_DELETE", lambda s: {"id": str(gid), "unavailable": False}, GatewayIntent.GUILDS))

    def add_role(self, guild: Any, name: str, permissions: int = 0) -> dict[str, Any]:
        """Create a role; returns the role dict (``"id"`` is a str)."""
        g = self.guilds[to_id(guild)]
        rid = self.snowflake()
        role = self._role_payload(rid, name, permissions, len(g.roles))
        g.roles[rid] = role
        self._spawn(self._dispatch_all("GUILD_ROLE_CREATE", lambda s: {"guild_id": str(g.id), "role": role}, GatewayIntent.GUILDS))
        return role

    def add_member(self, guild: Any, user: Any, *, roles: Iterable[Any] = (), nick: str | None = None,
                   dispatch: bool = True) -> dict[str, Any]:
        """Add a user (id/dict; must exist, see :meth:`add_user`) to a guild with role ids."""
        g = self.guilds[to_id(guild)]
        u = self.user(user)
        m = {
            "user": u, "nick": nick, "avatar": None, "banner": None, "roles": [str(to_id(r)) for r in roles],
            "joined_at": now_iso(), "premium_since": None, "deaf": False, "mute": False, "pending": False,
            "flags": 0, "communication_disabled_until": None,
        }
        g.members[to_id(u)] = m
        if dispatch:
            self._spawn(self._dispatch_all("GUILD_MEMBER_ADD", lambda s: {**m, "guild_id": str(g.id)}, GatewayIntent.GUILD_MEMBERS))
        return m

    def remove_member(self, guild: Any, user: Any) -> None:
        """The member leaves (or is kicked from) the guild: their interactions there are refused from now
        on.  GUILD_MEMBER_REMOVE goes only to bots with the (privileged) GUILD_MEMBERS intent."""
        g = self.guilds[to_id(guild)]
        u = self.user(user)
        del g.members[to_id(u)]
        self._spawn(self._dispatch_all("GUILD_MEMBER_REMOVE", lambda s: {"guild_id": str(g.id), "user": u},
                                       GatewayIntent.GUILD_MEMBERS))

    def add_channel(self, guild: Any, name: str, *, topic: str | None = None, type: int = ChannelType.GUILD_TEXT,
                    parent_id: Any = None) -> dict[str, Any]:
        """Create a text channel (``type`` :attr:`ChannelType.GUILD_TEXT`) or category (``GUILD_CATEGORY``);
        returns the channel dict.  CHANNEL_CREATE."""
        g = self.guilds[to_id(guild)]
        cid = self.snowflake()
        ch = {
            "id": str(cid), "type": type, "guild_id": str(g.id), "name": name, "position": len(g.channel_ids),
            "permission_overwrites": [], "topic": topic, "nsfw": False, "last_message_id": None,
            "rate_limit_per_user": 0, "parent_id": str(to_id(parent_id)) if parent_id else None, "flags": 0,
            "default_thread_rate_limit_per_user": 0, "default_auto_archive_duration": 1440,
            "last_pin_timestamp": None,
        }
        self.channels[cid] = ch
        g.channel_ids.append(cid)
        self.channel_messages[cid] = []
        self._spawn(self._dispatch_all("CHANNEL_CREATE", lambda s: ch, GatewayIntent.GUILDS))
        return ch

    def add_thread(self, parent: Any, name: str, *, type: int = ChannelType.PUBLIC_THREAD) -> dict[str, Any]:
        """A thread (``type`` ``PUBLIC_THREAD`` or ``PRIVATE_THREAD``) under a text channel, as if a member had started it;
        permissions are the parent's (SEND_MESSAGES_IN_THREADS to post).  THREAD_CREATE."""
        th = self._new_thread(self.channel(parent), self.snowflake(), name, {}, type)
        th["owner_id"] = str(to_id(self.alice))
        th.pop("member")  # the bot has not joined it
        self._spawn(self._dispatch_all("THREAD_CREATE", lambda s: {**th, "newly_created": True}, GatewayIntent.GUILDS))
        return th

    def channel(self, channel: Any) -> dict[str, Any]:
        return self.channels[to_id(channel)]

    def deny_bot(self, channel: Any, permissions: int = Perm.SEND_MESSAGES) -> None:
        """Add a member overwrite denying ``permissions`` to the bot in ``channel`` (CHANNEL_UPDATE).
        REST calls needing them then answer 403 ``50013 Missing Permissions``."""
        self.set_overwrite(channel, self.app_id, deny=permissions, type=OverwriteType.MEMBER)

    def set_overwrite(self, channel: Any, target: Any, *, allow: int = 0, deny: int = 0,
                      type: int = OverwriteType.ROLE) -> None:
        """Set a permission overwrite (``type``: :class:`OverwriteType` ``ROLE`` or ``MEMBER``) on a channel (CHANNEL_UPDATE)."""
        ch = self.channel(channel)
        tid = str(to_id(target))
        ows = [o for o in ch["permission_overwrites"] if o["id"] != tid]
        ows.append({"id": tid, "type": type, "allow": str(allow), "deny": str(deny)})
        ch["permission_overwrites"] = ows
        self._spawn(self._dispatch_all("CHANNEL_UPDATE", lambda s: ch, GatewayIntent.GUILDS))

    def delete_channel(self, channel: Any, *, dispatch: bool = True) -> None:
        """Delete a channel: REST on it answers 404 ``10003 Unknown Channel``.  With ``dispatch=False``
        the bot is not told (CHANNEL_DELETE), like a stale cache."""
        cid = to_id(channel)
        ch = self.channels.pop(cid)
        self.deleted_channels.add(cid)
        # Discord deletes a channel's threads with it (they answered 500 here: their parent was missing)
        for tid in [t for t, c in self.channels.items() if c.get("parent_id") == str(cid) and c["type"] in THREAD_TYPES]:
            self.channels.pop(tid)
            self.deleted_channels.add(tid)
        if ch.get("guild_id"):
            g = self.guilds.get(int(ch["guild_id"]))
            if g and cid in g.channel_ids:
                g.channel_ids.remove(cid)
        if dispatch:
            event = "THREAD_DELETE" if ch["type"] in THREAD_TYPES else "CHANNEL_DELETE"
            self._spawn(self._dispatch_all(event, lambda s: ch, GatewayIntent.GUILDS))

    def block_dms(self, user: Any) -> None:
        """DMs to this user fail with 403 ``50007 Cannot send messages to this user``."""
        self.dm_blocked.add(to_id(user))

    def commands(self, guild: Any = None) -> list[dict[str, Any]]:
        """The synced global commands, or the guild's commands."""
        return self.global_commands if guild is None else self.guild_commands.get(to_id(guild), [])

    # ------------------------------------------------------------------------------------------------
    # permissions
    # ------------------------------------------------------------------------------------------------
    def base_permissions(self, guild: Any, user: Any) -> int:
        g = self.guilds[to_id(guild)]
        uid = to_id(user)
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
        if ch["type"] in THREAD_TYPES:
            ch = self.channel(ch["parent_id"])
        if not ch.get("guild_id"):
            return Perm.DM
        g = self.guilds[int(ch["guild_id"])]
        perms = self.base_permissions(g.id, user)
        if perms & Perm.ADMINISTRATOR:
            return Perm.ALL
        uid = to_id(user)
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
            raise DiscordHTTPError(403, JSONErrorCode.MISSING_PERMISSIONS, "Missing Permissions")

    # ------------------------------------------------------------------------------------------------
    # DM channels & threads
    # ------------------------------------------------------------------------------------------------
    def _dm_channel(self, uid: int) -> dict[str, Any]:
        cid = self.dm_channels.get(uid)
        if cid is None:
            cid = self.snowflake()
            self.dm_channels[uid] = cid
            self.channels[cid] = {"id": str(cid), "type": ChannelType.DM, "last_message_id": None, "flags": 0,
                                  "recipients": [self.users[uid]], "last_pin_timestamp": None}
            self.channel_messages[cid] = []
        return self.channels[cid]

    def _new_thread(self, parent: dict[str, Any], thread_id: int, name: str, body: dict[str, Any], type_: int) -> dict[str, Any]:
        now = now_iso()
        th = {
            "id": str(thread_id), "type": type_, "guild_id": parent["guild_id"], "parent_id": parent["id"],
            "owner_id": str(self.app_id), "name": name, "last_message_id": None, "message_count": 0,
            "member_count": 1, "rate_limit_per_user": body.get("rate_limit_per_user") or 0, "flags": 0,
            "total_message_sent": 0, "applied_tags": [], "permission_overwrites": [],
            "thread_metadata": {"archived": False, "archive_timestamp": now, "locked": False,
                                "auto_archive_duration": body.get("auto_archive_duration") or 1440,
                                "create_timestamp": now,
                                **({"invitable": body.get("invitable", True)} if type_ == ChannelType.PRIVATE_THREAD else {})},
            "member": {"id": str(thread_id), "user_id": str(self.app_id), "join_timestamp": now, "flags": 1},
        }
        self.channels[thread_id] = th
        self.channel_messages.setdefault(thread_id, [])
        self.guilds[int(parent["guild_id"])].channel_ids.append(thread_id)
        return th

