"""The Discord client: wires services into discord.py, registers persistent buttons, syncs commands,
and runs the daily question's scheduler once the bot is connected."""
from __future__ import annotations

import asyncio
import gc
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bootstrap import fit_grader, scorer_questions
from bot.commands.spec import NOT_IN_A_SERVER
from bot.core.errors import StudyError
from bot.frontends.discord.daily_channel import DiscordDailyChannel
from bot.frontends.discord.drawing import ChartPool
from bot.frontends.discord.engage import EVERY as ENGAGE_EVERY
from bot.frontends.discord.engage import DiscordEngage
from bot.frontends.discord.invoke import invoke
from bot.frontends.discord.pacer import Pacer
from bot.frontends.discord.study_thread import StudyThreads, stall_threshold, watch_stalls
from bot.frontends.discord.translations import JapaneseTranslator
from bot.frontends.discord.views import ORPHAN_MODAL, AnswerButton, PageButton, RateButton, RevealButton, report_error, submit_orphan_modal
from bot.scheduler import DailyScheduler
from bot.services import Services
from bot.services.backups import DailyBackup
from bot.services.daily import run_reveals, run_slot
from bot.services.privacy import DEFAULT_FORGET_AFTER

log = logging.getLogger(__name__)
EXTENSIONS = ("bot.frontends.discord.cogs.practice", "bot.frontends.discord.cogs.daily", "bot.frontends.discord.cogs.privacy",
              "bot.frontends.discord.cogs.remind")


def settle_heap() -> None:
    """Once start-up's objects exist (the bank, discord.py's cache, the scorer), move them out of the garbage
    collector's reach: they live as long as the process, and every full collection walked them all, holding the
    event loop 150-220 ms at a time during the daily fan-out of 1,000 servers (bench/bench_fanout.py)."""
    gc.freeze()


class CommandSyncError(discord.DiscordException):
    """Discord refused the slash commands at start-up; the message is one sentence for whoever starts the bot."""


