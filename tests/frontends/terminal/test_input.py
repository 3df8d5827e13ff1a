"""What the terminal makes of what people type: text boxes, Discord-only options, full-width input, odd characters."""
from __future__ import annotations

import io
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Config
from bot.frontends.terminal import console_main, member_id, run_console
from bot.frontends.terminal.parsing import parse
from db import practice
from db.connection import open_database
from tests.conftest import CONTENT, ROOT, FakeClock


def piped(tmp_path: Path, lines: list[str], **options) -> str:
    """`studybot console` with piped input; what it printed."""
    out = io.StringIO()
    config = Config(database=tmp_path / "studybot.sqlite3", content_dir=CONTENT, console_member="太郎")
    status = console_main(config, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, clock=FakeClock(),
                          rng=random.Random(7), **options)
    assert status == 0
    return out.getvalue()


def answers(tmp_path: Path, name: str = "太郎") -> list[str]:
    return [a["text"] for a in practice.answers_of(open_database(tmp_path / "studybot.sqlite3"), 1, member_id(name))]


def session(study, lines: list[str], **options) -> str:
    out = io.StringIO()
    options.setdefault("interactive", False)
    run_console(study, member="太郎", stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, **options)
    return out.getvalue()


# --- the text box of /answer -----------------------------------------------------------------------


def test_piped_commands_after_an_empty_text_box_still_run(tmp_path):
    out = piped(tmp_path, ["/question junior", "/answer", "/help", "/streak"])
    assert "/help はコマンドなので回答欄を閉じました（回答は空です）" in out
    assert "回答が空です" in out  # the usual message for an empty answer
    assert "studybot の使い方" in out and "== 太郎 の連続記録 (streak) ==" in out
    assert answers(tmp_path) == []


@pytest.mark.parametrize("command", ["/streak", "／streak", "  /streak"])
def test_a_command_line_sends_what_the_text_box_holds_then_runs(tmp_path, command):
    out = piped(tmp_path, ["/question junior", "/answer", "一行目です", "  二行目です", command])
    assert "ここまでの 2 行を回答として送ります" in out
    assert out.index("回答を記録しました") < out.index("== 太郎 の連続記録 (streak) ==")
    assert answers(tmp_path) == ["一行目です\n  二行目です"]


def test_at_a_terminal_a_command_in_an_empty_text_box_cancels_the_answer(study):
    out = session(study, ["/question junior", "/answer", "/help"], interactive=True, plain=True)
    assert "/help はコマンドなので回答欄を閉じました（回答は取り消します）" in out
    assert "回答を取り消しました" in out and "回答が空です" not in out and "studybot の使い方" in out
    assert "/ で始まる行はコマンド" in out  # the text box says so when it opens


def test_an_answer_may_still_contain_colons_and_slashes_inside_a_line(tmp_path):
    text = "Bagging: 並列に学習 / Boosting: 逐次的に学習 text: POSTの/predict"
    piped(tmp_path, ["/question junior", f"/answer {text}", "/answer", "Bagging: 並列", "POST /predict を作る", ""])
    assert answers(tmp_path) == [text, "Bagging: 並列\nPOST /predict を作る"]


# --- options that only Discord has, and options no one has ------------------------------------------


def test_daily_setup_with_a_channel_keeps_every_other_setting(tmp_path):
    out = piped(tmp_path, ["/daily now", "/daily setup channel:#general time:21:00 level:junior", "/daily status"])
    assert "channel: はターミナルでは不要です（無視しました）" in out
    status = out.split("== 日替わり問題の状況 (daily status) ==")[1]
    assert "投稿時刻: 毎日 21:00" in status and "レベル: ジュニア (junior)" in status  # not the 09:00 mixed of /daily now


def test_leaderboard_share_is_not_needed_in_the_terminal(tmp_path):
    out = piped(tmp_path, ["/leaderboard share:true", "/leaderboard month points share:false"])
    assert out.count("share: はターミナルでは不要です（無視しました）") == 2
    assert "period は" not in out and "できませんでした" not in out
    assert "== ランキング: 連続記録" in out and "== ランキング: ポイント" in out


