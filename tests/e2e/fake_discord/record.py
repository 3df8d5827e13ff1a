"""InteractionRecord: one interaction the harness sent and everything the bot answered to it."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .enums import InteractionCallbackType as Callback
from .enums import MessageFlag
from .model import DEFAULT_TIMEOUT, DEFERRED_TIMEOUT, FakeFile
from .reading import message_text

if TYPE_CHECKING:
    from .fake import FakeDiscord


class InteractionRecord:
    """One interaction the harness sent and everything the bot answered to it.

    Attributes: ``id``, ``token``, ``type`` (:class:`~.enums.InteractionType`: 2 command, 3 component, 4 autocomplete, 5 modal submit),
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
        """:class:`~.enums.InteractionCallbackType`: 4 message, 5 deferred message (thinking), 6 deferred
        update, 7 update message, 8 autocomplete result, 9 modal; ``None`` until the callback arrived."""
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
        return self.callback_type in (Callback.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, Callback.DEFERRED_UPDATE_MESSAGE)

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
        return bool(self.flags & MessageFlag.EPHEMERAL)

    @property
    def thinking(self) -> bool:
        """True while a type-5 reply still shows the loading state."""
        return bool(self.message and (self.message.get("flags") or 0) & MessageFlag.LOADING)

    @property
    def text(self) -> str:
        """:func:`message_text` of all messages of this interaction, joined."""
        return "\n".join(message_text(m) for m in self.messages)

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal (``custom_id``, ``title``, ``components`` with assigned ids) for callback 9."""
        return self.callback_data if self.callback_type == Callback.MODAL else None

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        return self.callback_data.get("choices") if self.callback_type == Callback.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT else None

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
        if self.deferred:  # Discord waits up to 15 minutes for the real reply
            await self.fake.wait_for(
                lambda: bool(self.edits or self.followup_ids), timeout=max(timeout, DEFERRED_TIMEOUT),
                what=f"deferred interaction {self!r} to be completed by an edit or follow-up", record=self)
        return self

    def __await__(self):
        return self.wait().__await__()


