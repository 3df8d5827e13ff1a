"""/question, /answer, /reveal, /hint and the answer box: practice on any question, in every front end.

Which question `/answer`, `/reveal` and `/hint` mean without an id: bot.services.answering (the open daily
question until the member answered it). Revealing that question while its points are still to be earned
asks once first (a Show / Cancel card; the terminal types `/reveal confirm`).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from bot.commands.spec import Action, AnswerBox, Args, Attachment, Invocation, Reply
from bot.core import points
from bot.core.errors import AnswerNotSaved, InvalidAnswer, NoQuestionsLeft, StudyError, UnknownQuestion
from bot.core.paging import shorten
from bot.core.suggest import closest
from bot.presenters.cards import Card, error_card
from bot.presenters.feedback import RATING_BUTTONS, answered_card
from bot.presenters.kept import AGAIN_LABEL, KEPT_FILENAME, as_file, not_saved_card
from bot.presenters.study import (
    HINT_LABEL,
    KEEP_HIDDEN_LABEL,
    LEVEL_NAMES,
    SHOW_LABEL,
    forfeit_card,
    hint_card,
    kept_hidden_card,
    question_card,
    reveal_pages,
)

ECHO_CHARS = 30  # how much of something unrecognised a message repeats back
SUGGESTIONS = 10


def echoed(text: str) -> str:
    return shorten(text, ECHO_CHARS)


def fold(text: str) -> str:
    """For comparing names: full-width to half-width, case-insensitive."""
    return unicodedata.normalize("NFKC", text).casefold()


def level_named(text: str) -> str | None:
    """junior / senior, also as ジュニア, シニア or full-width letters."""
    wanted = fold(text)
    for level, label in LEVEL_NAMES.items():
        if wanted in (level, fold(label), fold(label.split()[0])):
            return level
    return None


def answer_actions(question_id: str, *, by_id: bool = False) -> tuple[Action, ...]:
    """Answer, Reveal and Hint under a question. `by_id`: the terminal's typed commands name the question, since
    without an id they would go to the member's current question (an unanswered daily one) instead."""
    if not by_id:
        return Action("answer", question_id), Action("reveal", question_id), Action("hint", question_id, label=HINT_LABEL)
    return (Action("answer", question_id, typed=f"/answer question:{question_id} あなたの回答"),
            Action("reveal", question_id, typed=f"/reveal {question_id}"),
            Action("hint", question_id, label=HINT_LABEL, typed=f"/hint {question_id}"))


def rate_actions(question_id: str) -> tuple[Action, ...]:
    """Under a reveal: how well the member recalled it. They name the question, so rating after
    `/reveal ID` rates that question, not the member's current one."""
    return tuple(Action("rate", question_id, rating, label) for rating, label in RATING_BUTTONS)


async def question(ctx: Invocation, args: Args) -> Reply:
    level, category = args.get("level"), args.get("category")
    if level is not None and level_named(level) is None:
        if category is not None:
            return Reply((error_card(f"level は junior か senior（ジュニア／シニア）です: {echoed(level)} "
                                     "(level must be junior or senior)"),))
        level, category = None, level  # `/question 高度な機械学習`: a category without a level
    level = level_named(level) if level else None
    study = ctx.services.study
    if category:
        category = _category(ctx, level, category)
    try:
        q = study.draw(ctx.guild(), ctx.user_id, level, category or None, display_name=ctx.display_name)
    except NoQuestionsLeft as error:
        card = error_card(error.message)
        if category:
            card = replace(card, fields=_choices(study.categories(level), category))
        return Reply((card,))
    return Reply((question_card(q),), actions_for(ctx, q.id), public=True)


def actions_for(ctx: Invocation, question_id: str) -> tuple[Action, ...]:
    """answer_actions, naming the question in the terminal when it is not the member's current one."""
    return answer_actions(question_id, by_id=ctx.services.answering.current(ctx.guild(), ctx.user_id).id != question_id)


def _choices(categories: list[str], typed: str) -> tuple[tuple[str, str], ...]:
    """What a member could have meant: the levels, the categories, and the nearest of them (did you mean)."""
    near = closest(typed, [*LEVEL_NAMES, *categories], limit=2)
    fields = (("カテゴリ (categories)", "\n".join(f"- {c}" for c in categories)),
              ("レベル (levels)", " / ".join(f"`{level}`" for level in LEVEL_NAMES)))
    return fields + ((("もしかして (did you mean)", " / ".join(near)),) if near else ())


def _category(ctx: Invocation, level: str | None, text: str) -> str:
    """The category a member means: exact, or the only one that contains what they typed."""
    study = ctx.services.study
    if text in study.categories(level):
        return text
    hits = study.categories(level, containing=text)
    return hits[0] if len(hits) == 1 else text


async def answer(ctx: Invocation, args: Args) -> Reply:
    """The current question (the daily one once it is posted, see bot.services.answering); without text,
    a box to write the answer in (holding `draft`, if given: the send-again button of an answer not saved)."""
    text, question_id = args.get("text"), args.get("question")
    answering = ctx.services.answering
    if question_id:
        question_id = _question_id(ctx, question_id, "/answer question:ID")
        if isinstance(question_id, Reply):
            return question_id
    if text is None:
        q = ctx.services.study.question(question_id) if question_id else answering.current(ctx.guild(), ctx.user_id)
        return Reply(ask=AnswerBox(q.id, q.title, text=args.get("draft") or ""))
    try:
        with given_back(text):
            answered = answering.answer(ctx.guild(), ctx.user_id, text, question_id=question_id, display_name=ctx.display_name)
    except AnswerNotSaved as error:
        return not_saved(ctx, error)
    return Reply((answered_card(answered),), (Action("reveal", answered.question.id),))


