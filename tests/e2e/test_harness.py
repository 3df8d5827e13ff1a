"""Self-test of the e2e harness: a tiny discord.py bot defined here against FakeDiscord."""
from __future__ import annotations

import asyncio
import io

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from .fake_discord import (
    EPHEMERAL,
    FAKE_TOKEN,
    FakeDiscord,
    HarnessTimeout,
    Perm,
    custom_ids,
    find_component,
    message_text,
    running_bot,
)

pytestmark = pytest.mark.asyncio

TOPICS = ["statistics", "linear-models", "trees", "deep-learning", "evaluation"]


class AnswerModal(discord.ui.Modal, title="Your answer"):
    """Classic modal: text inputs wrapped in action rows (type 1)."""

    answer = discord.ui.TextInput(label="Answer", custom_id="answer_text", max_length=200)
    note = discord.ui.TextInput(label="Note", custom_id="note", required=False)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Got: {self.answer.value} / {self.note.value or '-'}", ephemeral=True)


class ReportModal(discord.ui.Modal, title="Report a question"):
    """Newer modal: text display (type 10) + label (type 18) wrappers."""

    intro = discord.ui.TextDisplay("Tell us what is wrong")
    reason = discord.ui.Label(text="Reason", component=discord.ui.TextInput(custom_id="reason", max_length=100))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert isinstance(self.reason.component, discord.ui.TextInput)
        await interaction.response.send_message(f"Reported: {self.reason.component.value}", ephemeral=True)


