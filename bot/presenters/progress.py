"""What members see of the daily question, streaks and leaderboards, independent of where they see it.

Cards as in bot.presenters: plain data the Discord adapter turns into embeds and the terminal into panels.
Everything here stays within Discord's embed limits (names and titles are cut, lists are bounded).
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from bot.core import daily as rules
from bot.core.daily import DailyPost, DailySettings
from bot.core.models import Question
from bot.core.paging import shorten
from bot.core.safe_text import safe_name
from bot.presenters.cards import FIELD_LIMIT, TITLE_LIMIT, Card, ChannelRef
from bot.presenters.study import LEVEL_NAMES, rating, reveal_pages
from bot.services import daily as svc
from bot.services.daily import DailyAnswerReceipt, DailyStatus, SlotOutcome
from bot.services.progress import BoardEntry, Leaderboard, StreakView

THREAD_NAME_LIMIT = 100
NAME_LIMIT = 32  # Discord's display-name limit; stored names are cut to it
WEEKDAYS = "月火水木金土日"
DAILY_LEVELS = {**LEVEL_NAMES, "mixed": "ミックス (mixed)"}
STATE_NAMES = {rules.POSTED: "投稿済み", rules.SKIPPED: "スキップ", rules.INTENDED: "投稿処理中", rules.PENDING: "再投稿待ち"}
REASONS = {
    rules.CHANNEL_MISSING: "チャンネルが見つかりません（削除されたか、ボットから見えません）",
    rules.NO_PERMISSION: "ボットにチャンネルへの投稿権限がありません",
    rules.NO_QUESTIONS: "このレベルで出題できる問題がありません",
    rules.EXPIRED: "投稿を確認できないまま日付が変わったため取りやめました（過去の日には遡って投稿しません）",
    rules.SEND_ERROR: "投稿中にエラーが起きました",
}
NO_POST = {
    svc.NOT_SET_UP: "日替わり問題はまだ設定されていません。/daily setup で設定してください。",
    svc.PAUSED: "日替わり問題は一時停止中です。/daily resume で再開できます。",
    svc.NOT_DUE: "今日の投稿時刻はまだです。",
    svc.ALREADY_POSTED: "今日の問題はもう投稿済みです。",
    svc.IN_PROGRESS: "今日の問題を投稿しているところです。",
    svc.WAS_SKIPPED: "今日の問題はスキップされました。",
    svc.RETRY_LATER: "今日の問題は投稿に失敗したため、再試行の時刻を待っています。",
    rules.NO_QUESTIONS: REASONS[rules.NO_QUESTIONS] + "。",
}
DAILY_HINT_NOTE = "{how}でキーポイントを 1 つずつ表示します（回答前のヒントは 1 個につきポイント −10%）。"
MARKDOWN = re.compile(r"([\\*_`~|\[\]])")  # what could turn a name into formatting or a link


def member_name(user_id: int, name: str | None) -> str:
    """A stored display name, made safe to show (no bidi or zero-width characters, no mention syntax:
    bot.core.safe_text.safe_name, also for names stored before that rule) and for Markdown; a member who
    never gave one (or whose account is gone, or whose name is only invisible characters) still gets a
    stable label."""
    shown = safe_name(name)
    if not shown:
        return f"メンバー #{str(user_id)[-4:]}"
    return MARKDOWN.sub(r"\\\1", shorten(shown, NAME_LIMIT))


def day_label(day: date) -> str:
    return f"{day.month}月{day.day}日({WEEKDAYS[day.weekday()]})"


def reason_text(stored: str | None) -> str:
    code, _, detail = (stored or "").partition(": ")
    text = REASONS.get(code, code or "理由不明")
    return f"{text}（{shorten(detail, 120)}）" if detail else text


def _when(at: datetime) -> str:
    return f"{day_label(at.date())} {at:%H:%M} ({at.tzname()})"


def settings_card(settings: DailySettings, next_post_at: datetime | None, title: str = "日替わり問題の設定 (daily settings)") -> Card:
    reveal = f"毎日 {settings.reveal_time}" if settings.reveal_time else "次の問題が出た時"
    fields = (
        ("チャンネル", ChannelRef(settings.channel_id)),
        ("投稿時刻", f"毎日 {settings.post_time} ({settings.timezone})"),
        ("レベル", DAILY_LEVELS.get(settings.level, settings.level)),
        ("模範解答の公開", reveal),
        ("次回の投稿", "一時停止中 (paused)" if next_post_at is None else _when(next_post_at)),
    )
    return Card(title=title, fields=fields, kind="info")


def status_card(status: DailyStatus, shown: int = 7) -> Card:
    card = settings_card(status.settings, status.next_post_at, "日替わり問題の状況 (daily status)")
    lines = [_post_line(line.post, line.title) for line in status.recent[:shown]]
    skipped = [f"{day_label(line.post.local_date)}: {reason_text(line.post.reason)}"
               for line in status.recent if line.post.state == rules.SKIPPED]
    fields = card.fields + (
        ("サイクル", f"第{max(status.cycle, 1)}周: {status.shown_in_cycle}/{status.cycle_size} 問出題済み"),
        ("最近の投稿", shorten("\n".join(lines) or "まだありません。", FIELD_LIMIT)),
    )
    if skipped:
        fields += (("スキップした日と理由", shorten("\n".join(skipped), FIELD_LIMIT)),)
    trouble = [text for line in status.recent for text in _trouble(line.post, status.settings)]
    if trouble:
        fields += (("失敗と再試行 (failures and retries)", shorten("\n".join(trouble), FIELD_LIMIT)),)
    return replace(card, fields=fields)


def _trouble(post: DailyPost, settings: DailySettings) -> list[str]:
    """A post's failed attempts (and when it is tried again) and a failed or partial reveal."""
    day, lines = day_label(post.local_date), []
    if post.failures and post.state != rules.SKIPPED:  # a skipped day's reason is listed above
        then = {rules.POSTED: "その後投稿済み"}.get(post.state, "")
        if post.state == rules.INTENDED and post.retry_at:
            then = f"{_when(post.retry_at.astimezone(settings.zone))} に再試行"
        lines.append(f"{day}: 投稿に {post.failures} 回失敗（最後: {reason_text(post.last_error)}）" + (f"・{then}" if then else ""))
    if post.reveal_note:
        pages = f"・{post.pages_revealed} ページまで公開済み" if post.pages_revealed else ""
        then = "公開を断念" if post.revealed_at else (
            f"{_when(post.reveal_retry_at.astimezone(settings.zone))} に再試行" if post.reveal_retry_at else "")
        lines.append(f"{day} の模範解答: {reason_text(post.reveal_note)}{pages}" + (f"・{then}" if then else ""))
    return lines


