"""/review, the recall rating under a reveal, and /stats: a member's own progress, shown only to them."""
from __future__ import annotations

from pathlib import Path

from bot.commands.practice import answer_actions
from bot.commands.spec import Args, Figure, Invocation, MemberRef, Reply
from bot.presenters.feedback import rated_card, review_cards, stats_card
from bot.services.review import serve_next

STATS_FILE = "stats.png"


async def review(ctx: Invocation, args: Args) -> Reply:
    served = serve_next(ctx.services.review, ctx.services.study, ctx.guild(), ctx.user_id, ctx.display_name)
    cards = review_cards(served)
    if served.question is None:
        return Reply(cards)
    return Reply(cards, answer_actions(served.question.id))


async def rate(ctx: Invocation, args: Args) -> Reply:
    """How well the member recalled the model answer: schedules the question's next review."""
    rating = args.get("rating", "")
    if not rating:
        return Reply(notes=("使い方: /rate again|hard|good|easy [問題ID] (how well you recalled the model answer)",))
    guild = ctx.guild()
    question_id = args.get("question") or ctx.services.answering.current(guild, ctx.user_id).id
    due = ctx.services.review.rate(guild, ctx.user_id, question_id, rating)
    return Reply((rated_card(question_id, rating, due, ctx.services.study.now()),))


async def stats(ctx: Invocation, args: Args) -> Reply:
    who: MemberRef = args.get("member") or MemberRef(ctx.user_id, ctx.display_name)
    draw = ctx.services.study.stats_chart(ctx.guild(), who.user_id)  # reads now; drawing is left to the front end
    return Reply((stats_card(who.name, Path(STATS_FILE), who.user_id),), figure=Figure(STATS_FILE, draw))
