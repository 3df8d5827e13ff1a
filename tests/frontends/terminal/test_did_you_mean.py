"""Did-you-mean in the terminal: a misspelt option name is refused with the name meant, never silently
ignored (issue 13); a far-off `name:value` is still set aside with a note, as before."""
from __future__ import annotations

import io
import random

from bot.frontends.terminal.session import run_console
from bot.services import Study
from tests.conftest import CONTENT, FakeClock


def session(db, lines: list[str]) -> str:
    out = io.StringIO()
    study = Study(db, FakeClock(), random.Random(1), CONTENT)
    run_console(study, member="太郎", stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, interactive=False)
    return out.getvalue()


def test_a_misspelt_option_name_is_refused_with_the_one_meant(loaded_db):
    out = session(loaded_db, ["/question levle:junior", "/daily setup tiem:21:00", "/remind streak:on review:onn"])
    assert "levle は不明なオプションです。level のことですか？" in out and "== 問題" not in out
    assert "tiem は不明なオプションです。time のことですか？" in out and "日替わり問題を設定しました" not in out
    assert "review は on か off です" in out and "on のことですか？" in out


def test_question_with_an_unknown_level_lists_levels_and_categories(loaded_db):
    out = session(loaded_db, ["/question beginner", "/question jnuior"])
    assert out.count("レベル (levels): `junior` / `senior`") == 2 and "カテゴリ (categories)" in out
    assert "もしかして (did you mean): junior" in out


def test_remind_in_the_terminal_shows_what_the_dm_would_say(loaded_db):
    out = session(loaded_db, ["/remind", "/remind streak:on review:off time:21時"])
    assert "まだ設定していません" in out and "毎日 21:00 (UTC)" in out and "ターミナル版は DM を送りません" in out