def _post_line(post: DailyPost, title: str | None) -> str:
    what = f"`{post.question_id}` {shorten(title or '', 40)}" if post.question_id else "—"
    return f"{day_label(post.local_date)} {STATE_NAMES.get(post.state, post.state)} ・ {what}"


def daily_post_card(post: DailyPost, question: Question, settings: DailySettings, *, here: bool = False) -> Card:
    """The daily question itself, posted to the channel with the Answer / Reveal buttons. `here`: shown in the
    conversation itself (the terminal), which has no buttons or thread."""
    at = rules.reveal_instant(post.local_date, settings)
    where = "ここに表示（/daily now・/daily status のとき）" if here else "スレッドで公開"
    reveal = f"{_when(at.astimezone(settings.zone))} に{where}" if at else f"次の日替わり問題が出た時に{where}"
    footer = ("/answer で回答すると連続記録 (streak) に数えられます。次の問題が出るまで回答できます。"
              " Answer with /answer; it counts until the next daily question." if here else
              "Answer ボタンで回答すると連続記録 (streak) に数えられます。次の問題が出るまで回答できます。議論はスレッドでどうぞ。")
    return Card(
        title=shorten(f"今日の問題 {day_label(post.local_date)}: {question.title}", TITLE_LIMIT),
        description=f"**{LEVEL_NAMES.get(question.level, question.level)} Q{question.number}** ・ {question.category}",
        fields=(("希少性 (rarity)", rating(question.rarity)), ("難易度 (difficulty)", rating(question.difficulty)),
                ("模範解答", reveal), ("ID", f"`{question.id}`")),
        footer=f"{footer} {DAILY_HINT_NOTE.format(how='/hint' if here else 'Hint ボタン')}",
        kind="question",
    )


