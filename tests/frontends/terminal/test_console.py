"""The terminal front end, driven as a person would: typed (or piped) lines in, what is printed out."""
from __future__ import annotations

import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from rich.cells import cell_len

from bot.commands.table import COMMANDS
from bot.config import Config
from bot.frontends.terminal import console_main, member_id, run_console
from bot.frontends.terminal.parsing import parse, split_command
from bot.frontends.terminal.render import card_text
from bot.presenters.cards import Card
from bot.presenters.study import question_card, reveal_pages
from db import practice
from db.connection import open_database
from tests.conftest import CONTENT, ROOT, FakeClock

ESCAPES = re.compile(r"\x1b\[")
BOX = re.compile(r"[╭╮╰╯│─]")


def console(tmp_path: Path, lines: str | list[str], *, seed: int = 7, content: Path = CONTENT, clock=None,
            **options) -> tuple[int, str]:
    """console_main with piped input; returns (exit status, everything printed)."""
    text = lines if isinstance(lines, str) else "\n".join(lines) + "\n"
    out = io.StringIO()
    config = Config(database=tmp_path / "studybot.sqlite3", content_dir=content, console_member="太郎")
    status = console_main(config, stdin=io.StringIO(text), stdout=out, clock=clock or FakeClock(), rng=random.Random(seed),
                          **options)
    return status, out.getvalue()


def session(study, lines: list[str], **options) -> str:
    out = io.StringIO()
    options.setdefault("interactive", False)
    run_console(study, member="太郎", stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, **options)
    return out.getvalue()


def drawn_id(output: str) -> str:
    return re.findall(r"ID: `([a-z]+-\d+)`", output)[-1]


# --- piped: plain text for scripts -------------------------------------------------------------


def test_piped_question_answer_reveal_is_plain_text(tmp_path, study):
    status, out = console(tmp_path, ["/question junior", "/answer 過学習を防ぐために正則化を使います", "/reveal"])
    assert status == 0
    assert "ターミナル版" in out and "DISCORD_TOKEN" in out and "問題 29 問" in out
    assert not ESCAPES.search(out) and not BOX.search(out)
    q = study.question(drawn_id(out))
    assert q.level == "junior"
    assert f"== 問題: {q.title} ==" in out
    assert "[Answer] /answer  [Reveal] /reveal" in out
    assert "== 回答を記録しました (answer saved) ==\n> 過学習を防ぐために正則化を使います" in out
    assert f"== 模範解答: {q.title} ==" in out
    assert q.answer.splitlines()[0] in out
    for snippet in q.snippets:  # the code keeps its line breaks, the stored output is shown
        assert snippet.code in out
        if snippet.result.output.strip():
            assert snippet.result.output.rstrip("\n") in out
    assert f"{q.id} ・ ページ {len(q.snippets) + 1}/{len(q.snippets) + 1}" in out  # every page, one after another


def test_answers_are_recorded_for_the_member_in_the_one_simulated_server(tmp_path):
    console(tmp_path, ["/question senior", "/answer バイアスとバリアンスのバランスです", "/as 花子", "/question", "/answer 花子の回答"])
    db = open_database(tmp_path / "studybot.sqlite3")
    taro, hanako = practice.answers_of(db, 1, member_id("太郎")), practice.answers_of(db, 1, member_id("花子"))
    assert [a["text"] for a in taro] == ["バイアスとバリアンスのバランスです"]
    assert [a["text"] for a in hanako] == ["花子の回答"]
    names = {r["user_id"]: r["display_name"] for r in db["members"].rows}
    assert names == {member_id("太郎"): "太郎", member_id("花子"): "花子"}


def test_the_same_name_is_the_same_member_in_the_next_session(tmp_path, study):
    _, first = console(tmp_path, ["/question junior"])
    _, second = console(tmp_path, ["/answer 続きの回答です"])
    assert f"`{drawn_id(first)}`" in second.split("回答を記録しました")[1]
    assert member_id("花子") == member_id(" 花子 ") != member_id("太郎")


