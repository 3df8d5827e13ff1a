"""Every command, once: its name, options, help line and handler. Both front ends read this table."""
from __future__ import annotations

from bot.commands import daily, practice, privacy, remind, review
from bot.commands.spec import Args, Command, Invocation, Option, Reply
from bot.presenters.study import help_card

LEVELS = ("junior", "senior")
DAILY_LEVELS = ("junior", "senior", "mixed")
PERIODS = ("week", "month", "all")
ORDERS = ("streak", "answers", "points")
RATINGS = ("again", "hard", "good", "easy")
SWITCH = ("on", "off")
MILESTONES = ("7", "30", "100")


async def show_help(ctx: Invocation, args: Args) -> Reply:
    """The commands this front end offers, from this table, then the front end's own (the terminal's /next …)."""
    here = tuple((c.usage, c.help) for c in COMMANDS if c.in_discord or not ctx.surface.has_buttons)
    return Reply((help_card(commands=here + ctx.surface.own_help()),))


COMMANDS: tuple[Command, ...] = (
    Command("question", "Draw a practice question you have not seen recently",
            "まだ解いていない問題を出します。 Draw a question you have not seen recently.", practice.question,
            (Option("level", "junior or senior", LEVELS), Option("category", "a section of the question bank"))),
    Command("answer", "Answer a question (default: today's daily question until you answer it, else your last one)",
            "問題に回答します。question を省くと、まだ回答していない今日の日替わり問題、なければ最後に引いた問題です"
            "（text を省くと入力欄が開きます）。 Answer a question (default: your current one).", practice.answer,
            (Option("text", "your answer (leave empty to open a text box)", rest=True),
             Option("question", "which question (default: your current question)"))),
    Command("reveal", "Show the model answer, code and its real output (only to you)",
            "模範解答・コード・実行結果を自分だけに表示します。 Show the model answer, code and its real output (only to you).",
            practice.reveal, (Option("question", "a question id; empty for your current question"),)),
    Command("reveal confirm", "Show the model answer /reveal asked about",
            "/reveal が確認した模範解答を表示します（Discord では「表示する」ボタン）。 Confirm /reveal; Discord shows a button.",
            practice.reveal_confirmed, (Option("question", "a question id"),), in_discord=False),
    Command("hint", "One more key point of a question, only to you (lowers a daily answer's points)",
            "問題のキーポイントを 1 つずつヒントとして自分だけに表示します（日替わり問題では回答のポイントが 1 個につき 10% 減ります）。"
            " One more key point as a hint (each costs 10% of a daily answer's points).",
            practice.hint, (Option("question", "a question id; empty for your current question"),)),
    Command("review", "Your questions due for review (only to you)",
            "復習の時期が来た問題を自分だけに出します（模範解答のあとの評価で予定が決まります）。 "
            "Your questions due for review (scheduled by your rating after a reveal).", review.review),
    Command("rate", "Rate how well you recalled the model answer",
            "模範解答をどれくらい思い出せたかを記録し、次の復習日を決めます（Discord では Reveal の下のボタン）。"
            " Rate your recall; Discord shows buttons under a reveal.", review.rate,
            (Option("rating", "again, hard, good or easy", RATINGS), Option("question", "a question id")), in_discord=False),
    Command("stats", "Your progress chart (only to you)",
            "回答数・連続記録・カテゴリ別の習熟度のグラフを自分だけに表示します。 Your progress chart (only to you).",
            review.stats, (Option("member", "whose chart (default: you)"),), slow=True),
    Command("streak", "Your daily-question streak and freezes (only to you)",
            "日替わり問題の連続記録とフリーズを自分だけに表示します。 Your daily streak and freezes (only to you).",
            daily.streak, (Option("member", "another member's streak (still only shown to you)"),)),
    Command("leaderboard", "The server's daily-question leaderboard",
            "サーバーのランキング（week / month / all、streak / answers / points）。 The server's leaderboard.",
            daily.leaderboard,
            (Option("period", "week, month or all time", PERIODS),
             Option("by", "current streak, number of answers, or points (first scored answer to each, before any reveal)", ORDERS),
             Option("share", "post it in the channel for everyone (default: only you)", terminal=False))),
    Command("daily setup", "Post a daily question in a channel at a set time",
            "（サーバー管理者）日替わり問題の投稿先・時刻・タイムゾーン・レベルを設定します。 Set up the daily question (server managers).",
            daily.setup,
            (Option("channel", "the channel for the daily question", required=True, terminal=False),
             Option("time", "posting time, HH:MM (24 h) in the timezone", required=True),
             Option("timezone", "IANA timezone, e.g. Asia/Tokyo", required=True),
             Option("level", "junior, senior or mixed questions", DAILY_LEVELS, required=True),
             Option("reveal_time", "HH:MM to post the model answer in the thread (default: when the next question is out)"),
             Option("ping_role", "a role to ping with each daily post (only that role is pinged)", terminal=False),
             Option("no_ping", "stop pinging a role with the daily post", terminal=False)),
            managers=True),
    Command("daily status", "Settings, next post, recent posts and why a day was skipped",
            "（サーバー管理者）設定・次回の投稿・最近の投稿とスキップの理由。 Settings, next post, recent posts.",
            daily.status, managers=True),
    Command("daily pause", "Pause the daily question",
            "（サーバー管理者）日替わり問題を一時停止します。 Pause the daily question.", daily.pause, managers=True),
    Command("daily resume", "Resume the daily question (paused days are not posted afterwards)",
            "（サーバー管理者）再開します（止まっていた日の分は投稿しません）。 Resume it.", daily.resume, managers=True),
    Command("daily now", "Post today's daily question now",
            "（サーバー管理者）今日の問題をすぐに投稿します。 Post today's question now.", daily.now, managers=True, slow=True),
    Command("daily milestones", "Congratulate 7, 30 and 100 streaks in the thread, and give a role per milestone",
            "（サーバー管理者）7・30・100 回連続をスレッドでお祝い（announce）、節目ごとのロール（streak と role）。 "
            "Streak milestones: announce on/off, a role per milestone.", daily.milestones,
            (Option("announce", "congratulate in the daily thread: on or off", SWITCH),
             Option("streak", "the milestone the role is for", MILESTONES),
             Option("role", "the role members hold while their streak is at least that long", terminal=False),
             Option("clear_role", "take the role away from that milestone", terminal=False)),
            managers=True),
    Command("remind", "A DM when your streak is at risk or reviews are due, at your time",
            "連続記録が途切れそうなとき・復習の期限が来たときに、決めた時刻に DM で知らせます（1 日 1 回まで）。 "
            "A DM nudge at your time: streak at risk, reviews due.", remind.remind,
            (Option("streak", "remind me when my streak is at risk: on or off", SWITCH),
             Option("review", "remind me when reviews are due: on or off", SWITCH),
             Option("time", "HH:MM in the server's daily-question timezone (default 20:00)"))),
    Command("privacy export", "Everything the bot stores about you in this server, as a file (only to you)",
            "このサーバーに保存されているあなたのデータを JSON ファイルで自分だけに送ります。 Your data in this server, as a file.",
            privacy.export, slow=True),
    Command("privacy forget", "Delete your data in this server (asks to confirm)",
            "このサーバーのあなたのデータを削除します（確認あり）。管理者は member で抜けたメンバーのデータも削除できます。 "
            "Delete your data here (managers: a member who left).", privacy.forget,
            (Option("member", "server managers: a member who has left the server (default: you)"),)),
    Command("privacy confirm", "Confirm deleting the data /privacy forget showed",
            "/privacy forget の削除を確定します（Discord では確認ボタン）。 Confirm /privacy forget; Discord shows a button.",
            privacy.confirm, (Option("member", "whose data (default: you)"),), in_discord=False),
    Command("help", "What the bot does and every command", "このヘルプです。 This help.", show_help, in_dms=True),
)

# not slash commands: what a button under a message runs (bot/frontends/discord/views.py)
BUTTONS: tuple[Command, ...] = (
    Command("daily answer", "", "", practice.answer_daily),
    Command("daily reveal", "", "", practice.reveal_daily),
    Command("daily hint", "", "", practice.hint_daily),
    Command("reveal cancel", "", "", practice.reveal_cancelled),
    Command("privacy cancel", "", "", privacy.cancel),
)
GROUP_SUMMARIES = {"daily": "The daily question: set up, status, pause, resume, post now, milestones (server managers)",
                   "privacy": "Your data in this server: export it or delete it"}


def command(name: str) -> Command:
    return next(c for c in COMMANDS + BUTTONS if c.name == name)