def thread_name(post: DailyPost, question: Question) -> str:
    return shorten(f"{post.local_date:%m/%d} {question.title}", THREAD_NAME_LIMIT)


def daily_reveal_pages(post: DailyPost, question: Question, outputs_dir: Path | None = None) -> list[Card]:
    pages = reveal_pages(question, outputs_dir)
    heading = f"{day_label(post.local_date)} の日替わり問題 ・ "
    return [replace(p, title=shorten(heading + p.title, TITLE_LIMIT)) for p in pages]


def slot_outcome_card(outcome: SlotOutcome) -> Card:
    if outcome.kind == "posted" and outcome.post is not None:
        return Card(title="今日の問題を投稿しました (posted)", fields=(("チャンネル", ChannelRef(outcome.post.channel_id)),),
                    kind="reveal")
    if outcome.kind == "skipped":
        return Card(title="投稿できませんでした (skipped)", description=reason_text(outcome.reason), kind="error")
    if outcome.kind == "failed":
        retry = f"\n{_when(outcome.retry_at)} に自動で再試行します。" if outcome.retry_at else ""
        return Card(title="投稿に失敗しました (failed; will retry)", description=reason_text(outcome.reason) + retry,
                    kind="error")
    text = NO_POST.get(outcome.reason or "", outcome.reason or "")
    if outcome.reason == svc.WAS_SKIPPED and outcome.post is not None:
        text += f"\n理由: {reason_text(outcome.post.reason)}"
    return Card(title="投稿はありません (nothing to post)", description=text, kind="info")


def daily_answer_card(receipt: DailyAnswerReceipt) -> Card:
    quoted = shorten("\n".join(f"> {line}" for line in receipt.text.splitlines()) or "> ", 3800)
    if receipt.counted:
        footer = f"連続 {receipt.streak.current} 回 ・ フリーズ {receipt.streak.freezes} 個 (streak / freezes)"
    else:
        footer = "次の日替わり問題が出た後の回答なので、練習として保存しました（連続記録には数えません）。"
    return Card(title="日替わり問題への回答を記録しました (answer saved)", description=quoted,
                fields=(("問題", shorten(f"`{receipt.question.id}` {receipt.question.title}", FIELD_LIMIT)),),
                footer=footer, kind="reveal")


def streak_card(view: StreakView) -> Card:
    today = "回答済み ✅" if view.answered_open else "まだ回答していません"
    freeze_note = "上限（2 個）" if view.next_freeze_in is None else f"あと {view.next_freeze_in} 回の回答で 1 個獲得"
    return Card(
        title=shorten(f"{member_name(view.user_id, view.name)} の連続記録 (streak)", TITLE_LIMIT),
        fields=(
            ("現在の連続", f"🔥 {view.current} 回"), ("最高記録", f"{view.best} 回"),
            ("回答した日替わり問題", f"{view.answered} 問"), ("フリーズ (freeze)", f"{view.freezes} 個 ・ {freeze_note}"),
            ("今の日替わり問題", today),
        ),
        footer="7 回連続で回答するごとにフリーズを 1 個獲得（最大 2 個）。回答しなかった問題があると自動で 1 個使い、"
               "連続が途切れません。ボットが投稿しなかった日は数えません。",
        kind="info",
    )


BY_NAMES = {"streak": ("連続記録", "回"), "answers": ("回答数", "問"), "points": ("ポイント", "点")}
PERIOD_NOTES = {
    "week": "今週の連続 = 今続いている連続記録のうち今週の問題への回答数（週の初めから数え直し）。",
    "month": "今月の連続 = 今続いている連続記録のうち今月の問題への回答数（月の初めから数え直し）。",
    "all": "",
}
BY_NOTES = {
    "answers": "回答数 = 期間内の日替わり問題に、出題中に回答した数（同じ問題は 1 回）。",
    "points": "ポイント = 日替わり問題ごとに、模範解答を見る前の最初に採点された回答のスコア（0〜100 点）の合計。",
}