def test_answer_alone_reads_lines_until_an_empty_line(study):
    out = session(study, ["/question junior", "/answer", "一行目です", "", "二行目のつもり", "/answer", "", "/help"])
    assert "> 一行目です\n問題: `" in out  # the empty line ended the first answer
    assert "二行目のつもり" not in out and "コマンドは / で始めます" in out  # the next line is a (wrong) command again
    assert "回答が空です" in out  # the empty answer is the service's error
    assert "studybot の使い方" in out


def test_answer_alone_ends_at_the_end_of_input(study):
    out = session(study, ["/question", "/answer", "最後の行"])
    assert "> 最後の行" in out


def test_answer_before_any_question_says_what_to_do(study):
    out = session(study, ["/answer まだ何も引いていません", "/answer", "/reveal"])
    assert out.count("まだ問題を引いていません") == 3


def test_a_rejected_long_answer_is_kept_in_a_file(study, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    out = session(study, ["/question", "/answer " + "長" * 4001])
    assert "回答が長すぎます" in out
    saved = Path(re.search(r"保存先 \(your text\): (\S+)", out).group(1))
    assert saved.read_text(encoding="utf-8") == "長" * 4001


def test_option_syntax_like_discord(study):
    out = session(study, ["/question level:senior category:高度な機械学習", "/question ｊｕｎｉｏｒ カテゴリ", "/question ＭＬ"])
    cards = out.split("== 問題")[1:]
    assert "シニア (senior)" in cards[0] and "高度な機械学習" in cards[0]
    assert "カテゴリ (categories):\n- Pythonとプログラミング" in out  # an unknown category lists the real ones
    assert "ジュニア (junior)" in cards[1] and "MLアルゴリズムと理論" in cards[1]  # a unique part of a name is enough


def test_categories_containing_ignores_case_and_width(study):  # the service the console and Discord's autocomplete share
    assert study.categories("junior", containing="ｍｌ") == ["MLアルゴリズムと理論"]
    assert study.categories(containing="デプロイ") == ["モデルのトレーニングとデプロイメント", "モデルのデプロイと本番環境"]
    assert study.categories(containing=" ") == study.categories()


def test_reveal_by_id_or_words(study):
    out = session(study, ["/reveal junior-06", "/reveal 過学習", "/reveal nothing-like-this"])
    assert "Random Forest CV: 0.899 (+/- 0.024)" in out  # the real stored output
    assert "候補 (matching questions)" in out and "`junior-10`" in out
    assert "問題 `nothing-like-this` は見つかりません" in out


@pytest.mark.parametrize("line, expected", [
    ("/qustion", "もしかして /question"),
    ("/foo", "/foo というコマンドはありません"),
    ("こんにちは", "コマンドは / で始めます"),
    ("/daily", "/daily setup、/daily status、/daily pause、/daily resume、/daily now"),
    ("/daily status", "日替わり問題がまだ設定されていません"),
    ("/daily setup timezone:Mars/Olympus", "Asia/Tokyo のような IANA 名"),
    ("/daily setup timezone:Tokio", "候補: Asia/Tokyo"),  # did you mean (issue 13)
    ("/daily setup timezone:Tokyo", "タイムゾーンは Asia/Tokyo として設定しました"),  # a city names its zone (issue 13)
    ("/leaderboard year", "period は week / month / all"),
    ("/streak", "太郎 の連続記録"),
    ("/question xx category:yy", "level は junior か senior"),
    ("/as", "今は 太郎 さんです"),
    ("/next", "次のページはありません"),
])
def test_helpful_messages(study, line, expected):
    assert expected in session(study, [line])


def test_help_lists_every_command_of_the_table_and_the_terminals_own(study):
    out = session(study, ["/help"])
    for command in COMMANDS:
        assert f"**{command.usage}**\n{command.help}" in out
    for own in ("/as NAME", "/next", "/quit"):
        assert f"**{own}" in out


def test_quit_and_end_of_input_both_end_the_session(study):
    assert "studybot の使い方" not in session(study, ["/quit", "/help"])
    assert "studybot の使い方" not in session(study, ["/exit", "/help"])
    assert session(study, []).startswith("studybot ターミナル版")


def test_studybot_console_with_piped_input(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase = "db.sqlite3"\ncontent_dir = "{CONTENT.as_posix()}"\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "console", "--member", "花子"], cwd=tmp_path,
                         input="/reveal junior-06\n/as 太郎\n", capture_output=True, text=True, encoding="utf-8",
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=20)
    assert run.returncode == 0, run.stderr
    assert "あなたは 花子 さんです" in run.stdout and "Random Forest CV: 0.899 (+/- 0.024)" in run.stdout
    assert "太郎 さんとして操作します" in run.stdout and not ESCAPES.search(run.stdout)


