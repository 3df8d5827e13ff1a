"""Driving interactions like a member would: ``slash``, ``autocomplete``, ``click`` and ``submit_modal``
build the INTERACTION_CREATE payload Discord would send (member, channel, permissions, the message a
component is on, the shown modal's components), dispatch it and return an :class:`InteractionRecord`.
"""
from __future__ import annotations

import asyncio
import copy
import secrets
from typing import Any

from .enums import SELECT_TYPES, ChannelType, ComponentType, InteractionContextType, InteractionType, Perm
from .enums import ApplicationCommandOptionType as Opt
from .enums import InteractionCallbackType as Callback
from .model import ATTACHMENT_SIZE_LIMIT, DEFAULT_TIMEOUT, FakeGuild, to_id
from .reading import custom_ids, find_component
from .record import InteractionRecord

# the option type whose values (ids) an auto-populated select sends, and how they are resolved
SELECT_VALUE_TYPES = {
    ComponentType.USER_SELECT: Opt.USER,
    ComponentType.ROLE_SELECT: Opt.ROLE,
    ComponentType.MENTIONABLE_SELECT: Opt.MENTIONABLE,
    ComponentType.CHANNEL_SELECT: Opt.CHANNEL,
}


class InteractionsMixin:
    """The member-side interaction API of :class:`FakeDiscord` (the command data: ``CommandOptionsMixin``)."""

    def _member_payload(self, g: FakeGuild, uid: int, channel_id: int, permissions: int | None) -> dict[str, Any]:
        member = g.members.get(uid)
        if member is None:
            raise ValueError(f"user {uid} is not a member of guild {g.id}; use fake.add_member()")
        perms = permissions if permissions is not None else self.permissions_in(channel_id, uid)
        return {**copy.deepcopy(member), "permissions": str(perms)}

    def _interaction_channel(self, channel_id: int, uid: int, permissions: int | None) -> dict[str, Any]:
        ch = copy.deepcopy(self._channel_or_404_plain(channel_id))
        if ch["type"] != ChannelType.DM:
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
                        timeout: float = DEFAULT_TIMEOUT, session: Any = None) -> InteractionRecord:
        u = self.user(user if user is not None else self.alice)
        uid = to_id(u)
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
            payload["context"] = InteractionContextType.BOT_DM
            payload["authorizing_integration_owners"] = {"0": "0"}
            payload["app_permissions"] = str(app_permissions if app_permissions is not None else Perm.DM)
        else:
            g = self.guilds[to_id(guild_id) if guild_id is not None else self.guild_id]
            cid = to_id(channel_id) if channel_id is not None else next(
                c for c in g.channel_ids if c in self.channels and self.channels[c]["type"] == ChannelType.GUILD_TEXT)
            ch = self._channel_or_404_plain(cid)
            if ch.get("guild_id") != str(g.id):
                raise ValueError(f"channel {cid} is not in guild {g.id}")
            payload["guild_id"] = str(g.id)
            payload["guild"] = {"id": str(g.id), "locale": g.locale, "features": []}
            payload["guild_locale"] = g.locale
            payload["member"] = self._member_payload(g, uid, cid, permissions)
            payload["channel"] = self._interaction_channel(cid, uid, permissions)
            payload["channel_id"] = str(cid)
            payload["context"] = InteractionContextType.GUILD
            payload["authorizing_integration_owners"] = {"0": str(g.id)}
            payload["app_permissions"] = str(app_permissions if app_permissions is not None
                                             else self.permissions_in(cid, self.app_id))
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        rec = InteractionRecord(self, payload, kind)
        rec.opener = opener
        owner = session or await self.wait_for(lambda: self.session_for(payload.get("guild_id")), timeout=timeout,
                                               what="a bot connected to the gateway (READY sent) on the guild's shard")
        self.interactions.append(rec)
        self._by_token[rec.token] = rec
        rec.dispatched_at = asyncio.get_running_loop().time()
        await owner.dispatch("INTERACTION_CREATE", payload)
        self._notify()
        if wait:
            await rec.wait(timeout=timeout)
        return rec

    def _where(self, guild_id: Any, channel_id: Any, dm: bool) -> tuple[int | None, int | None, bool]:
        """(guild id, channel id, dm) for an interaction; the guild is taken from the channel if only
        the channel is given, and a DM channel implies ``dm``."""
        cid = to_id(channel_id) if channel_id is not None else None
        if cid is not None and guild_id is None:
            ch = self._channel_or_404_plain(cid)
            if ch.get("guild_id"):
                if dm:
                    raise ValueError(f"channel {cid} is a guild channel, not a DM")
                return int(ch["guild_id"]), cid, False
            return None, cid, True
        if dm:
            return None, cid, True
        return (to_id(guild_id) if guild_id is not None else self.guild_id), cid, False

    async def slash(self, name: str, options: dict[str, Any] | list | None = None, *, subcommand: str | None = None,
                    user: Any = None, guild_id: Any = None, channel_id: Any = None, dm: bool = False,
                    permissions: int | None = None, app_permissions: int | None = None, locale: str = "en-US",
                    require_synced: bool = True, enforce_visibility: bool = True, wait: bool = True,
                    timeout: float = DEFAULT_TIMEOUT, session: Any = None) -> InteractionRecord:
        """Run ``/name`` as a member (an ``APPLICATION_COMMAND`` interaction) and (with ``wait``) wait for the callback.

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
        ``session``: the gateway session it goes to (default: the newest on the guild's shard), e.g. to
        reach each of two bot processes that both run a shard.
        """
        gid, cid, dm = self._where(guild_id, channel_id, dm)
        data = self._command_data(name, options, subcommand, gid, cid, dm, require_synced, None)
        if enforce_visibility and not dm and gid is not None:
            cmd = self._find_command_def(name, gid, dm, False)
            if cmd is not None:
                self._check_visibility(name, cmd.get("default_member_permissions"),
                                       to_id(user if user is not None else self.alice), gid, permissions)
        return await self._interact(InteractionType.APPLICATION_COMMAND, data, kind="slash", user=user, guild_id=gid, channel_id=cid, dm=dm,
                                    permissions=permissions, app_permissions=app_permissions, locale=locale,
                                    wait=wait, timeout=timeout, session=session)

    async def autocomplete(self, name: str, focused: str, value: Any = "", options: dict[str, Any] | None = None,
                           *, subcommand: str | None = None, user: Any = None, guild_id: Any = None,
                           channel_id: Any = None, dm: bool = False, locale: str = "en-US",
                           require_synced: bool = True, timeout: float = DEFAULT_TIMEOUT) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused`` of ``/name`` (an ``APPLICATION_COMMAND_AUTOCOMPLETE`` interaction, other already
        filled ``options`` included) and return the bot's choices (``[{"name", "value"}]``).
        The record is ``fake.interactions[-1]``."""
        gid, cid, dm = self._where(guild_id, channel_id, dm)
        data = self._command_data(name, {**(options or {}), focused: value}, subcommand, gid, cid, dm,
                                  require_synced, focused)
        rec = await self._interact(InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE, data, kind="autocomplete", user=user,
                                   guild_id=gid, channel_id=cid, dm=dm, locale=locale, timeout=timeout)
        if rec.callback_type != Callback.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT:
            raise AssertionError(f"autocomplete answered with callback type {rec.callback_type}, "
                                 f"not {Callback.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT}")
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
        m = self.messages.get(to_id(target))
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
        are searched for the component).  Sends a ``MESSAGE_COMPONENT`` interaction carrying the full stored message
        and (with ``wait``) waits for the callback.  Disabled or missing components raise ValueError."""
        msg = self._resolve_message(message, custom_id)
        comp = find_component(msg, custom_id)
        if comp is None:
            raise ValueError(f"message {msg['id']} has no component {custom_id!r}; it has {custom_ids(msg)}")
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"], "id": comp.get("id")}
        if comp["type"] in SELECT_TYPES:
            vals = list(values or [])
            if comp["type"] == ComponentType.STRING_SELECT:
                allowed = [o["value"] for o in comp.get("options") or []]
                bad = [v for v in vals if v not in allowed]
                if bad:
                    raise ValueError(f"select {custom_id!r} has no option(s) {bad}; options: {allowed}")
            lo, hi = comp.get("min_values", 1), comp.get("max_values", 1)
            if not lo <= len(vals) <= hi:
                raise ValueError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(vals)}")
            if comp["type"] == ComponentType.STRING_SELECT:
                data["values"] = vals
            else:
                gid0, cid0, _ = self._context_of(msg)
                resolved: dict[str, Any] = {}
                t = SELECT_VALUE_TYPES[comp["type"]]
                data["values"] = [self._option_value({"type": t}, "v", v, resolved, False, cid0, gid0)["value"]
                                  for v in vals]
                data["resolved"] = resolved
        elif values:
            raise ValueError("values= is only for selects")
        gid, cid, dm = self._context_of(msg)
        return await self._interact(InteractionType.MESSAGE_COMPONENT, data, kind="click", user=user, guild_id=gid, channel_id=cid, dm=dm,
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
        if t == ComponentType.TEXT_INPUT:
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
        """Submit a modal (a ``MODAL_SUBMIT`` interaction) with ``{field_custom_id: value}``.

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
                if top["type"] == ComponentType.ACTION_ROW:
                    comps.append({"type": ComponentType.ACTION_ROW, "id": top.get("id"),
                                  "components": [self._modal_item(c, values, used) for c in top.get("components") or []]})
                elif top["type"] == ComponentType.LABEL:
                    comps.append({"type": ComponentType.LABEL, "id": top.get("id"),
                                  "component": self._modal_item(top["component"], values, used)})
                else:
                    comps.append(self._modal_item(top, values, used))
            unknown = set(values) - used
            if unknown:
                raise ValueError(f"modal {custom_id!r} has no field(s) {sorted(unknown)}; it has {custom_ids(shown)}")
            gid, cid, dm = src.guild_id, src.channel_id, src.guild_id is None
            if user is None:
                user = src.user
            if message is None and src.type == InteractionType.MESSAGE_COMPONENT and src.source_message_id in self.messages:
                message = self.messages[src.source_message_id]
        else:
            custom_id = str(modal)
            comps = [{"type": ComponentType.ACTION_ROW, "id": i * 2 + 1,
                      "components": [{"type": ComponentType.TEXT_INPUT, "id": i * 2 + 2, "custom_id": k, "value": v}]}
                     for i, (k, v) in enumerate(values.items())]
            gid, cid, dm = self.guild_id, None, False
        msg = self._resolve_message(message) if message is not None else None
        data = {"custom_id": custom_id, "components": comps}
        return await self._interact(InteractionType.MODAL_SUBMIT, data, kind="modal", user=user, guild_id=gid, channel_id=cid, dm=dm,
                                    message=msg, permissions=permissions, app_permissions=app_permissions,
                                    locale=locale, wait=wait, opener=src, timeout=timeout)

