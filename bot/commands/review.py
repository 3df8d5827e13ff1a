"""/review, the recall rating under a reveal, and /stats: a member's own progress, shown only to them."""
from __future__ import annotations

from pathlib import Path

from bot.commands.practice import actions_for
from bot.commands.spec import Args, Figure, Invocation, MemberRef, Reply
from bot.core.errors import StudyError
from bot.core.safe_text import safe_name
from bot.presenters.feedback import rated_card, review_cards, stats_card
from bot.services.review import RATINGS, InvalidRating, serve_next

STATS_FILE = "stats.png"
NOT_REVEALED = ("`{id}` の模範解答をまだ表示していません。/reveal {id} で見て、思い出せたかを評価してください。"
                " (Rate a question after its model answer was shown to you: /reveal {id} first.)")


async def review(ctx: Invocation, args: Args) -> Reply:
    served = serve_next(ctx.services.review, ctx.services.study, ctx.guild(), ctx.user_id, ctx.display_name)
    cards = review_cards(served)
    if served.question is None:
        return Reply(cards)
    return Reply(cards, actions_for(ctx, served.question.id))


async def rate(ctx: Invocation, args: Args) -> Reply:
    """How well the member recalled the model answer: schedules the question's next review."""
    rating = args.get("rating", "")
    if not rating:
        return Reply(notes=("使い方: /rate again|hard|good|easy [問題ID] (how well you recalled the model answer)",))
    if rating.strip().lower() not in RATINGS:
        raise InvalidRating(rating)
    guild = ctx.guild()
    question_id = ctx.services.study.question(args.get("question") or ctx.services.answering.current(guild, ctx.user_id).id).id
    if not ctx.services.study.revealed(guild, ctx.user_id, question_id):
        raise StudyError(NOT_REVEALED.format(id=question_id))
    due = ctx.services.review.rate(guild, ctx.user_id, question_id, rating)
    return Reply((rated_card(question_id, rating, due, ctx.services.study.now()),))


async def stats(ctx: Invocation, args: Args) -> Reply:
    who: MemberRef = args.get("member") or MemberRef(ctx.user_id, ctx.display_name)
    name = safe_name(who.name)
    draw = ctx.services.study.stats_chart(ctx.guild(), who.user_id, name)  # reads now; drawing is left to the front end
    return Reply((stats_card(who.name, Path(STATS_FILE), who.user_id),), figure=Figure(STATS_FILE, draw))
