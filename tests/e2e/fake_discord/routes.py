"""REST route handlers for the world: users, the application, guilds, application commands, channels,
messages, reactions, DMs and threads.  Each takes a :class:`~.model.RestRequest` plus the path parameters
and returns ``(status, JSON body or None)``, or raises :class:`~.model.DiscordHTTPError` as Discord would.
"""
from __future__ import annotations

from typing import Any

from .enums import THREAD_TYPES, ApplicationCommandType, ChannelType, GatewayIntent, JSONErrorCode, MessageFlag, MessageType, Perm
from .model import DiscordHTTPError, FakeGuild, RestRequest, now_iso, unknown


def _command_key(command: dict[str, Any]) -> tuple[str, int]:
    """Discord keys a command by name and type: syncing one replaces the synced one with that key."""
    return command["name"], command.get("type", ApplicationCommandType.CHAT_INPUT)


class RoutesMixin:
    """The ``_r_*`` handlers of :class:`FakeDiscord` for the world's REST routes (see ``RestMixin._routes``)."""

    # ------------------------------------------------------------------------------------------------
    # REST: users, application, guilds
    # ------------------------------------------------------------------------------------------------
    async def _r_get_me(self, req: RestRequest) -> tuple[int, Any]:
        return 200, {**self.bot_user, "verified": True, "mfa_enabled": False, "email": None, "locale": "en-US",
                     "premium_type": 0}

    async def _r_get_user(self, req: RestRequest, user_id: str) -> tuple[int, Any]:
        u = self.users.get(int(user_id))
        if u is None:
            raise unknown("User", JSONErrorCode.UNKNOWN_USER)
        return 200, u

    async def _r_get_app(self, req: RestRequest) -> tuple[int, Any]:
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
            raise unknown("Guild", JSONErrorCode.UNKNOWN_GUILD)
        return g

    async def _r_get_guild(self, req: RestRequest, guild_id: str) -> tuple[int, Any]:
        g = self._guild_or_404(guild_id)
        full = self._guild_create_payload(g)
        for k in ("joined_at", "large", "unavailable", "member_count", "voice_states", "members", "channels",
                  "threads", "presences", "stage_instances", "guild_scheduled_events", "soundboard_sounds"):
            full.pop(k, None)
        return 200, full

    async def _r_guild_channels(self, req: RestRequest, guild_id: str) -> tuple[int, Any]:
        g = self._guild_or_404(guild_id)
        return 200, [self.channels[c] for c in g.channel_ids if c in self.channels and self.channels[c]["type"] not in THREAD_TYPES]

    async def _r_get_member(self, req: RestRequest, guild_id: str, user_id: str) -> tuple[int, Any]:
        g = self._guild_or_404(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise unknown("Member", JSONErrorCode.UNKNOWN_MEMBER)
        return 200, m

    def _member_role(self, guild_id: str, user_id: str, role_id: str) -> tuple[dict[str, Any], str]:
        """Discord's checks for giving or taking a role: Manage Roles, and the role below the bot's highest."""
        g = self._guild_or_404(guild_id)
        m = g.members.get(int(user_id))
        if m is None:
            raise unknown("Member", JSONErrorCode.UNKNOWN_MEMBER)
        role = g.roles.get(int(role_id))
        if role is None:
            raise unknown("Role", JSONErrorCode.UNKNOWN_ROLE)
        bot = g.members.get(self.app_id) or {"roles": []}
        top = max((g.roles[int(r)]["position"] for r in bot["roles"] if int(r) in g.roles), default=0)
        if not self.base_permissions(g.id, self.app_id) & Perm.MANAGE_ROLES or role["position"] >= top:
            raise DiscordHTTPError(403, JSONErrorCode.MISSING_PERMISSIONS, "Missing Permissions")
        return m, str(role["id"])

    async def _r_add_member_role(self, req: RestRequest, guild_id: str, user_id: str, role_id: str) -> tuple[int, Any]:
        m, rid = self._member_role(guild_id, user_id, role_id)
        if rid not in m["roles"]:
            m["roles"].append(rid)
        return 204, None

    async def _r_remove_member_role(self, req: RestRequest, guild_id: str, user_id: str, role_id: str) -> tuple[int, Any]:
        m, rid = self._member_role(guild_id, user_id, role_id)
        if rid in m["roles"]:
            m["roles"].remove(rid)
        return 204, None

    # ------------------------------------------------------------------------------------------------
    # REST: application commands
    # ------------------------------------------------------------------------------------------------
    def _command_list(self, application_id: str, guild_id: str | None) -> list[dict[str, Any]]:
        if int(application_id) != self.app_id:
            raise DiscordHTTPError(403, JSONErrorCode.MISSING_ACCESS, "Missing Access")
        if guild_id is None:
            return self.global_commands
        if int(guild_id) not in self.guilds:  # Discord: a server the bot is not in (or no such server)
            raise DiscordHTTPError(403, JSONErrorCode.MISSING_ACCESS, "Missing Access")
        return self.guild_commands.setdefault(int(guild_id), [])

    def _command_obj(self, body: dict[str, Any], guild_id: str | None, old: dict[str, Any] | None) -> dict[str, Any]:
        cmd = {
            "id": old["id"] if old else str(self.snowflake()), "application_id": str(self.app_id),
            "version": str(self.snowflake()), "default_member_permissions": None,
            "type": ApplicationCommandType.CHAT_INPUT,
            "name": body["name"], "name_localizations": None, "description": "", "description_localizations": None,
            "dm_permission": True, "contexts": None, "integration_types": [0], "nsfw": False,
        }
        for k, v in body.items():
            if v is None and cmd.get(k) is not None:  # Discord answers with the effective default
                continue
            cmd[k] = v
        if cmd.get("type", ApplicationCommandType.CHAT_INPUT) != ApplicationCommandType.CHAT_INPUT:
            cmd["description"] = ""
        if guild_id is not None:
            cmd["guild_id"] = str(guild_id)
            cmd.pop("dm_permission", None)
        if cmd.get("default_member_permissions") is not None:
            cmd["default_member_permissions"] = str(cmd["default_member_permissions"])
        if cmd.get("options") is None:
            cmd.pop("options", None)
        return cmd

    async def _r_list_commands(self, req: RestRequest, application_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        return 200, self._command_list(application_id, guild_id)

    async def _r_put_commands(self, req: RestRequest, application_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        current = self._command_list(application_id, guild_id)
        old = {_command_key(c): c for c in current}
        new = [self._command_obj(b, guild_id, old.get(_command_key(b))) for b in req.json or []]
        current[:] = new
        return 200, new

    async def _r_post_command(self, req: RestRequest, application_id: str, guild_id: str | None = None) -> tuple[int, Any]:
        current = self._command_list(application_id, guild_id)
        old = next((c for c in current if _command_key(c) == _command_key(req.json)), None)
        cmd = self._command_obj(req.json, guild_id, old)
        if old:
            current[current.index(old)] = cmd
            return 200, cmd
        current.append(cmd)
        return 201, cmd

    def _find_command(self, current: list[dict[str, Any]], command_id: str) -> dict[str, Any]:
        cmd = next((c for c in current if c["id"] == command_id), None)
        if cmd is None:
            raise unknown("application command", JSONErrorCode.UNKNOWN_APPLICATION_COMMAND)
        return cmd

    async def _r_get_command(self, req: RestRequest, application_id: str, command_id: str, guild_id: str | None = None):
        return 200, self._find_command(self._command_list(application_id, guild_id), command_id)

    async def _r_patch_command(self, req: RestRequest, application_id: str, command_id: str, guild_id: str | None = None):
        current = self._command_list(application_id, guild_id)
        cmd = self._find_command(current, command_id)
        cmd.update(req.json or {})
        return 200, cmd

    async def _r_delete_command(self, req: RestRequest, application_id: str, command_id: str, guild_id: str | None = None):
        current = self._command_list(application_id, guild_id)
        current.remove(self._find_command(current, command_id))
        return 204, None

    # ------------------------------------------------------------------------------------------------
    # REST: channels & messages
    # ------------------------------------------------------------------------------------------------
    def _channel_or_404(self, channel_id: Any) -> dict[str, Any]:
        ch = self.channels.get(int(channel_id))
        if ch is None:
            raise unknown("Channel", JSONErrorCode.UNKNOWN_CHANNEL)
        return ch

    def _message_or_404(self, channel_id: Any, message_id: Any) -> dict[str, Any]:
        self._channel_or_404(channel_id)
        m = self.messages.get(int(message_id))
        if m is None or int(m["channel_id"]) != int(channel_id):
            raise unknown("Message", JSONErrorCode.UNKNOWN_MESSAGE)
        return m

    async def _r_get_channel(self, req: RestRequest, channel_id: str) -> tuple[int, Any]:
        return 200, self._channel_or_404(channel_id)

    async def _r_patch_channel(self, req: RestRequest, channel_id: str) -> tuple[int, Any]:
        ch = self._channel_or_404(channel_id)
        body = req.json or {}
        is_thread = ch["type"] in THREAD_TYPES
        for k, v in body.items():
            if is_thread and k in ("archived", "locked", "auto_archive_duration", "invitable"):
                ch["thread_metadata"][k] = v
                if k == "archived":
                    ch["thread_metadata"]["archive_timestamp"] = now_iso()
            else:
                ch[k] = v
        await self._dispatch_all("THREAD_UPDATE" if is_thread else "CHANNEL_UPDATE", lambda s: ch, GatewayIntent.GUILDS)
        return 200, ch

    async def _r_list_messages(self, req: RestRequest, channel_id: str) -> tuple[int, Any]:
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

    async def _r_create_message(self, req: RestRequest, channel_id: str) -> tuple[int, Any]:
        ch = self._channel_or_404(channel_id)
        cid = int(channel_id)
        body = req.json or {}
        if ch["type"] == ChannelType.DM:
            recipient = int(ch["recipients"][0]["id"])
            if recipient in self.dm_blocked:
                raise DiscordHTTPError(403, JSONErrorCode.CANNOT_SEND_MESSAGES_TO_USER, "Cannot send messages to this user")
        else:
            needed = Perm.VIEW_CHANNEL | (Perm.SEND_MESSAGES_IN_THREADS if ch["type"] in THREAD_TYPES else Perm.SEND_MESSAGES)
            if req.files:
                needed |= Perm.ATTACH_FILES
            self._require(cid, needed)
            if ch["type"] in THREAD_TYPES and ch["thread_metadata"].get("locked"):
                raise DiscordHTTPError(403, JSONErrorCode.THREAD_ARCHIVED, "Thread is archived")
        ref = body.get("message_reference")
        unknown_ref = ref and ref.get("message_id") and int(ref["message_id"]) not in self.messages
        if unknown_ref and ref.get("fail_if_not_exists", True):
            raise DiscordHTTPError(400, JSONErrorCode.INVALID_FORM_BODY, "Invalid Form Body",
                                   {"message_reference": {"_errors": [{"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                                                       "message": "Unknown message"}]}})
        if ch["type"] in THREAD_TYPES and ch["thread_metadata"].get("archived"):
            ch["thread_metadata"]["archived"] = False
        msg = self._new_message(cid, self.bot_user, body, req.files, type_=MessageType.DEFAULT)
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return 200, msg

    async def _r_get_message(self, req: RestRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        self._require(int(channel_id), Perm.READ_MESSAGE_HISTORY)
        return 200, msg

    async def _r_edit_message(self, req: RestRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        if int(msg["author"]["id"]) != self.app_id:
            raise DiscordHTTPError(403, JSONErrorCode.CANNOT_EDIT_ANOTHER_USERS_MESSAGE, "Cannot edit a message authored by another user")
        self._apply_edit(msg, req.json or {}, req.files, None)
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, msg

    async def _r_delete_message(self, req: RestRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        if int(msg["author"]["id"]) != self.app_id:
            self._require(int(channel_id), Perm.MANAGE_MESSAGES)
        self._delete_message(msg)
        return 204, None


    async def _r_add_reaction(self, req: RestRequest, channel_id: str, message_id: str, emoji: str) -> tuple[int, Any]:
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

    async def _r_remove_reaction(self, req: RestRequest, channel_id: str, message_id: str, emoji: str) -> tuple[int, Any]:
        msg = self._message_or_404(channel_id, message_id)
        name = emoji.split(":")[0]
        for r in list(msg.get("reactions") or []):
            if r["emoji"]["name"] == name and r["me"]:
                r["me"] = False
                r["count"] -= 1
                if r["count"] <= 0:
                    msg["reactions"].remove(r)
        return 204, None

    async def _r_typing(self, req: RestRequest, channel_id: str) -> tuple[int, Any]:
        self._channel_or_404(channel_id)
        return 204, None

    async def _r_create_dm(self, req: RestRequest) -> tuple[int, Any]:
        uid = int((req.json or {}).get("recipient_id", 0))
        if uid not in self.users:
            raise unknown("User", JSONErrorCode.UNKNOWN_USER)
        return 200, self._dm_channel(uid)

    async def _r_thread_from_message(self, req: RestRequest, channel_id: str, message_id: str) -> tuple[int, Any]:
        parent = self._channel_or_404(channel_id)
        msg = self._message_or_404(channel_id, message_id)
        if parent["type"] not in (ChannelType.GUILD_TEXT, ChannelType.GUILD_ANNOUNCEMENT):
            raise DiscordHTTPError(400, JSONErrorCode.INVALID_CHANNEL_TYPE, "Cannot execute action on this channel type")
        self._require(int(channel_id), Perm.VIEW_CHANNEL | Perm.CREATE_PUBLIC_THREADS)
        if int(message_id) in self.channels or msg.get("thread"):
            raise DiscordHTTPError(400, JSONErrorCode.THREAD_ALREADY_CREATED, "A thread has already been created for this message")
        body = req.json or {}
        th = self._new_thread(parent, int(message_id), body["name"], body, ChannelType.PUBLIC_THREAD)
        msg["thread"] = th
        msg["flags"] = (msg.get("flags") or 0) | MessageFlag.HAS_THREAD
        await self._dispatch_all("THREAD_CREATE", lambda s: {**th, "newly_created": True}, GatewayIntent.GUILDS)
        return 201, th

    async def _r_thread_without_message(self, req: RestRequest, channel_id: str) -> tuple[int, Any]:
        parent = self._channel_or_404(channel_id)
        body = req.json or {}
        type_ = body.get("type") or ChannelType.PRIVATE_THREAD
        self._require(int(channel_id), Perm.VIEW_CHANNEL |
                      (Perm.CREATE_PRIVATE_THREADS if type_ == ChannelType.PRIVATE_THREAD else Perm.CREATE_PUBLIC_THREADS))
        th = self._new_thread(parent, self.snowflake(), body["name"], body, type_)
        await self._dispatch_all("THREAD_CREATE", lambda s: {**th, "newly_created": True}, GatewayIntent.GUILDS)
        return 201, th