def test_unknown_options_are_named_and_what_follows_them_still_counts(tmp_path):
    out = piped(tmp_path, ["/daily setup colour:red time:22:15 level:senior", "/question foo:bar senior", "/daily now junior"])
    assert "無視しました: `colour:red`" in out and "投稿時刻: 毎日 22:15" in out and "レベル: シニア (senior)" in out
    assert "無視しました: `foo:bar`" in out and "シニア (senior) Q" in out.split("== 問題: ")[1]
    assert "無視しました: `junior`" in out  # /daily now takes no options


def test_members_by_name_with_or_without_at_and_never_by_a_mention(tmp_path):
    out = piped(tmp_path, ["/as 花子", "/question", "/as 太郎",
                           "/streak @花子", "/streak member:＠花子", "/stats <@1234567>", "/streak <@!1234567>"])
    assert out.count("== 花子 の連続記録 (streak) ==") == 2
    assert out.count("名前で指定します") == 2 and "学習の記録" not in out


@pytest.mark.parametrize("rest, params, keywords, discord_only, values, ignored, skipped", [
    ("channel:#general time:21:00 level:junior", (), ("time", "level"), ("channel",),
     {"time": "21:00", "level": "junior"}, ["channel"], []),
    ("week share:true points", ("period", "by"), (), ("share",), {"period": "week", "by": "points"}, ["share"], []),
    ("time:21:00 foo:bar extra level:mixed", (), ("time", "level"), (), {"time": "21:00", "level": "mixed"}, [],
     ["foo:bar", "extra"]),
    ("Bagging: 並列 share:x", ("text",), (), (), {"text": "Bagging: 並列 share:x"}, [], []),
    ("text:Bagging: 並列 Boosting: 逐次 question:junior-06", ("text",), ("question",), (),
     {"text": "Bagging: 並列 Boosting: 逐次", "question": "junior-06"}, [], []),
    ("ｌｅｖｅｌ：senior", ("level", "category"), (), (), {"level": "senior"}, [], []),
])
def test_parse_sets_aside_what_the_command_does_not_take(rest, params, keywords, discord_only, values, ignored, skipped):
    found = parse(rest, params, keywords, discord_only)
    assert (found.values, found.discord_only, found.skipped) == (values, ignored, skipped)


# --- full-width input from a Japanese input method ---------------------------------------------------


def test_full_width_choices_and_ids_work(tmp_path):
    out = piped(tmp_path, ["／ｌｅａｄｅｒｂｏａｒｄ　ｗｅｅｋ　ｐｏｉｎｔｓ", "/reveal ｊｕｎｉｏｒ－０６", "/question ｊｕｎｉｏｒ",
                           "/rate ＧＯＯＤ",
                           "/daily setup ｔｉｍｅ：２１：３０ ｌｅｖｅｌ：ｍｉｘｅｄ"])
    assert "== ランキング: ポイント" in out
    assert "Random Forest CV: 0.899 (+/- 0.024)" in out
    assert "「思い出せた (Good)」と記録しました" in out
    assert "投稿時刻: 毎日 21:30" in out and "できませんでした" not in out


def test_full_width_answer_text_is_stored_as_typed(tmp_path):
    text = "ＡＢテストで　ｐ値：０．０５ を使う（ﾊﾝｶｸ）"
    piped(tmp_path, ["/question junior", f"/answer {text}"])
    assert answers(tmp_path) == [text]


# --- what is printed back -------------------------------------------------------------------------


def test_control_characters_are_shown_escaped_never_sent_to_the_terminal(tmp_path, study):
    evil = "\x1b[2J\x1b]0;pwned\x07消す\u202e"
    lines = [f"/as 花子{evil}", "/question junior", f"/answer 回答{evil}"]
    for options in ({}, {"interactive": True, "plain": False, "width": 100}):
        out = piped(tmp_path, lines, **options)
        assert "\x1b[2J" not in out and "\x07" not in out and "\u202e" not in out and "\x1b]0" not in out
        assert "\\x1b[2J\\x1b]0;pwned\\x07消す\\u202e" in out
    assert answers(tmp_path, f"花子{evil}") == [f"回答{evil}"] * 2  # stored exactly as typed