class StudyBot(commands.AutoShardedBot):
    """`daily_jobs`: run the daily question's scheduler (on by default). `scheduler`: the APScheduler
    instance it uses (tests pass one whose jobs only run when fired by hand). `backup`: the daily backup
    that scheduler also runs (none by default). Sharded, as Discord requires past 2,500 servers:
    `shard_count` / `shard_ids` (options) pick the shards of this process; without them discord.py asks
    Discord how many shards to run (GET /gateway/bot) and runs them all here."""

    forget_after = DEFAULT_FORGET_AFTER  # a server's data is deleted this long after the bot left it (config [privacy])

    def __init__(self, services: Services, *, dev_guild_id: int | None = None, extensions: tuple[str, ...] = EXTENSIONS,
                 daily_jobs: bool = True, scheduler: Any = None, backup: DailyBackup | None = None, fit_scorer: bool = False,
                 **options: Any):
        # default intents only: nothing privileged (no message content, members or presences)
        # No message pings anyone: names and answers members write may hold @everyone or <@&role>, and
        # discord.py sends this with every message and reply (tests/e2e/fake_discord/mentions.py checks).
        # A feature that means to ping passes allowed_mentions=discord.AllowedMentions(users=[member]) on
        # that one send (Message.edit without content sends none: pass it there too).
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        # every daily request waits its turn here; the trace lets it see Discord's global 429s on any request
        self.pacer = Pacer()
        options.setdefault("http_trace", self.pacer.trace_config())
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default(), help_command=None, **options)
        self.services = services
        self.charts = ChartPool()  # /stats charts, drawn in other processes (bot.frontends.discord.drawing)
        self.study_threads = StudyThreads()  # where commands run (bot.frontends.discord.study_thread)
        self._stall_watch: asyncio.Task[None] | None = None
        self._fit_scorer = fit_scorer
        self._scorer_start: asyncio.Task[None] | None = None
        self.scorer_ready = asyncio.Event()  # set once answers are scored (at once unless fit_scorer)
        if not fit_scorer:
            self.scorer_ready.set()
        self.study = services.study
        self.answering = services.answering
        self.dev_guild_id = dev_guild_id
        self.extension_names = extensions
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.daily_scheduler: DailyScheduler | None = None
        self.engage = DiscordEngage(self)  # reminder DMs and streak milestones, run by the scheduler every minute
        if daily_jobs:
            self.daily_scheduler = DailyScheduler(services.daily, self.on_daily_slot, self.on_daily_reveal, scheduler=scheduler,
                                                  housekeeping=self.forget_departed_servers, backup=backup,
                                                  spacing=self.pacer.spacing, periodic=(ENGAGE_EVERY, self.engage.tick))
        self._daily_start: asyncio.Task[None] | None = None
        self.daily_started = asyncio.Event()  # set once the scheduler runs and start-up catch-up is done

    async def setup_hook(self) -> None:
        if getattr(self.services.study.db, "per_thread", False):  # in memory: one connection, commands on the loop
            self.study_threads.start()
        if (threshold := stall_threshold()) is not None:
            self._stall_watch = asyncio.create_task(watch_stalls(threshold), name="loop stall monitor")
        await self.tree.set_translator(JapaneseTranslator())
        for name in self.extension_names:
            await self.load_extension(name)
        self.add_dynamic_items(AnswerButton, RevealButton, PageButton, RateButton)
        await self.sync_commands()
        if self.daily_scheduler is not None:
            self._daily_start = asyncio.create_task(self._start_daily(), name="daily scheduler start")
        if self._fit_scorer:
            self._scorer_start = asyncio.create_task(self._start_scorer(), name="answer scorer fit")

    async def _start_scorer(self) -> None:
        """Connecting does not wait for scikit-learn: the scorer is fitted in a worker thread meanwhile, and
        answers saved before it is ready are scored as soon as it is (Services.install_grader)."""
        since = self.services.study.now()
        bank = scorer_questions(self.services.study)
        try:
            grader = await asyncio.to_thread(fit_grader, bank)
        except Exception:  # answers stay saved, unscored; the bot keeps serving
            log.exception("the answer scorer could not be fitted; answers are saved without a score")
            return
        scored = self.services.install_grader(grader, since)
        settle_heap()
        log.info("answer scorer ready (%d answer(s) from before it scored now)", scored)
        self.scorer_ready.set()

    async def _start_daily(self) -> None:
        """Jobs and catch-up only once connected: what a restart left owed is posted after READY."""
        await self.wait_until_ready()
        try:
            if self.daily_scheduler is not None:
                await self.daily_scheduler.start()
        except Exception:  # the study commands work without it; the admin sees why in the log
            log.exception("the daily question scheduler did not start")
        finally:
            self.daily_started.set()
            settle_heap()

    def daily_channel(self) -> DiscordDailyChannel:
        return DiscordDailyChannel(self, self.services.daily, self.study.outputs_dir, self.pacer)

    async def run_command(self, interaction: discord.Interaction, name: str, **args: Any) -> None:
        """What the buttons and modals run (bot/frontends/discord/views.py), without importing the invoker."""
        await invoke(interaction, name, **args)

    async def on_daily_slot(self, guild_id: int) -> None:
        await self.wait_until_ready()
        outcome = await run_slot(self.services.daily, guild_id, self.daily_channel())
        if outcome.kind == "skipped":
            log.warning("daily question of guild %s skipped: %s (see /daily status)", guild_id, outcome.reason)
        elif outcome.kind == "posted" and outcome.post is not None:
            log.info("daily question of guild %s posted (%s)", guild_id, outcome.post.question_id)

    async def on_daily_reveal(self, guild_id: int) -> None:
        await self.wait_until_ready()
        await run_reveals(self.services.daily, guild_id, self.daily_channel())

    # -- servers the bot left: their data goes after the grace period ([privacy] forget_after_days)
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.services.privacy.departed(guild.id)
        log.info("removed from guild %s: its data will be deleted after %s unless the bot is invited back",
                 guild.id, self.forget_after)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        if self.services.privacy.returned(guild.id):
            log.info("back in guild %s: its data is no longer to be deleted", guild.id)

    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.on_guild_join(guild)  # back after an outage, or a join Discord marks so: either way the bot is in it

    async def forget_departed_servers(self) -> None:
        """At start-up and once a day (the scheduler's housekeeping): servers left or rejoined while the bot
        was offline are noted, then the data of servers left longer ago than the grace period is deleted."""
        await self.wait_until_ready()
        privacy = self.services.privacy
        found = privacy.reconcile(g.id for g in self.guilds)
        if found.marked:
            log.warning("no longer in guild(s) %s: their data will be deleted after %s unless the bot is invited back",
                        ", ".join(map(str, found.marked)), self.forget_after)
        for guild_id in privacy.due(self.forget_after):
            async def forget(guild_id: int = guild_id) -> dict[str, int]:
                return privacy.forget_server(guild_id)

            # under the server's lock, never beside its daily timer; then no timer is left armed for it
            deleted = await (self.daily_scheduler.exclusive(guild_id, forget) if self.daily_scheduler else forget())
            self.reschedule_daily(guild_id)
            log.info("deleted the data of guild %s, left more than %s ago (%d rows)", guild_id, self.forget_after,
                     sum(deleted.values()))

    def reschedule_daily(self, guild_id: int) -> None:
        """After /daily setup, pause or resume."""
        if self.daily_scheduler is not None:
            self.daily_scheduler.reschedule(guild_id)

    async def close(self) -> None:
        self.charts.shutdown()
        if self._stall_watch is not None:
            self._stall_watch.cancel()
        await self.study_threads.stop()
        if self._scorer_start is not None and not self._scorer_start.done():
            self._scorer_start.cancel()
        if self._daily_start is not None and not self._daily_start.done():
            self._daily_start.cancel()
        if self.daily_scheduler is not None:
            self.daily_scheduler.shutdown()
        await super().close()

    async def sync_commands(self) -> None:
        if self.dev_guild_id:
            guild = discord.Object(self.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except (discord.Forbidden, discord.NotFound):  # 403 50001 Missing Access, or 404 for no such server
                raise CommandSyncError(
                    f"dev_guild_id {self.dev_guild_id}: the bot is not in that server or lacks the applications.commands "
                    "scope (invite it with the link in README: Connecting to Discord, or set dev_guild_id = 0)."
                ) from None
            log.info("synced %d commands to development guild %s", len(synced), self.dev_guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        # discord.py keeps open modals in memory only; after a restart nothing would answer this one
        known = getattr(getattr(self._connection, "_view_store", None), "_modals", {})
        if ORPHAN_MODAL.match(custom_id) and custom_id not in known:
            await submit_orphan_modal(interaction)

    async def on_ready(self) -> None:
        log.info("ready as %s in %d server(s)", self.user, len(self.guilds))

    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        cause = getattr(error, "original", error)
        # Discord itself hides guild-only commands in DMs (they are synced with contexts=[0]), so this only
        # answers a client holding a command list from before that; the fake Discord refuses to send it.
        if isinstance(error, app_commands.NoPrivateMessage):
            cause = StudyError(NOT_IN_A_SERVER)
        elif isinstance(error, app_commands.TransformerError):  # e.g. a channel the bot cannot see
            log.info("option not usable in /%s: %s", interaction.command.qualified_name if interaction.command else "?", error)
            cause = StudyError("指定されたチャンネルやメンバーがボットから見えません。ボットが見られるものを選んでください。 "
                               "(The bot cannot see the channel or member you chose.)")
        name = interaction.command.qualified_name if interaction.command else "?"
        await report_error(interaction, cause, f"/{name}")