class QuizView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Answer", style=discord.ButtonStyle.primary, custom_id="quiz:answer")
    async def answer(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(AnswerModal())

    @discord.ui.button(label="Report", style=discord.ButtonStyle.secondary, custom_id="quiz:report")
    async def report(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_modal(ReportModal())

    @discord.ui.button(label="Reveal", style=discord.ButtonStyle.success, custom_id="quiz:reveal")
    async def reveal(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        button.disabled = True
        await interaction.response.edit_message(content="Answer: 42", view=self)

    @discord.ui.select(custom_id="quiz:rate", placeholder="How hard was it?",
                       options=[discord.SelectOption(label=f"{i} stars", value=str(i)) for i in range(1, 4)])
    async def rate(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.send_message(f"rated {select.values[0]}", ephemeral=True)


class PersistentView(discord.ui.View):
    def __init__(self, generation: int) -> None:
        super().__init__(timeout=None)
        self.generation = generation

    @discord.ui.button(label="Done today", style=discord.ButtonStyle.success, custom_id="persist:done")
    async def done(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message(f"recorded by generation {self.generation}", ephemeral=True)


def make_bot(generation: int = 1, *, guild_sync: bool = False) -> commands.Bot:
    # the fake checks the project's mention policy on every message (fake_discord/mentions.py), as studybot's client
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05,
                       help_command=None, allowed_mentions=discord.AllowedMentions.none())
    bot.ready_count = 0  # type: ignore[attr-defined]

    @bot.event
    async def on_ready() -> None:
        bot.ready_count += 1  # type: ignore[attr-defined]

    async def setup_hook() -> None:
        bot.add_view(PersistentView(generation))
        if guild_sync:
            guild = discord.Object(id=bot.fake_guild_id)  # type: ignore[attr-defined]
            bot.tree.copy_global_to(guild=guild)
            await bot.tree.sync(guild=guild)
        await bot.tree.sync()

    bot.setup_hook = setup_hook  # type: ignore[method-assign]

    async def topic_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TOPICS if current.lower() in t][:25]

    @bot.tree.command(description="Get a quiz question")
    @app_commands.describe(topic="Topic", level="Difficulty 1-3")
    @app_commands.autocomplete(topic=topic_autocomplete)
    async def quiz(interaction: discord.Interaction, topic: str, level: app_commands.Range[int, 1, 3] = 1) -> None:
        embed = discord.Embed(title=f"Question ({topic}, level {level})", description="What is overfitting?")
        embed.add_field(name="Hint", value="train vs. test")
        await interaction.response.send_message(embed=embed, view=QuizView())

    @bot.tree.command(description="Slow command (defers)")
    async def slow(interaction: discord.Interaction, followup: bool = False) -> None:
        await interaction.response.defer(thinking=True)
        await asyncio.sleep(0)
        if followup:
            await interaction.followup.send("via follow-up")
            await interaction.followup.send("second follow-up", ephemeral=True)
        else:
            await interaction.edit_original_response(content="done after thinking")

    @bot.tree.command(description="Send a file")
    async def notes(interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            "here are your notes", file=discord.File(io.BytesIO("ノート\n".encode()), filename="notes.txt"))

    @bot.tree.command(description="Post the daily check-in")
    async def checkin(interaction: discord.Interaction) -> None:
        assert interaction.channel is not None
        await interaction.channel.send("Daily check-in", view=PersistentView(generation))  # type: ignore[union-attr]
        await interaction.response.send_message("posted", ephemeral=True)

    @bot.tree.command(description="Discuss in a thread")
    async def discuss(interaction: discord.Interaction, title: str) -> None:
        await interaction.response.send_message(f"Discussion: {title}")
        msg = await interaction.original_response()
        thread = await msg.create_thread(name=title)
        await thread.send("Post your thoughts here")

    @bot.tree.command(description="Admin only")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def reset(interaction: discord.Interaction) -> None:
        perms = interaction.permissions
        if not perms.manage_guild:
            await interaction.response.send_message("no permission", ephemeral=True)
            return
        await interaction.response.send_message("reset done", ephemeral=True)

    @bot.tree.command(description="Where am I")
    @app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
    async def whereami(interaction: discord.Interaction) -> None:
        where = "dm" if interaction.guild_id is None else f"guild {interaction.guild_id}"
        await interaction.response.send_message(f"{where} user={interaction.user.name}")

    @bot.tree.command(description="Upload your notes")
    async def upload(interaction: discord.Interaction, file: discord.Attachment) -> None:
        data = await file.read()
        await interaction.response.send_message(f"{file.filename}: {len(data)} bytes, {data.decode()[:5]}")

    @bot.tree.command(description="DM me a reminder")
    async def remindme(interaction: discord.Interaction) -> None:
        try:
            await interaction.user.send("study reminder")
        except discord.Forbidden as exc:
            await interaction.response.send_message(f"cannot DM you ({exc.code})", ephemeral=True)
        else:
            await interaction.response.send_message("sent", ephemeral=True)

    bot.seen = []  # type: ignore[attr-defined]

    @bot.event
    async def on_message(message: discord.Message) -> None:
        if message.author != bot.user:
            bot.seen.append((message.author.name, message.content))  # type: ignore[attr-defined]

    stats = app_commands.Group(name="stats", description="Statistics")

    @stats.command(name="show", description="Show stats")
    async def stats_show(interaction: discord.Interaction, days: int = 7, member: discord.Member | None = None) -> None:
        who = member.name if member else interaction.user.name
        await interaction.response.send_message(f"stats {who} {days}d")

    bot.tree.add_command(stats)
    return bot


# ---------------------------------------------------------------------------------------------------
async def test_slash_embed_button_modal_flow(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running_bot(fake, make_bot()) as bot:
        assert bot.is_ready() and bot.get_guild(fake.guild_id) is not None
        rec = await fake.slash("quiz", {"topic": "trees", "level": 2})
        assert rec.callback_type == 4 and not rec.ephemeral
        assert rec.latency is not None and rec.latency < 3
        assert rec.embeds[0]["title"] == "Question (trees, level 2)"
        assert "train vs. test" in message_text(rec.message)
        assert custom_ids(rec.message) == ["quiz:answer", "quiz:report", "quiz:reveal", "quiz:rate"]
        assert find_component(rec.message, "quiz:answer")["id"]  # Discord-assigned component id
        assert rec.message in fake.messages_in(fake.channel_id)

        opened = await fake.click(rec, "quiz:answer")
        assert opened.callback_type == 9 and opened.modal["title"] == "Your answer"
        assert custom_ids(opened.modal) == ["answer_text", "note"]
        sub = await fake.submit_modal(opened, {"answer_text": "high variance"})
        assert sub.callback_type == 4 and sub.ephemeral and sub.flags & EPHEMERAL
        assert sub.content == "Got: high variance / -"
        assert sub.payload["message"]["id"] == rec.message["id"]  # modal opened from a component

        opened = await fake.click(rec, "quiz:report", user=fake.owner)
        assert [c["type"] for c in opened.modal["components"]] == [10, 18]
        sub = await fake.submit_modal(opened.modal["custom_id"], {"reason": "typo"})  # by modal custom_id
        assert sub.content == "Reported: typo" and sub.user["id"] == fake.owner["id"]

        with pytest.raises(ValueError, match="required"):
            await fake.submit_modal(opened, {})

        rev = await fake.click(rec, "quiz:reveal")
        assert rev.callback_type == 7 and rev.message["id"] == rec.message["id"]
        assert rec.content == "Answer: 42"  # the same live message
        assert find_component(rec.message, "quiz:reveal")["disabled"] is True
        with pytest.raises(ValueError, match="disabled"):
            await fake.click(rec, "quiz:reveal")

        rated = await fake.click(rec, "quiz:rate", values=["3"])
        assert rated.content == "rated 3" and rated.payload["data"]["values"] == ["3"]
        with pytest.raises(ValueError, match="no option"):
            await fake.click(rec, "quiz:rate", values=["9"])

        choices = await fake.autocomplete("quiz", "topic", "e")
        assert [c["value"] for c in choices] == ["linear-models", "trees", "deep-learning", "evaluation"]
        assert await fake.autocomplete("quiz", "topic", "tr") == [{"name": "trees", "value": "trees"}]

        with pytest.raises(ValueError, match="max_value"):
            await fake.slash("quiz", {"topic": "trees", "level": 9})
        with pytest.raises(ValueError, match="required"):
            await fake.slash("quiz", {})


async def test_deferred_edit_and_followups(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running_bot(fake, make_bot()):
        rec = await fake.slash("slow")
        assert rec.callback_type == 5 and rec.deferred
        await rec.finished()
        assert rec.content == "done after thinking" and not rec.thinking and len(rec.edits) == 1

        rec = await fake.slash("slow", {"followup": True})
        await rec.wait(followups=2)
        # the first follow-up after a thinking defer replaces the loading message (Discord behaviour)
        assert rec.content == "via follow-up" and rec.followups[0]["id"] == rec.message["id"]
        assert rec.followups[1]["content"] == "second follow-up" and rec.followups[1]["flags"] & EPHEMERAL
        assert rec.final["content"] == "second follow-up"
        assert [r.query.get("wait") for r in fake.requests_for("execute_webhook")] == ["1", "1"]


async def test_file_upload(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running_bot(fake, make_bot()):
        rec = await fake.slash("notes")
        assert rec.content == "here are your notes"
        assert [a["filename"] for a in rec.attachments] == ["notes.txt"]
        assert rec.files[0].filename == "notes.txt" and rec.files[0].text == "ノート\n"
        assert fake.files_of(rec.message)[0].data == "ノート\n".encode()
        cb = fake.requests_for("create_interaction_response")[-1]
        assert cb.files and cb.json["data"]["attachments"][0]["filename"] == "notes.txt"


async def test_persistent_view_survives_restart(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running_bot(fake, make_bot(generation=1)):
        rec = await fake.slash("checkin")
        assert rec.ephemeral and rec.content == "posted"
        posted = fake.last_message(fake.channel_id)
        assert posted["content"] == "Daily check-in"
        first = await fake.click(posted, "persist:done")
        assert first.content == "recorded by generation 1"
    assert not fake._live_sessions()

    async with running_bot(fake, make_bot(generation=2)) as bot2:
        assert bot2.is_ready()
        again = await fake.click(posted, "persist:done", user=fake.owner)
        assert again.content == "recorded by generation 2" and again.ephemeral
    assert [w for w, _ in fake.gateway_log].count("IDENTIFY") == 2


async def test_command_tree_synced(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    bot = make_bot(guild_sync=True)
    bot.fake_guild_id = fake.guild_id  # type: ignore[attr-defined]
    async with running_bot(fake, bot):
        names = sorted(c["name"] for c in fake.commands())
        assert names == ["checkin", "discuss", "notes", "quiz", "remindme", "reset", "slow", "stats", "upload",
                         "whereami"]
        assert sorted(c["name"] for c in fake.commands(fake.guild_id)) == names
        quiz = next(c for c in fake.commands() if c["name"] == "quiz")
        opts = {o["name"]: o for o in quiz["options"]}
        assert opts["topic"]["type"] == 3 and opts["topic"]["autocomplete"] is True
        assert opts["level"]["type"] == 4 and opts["level"]["min_value"] == 1 and opts["level"]["max_value"] == 3
        reset = next(c for c in fake.commands() if c["name"] == "reset")
        assert reset["default_member_permissions"] == str(Perm.MANAGE_GUILD) and reset["contexts"] == [0]
        fetched = await bot.tree.fetch_commands()
        assert sorted(c.name for c in fetched) == names and all(c.id for c in fetched)
        assert {r.operation_id for r in fake.requests} >= {
            "get_my_user", "get_my_oauth2_application", "bulk_set_application_commands",
            "bulk_set_guild_application_commands", "list_application_commands"}

        # subcommand with a member option (resolved users/members filled in)
        rec = await fake.slash("stats", {"days": 30, "member": fake.owner}, subcommand="show")
        assert rec.content == "stats owner 30d"
        opt = rec.payload["data"]["options"][0]
        assert opt["type"] == 1 and opt["options"][1] == {"name": "member", "type": 6, "value": fake.owner["id"]}
        assert fake.owner["id"] in rec.payload["data"]["resolved"]["members"]


async def test_every_message_must_say_it_pings_nobody(fake_discord: FakeDiscord) -> None:
    """The project's mention policy (fake_discord/mentions.py), on top of Discord's rules."""
    fake = fake_discord
    async with running_bot(fake, make_bot()) as bot:
        channel = bot.get_channel(fake.channel_id)
        message = await channel.send("@everyone is not pinged")  # the client's AllowedMentions.none()
        assert fake.violations == []
        with pytest.raises(discord.HTTPException):
            await channel.send("pings", allowed_mentions=discord.AllowedMentions(everyone=True))
        with pytest.raises(discord.HTTPException):  # an edit without content: discord.py sends no allowed_mentions
            await message.edit(embed=discord.Embed(description="edited"))
        with pytest.raises(discord.HTTPException):
            await bot.http.send_message(fake.channel_id, params=discord.http.handle_message_parameters(content="raw"))
        found = fake.take_violations()
        assert [r.operation_id for r in found] == ["create_message", "update_message", "create_message"]
        assert "allows pings {'parse': ['everyone']}" in found[0].errors[0]
        assert all("no allowed_mentions" in r.errors[0] for r in found[1:])
        fake.pings_allowed = True  # a feature that means to ping
        await channel.send("<@123>", allowed_mentions=discord.AllowedMentions(users=[discord.Object(123)]))
        assert fake.violations == []


async def test_schema_violation_is_detected(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running_bot(fake, make_bot()) as bot:
        with pytest.raises(discord.HTTPException) as exc:
            await bot.get_channel(fake.channel_id).send("x" * 2001)
        assert exc.value.status == 400 and exc.value.code == 50035
        # a violation of the OpenAPI schema itself (embed title longer than 256)
        with pytest.raises(discord.HTTPException):
            await bot.http.send_message(fake.channel_id, params=discord.http.handle_message_parameters(
                embed=discord.Embed(title="t" * 300)))
        found = fake.take_violations()
        assert len(found) == 2
        assert found[0].operation_id == "create_message"
        assert any("length 2001 exceeds 2000" in e for e in found[0].errors)
        assert any("$.embeds[0].title" in e and "maxLength 256" in e for e in found[1].errors)
        assert fake.violations == []

        with pytest.raises(discord.NotFound):
            await bot.http.request(discord.http.Route("GET", "/nonexistent/{x}", x=1))
        unexpected = fake.take_unexpected()
        assert [r.path for r in unexpected] == ["/nonexistent/1"]
        assert fake.problems() == []


async def test_bad_token_gives_login_failure(fake_discord: FakeDiscord) -> None:
    with pytest.raises(discord.LoginFailure):
        async with running_bot(fake_discord, make_bot(), token="wrong-token"):
            pass
    assert fake_discord.requests[-1].status == 401


async def test_forbidden_deleted_channel_and_threads(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    quiet = fake.add_channel(fake.guild_id, "announcements")
    gone = fake.add_channel(fake.guild_id, "old")
    fake.deny_bot(quiet)
    async with running_bot(fake, make_bot()) as bot:
        ch = bot.get_channel(int(quiet["id"]))
        assert ch is not None and not ch.permissions_for(ch.guild.me).send_messages
        with pytest.raises(discord.Forbidden) as exc:
            await ch.send("hello")
        assert exc.value.code == 50013 and exc.value.text == "Missing Permissions"

        fake.delete_channel(gone, dispatch=False)  # the bot's cache still has it
        stale = bot.get_channel(int(gone["id"]))
        with pytest.raises(discord.NotFound) as exc:
            await stale.send("hello")
        assert exc.value.code == 10003

        rec = await fake.slash("discuss", {"title": "Bias vs variance"})
        thread_msg = await fake.wait_for_message(check=lambda m: m["content"] == "Post your thoughts here")
        thread = fake.channel(thread_msg["channel_id"])
        assert thread["type"] == 11 and thread["id"] == rec.message["id"] and thread["name"] == "Bias vs variance"
        assert bot.get_channel(int(thread["id"])) is not None  # THREAD_CREATE reached the cache

        # a member interaction inside the thread
        rec = await fake.slash("whereami", channel_id=thread["id"])
        assert rec.content == f"guild {fake.guild_id} user=alice" and rec.message["channel_id"] == thread["id"]


async def test_dm_and_permissions(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running_bot(fake, make_bot()):
        rec = await fake.slash("whereami", dm=True)
        assert rec.content == "dm user=alice"
        assert "guild_id" not in rec.payload and "member" not in rec.payload and rec.payload["context"] == 1
        assert rec.message["channel_id"] == str(fake.dm_channel_id(fake.alice))
        with pytest.raises(ValueError, match="not available in DMs"):
            await fake.slash("reset", dm=True)

        with pytest.raises(ValueError, match="default_member_permissions"):
            await fake.slash("reset")
        rec = await fake.slash("reset", enforce_visibility=False)
        assert rec.content == "no permission"
        rec = await fake.slash("reset", permissions=Perm.EVERYONE_DEFAULT | Perm.MANAGE_GUILD)
        assert rec.content == "reset done"
        rec = await fake.slash("reset", user=fake.owner)  # Admin role -> all permissions
        assert rec.content == "reset done" and int(rec.payload["member"]["permissions"]) == Perm.ALL


async def test_state_changes_dms_attachments_and_messages(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running_bot(fake, make_bot()) as bot:
        # a guild and a channel appear while the bot runs (GUILD_CREATE / CHANNEL_CREATE)
        g2 = fake.add_guild("Second Guild")
        ch2 = fake.add_channel(g2.id, "study-room")
        await fake.wait_for(lambda: bot.get_channel(int(ch2["id"])), what="the bot to see the new channel")
        assert bot.get_guild(g2.id).name == "Second Guild"
        bob = fake.add_user("bob")
        fake.add_member(g2.id, bob)
        rec = await fake.slash("whereami", guild_id=g2.id, user=bob)
        assert rec.content == f"guild {g2.id} user=bob" and rec.message["channel_id"] == ch2["id"]

        # attachment option: the bot downloads the bytes from the fake CDN
        rec = await fake.slash("upload", {"file": ("notes.md", b"# ML notes\n")})
        assert rec.content == "notes.md: 11 bytes, # ML "

        # DMs: opened through POST /users/@me/channels; blocked DMs answer 403 50007
        rec = await fake.slash("remindme")
        assert rec.content == "sent" and [m["content"] for m in fake.dm_messages(fake.alice)] == ["study reminder"]
        fake.block_dms(fake.owner)
        rec = await fake.slash("remindme", user=fake.owner)
        assert rec.content == "cannot DM you (50007)"

        # a member's plain message reaches on_message (content hidden without the message-content intent)
        await fake.user_message(fake.channel_id, "hello bot")
        await fake.user_message(fake.channel_id, f"<@{fake.app_id}> hi", mentions=[fake.app_id])
        await fake.wait_for(lambda: len(bot.seen) == 2, what="on_message twice")
        assert bot.seen == [("alice", ""), ("alice", f"<@{fake.app_id}> hi")]

        # the bot edits, fetches, reacts to and deletes its own channel message
        channel = bot.get_channel(fake.channel_id)
        msg = await channel.send("draft")
        await msg.edit(content="final", embed=discord.Embed(description="edited"))
        stored = fake.get_message(msg.id)
        assert stored["content"] == "final" and stored["edited_timestamp"] and stored["embeds"][0]["type"] == "rich"
        fetched = await channel.fetch_message(msg.id)
        assert fetched.content == "final"
        await fetched.add_reaction("✅")
        assert fake.get_message(msg.id)["reactions"][0]["emoji"]["name"] == "✅"
        await fetched.delete()
        assert msg.id not in fake.messages


async def test_gateway_resume_and_reidentify(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    async with running_bot(fake, make_bot()) as bot:
        await fake.disconnect(resume=True)
        assert ("CONNECT", "/resume-gateway") in fake.gateway_log and fake.gateway_log[-1][0] == "RESUMED"
        rec = await fake.slash("whereami")
        assert rec.content.startswith("guild")

        await fake.disconnect(resume=False)
        await fake.wait_for(lambda: bot.ready_count == 2, what="on_ready after re-identify")
        rec = await fake.slash("whereami")
        assert rec.content.startswith("guild")
        assert [w for w, _ in fake.gateway_log].count("IDENTIFY") == 2


async def test_late_answer_and_timeouts(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    bot = make_bot()

    @bot.tree.command(description="Too slow")
    async def sleepy(interaction: discord.Interaction) -> None:
        await asyncio.sleep(0.1)
        await interaction.response.send_message("too late")

    @bot.tree.command(description="Never answers")
    async def silent(interaction: discord.Interaction) -> None:
        pass

    async with running_bot(fake, bot):
        fake.interaction_deadline = 0.05
        rec = await fake.slash("sleepy", wait=False)
        await fake.wait_for(lambda: rec.late, what="the late callback")
        assert rec.callback is None and rec.latency is not None and rec.latency > 0.05
        assert fake.take_late_callbacks() == [rec]
        await fake.wait_for(lambda: fake.bot_errors, what="the bot to log the 10062 error")
        assert "Unknown interaction" in fake.take_bot_errors()[0]
        fake.interaction_deadline = 3.0

        with pytest.raises(HarnessTimeout, match="to get a callback"):
            await fake.slash("silent", timeout=0.2)


async def test_loopback_only_guard() -> None:
    refused: list[str] = []
    from .fake_discord import loopback_only
    with loopback_only(refused.append):
        with pytest.raises(OSError):
            await asyncio.wait_for(asyncio.open_connection("192.0.2.1", 443), 1)
        with pytest.raises(OSError):
            await asyncio.wait_for(asyncio.open_connection("discord.com", 443), 1)
    assert len(refused) == 2 and "192.0.2.1" in refused[0] and "discord.com" in refused[1]


async def test_check_responses_against_spec(openapi_spec) -> None:
    """The fake's own JSON answers have the shape Discord documents (response schemas)."""
    async with FakeDiscord(spec=openapi_spec, check_responses=True) as fake, running_bot(fake, make_bot()):
        rec = await fake.slash("quiz", {"topic": "trees"})
        await fake.click(rec, "quiz:reveal")
        await fake.slash("notes")
        await (await fake.slash("slow", {"followup": True})).wait(followups=2)
        await fake.slash("discuss", {"title": "x"})
        await fake.wait_for_message(check=lambda m: m["content"] == "Post your thoughts here")
        opened = await fake.click(rec, "quiz:answer")
        await fake.submit_modal(opened, {"answer_text": "a"})
        await fake.autocomplete("quiz", "topic", "t")
        await fake.slash("remindme")
        await fake.slash("whereami", dm=True)
    fake.assert_clean()
    assert fake.response_issues == []
    # discord.py is pointed back at the real Discord after the context
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"
    assert FAKE_TOKEN == "fake-token"
