"""A fake Discord (REST under ``/api/v10`` + JSON gateway) for end-to-end tests of discord.py bots.

The real discord.py client talks to :class:`FakeDiscord`, an aiohttp server on ``127.0.0.1`` with an
ephemeral port.  Typical use (the ``fake_discord`` fixture in ``tests/e2e/conftest.py`` does the first line)::

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
  Discord's OpenAPI file plus a few documented bot limits (see ``tests/e2e/openapi_check.py``), and
  against the project's mention policy: a body that creates or edits a message must carry
  ``allowed_mentions`` allowing no ping (``mentions.py``; :attr:`FakeDiscord.pings_allowed` lifts the
  second part for a feature that means to ping).
  A bad body is answered like Discord does (400 ``50035 Invalid Form Body``) and listed in
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

Layout
------
``FakeDiscord`` (fake.py) is a façade over mixins, one concern per module:

* ``enums.py``: Discord's numbers as IntEnums (interaction, callback, component, channel, option and
  message types, message flags, gateway opcodes/close codes/intents, JSON error codes) and :class:`Perm`.
* ``model.py``: constants, ids, :class:`DiscordHTTPError`, :class:`HarnessTimeout`, :class:`FakeFile`,
  :class:`RecordedRequest`, :class:`FakeGuild`.
* ``reading.py``: :func:`find_component`, :func:`custom_ids`, :func:`message_text`.
* ``state.py``: the world (users, guilds, roles, members, channels, threads) and permissions.
* ``messages.py``: the message store; building, editing and deleting messages.
* ``gateway.py``: HELLO/IDENTIFY/READY/RESUME, sessions, event dispatch.
* ``rest.py``: REST plumbing (route table, bodies, validation); ``mentions.py``: the mention policy;
  ``routes.py``: the world's routes;
  ``callbacks.py``: interaction callbacks and webhooks.
* ``record.py``: :class:`InteractionRecord`; ``interactions.py``: ``slash``/``autocomplete``/``click``/
  ``submit_modal``; ``options.py``: command options as the Discord client builds and checks them.
* ``recording.py``: problems and :meth:`~FakeDiscord.assert_clean`; ``waiting.py``: ``wait_for`` & co.
* ``guard.py``: :func:`loopback_only`; ``fake.py``: :class:`FakeDiscord` and :func:`running_bot`.
"""
from __future__ import annotations

from .enums import (
    EPHEMERAL,
    IS_COMPONENTS_V2,
    LOADING,
    ApplicationCommandOptionType,
    ApplicationCommandType,
    ChannelType,
    ComponentType,
    GatewayCloseCode,
    GatewayIntent,
    GatewayOpcode,
    InteractionCallbackType,
    InteractionContextType,
    InteractionType,
    JSONErrorCode,
    MessageFlag,
    MessageType,
    OverwriteType,
    Perm,
)
from .fake import FakeDiscord, running_bot
from .gateway import GatewaySession
from .guard import loopback_only
from .model import (
    API_PREFIX,
    DEFAULT_TIMEOUT,
    FAKE_TOKEN,
    INTERACTION_DEADLINE,
    DiscordHTTPError,
    FakeFile,
    FakeGuild,
    HarnessTimeout,
    RecordedRequest,
)
from .reading import custom_ids, find_component, message_text
from .record import InteractionRecord

__all__ = [
    "API_PREFIX",
    "DEFAULT_TIMEOUT",
    "EPHEMERAL",
    "FAKE_TOKEN",
    "INTERACTION_DEADLINE",
    "IS_COMPONENTS_V2",
    "LOADING",
    "ApplicationCommandOptionType",
    "ApplicationCommandType",
    "ChannelType",
    "ComponentType",
    "DiscordHTTPError",
    "FakeDiscord",
    "FakeFile",
    "FakeGuild",
    "GatewayCloseCode",
    "GatewayIntent",
    "GatewayOpcode",
    "GatewaySession",
    "HarnessTimeout",
    "InteractionCallbackType",
    "InteractionContextType",
    "InteractionRecord",
    "InteractionType",
    "JSONErrorCode",
    "MessageFlag",
    "MessageType",
    "OverwriteType",
    "Perm",
    "RecordedRequest",
    "custom_ids",
    "find_component",
    "loopback_only",
    "message_text",
    "running_bot",
]