# --- one command layer: the terminal reads the same table as Discord ---------------------------------


def test_unknown_options_are_set_aside_not_read_as_a_category(study):
    out = session(study, ["/question level:junior bogus:1"])
    assert "`bogus:1`" in out and "ignored" in out
    assert study.question(drawn_id(out)).level == "junior"


def test_an_unexpected_error_is_logged_and_the_session_goes_on(study, caplog, monkeypatch):
    def broken(self, guild_id, user_id, name=""):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(study), "stats_chart", broken)
    out = session(study, ["/stats", "/help"])
    assert "予期しないエラー" in out and "boom" not in out and "使い方" in out
    assert "boom" in caplog.text


@pytest.mark.parametrize("rest, params, keywords, expected", [
    ("junior MLアルゴリズムと理論", ("level", "category"), (), {"level": "junior", "category": "MLアルゴリズムと理論"}),
    ("level:senior category:高度な 機械学習", ("level", "category"), (), {"level": "senior", "category": "高度な 機械学習"}),
    ("category：特徴量 level：junior", ("level", "category"), (), {"level": "junior", "category": "特徴量"}),
    ("senior category:x", ("level", "category"), (), {"level": "senior", "category": "x"}),
    ("過学習: 正則化 と text: 早期終了", ("text",), ("question",), {"text": "過学習: 正則化 と text: 早期終了"}),
    ("question:junior-01 正則化です", ("text",), ("question",), {"question": "junior-01", "text": "正則化です"}),
    ("text:答え question:junior-02", ("text",), ("question",), {"text": "答え", "question": "junior-02"}),
    ("", ("level", "category"), (), {}),
])
def test_parse_options(rest, params, keywords, expected):
    assert parse(rest, params, keywords).values == expected


def test_split_command_accepts_full_width_input():
    assert split_command("／Ｑｕｅｓｔｉｏｎ　junior") == ("question", "junior")
    assert split_command("こんにちは") is None


# --- the daily question, streaks and leaderboards -----------------------------------------------


class TickingClock(FakeClock):
    """Each reading is a second later, as on a real machine (so "drawn after the post" is well defined)."""

    def __call__(self):
        self.advance(seconds=1)
        return self.now


def daily_answers(tmp_path: Path) -> list[tuple[str, str, bool]]:
    db = open_database(tmp_path / "studybot.sqlite3")
    names = {r["user_id"]: r["display_name"] for r in db["members"].rows}
    return [(names[r["user_id"]], r["text"], r["daily_post_id"] is not None)
            for r in db.query("select user_id, text, daily_post_id from answers order by id")]