def leaderboard_card(board: Leaderboard) -> Card:
    what, unit = BY_NAMES[board.by]
    lines = [_entry(e, unit) for e in board.entries] or ["まだ誰もランクインしていません。"]
    if board.caller is not None and not board.caller_in_top:
        mine = _entry(board.caller, unit) if board.caller.rank else f"あなた: ランク外（{board.caller.value} {unit}）"
        lines += ["…", mine]
    period = board.label or "まだ日替わり問題がありません"
    return Card(
        title=shorten(f"ランキング: {what} ・ {period}", TITLE_LIMIT),
        description="\n".join(lines),
        footer=(_board_note(board) + " 期間は最新の日替わり問題の日付（サーバーのタイムゾーン）で決まります。").strip(),
        kind="info",
    )


def _board_note(board: Leaderboard) -> str:
    """What the number means: the period streak needs explaining; answers and points say what they sum."""
    return PERIOD_NOTES[board.period] if board.by == "streak" else BY_NOTES[board.by]


def _entry(entry: BoardEntry, unit: str) -> str:
    medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(entry.rank or 0, f"{entry.rank}.")
    return f"{medal} {member_name(entry.user_id, entry.name)} — {entry.value} {unit}"


def already_posted_note(day: date) -> tuple[str, str]:
    return ("ℹ 次の投稿について (next post)",
            f"{day_label(day)} の問題はすでに投稿済みなので、次の投稿はその翌日です。"
            f" ({day:%m/%d} already has its question: the next post is the following day's.)")


def permission_warning(lacking: list[str]) -> tuple[str, str]:
    return ("⚠ ボットの権限が足りません (missing permissions)",
            "このチャンネルで次の権限をボットに許可してください。足りないままだと投稿はスキップされ、理由が /daily status に出ます。\n"
            + "\n".join(f"- {name}" for name in lacking))


CHANNEL_MISSING_NOTE = ("⚠ チャンネルが見つかりません (channel missing)",
                        "投稿先のチャンネルが削除されたか、ボットから見えません。/daily setup で設定し直してください。")


# -- the role ping and streak milestones (bot.services.engage) ------------------------------------
MILESTONE_EMOJI = {7: "🔥", 30: "🏅", 100: "🏆"}


def ping_line(role_id: int) -> str:
    """The daily post's message text when the server pings a role (the only mention the bot ever allows)."""
    return f"<@&{role_id}> 今日の問題です。 (Today's question.)"


def ping_field(role_id: int | None) -> tuple[str, str]:
    return ("通知するロール (ping)", f"<@&{role_id}>" if role_id else "なし (none)")


def milestone_card(user_id: int, name: str | None, milestone: int) -> Card:
    """Posted in the daily thread; the member is named by mention (it renders, never pings) and by name."""
    return Card(title=f"{MILESTONE_EMOJI.get(milestone, '🎉')} {milestone} 回連続 達成！ ({milestone}-day streak)",
                description=f"<@{user_id}>（{member_name(user_id, name)}）さんが日替わり問題に {milestone} 回連続で回答しました。"
                            f"おめでとうございます！ ({milestone} daily questions in a row. Congratulations!)",
                kind="reveal")


def milestone_fields(announce: bool, roles: dict[int, int], note: str | None) -> tuple[tuple[str, str], ...]:
    lines = ["スレッドでお祝い: " + ("する (on)" if announce else "しない (off)")]
    lines += [f"{m} 回: <@&{roles[m]}>" if m in roles else f"{m} 回: ロールなし" for m in (7, 30, 100)]
    fields: tuple[tuple[str, str], ...] = (("連続記録の節目 (milestones)", "\n".join(lines)),)
    if note:
        fields += (("⚠ ロールの付け外しに失敗 (milestone roles failed)",
                    shorten(f"{note}\n権限を直してから /daily milestones を実行すると再開します。", FIELD_LIMIT)),)
    return fields


def role_warning(problems: list[str]) -> tuple[str, str]:
    return ("⚠ ロールを扱えません (role problems)",
            "設定は保存しましたが、このままではロールの付け外しや通知ができません:\n" + "\n".join(f"- {p}" for p in problems))