def test_an_unknown_command_is_echoed_briefly(study):
    out = session(study, ["/" + "x" * 500, "/question " + "y" * 500 + " category:z"])
    assert "/" + "x" * 29 + "… というコマンドはありません" in out and "x" * 31 not in out
    assert "y" * 31 not in out


def test_invalid_utf8_piped_into_studybot_console_is_read_as_replacement_characters(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(f'[bot]\ndatabase = "db.sqlite3"\ncontent_dir = "{CONTENT.as_posix()}"\n', encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "console", "--member", "太郎"], cwd=tmp_path,
                         input="/question junior\n/answer 壊れた\xff\xfe入力です\n/streak\n".encode("utf-8", "surrogateescape")
                         .replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"), capture_output=True,
                         env=dict(os.environ, PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8"), timeout=30)
    assert run.returncode == 0 and b"Traceback" not in run.stderr, run.stderr.decode(errors="replace")
    assert "回答を記録しました" in run.stdout.decode() and "太郎 の連続記録" in run.stdout.decode()
    stored = practice.answers_of(open_database(tmp_path / "db.sqlite3"), 1, member_id("太郎"))
    assert [a["text"] for a in stored] == ["壊れた\ufffd\ufffd入力です"]


def test_a_text_stream_of_invalid_utf8_is_decoded_with_replacement(tmp_path):
    out = io.StringIO()
    config = Config(database=tmp_path / "studybot.sqlite3", content_dir=CONTENT, console_member="太郎")
    stdin = io.TextIOWrapper(io.BytesIO("/question junior\n/answer あ\n".encode().replace("あ".encode(), b"\x80\x81")),
                             encoding="utf-8")
    assert console_main(config, stdin=stdin, stdout=out, clock=FakeClock(), rng=random.Random(7)) == 0
    assert answers(tmp_path) == ["\ufffd\ufffd"]


def test_a_lone_surrogate_answer_is_stored_safely(tmp_path):
    out = piped(tmp_path, ["/question junior", "/answer 過学習\ud800です", "/as 花\udcff子"])
    assert "回答を記録しました" in out and "過学習\ufffdです" in out and "花\ufffd子" in out
    assert answers(tmp_path) == ["過学習\ufffdです"]


@pytest.mark.parametrize("text", ["短い回答です。\n二行目も。", "長い回答。" * 300])
def test_an_answer_that_cannot_be_saved_is_printed_back_to_paste(tmp_path, monkeypatch, text):
    from bot.services import Study
    from db import connection
    from tests.conftest import bank_database, write_lock_held

    monkeypatch.setattr(connection, "WRITE_WAIT_SECONDS", 0.2)
    study = Study(bank_database(tmp_path / "bot.sqlite3"), FakeClock(), random.Random(7), CONTENT)
    session(study, ["/question junior"])
    with write_lock_held(tmp_path / "bot.sqlite3"):
        out = session(study, ["/answer", *text.split("\n"), ""])
    assert "回答を保存できませんでした" in out and "データベースが混み合っていた" in out
    assert "/answer （上の回答を貼り付けて" in out and "予期しないエラー" not in out
    assert f"your_answer.txt (添付 / attached) ---\n{text}\n--- ここまで (end) ---" in out  # as written, to copy
    assert practice.answers_of(study.db, 1, member_id("太郎")) == []


# --- start-up goes through the same path as the Discord bot -------------------------------------------


def test_a_database_that_cannot_be_opened_is_one_sentence(tmp_path):
    (tmp_path / "adir").mkdir()
    out = io.StringIO()
    config = Config(database=tmp_path / "adir", content_dir=CONTENT)
    assert console_main(config, stdin=io.StringIO("/help\n"), stdout=out) == 2
    assert re.fullmatch(r"studybot: The database .*adir cannot be opened: .*\.\n", out.getvalue())