def test_daily_now_answer_streak_and_leaderboard_piped(tmp_path, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    clock = FakeClock()  # 18:00 in Tokyo on 11/25
    status, out = console(tmp_path, ["/daily now", "/answer 正則化で過学習を防ぎます", "/streak", "/as 花子",
                                     "/answer 花子の回答です", "/leaderboard", "/leaderboard all answers", "/daily now",
                                     "/daily status"], clock=clock)
    assert status == 0
    assert "ターミナル用に日替わり問題を設定しました（レベル mixed・タイムゾーン Asia/Tokyo）" in out
    post = out.split("== 今日の問題 11月25日(水): ")[1]
    qid = re.search(r"ID: `([a-z]+-\d+)`", post).group(1)
    assert "[Answer] /answer  [Reveal] /reveal" in post
    receipts = out.split("== 日替わり問題への回答を記録しました (answer saved) ==")[1:]
    assert len(receipts) == 2 and all(f"`{qid}`" in r and "連続 1 回" in r for r in receipts)
    assert "== 太郎 の連続記録 (streak) ==\n現在の連続: 🔥 1 回" in out and "今の日替わり問題: 回答済み ✅" in out
    assert "== ランキング: 連続記録 ・ 2026年 第48週 (11/23〜11/29) ==\n🥇 太郎 — 1 回\n🥇 花子 — 1 回" in out
    assert "== ランキング: 回答数 ・ 全期間 (all time) ==\n🥇 太郎 — 1 問\n🥇 花子 — 1 問" in out
    assert "今日の問題はもう投稿済みです。" in out and out.count("== 今日の問題 11月25日(水)") == 2  # shown again, not reposted
    assert "チャンネル: このターミナル (this terminal)" in out and "投稿時刻: 毎日 09:00 (Asia/Tokyo)" in out
    assert daily_answers(tmp_path) == [("太郎", "正則化で過学習を防ぎます", True), ("花子", "花子の回答です", True)]

    clock.advance(days=1)  # the next day, a new session: today's question, then yesterday's answer (now closed)
    _, out = console(tmp_path, ["/daily now", "/answer 二日目の回答", "/streak", "/streak 花子", "/leaderboard"], clock=clock)
    assert out.index("== 今日の問題 11月26日(木)") < out.index("11月25日(水) の日替わり問題 ・ 模範解答")
    assert "== 太郎 の連続記録 (streak) ==\n現在の連続: 🔥 2 回" in out
    assert "== 花子 の連続記録 (streak) ==\n現在の連続: 🔥 1 回" in out  # today's question is still open for her
    assert "🥇 太郎 — 2 回\n🥈 花子 — 1 回" in out


def test_answer_goes_to_the_daily_question_until_the_member_draws_another(tmp_path):
    _, out = console(tmp_path, ["/question junior", "/daily now", "/answer 日替わりへの回答", "/reveal", "/question senior",
                                "/answer 練習の回答", "/as 花子", "/answer 花子は日替わりへ"], clock=TickingClock())
    daily_id = re.search(r"== 今日の問題 .*?ID: `([a-z]+-\d+)`", out, re.S).group(1)
    revealed = out.split("== 日替わり問題への回答を記録しました")[1].split("== 問題: ")[0]
    assert f"`{daily_id}`" in revealed and "模範解答" in revealed  # /reveal shows the daily question's answer
    assert [(name, text, counted) for name, text, counted in daily_answers(tmp_path)] == [
        ("太郎", "日替わりへの回答", True), ("太郎", "練習の回答", False), ("花子", "花子は日替わりへ", True)]


def test_daily_setup_pause_and_resume_in_the_terminal(tmp_path):
    _, out = console(tmp_path, ["/daily setup time:21:30 timezone:America/New_York level:junior reveal_time:23:00",
                                "/daily pause", "/daily resume", "/daily now", "/daily status", "/daily setup level:expert"])
    assert "投稿時刻: 毎日 21:30 (America/New_York)" in out and "レベル: ジュニア (junior)" in out
    assert "模範解答の公開: 毎日 23:00" in out and "/daily now で今日の問題を表示します" in out
    assert "== 日替わり問題を一時停止しました (paused) ==" in out and "次回の投稿: 一時停止中 (paused)" in out
    assert "== 日替わり問題を再開しました (resumed) ==" in out and "次回の投稿: 11月25日(水) 21:30 (EST)" in out
    assert "== 今日の問題 11月25日(水)" in out and "ジュニア (junior) Q" in out
    assert "level は junior / senior / mixed のどれかです" in out


@pytest.mark.parametrize("tz, expected", [("Asia/Tokyo", "Asia/Tokyo"), (":Europe/Berlin", "Europe/Berlin"),
                                          ("../etc/passwd", None), ("Nowhere/City", None)])
def test_the_terminal_uses_the_machines_timezone(monkeypatch, tz, expected):
    from bot.frontends.terminal.surface import machine_timezone

    monkeypatch.setenv("TZ", tz)
    found = machine_timezone()
    assert found == expected if expected else found not in (tz, tz.lstrip(":"))


# --- the bank as it loads ---------------------------------------------------------------------


def test_content_problems_are_reported_briefly_and_the_rest_loads(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "questions" / "junior-99.md").write_text("---\nid: junior-99\n---\n本文\n", encoding="utf-8")
    status, out = console(tmp_path, ["/reveal junior-06"], content=content)
    assert status == 0 and "問題 29 問" in out and "問題ファイル 1 個に不備" in out
    assert "junior-99.md:1: missing required field 'level'" in out
    assert "…ほか" in out  # only the first few problems
    assert "Random Forest CV: 0.899" in out


def test_no_questions_at_all_ends_with_one_sentence(tmp_path):
    (tmp_path / "content" / "questions").mkdir(parents=True)
    status, out = console(tmp_path, ["/question"], content=tmp_path / "content")
    assert status == 2 and "有効な問題がありません" in out


# --- a terminal: rich panels ------------------------------------------------------------------


def test_panels_align_japanese_text(study):
    out = session(study, ["/question junior", "/help"], interactive=True, plain=False, width=70)
    panel_lines = [line for line in out.splitlines() if line[:1] in "╭│╰"]
    assert len(panel_lines) > 20
    assert {cell_len(line) for line in panel_lines} == {70}  # every border in the same column
    assert any("希少性 (rarity)" in line for line in panel_lines)
    assert "[Answer] /answer  [Reveal] /reveal" in out


def test_an_interactive_reveal_shows_one_page_at_a_time(study):
    out = session(study, ["/reveal junior-06", "", "/next"], interactive=True, plain=False, width=100)
    first, rest = out.split("[Next 次へ]")
    assert "ページ 1/2" in first and "Random Forest CV" not in first
    assert "ページ 2/2" in rest and "Random Forest CV: 0.899 (+/- 0.024)" in rest and "次のページはありません" in rest


def test_a_figure_is_shown_as_its_path():
    card = Card("模範解答", "本文", image=Path("content/outputs/senior-99-1.png"))
    assert "図 (figure): content/outputs/senior-99-1.png" in card_text(card)


def test_plain_card_text_keeps_fields_and_footer(study):
    text = card_text(question_card(study.question("junior-06")))
    assert text.splitlines()[0] == "== 問題: バギングとブースティングの違いについて説明してください。 =="
    assert "ID: `junior-06`" in text and text.splitlines()[-1].startswith("-- Answer ボタンか /answer")


# --- a real pseudo-terminal -------------------------------------------------------------------

SCRIPT = """
import random, sys
from pathlib import Path
from bot.config import Config
from bot.frontends.terminal import console_main
sys.exit(console_main(Config(database=Path(sys.argv[1]), content_dir=Path(sys.argv[2]), console_member="太郎"),
                      rng=random.Random(7)))
"""


def terminal(pexpect, tmp_path):
    """The console in a pseudo-terminal (colours on, 120 columns), as a person starts it."""
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="C.UTF-8", TERM="xterm-256color", PYTHONPATH=str(ROOT))
    env.pop("NO_COLOR", None)
    return pexpect.spawn(sys.executable, ["-c", textwrap.dedent(SCRIPT), str(tmp_path / "db.sqlite3"), str(CONTENT)],
                         cwd=str(tmp_path), env=env, encoding="utf-8", dimensions=(50, 120), timeout=10)


