"""What /remind shows and what the reminder DM says."""
from __future__ import annotations

from datetime import datetime

from bot.core import reminders as rules
from bot.core.reminders import Nudge
from bot.presenters.cards import Card
from bot.services.reminders import ReminderView

ON_OFF = {True: "オン (on)", False: "オフ (off)"}
LAST = {
    rules.SENT: "送信しました (sent)",
    rules.NOTHING: "知らせることがなかったので送っていません (nothing to remind)",
    rules.DM_CLOSED: "DM が届きませんでした (DM refused)",
    rules.FAILED: "送信に失敗しました (failed)",
    rules.LATE: "ボットが止まっていたため送っていません (bot was down)",
    "claimed": "送信中 (sending)",
}
DM_CLOSED_NOTE = ("DM が届きませんでした。このサーバーのメンバーからの DM を受け取る設定（サーバー名 → プライバシー設定 → "
                  "ダイレクトメッセージ）をオンにしてから、/remind をもう一度実行してください。それまでリマインダーは止まります。 "
                  "(Your DMs are closed to this server: allow them, then run /remind again.)")
TERMINAL_NOTE = ("ターミナル版は DM を送りません（Discord では設定した時刻に DM で届きます）。"
                 "いま届くとしたら下の内容です。 (The terminal sends no DMs; this is what one would say now.)")


def remind_card(view: ReminderView, title: str = "リマインダー (reminders)") -> Card:
    s = view.settings
    if s is None:
        return Card(title=title, description="まだ設定していません。`/remind streak:on review:on time:21:00` のように設定します。 "
                                             "(Not set: e.g. /remind streak:on review:on time:21:00.)", kind="info")
    fields: tuple[tuple[str, str], ...] = (
        ("連続記録が途切れそうなとき (streak at risk)", ON_OFF[s.streak]),
        ("復習の期限が来たとき (reviews due)", ON_OFF[s.review]),
        ("時刻 (time)", f"毎日 {s.time} ({view.timezone})"),
    )
    if view.last_state is not None and view.last_day is not None:
        fields += (("最後の確認 (last check)", f"{view.last_day:%m/%d}: {LAST.get(view.last_state, view.last_state)}"),)
    if s.dm_closed_at is not None:
        fields += (("⚠ DM", DM_CLOSED_NOTE),)
    footer = ("1 日 1 回まで、設定した時刻に DM で知らせます。日替わり問題にまだ回答していない連続記録と、期限の来た復習が対象です。"
              " At most one DM a day." if s.on else "どちらもオフです。 (Both off: no DMs.)")
    return Card(title=title, fields=fields, footer=footer, kind="info")


def reminder_dm_card(server: str, nudge: Nudge, next_post_at: datetime | None) -> Card:
    lines = []
    if nudge.streak:
        until = f"{next_post_at:%m/%d %H:%M} ({next_post_at.tzname()})" if next_post_at else "次の問題が出る"
        keep = f"フリーズが {nudge.freezes} 個あるので途切れはしませんが、1 個使います。" if nudge.freezes else "回答しないと途切れます。"
        lines.append(f"🔥 連続 {nudge.streak} 回の記録がかかっています。今日の日替わり問題に {until} までに回答しましょう。{keep}"
                     f" (Your {nudge.streak}-day streak: answer the daily question before {until}.)")
    if nudge.reviews_due:
        lines.append(f"🔁 復習の期限が来た問題が {nudge.reviews_due} 問あります。/review で始められます。"
                     f" ({nudge.reviews_due} review(s) due: /review.)")
    return Card(title=f"studybot リマインダー ・ {server}", description="\n".join(lines),
                footer="止めるには、そのサーバーで /remind streak:off review:off (to stop)", kind="info")
