"""The interaction side of REST: callbacks (``POST /interactions/{id}/{token}/callback``) and the
interaction webhook (follow-ups, ``@original`` get/edit/delete), under Discord's rules: 3 s deadline
(404 10062), one callback (400 40060), callback types valid for the interaction type, and the first
follow-up after a "thinking" defer replacing the loading message.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from .enums import InteractionCallbackType as Callback
from .enums import InteractionType, JSONErrorCode, MessageFlag, MessageType
from .model import DiscordHTTPError, RestRequest, unknown

if TYPE_CHECKING:
    from .record import InteractionRecord

# which callbacks Discord accepts for each interaction type (UPDATE_MESSAGE / DEFERRED_UPDATE_MESSAGE
# further need a message the interaction came from)
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    InteractionType.APPLICATION_COMMAND: frozenset({
        Callback.CHANNEL_MESSAGE_WITH_SOURCE, Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, Callback.MODAL}),
    InteractionType.MESSAGE_COMPONENT: frozenset({
        Callback.CHANNEL_MESSAGE_WITH_SOURCE, Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
        Callback.DEFERRED_UPDATE_MESSAGE, Callback.UPDATE_MESSAGE, Callback.MODAL}),
    InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE: frozenset({Callback.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT}),
    InteractionType.MODAL_SUBMIT: frozenset({
        Callback.CHANNEL_MESSAGE_WITH_SOURCE, Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
        Callback.DEFERRED_UPDATE_MESSAGE, Callback.UPDATE_MESSAGE}),
}
UPDATES = frozenset({Callback.DEFERRED_UPDATE_MESSAGE, Callback.UPDATE_MESSAGE})  # of the message it came from
REPLIES = frozenset({Callback.CHANNEL_MESSAGE_WITH_SOURCE, Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE})
# the flags a reply keeps from its callback data
REPLY_FLAGS = (MessageFlag.EPHEMERAL | MessageFlag.IS_COMPONENTS_V2 | MessageFlag.SUPPRESS_EMBEDS
               | MessageFlag.SUPPRESS_NOTIFICATIONS)
# the message type of the reply to each interaction type
REPLY_TYPES: dict[int, int] = {
    InteractionType.APPLICATION_COMMAND: MessageType.CHAT_INPUT_COMMAND,
    InteractionType.MESSAGE_COMPONENT: MessageType.REPLY,
    InteractionType.MODAL_SUBMIT: MessageType.REPLY,
}


class CallbacksMixin:
    """The ``_r_*`` handlers of :class:`FakeDiscord` for interaction callbacks and webhooks."""

    async def _r_callback(self, req: RestRequest, interaction_id: str, token: str) -> tuple[int, Any]:
        rec = self._by_token.get(token)
        if rec is None or rec.id != int(interaction_id):
            raise unknown("interaction", JSONErrorCode.UNKNOWN_INTERACTION)
        body = req.json or {}
        t = body.get("type")
        loop = asyncio.get_running_loop()
        elapsed = loop.time() - (rec.dispatched_at or loop.time())
        if rec.callback is not None:
            rec.rejected_callbacks.append((400, body))
            raise DiscordHTTPError(400, JSONErrorCode.INTERACTION_ALREADY_ACKNOWLEDGED,
                                   "Interaction has already been acknowledged.")
        if self.enforce_deadline and elapsed > self.interaction_deadline:
            rec.late = True
            rec.callback_at = loop.time()
            rec.rejected_callbacks.append((404, body))
            raise unknown("interaction", JSONErrorCode.UNKNOWN_INTERACTION)
        allowed = ALLOWED_CALLBACKS.get(rec.type, frozenset())
        if t in UPDATES and rec.source_message_id is None:
            allowed = allowed - UPDATES
        if t not in allowed:
            err = f"callback type {t} is not valid for interaction type {rec.type}"
            req.record.errors.append(err)
            rec.rejected_callbacks.append((400, body))
            raise DiscordHTTPError(400, JSONErrorCode.INVALID_FORM_BODY, "Invalid Form Body",
                                   {"type": {"_errors": [{"code": "INTERACTION_CALLBACK_TYPE_INVALID", "message": err}]}})
        data = body.get("data") or {}
        msg: dict[str, Any] | None = None
        channel_id = rec.channel_id or 0
        if t in REPLIES:
            if t == Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE:
                flags = ((data.get("flags") or 0) & MessageFlag.EPHEMERAL) | MessageFlag.LOADING
                data_for_msg: dict[str, Any] = {}
            else:
                flags = (data.get("flags") or 0) & REPLY_FLAGS
                data_for_msg = {k: v for k, v in data.items() if k != "flags"}
            msg = self._new_message(channel_id, self.bot_user, data_for_msg, req.files,
                                    type_=REPLY_TYPES.get(rec.type, MessageType.DEFAULT), flags=flags, interaction=rec)
            rec.original_message_id = int(msg["id"])
        elif t in UPDATES:
            msg = self.messages.get(rec.source_message_id or 0)
            if msg is None:
                raise unknown("Message", JSONErrorCode.UNKNOWN_MESSAGE)
            rec.original_message_id = int(msg["id"])
            if t == Callback.UPDATE_MESSAGE:
                self._apply_edit(msg, data, req.files, rec)
        elif t == Callback.MODAL:
            body = {**body, "data": {**data, "components": self._components(data.get("components"))}}
        rec.callback = body
        rec.callback_at = loop.time()
        if msg is not None:
            await self._dispatch_message("MESSAGE_CREATE" if t in REPLIES else "MESSAGE_UPDATE", msg)
        if req.query.get("with_response") not in ("1", "true", "True"):
            return 204, None
        info: dict[str, Any] = {"id": str(rec.id), "type": rec.type}
        if msg is not None:
            info.update(response_message_id=msg["id"],
                        response_message_loading=t == Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE,
                        response_message_ephemeral=bool((msg.get("flags") or 0) & MessageFlag.EPHEMERAL))
        resp: dict[str, Any] = {"interaction": info}
        if msg is not None and t in (Callback.CHANNEL_MESSAGE_WITH_SOURCE, Callback.UPDATE_MESSAGE):
            resp["resource"] = {"type": t, "message": msg}  # Discord sends the message only for these two
        return 200, resp

    def _webhook_record(self, application_id: str, token: str) -> InteractionRecord:
        rec = self._by_token.get(token)
        if rec is None or int(application_id) != self.app_id:
            raise unknown("Webhook", JSONErrorCode.UNKNOWN_WEBHOOK)
        if rec.callback is None or rec.late:
            raise unknown("Webhook", JSONErrorCode.UNKNOWN_WEBHOOK)
        return rec

    async def _r_execute_webhook(self, req: RestRequest, application_id: str, token: str) -> tuple[int, Any]:
        rec = self._webhook_record(application_id, token)
        body = req.json or {}
        original = rec.message
        thinking = original is not None and (original.get("flags") or 0) & MessageFlag.LOADING
        if rec.callback_type == Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE and thinking:
            # Discord: the first follow-up after a "thinking" defer replaces the loading message
            msg = self._apply_edit(original, {k: v for k, v in body.items() if k != "flags"}, req.files, rec)
            await self._dispatch_message("MESSAGE_UPDATE", msg)
        else:
            mtype = MessageType.CHAT_INPUT_COMMAND if rec.type == InteractionType.APPLICATION_COMMAND else MessageType.DEFAULT
            msg = self._new_message(rec.channel_id or 0, self.bot_user,
                                    {k: v for k, v in body.items() if k != "flags"}, req.files, type_=mtype,
                                    flags=(body.get("flags") or 0) & (MessageFlag.EPHEMERAL | MessageFlag.IS_COMPONENTS_V2),
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
                raise unknown("Message", JSONErrorCode.UNKNOWN_MESSAGE)
            return msg
        mid = int(message_id)
        if mid not in rec.followup_ids and mid != rec.original_message_id:
            raise unknown("Message", JSONErrorCode.UNKNOWN_MESSAGE)
        msg = self.messages.get(mid)
        if msg is None:
            raise unknown("Message", JSONErrorCode.UNKNOWN_MESSAGE)
        return msg

    async def _r_get_webhook_message(self, req: RestRequest, application_id: str, token: str, message_id: str):
        rec = self._webhook_record(application_id, token)
        return 200, self._webhook_message(rec, message_id)

    async def _r_edit_webhook_message(self, req: RestRequest, application_id: str, token: str, message_id: str):
        rec = self._webhook_record(application_id, token)
        msg = self._webhook_message(rec, message_id)
        self._apply_edit(msg, req.json or {}, req.files, rec)
        if message_id == "@original" or int(message_id) == rec.original_message_id:
            rec.edits.append(req.json or {})
        await self._dispatch_message("MESSAGE_UPDATE", msg)
        return 200, msg

    async def _r_delete_webhook_message(self, req: RestRequest, application_id: str, token: str, message_id: str):
        rec = self._webhook_record(application_id, token)
        msg = self._webhook_message(rec, message_id)
        self._delete_message(msg)
        return 204, None