def test_a_person_at_a_terminal(tmp_path, study):
    pexpect = pytest.importorskip("pexpect")
    expected = study.draw(1, member_id("太郎"), "junior")  # what seed 7 draws first, computed the same way
    output = next(s.result.output for s in expected.snippets if s.result and s.result.output.strip())
    child = terminal(pexpect, tmp_path)
    try:
        child.expect_exact("ターミナル版")
        child.expect_exact("DISCORD_TOKEN")
        child.expect_exact("太郎> ")
        child.sendline("/question junior")
        child.expect_exact(f"問題: {expected.title}")
        child.expect_exact("[Answer]")
        child.expect_exact("太郎> ")
        child.sendline("/answer 過学習を防ぐために正則化を使います")
        child.expect_exact("回答を記録しました (answer saved)")
        child.expect_exact("過学習を防ぐために正則化を使います")
        child.expect_exact("太郎> ")
        child.sendline("/reveal")
        child.expect_exact(f"模範解答: {expected.title}")
        child.expect_exact(expected.answer.splitlines()[0])
        child.expect_exact("[Next 次へ]")
        child.expect_exact("太郎> ")
        child.sendline("")  # Enter: the next page, with the code's real output
        child.expect_exact(output.splitlines()[0])
        child.expect_exact("太郎> ")
        child.sendline("/as 花子")
        child.expect_exact("花子 さんとして操作します")
        child.expect_exact("花子> ")
        child.sendline("/answer")  # 花子 has drawn nothing yet
        child.expect_exact("まだ問題を引いていません")
        child.sendline("/quit")
        child.expect_exact("またね")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_a_paged_reveal_at_a_terminal_ends_with_the_rating_buttons(tmp_path, study):
    pexpect = pytest.importorskip("pexpect")
    expected = study.draw(1, member_id("太郎"), "junior")  # what seed 7 draws first, computed the same way
    total = len(reveal_pages(expected, study.outputs_dir))
    assert total > 1
    child = terminal(pexpect, tmp_path)
    try:
        child.expect_exact("太郎> ")
        child.sendline("/question junior")
        child.expect_exact("太郎> ")
        child.sendline("/reveal")
        for page in range(1, total):
            child.expect_exact(f"ページ {page}/{total}")
            child.expect_exact("[Next 次へ]")
            child.expect_exact("太郎> ")
            assert "/rate" not in child.before  # a page before the last leads on to the next
            child.sendline("")
        child.expect_exact(f"ページ {total}/{total}")
        child.expect_exact("[思い出せた (Good)]")  # the rating buttons, under the last page
        child.expect_exact("/rate good")
        child.expect_exact("太郎> ")
        assert "Next" not in child.before
        child.sendline("/rate good")
        child.expect_exact("次の復習: 2日後 (in 2 days)")
        child.expect_exact(expected.id)
        child.expect_exact("太郎> ")
        child.sendline("/answer")  # a command typed into the text box closes it instead of becoming the answer
        child.expect_exact("│ ")
        child.sendline("/streak")
        child.expect_exact("回答欄を閉じました（回答は取り消します）")
        child.expect_exact("回答を取り消しました")
        child.expect_exact("太郎 の連続記録 (streak)")
        child.expect_exact("太郎> ")
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert practice.answers_of(open_database(tmp_path / "db.sqlite3"), 1, member_id("太郎")) == []


