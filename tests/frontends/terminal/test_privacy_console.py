"""/privacy in the terminal: the export is saved as a file whose path is printed, and forgetting is
confirmed by typing the command the confirm button stands for."""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from bot.frontends.terminal import member_id
from db import privacy as store
from tests.frontends.terminal.test_console import session


def test_export_is_saved_and_forget_is_confirmed_by_typing_it(study, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    out = session(study, ["/question junior", "/answer 正則化で過学習を防ぎます", "/privacy export", "/privacy forget"])
    saved = Path(re.search(r"ファイルを保存しました \(file saved\): (\S+)", out)[1])
    assert saved.parent == tmp_path and saved.suffix == ".json" and saved.stat().st_mode & 0o077 == 0
    assert json.loads(saved.read_text(encoding="utf-8"))["answers"][0]["text"] == "正則化で過学習を防ぎます"
    assert "[確認 (confirm)] /privacy confirm  [キャンセル (cancel)] 何も入力しなければ削除しません" in out
    taro = member_id("太郎")
    assert store.member_counts(study.db, 1, taro)["answers"] == 1  # asking deletes nothing
    out = session(study, ["/privacy confirm"])
    assert "削除しました (forgotten)" in out and not any(store.member_counts(study.db, 1, taro).values())


def test_anyone_at_the_terminal_may_forget_a_named_member(study):
    session(study, ["/as 花子", "/question junior", "/answer 花子の回答です"])
    out = session(study, ["/privacy forget 花子"])
    assert "花子 さんのデータを削除しますか" in out and "/privacy confirm 花子" in out
    out = session(study, ["/privacy confirm 花子"])
    assert "花子 さん" in out and store.member_counts(study.db, 1, member_id("花子"))["answers"] == 0
