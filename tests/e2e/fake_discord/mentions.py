"""The project's mention policy, checked on every message body the bot sends (not a Discord rule).

Without ``allowed_mentions`` Discord pings whatever the text mentions: a member's display name or answer
holding ``@everyone`` or ``<@&role>`` would ping the server. So every body that creates or edits a message
(channel messages, thread messages, interaction replies and updates, follow-ups, webhook edits) must carry
``allowed_mentions``, and it must allow no ping at all. A feature that means to ping (none exists yet)
sets :attr:`FakeDiscord.pings_allowed` in its tests and passes an explicit ``allowed_mentions`` naming
exactly whom it pings on that one send.
"""
from __future__ import annotations

from typing import Any

from .enums import InteractionCallbackType as Callback

MESSAGE_BODIES = frozenset({
    "create_message", "update_message", "execute_webhook", "update_original_webhook_message", "update_webhook_message",
})
MESSAGE_CALLBACKS = frozenset({Callback.CHANNEL_MESSAGE_WITH_SOURCE, Callback.UPDATE_MESSAGE})


def _message_body(operation_id: str | None, body: Any) -> tuple[str, dict[str, Any]] | None:
    """(where, the message part of `body`) when the request creates or edits a message."""
    if not isinstance(body, dict):
        return None
    if operation_id in MESSAGE_BODIES:
        return "$", body
    if operation_id == "create_interaction_response" and body.get("type") in MESSAGE_CALLBACKS:
        return "$.data", body.get("data") if isinstance(body.get("data"), dict) else {}
    if operation_id == "create_thread" and isinstance(body.get("message"), dict):  # a forum post's first message
        return "$.message", body["message"]
    return None


def mention_problems(operation_id: str | None, body: Any, *, pings_allowed: bool = False,
                     role_pings: frozenset[str] = frozenset()) -> list[str]:
    """`role_pings`: role ids a message may ping, and only those (the daily post's ping role): a body that
    pings anything else (users, parse, a reply, another role) is still refused."""
    found = _message_body(operation_id, body)
    if found is None:
        return []
    where, message = found
    allowed = message.get("allowed_mentions")
    if not isinstance(allowed, dict):
        return [f"{where}: no allowed_mentions (every message the bot sends says whom it may ping: "
                "discord.AllowedMentions.none() on the client)"]
    pings = {k: v for k, v in allowed.items() if k in ("parse", "users", "roles", "replied_user") and v}
    if role_pings and set(pings) == {"roles"} and {str(r) for r in pings["roles"]} <= role_pings:
        return []
    if pings and not pings_allowed:
        return [f"{where}.allowed_mentions allows pings {pings}: no feature pings anyone yet"]
    return []