def test_feedback_rating_review_and_stats_in_the_terminal(study, clock, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where /stats saves its chart
    answer = "バギングは並列に学習して分散を減らします。ブースティングは逐次的に学習してバイアスを減らします。"
    out = session(study, ["/reveal junior-06", "/rate good junior-06", "/review"])
    assert "[思い出せた (Good)] /rate good junior-06" in out  # the rating buttons under a reveal
    assert "== 次の復習: 2日後 (in 2 days) ==" in out and "いま復習する問題はありません（全 1 問）" in out
    clock.advance(days=2)
    out = session(study, ["/review", f"/answer {answer}", "/stats"])
    assert "== 復習: バギングとブースティングの違いについて説明してください。 ==" in out
    assert "自動採点 (score):\n**" in out and "押さえたポイント (covered):" in out  # graded, on the reviewed question
    figure = Path(out.split("図 (figure): ")[1].split("\n")[0])
    assert figure.parent == tmp_path and figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_rating_hints_under_a_reveal_rate_the_revealed_question(study):
    out = session(study, ["/question senior", "/reveal junior-06"])
    hint = re.search(r"\[思い出せた \(Good\)\] (/rate good \S+)", out)[1]
    assert hint == "/rate good junior-06"  # not the current (senior) question
    rated = session(study, [hint])
    assert "次の復習: 2日後" in rated and "junior-06" in rated and "senior-" not in rated


def test_rating_needs_a_known_rating(study):
    study.draw(1, member_id("太郎"))
    out = session(study, ["/rate perfect", "/rate"])
    assert "評価 `perfect` は使えません" in out and "使い方: /rate again|hard|good|easy" in out


# --- the practice loop in the terminal: a named question, the reveal ask, hints, the fixes ------------


def test_answer_names_its_question_and_the_daily_one_asks_before_it_is_revealed(tmp_path):
    _, out = console(tmp_path, ["/daily now", "/question junior", "/hint", "/reveal", "/reveal confirm", "/answer 日替わりへ"],
                     clock=TickingClock())
    daily_id = re.search(r"== 今日の問題 .*?ID: `([a-z]+-\d+)`", out, re.S).group(1)
    drawn = drawn_id(out.split("== 問題: ")[1])
    assert daily_id != drawn
    assert f"/answer question:{drawn} あなたの回答" in out and f"/hint {drawn}" in out  # /answer alone is the daily one
    assert "希少性 (rarity)" in out.split("== 今日の問題")[1] and "難易度 (difficulty)" in out.split("== 今日の問題")[1]
    hinted = out.split("== ヒント 1/")[1]
    assert f"{daily_id} ・ 押すたびに" in hinted and "1 個につき 10% 減ります" in hinted  # /hint went to the daily one
    asked = out.split("== 模範解答を表示しますか？ (show the model answer?) ==")[1]
    assert f"`{daily_id}`" in asked and f"/reveal confirm {daily_id}" in asked and "ポイントはつかなくなります" in asked
    assert out.index("== 模範解答を表示しますか？") < out.index("== 模範解答:")  # shown after the confirmation only
    receipt = out.split("== 日替わり問題への回答を記録しました")[1]
    assert f"`{daily_id}`" in receipt and f"/answer question:{drawn}" in receipt  # which question, and how to answer the other


def test_answer_question_id_then_text_in_the_terminal(tmp_path):
    _, out = console(tmp_path, ["/answer question:junior-06 バギングは並列、ブースティングは逐次です"])
    receipt = out.split("== 回答を記録しました (answer saved) ==")[1]
    assert "> バギングは並列、ブースティングは逐次です" in receipt and "`junior-06`" in receipt


def test_terminal_fixes_no_user_id_no_rating_unrevealed_no_zeros_for_strangers(tmp_path):
    _, out = console(tmp_path, ["/as 花子", "/question junior", "/rate good", "/streak 存在しない人", "/stats 誰か",
                                "/streak 花子"])
    assert "花子 さんとして操作します" in out and str(member_id("花子")) not in out and "user id" not in out
    assert "模範解答をまだ表示していません" in out and "次の復習" not in out
    assert out.count("まだ問題を引いたことも回答したこともありません") == 2 and "存在しない人 の連続記録" not in out
    assert "== 花子 の連続記録 (streak) ==" in out