async def answer_daily(ctx: Invocation, args: Args) -> Reply:
    """An answer to one daily post, from its Answer button's box (holding `draft`, as for `answer`)."""
    text, post_id = args.get("text"), int(args["post"])
    if text is None:
        q = ctx.services.daily.question(ctx.guild(), post_id)
        return Reply(ask=AnswerBox(q.id, q.title, post_id=post_id, text=args.get("draft") or ""))
    try:
        with given_back(text):
            answered = ctx.services.answering.answer_daily(ctx.guild(), ctx.user_id, post_id, text, display_name=ctx.display_name)
    except AnswerNotSaved as error:
        return not_saved(ctx, error, post_id)
    return Reply((answered_card(answered),), (Action("reveal", answered.question.id),))


@contextmanager
def given_back(text: str) -> Iterator[None]:
    """An answer refused before it is stored (no current question, a DM, an unknown post) keeps the member's
    text: the refusal becomes an InvalidAnswer carrying it, which every front end hands back."""
    try:
        yield
    except (AnswerNotSaved, InvalidAnswer):
        raise
    except StudyError as error:
        raise InvalidAnswer(error.message, text) from error


def not_saved(ctx: Invocation, error: AnswerNotSaved, post_id: int = 0) -> Reply:
    """Never a bare apology: the member's own text (inline when short, else as a file; the terminal prints it)
    and a way to send it again, to the same daily post or question (bot.presenters.kept)."""
    buttons = ctx.surface.has_buttons
    file = (Attachment(KEPT_FILENAME, error.text.encode("utf-8"), paste=True),) if as_file(error.text, has_buttons=buttons) else ()
    again = Action("answer_again", error.question_id, label=AGAIN_LABEL, post_id=post_id)
    return Reply((not_saved_card(error.message, error.text, has_buttons=buttons),), (again,), error=True, attachments=file)


def _question_id(ctx: Invocation, text: str, usage: str) -> str | Reply:
    """The question an option names: its id, or the only question whose id or text matches; several matches
    are listed for the member to choose from (`usage` says how)."""
    try:
        return ctx.services.study.question(text).id
    except UnknownQuestion:
        found = ctx.services.study.suggest(text, SUGGESTIONS)
        if len(found) != 1:
            if not found:
                raise
            lines = "\n".join(f"- `{qid}` {title}" for qid, title in found)
            return Reply((Card("候補 (matching questions)", f"{lines}\n\n`{usage}` で選んでください。", kind="info"),))
        return found[0][0]


async def reveal(ctx: Invocation, args: Args) -> Reply:
    """The model answer, code and real output, page by page, only to the member who asked; for the open daily
    question whose points they may still earn, first a card asking whether to show it (unless `confirmed`)."""
    question_id = args.get("question")
    if question_id:
        question_id = _question_id(ctx, question_id, "/reveal ID")
        if isinstance(question_id, Reply):
            return question_id
    guild, answering = ctx.guild(), ctx.services.answering
    wanted = question_id or answering.current(guild, ctx.user_id).id
    if not args.get("confirmed") and answering.points_at_stake(guild, ctx.user_id, wanted) is not None:
        q = ctx.services.study.question(wanted)
        actions = (Action("reveal_confirm", q.id, label=SHOW_LABEL, typed=f"/reveal confirm {q.id}"),
                   Action("reveal_cancel", q.id, label=KEEP_HIDDEN_LABEL,
                          typed="何も入力しなければ表示しません (type nothing to keep it hidden)"))
        return Reply((forfeit_card(q),), actions)
    q = answering.reveal(guild, ctx.user_id, wanted)
    return Reply(tuple(reveal_pages(q, ctx.services.study.outputs_dir)), rate_actions(q.id), pages_of=q.id)


async def reveal_confirmed(ctx: Invocation, args: Args) -> Reply:
    """Show, on the card that asked (the terminal's `/reveal confirm`)."""
    return await reveal(ctx, {**args, "confirmed": True})


async def reveal_cancelled(ctx: Invocation, args: Args) -> Reply:
    return Reply((kept_hidden_card(),))


async def hint(ctx: Invocation, args: Args) -> Reply:
    """One more key point of a question (default: the current one), only to the member who asked."""
    question_id = args.get("question")
    if question_id:
        question_id = _question_id(ctx, question_id, "/hint ID")
        if isinstance(question_id, Reply):
            return question_id
    hinted = ctx.services.answering.hint(ctx.guild(), ctx.user_id, question_id)
    q = hinted.question
    card = hint_card(q, hinted.shown, new=hinted.new, cost=points.HINT_COST if hinted.costs else 0)
    answer_it, _, more = actions_for(ctx, q.id)
    return Reply((card,), (answer_it, more) if hinted.shown < hinted.total else (answer_it,))


async def hint_daily(ctx: Invocation, args: Args) -> Reply:
    """A daily post's Hint button: /hint for that post's question."""
    q = ctx.services.daily.question(ctx.guild(), int(args["post"]))
    return await hint(ctx, {"question": q.id})


async def reveal_daily(ctx: Invocation, args: Args) -> Reply:
    """A daily post's Reveal button: the same pages as /reveal, for that post's question."""
    q = ctx.services.daily.question(ctx.guild(), int(args["post"]))
    return await reveal(ctx, {"question": q.id})
