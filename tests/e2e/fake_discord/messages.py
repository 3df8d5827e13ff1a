"""Messages: the store (by id and per channel), building them from a bot's request body (embeds,
components with Discord-assigned ids, attachments), edits, deletion, and reading them back.

State lives on ``FakeDiscord`` (fake.py); gateway events go through :class:`~.gateway.GatewayMixin`.
"""
from __future__ import annotations

import copy
import mimetypes
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .enums import THREAD_TYPES, ApplicationCommandType, GatewayIntent, InteractionType, MessageFlag, MessageReferenceType, MessageType
from .model import FakeFile, now_iso, snowflake_time, to_id
from .reading import walk_components

if TYPE_CHECKING:
    from .record import InteractionRecord


class MessagesMixin:
    """The message store of :class:`FakeDiscord` and the inspection API (``messages_in``, ``files_of``, ...)."""

    # ------------------------------------------------------------------------------------------------
    # reading
    # ------------------------------------------------------------------------------------------------
    def messages_in(self, channel: Any, *, include_ephemeral: bool = False) -> list[dict[str, Any]]:
        """Messages of a channel, oldest first (ephemeral interaction replies only if asked)."""
        ids = self.channel_messages.get(to_id(channel), [])
        out = [self.messages[i] for i in ids if i in self.messages]
        if not include_ephemeral:
            out = [m for m in out if not (m.get("flags") or 0) & MessageFlag.EPHEMERAL]
        return out

    def last_message(self, channel: Any = None, *, include_ephemeral: bool = False) -> dict[str, Any] | None:
        """The newest stored message (of ``channel`` if given; ephemeral ones only if asked)."""
        if channel is not None:
            msgs = self.messages_in(channel, include_ephemeral=include_ephemeral)
        else:
            msgs = [m for m in self.messages.values()
                    if include_ephemeral or not (m.get("flags") or 0) & MessageFlag.EPHEMERAL]
        return msgs[-1] if msgs else None

    def get_message(self, message: Any) -> dict[str, Any]:
        return self.messages[to_id(message)]

    def files_of(self, message: Any) -> list[FakeFile]:
        """The uploaded files (name + bytes) behind a message's attachments."""
        m = message if isinstance(message, dict) and "attachments" in message else self.get_message(message)
        return [self.files[int(a["id"])] for a in m.get("attachments") or [] if int(a["id"]) in self.files]

    def dm_channel_id(self, user: Any) -> int | None:
        """The DM channel id between the bot and ``user`` if one was created."""
        return self.dm_channels.get(to_id(user))

    def dm_messages(self, user: Any) -> list[dict[str, Any]]:
        """Messages in the bot's DM channel with ``user`` (empty if none)."""
        cid = self.dm_channel_id(user)
        return [] if cid is None else self.messages_in(cid, include_ephemeral=True)

    async def user_message(self, channel: Any, content: str, *, user: Any = None,
                           mentions: Iterable[Any] = ()) -> dict[str, Any]:
        """A member posts a plain message (MESSAGE_CREATE, intent-gated, content hidden without the
        message-content intent unless it mentions the bot)."""
        cid = to_id(channel)
        author = self.user(user if user is not None else self.alice)
        msg = self._new_message(cid, author, {"content": content}, [], type_=MessageType.DEFAULT)
        msg["mentions"] = [self.user(u) for u in mentions]
        await self._dispatch_message("MESSAGE_CREATE", msg)
        return msg

    # ------------------------------------------------------------------------------------------------
    # building, editing, deleting
    # ------------------------------------------------------------------------------------------------
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
            if flags & MessageFlag.EPHEMERAL:
                att["ephemeral"] = True
            out.append(att)
            if record is not None:
                record.files.append(self.files[aid])
        return out

    def _components(self, comps: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        out = copy.deepcopy(comps or [])
        used = {c["id"] for c in walk_components(out) if isinstance(c.get("id"), int)}
        n = 0
        for c in walk_components(out):
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
                     type_: int = MessageType.DEFAULT, flags: int = 0, interaction: InteractionRecord | None = None) -> dict[str, Any]:
        mid = self.snowflake()
        flags = flags | (data.get("flags") or 0)
        msg: dict[str, Any] = {
            "id": str(mid), "channel_id": str(channel_id), "type": type_, "content": data.get("content") or "",
            "author": author, "timestamp": snowflake_time(mid), "edited_timestamp": None,
            "tts": bool(data.get("tts")), "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": self._attachments(channel_id, data.get("attachments"), files, [], interaction, flags),
            "embeds": self._embeds(data.get("embeds")), "components": self._components(data.get("components")),
            "pinned": False, "flags": flags,
        }
        if data.get("poll"):
            msg["poll"] = data["poll"]
        ref = data.get("message_reference")
        if ref and ref.get("message_id") and int(ref["message_id"]) in self.messages:
            msg["type"] = MessageType.REPLY if type_ == MessageType.DEFAULT else type_
            msg["message_reference"] = {"type": MessageReferenceType.DEFAULT, "channel_id": str(channel_id),
                                        "message_id": str(ref["message_id"])}
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
        if channel_id in self.channels and not flags & MessageFlag.EPHEMERAL:
            self.channels[channel_id]["last_message_id"] = str(mid)
            if self.channels[channel_id]["type"] in THREAD_TYPES:
                self.channels[channel_id]["message_count"] += 1
                self.channels[channel_id]["total_message_sent"] += 1
        return msg

    def _interaction_metadata(self, rec: InteractionRecord) -> dict[str, Any]:
        meta: dict[str, Any] = {"id": str(rec.id), "type": rec.type, "user": rec.user,
                                "authorizing_integration_owners": rec.payload.get("authorizing_integration_owners", {})}
        if rec.type == InteractionType.APPLICATION_COMMAND:
            meta["name"] = rec.payload["data"]["name"]
            meta["command_type"] = ApplicationCommandType.CHAT_INPUT
        elif rec.type == InteractionType.MESSAGE_COMPONENT:
            meta["interacted_message_id"] = str(rec.source_message_id)
        elif rec.type == InteractionType.MODAL_SUBMIT:
            if rec.opener is not None:
                meta["triggering_interaction_metadata"] = self._interaction_metadata(rec.opener)
            else:
                meta["triggering_interaction_metadata"] = {
                    "id": str(rec.id - 1), "type": InteractionType.APPLICATION_COMMAND, "user": rec.user,
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
            keep = (msg.get("flags") or 0) & (MessageFlag.EPHEMERAL | MessageFlag.LOADING)
            msg["flags"] = keep | body["flags"]
        msg["flags"] = (msg.get("flags") or 0) & ~MessageFlag.LOADING
        msg["edited_timestamp"] = now_iso()
        return msg

    def _delete_message(self, msg: dict[str, Any]) -> None:
        mid, cid = int(msg["id"]), int(msg["channel_id"])
        self.messages.pop(mid, None)
        if mid in self.channel_messages.get(cid, []):
            self.channel_messages[cid].remove(mid)
        ch = self.channels.get(cid)
        d = {"id": str(mid), "channel_id": str(cid)}
        if ch and ch.get("guild_id"):
            d["guild_id"] = ch["guild_id"]
        if not (msg.get("flags") or 0) & MessageFlag.EPHEMERAL:
            self._spawn(self._dispatch_all("MESSAGE_DELETE", lambda s: d,
                                           GatewayIntent.GUILD_MESSAGES if d.get("guild_id") else GatewayIntent.DIRECT_MESSAGES))
