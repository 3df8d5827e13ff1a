"""Spaced review and the progress chart in the terminal: thin handlers over bot.services."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bot.presenters.feedback import RATING_BUTTONS, rated_card, review_cards, stats_card
from bot.services.review import serve_next

if TYPE_CHECKING:
    from bot.frontends.terminal.commands import Result
    from bot.frontends.terminal.session import Context

def rate_hints(question_id: str) -> tuple[tuple[str, str], ...]:
    """What the Discord rating buttons are here: hints under a reveal. They name the question, as the
    buttons do, so rating after `/reveal ID` rates that question, not the member's current one."""
    return tuple((label, f"/rate {rating} {question_id}") for rating, label in RATING_BUTTONS)


def review(ctx: Context, args: dict[str, str]) -> Result:
    from bot.frontends.terminal.commands import Reply

    served = serve_next(ctx.services.review, ctx.study, ctx.guild_id, ctx.user_id, ctx.display_name)
    cards = review_cards(served)
    if served.question is None:
        return cards[0]
    return Reply(cards, buttons=(("Answer", "/answer"), ("Reveal", "/reveal")))


def rate(ctx: Context, args: dict[str, str]) -> Result:
    """`/rate good` rates the current question (what the Reveal buttons' rating row does in Discord)."""
    rating = args.get("rating", "")
    if not rating:
        return "使い方: /rate again|hard|good|easy [問題ID] (how well you recalled the model answer)"
    question_id = args.get("question") or ctx.answering.current(ctx.guild_id, ctx.user_id).id
    due = ctx.services.review.rate(ctx.guild_id, ctx.user_id, question_id, rating)
    return rated_card(question_id, rating, due, ctx.study.now())


def stats(ctx: Context, args: dict[str, str]) -> Result:
    from bot.frontends.terminal.session import Member

    who = Member.named(args["member"]) if args.get("member") else ctx.member
    png = ctx.study.stats_png(ctx.guild_id, who.user_id)
    return stats_card(who.name, save_png(png))


def save_png(png: bytes) -> Path:
    """A new file of its own in the temporary directory: no fixed name that another user or a second
    terminal could read or replace."""
    handle, name = tempfile.mkstemp(prefix="studybot-stats-", suffix=".png")
    with os.fdopen(handle, "wb") as out:
        out.write(png)
    return Path(name)


def commands():
    from bot.frontends.terminal.commands import Command

    return (
        Command("review", review, usage="/review"),
        Command("rate", rate, params=("rating", "question"), usage="/rate again|hard|good|easy [問題ID]",
                help="模範解答をどれくらい思い出せたかを記録し、次の復習日を決めます（Discord では Reveal の下のボタン）。"
                     " Rate your recall; Discord shows buttons under a reveal."),
        Command("stats", stats, params=("member",), usage="/stats [名前]"),
    )
