"""What members see of answer feedback and spaced review: card fields and short texts.

Plain data like bot/presenters/study.py: the Discord adapter and the terminal front end render the same
fields. Every field value stays within Discord's 1024 characters.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core import points
from bot.core.paging import shorten
from bot.presenters.cards import FIELD_LIMIT, TITLE_LIMIT, Card
from bot.presenters.progress import daily_answer_card, member_name
from bot.presenters.study import answer_receipt, question_card

if TYPE_CHECKING:  # types only: importing the scorer loads scikit-learn
    from bot.core.points import PointsVerdict
    from bot.services.answering import Answered
    from bot.services.feedback import Feedback
    from bot.services.review import ReviewCounts, Served

# (value passed to Review.rate, button label): the order buttons are shown in
RATING_BUTTONS = (
    ("again", "もう一度 (Again)"),
    ("hard", "難しかった (Hard)"),
    ("good", "思い出せた (Good)"),
    ("easy", "簡単 (Easy)"),
)
RATING_PROMPT = "模範解答をどれくらい思い出せましたか？ 評価に合わせて次の復習日を決めます。 (How well did you recall it?)"


def feedback_fields(feedback: Feedback | None) -> tuple[tuple[str, str], ...]:
    """Card fields for a graded answer: score, key points covered ✅, missed ❌ (none without feedback)."""
    if feedback is None:
        return ()
    if not feedback.judged:
        return (("自動採点 (score)", _fit(feedback.message)),)
    fields = [("自動採点 (score)", _fit(f"**{feedback.score} / 100**\n{feedback.message}"))]
    if feedback.covered:
        fields.append(("押さえたポイント (covered)", _lines("✅", feedback.covered)))
    missed = [p for p in feedback.missed if p not in feedback.contradicted]
    if feedback.contradicted:
        fields.append(("逆になっているかも (contradicted)", _lines("⚠️", list(feedback.contradicted))))
    if missed:
        fields.append(("足りないポイント (missed)", _lines("❌", missed)))
    return tuple(fields)


def with_feedback(card: Card, feedback: Feedback | None) -> Card:
    """The answer receipt card with the feedback fields added after its own."""
    extra = feedback_fields(feedback)
    footer = card.footer
    if feedback is not None and feedback.judged:
        footer = " ".join(x for x in (card.footer, "自動採点は文字の一致にもとづく目安です。") if x)
    return replace(card, fields=card.fields + extra, footer=footer) if extra else card


def answered_card(answered: Answered) -> Card:
    """The receipt of any answer: the daily one (counted or not) or the practice one, with its feedback
    and, for a daily answer, the points it earned or why it earned none."""
    card = daily_answer_card(answered.daily) if answered.daily is not None else answer_receipt(answered.question, answered.text)
    card = with_feedback(card, answered.feedback)
    extra: tuple[tuple[str, str], ...] = ()
    why = points_text(answered.points)
    if why:
        extra += (("ポイント (points)", why),)
    if answered.hints and answered.daily is None:
        extra += (("ヒント (hints)", PRACTICE_HINTS.format(n=answered.hints)),)
    if answered.drawn_since is not None:
        q = answered.drawn_since
        extra += ((WENT_TO_DAILY_HEADING, _fit(WENT_TO_DAILY.format(id=q.id, title=q.title))),)
    return replace(card, fields=card.fields + extra) if extra else card


PRACTICE_HINTS = "{n} 個使いました（練習の回答なのでポイントには関係しません）。 ({n} hints used; practice earns no points.)"
WENT_TO_DAILY_HEADING = "ℹ 回答した問題 (which question)"
WENT_TO_DAILY = ("まだ回答していない今日の日替わり問題に記録しました。/question で引いた `{id}` {title} に答えるには"
                 " `/answer question:{id}` か、その問題の Answer ボタンを使ってください。"
                 " (This went to today's daily question, which you had not answered; to answer {id}, use /answer question:{id}.)")
HINT_COST_TEXT = " ・ ヒント {hints} 個で −{cut}%（{score} → {points} 点）"


def points_text(verdict: PointsVerdict | None) -> str | None:
    """Why a daily answer earned what it did (None when there is nothing to say: no scorer, or too late,
    which the receipt's footer already says)."""
    if verdict is None or verdict.reason == points.LATE:
        return None
    practice = "この回答は練習として採点しました。"
    return {
        points.POINTS: f"**+{verdict.points}**（この問題の最初に採点された回答です）" + _hint_cost(verdict),
        points.NOT_FIRST: f"ポイントはこの問題の最初に採点された回答で決まります（{verdict.question_points} 点）。{practice}",
        points.REVEALED: f"模範解答を表示した後の回答なので、ポイントはつきません。{practice}",
        points.PUBLIC: f"模範解答がスレッドで公開された後の回答なので、ポイントはつきません。{practice}",
        points.UNJUDGED: "採点されなかったのでポイントはつきません。次に採点された回答がこの問題のポイントになります。",
    }[verdict.reason]


def _hint_cost(verdict: PointsVerdict) -> str:
    if not verdict.hints:
        return ""
    cut = min(100, points.HINT_COST * verdict.hints)
    return HINT_COST_TEXT.format(hints=verdict.hints, cut=cut, score=verdict.score, points=verdict.points)


def _lines(mark: str, phrases: list[str]) -> str:
    lines, used = [], 0
    for n, phrase in enumerate(phrases):
        line = f"{mark} {phrase}"
        rest = f"… ほか {len(phrases) - n} 件"
        if used + len(line) + 1 > FIELD_LIMIT - len(rest) - 1:
            lines.append(rest)
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def _fit(text: str) -> str:
    return shorten(text, FIELD_LIMIT)


def days_until(due: datetime, now: datetime) -> str:
    """「2日後 (in 2 days)」: calendar days from today to the due day, in the due time's timezone (the
    server's), since a question is due for its whole day."""
    if due <= now:
        return "今すぐ (now)"
    days = (due.date() - now.astimezone(due.tzinfo).date()).days
    if days <= 0:
        return "今日 (today)"
    return f"{days}日後 (in {days} day{'s' if days != 1 else ''})"


def zone_name(moment: datetime) -> str:
    return getattr(moment.tzinfo, "key", None) or moment.tzname() or "UTC"


def rated_card(question_id: str, rating: str, due: datetime, now: datetime) -> Card:
    """The reply to a rating button: the day the question comes back (in the server's timezone)."""
    label = dict(RATING_BUTTONS).get(rating.strip().lower(), rating)
    return Card(
        title=f"次の復習: {days_until(due, now)}",
        description=f"`{question_id}` を「{label}」と記録しました。",
        footer=f"復習予定 {due:%Y-%m-%d} ({zone_name(due)}) から ・ /review で復習する問題を出します。",
        kind="info",
    )


def review_status_card(counts: ReviewCounts, now: datetime) -> Card:
    """/review when nothing is due (or as a summary): how many questions are in the member's review deck."""
    if counts.total == 0:
        return Card(title="復習する問題はまだありません (nothing to review yet)",
                    description="模範解答を表示したあと、思い出せたかを評価すると復習に追加されます。", kind="info")
    due = counts.next_due_at
    if counts.due or due is None:
        text = f"いま復習できる問題が **{counts.due}** 問あります（全 {counts.total} 問）。"
    else:
        text = (f"いま復習する問題はありません（全 {counts.total} 問）。"
                f"次は {days_until(due, now)}、{due:%Y-%m-%d} ({zone_name(due)}) です。")
    return Card(title="復習 (review)", description=text, kind="info")


def review_cards(served: Served) -> tuple[Card, ...]:
    """/review in every front end: the question to review (if one is due) and the deck's status."""
    status = review_status_card(served.counts, served.now)
    if served.question is None:
        return (status,)
    return question_card(served.question, heading="復習"), status


def stats_card(name: str, image: Path | None = None, user_id: int = 0) -> Card:
    """/stats: the member's progress chart (`image`, the PNG as the front end attaches it)."""
    name = member_name(user_id, name)
    return Card(title=shorten(f"{name} さんの学習の記録 (study stats)", TITLE_LIMIT),
                description="週ごとの回答数・日替わり問題の連続記録・カテゴリ別の習熟度"
                            " (answers per week, daily-question streak, mastery per category)",
                image=image, kind="info")
