"""The progress chart is a real PNG with content, for members with and without answers."""
from __future__ import annotations

import io
from datetime import timedelta

import numpy as np
import pytest
from matplotlib import image

from bot.services.charts import DPI, SIZE_INCHES, answer_day_streaks, stats_png
from db import practice
from tests.conftest import T0


def pixels(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return image.imread(io.BytesIO(png), format="png")


@pytest.fixture
def answered(loaded_db):
    for n, qid in enumerate(["junior-06", "junior-07", "senior-01", "senior-02", "junior-06"]):
        answer_id = practice.record_answer(loaded_db, 1, 10, qid, "回答", T0 - timedelta(days=n * 3))
        practice.record_feedback(loaded_db, answer_id, 20 * n, [], [])
    return loaded_db


def test_png_of_a_member_with_answers(answered):
    img = pixels(stats_png(answered, 1, 10, T0))
    assert img.shape[:2] == (SIZE_INCHES[1] * DPI, SIZE_INCHES[0] * DPI)
    assert img[..., :3].std() > 0.05  # bars, lines and text, not a blank page


def test_png_of_a_member_without_answers(loaded_db):
    empty = pixels(stats_png(loaded_db, 1, 99, T0))
    assert empty.shape[:2] == (750, 1000) and empty[..., :3].std() > 0.02  # axes, labels and the "no answers yet" note


def test_more_answers_draw_more(answered, loaded_db):
    with_answers = pixels(stats_png(answered, 1, 10, T0))
    without = pixels(stats_png(loaded_db, 1, 99, T0))
    assert np.abs(with_answers - without).mean() > 0.005


def test_the_streak_history_can_be_swapped(answered):
    calls = []

    def history(db, guild_id, user_id, now, days):
        calls.append((guild_id, user_id, now, days))
        return [(now.date() - timedelta(days=d), d % 5) for d in range(days - 1, -1, -1)]

    assert stats_png(answered, 1, 10, T0, weeks=4, streak_history=history)[:4] == b"\x89PNG"
    assert calls == [(1, 10, T0, 28)]


def test_default_streaks_count_consecutive_answer_days(loaded_db):
    for days_ago in (0, 1, 2, 5):
        practice.record_answer(loaded_db, 1, 10, "junior-01", "回答", T0 - timedelta(days=days_ago))
    runs = dict(answer_day_streaks(loaded_db, 1, 10, T0, 7))
    today = T0.date()
    assert [runs[today - timedelta(days=d)] for d in range(6, -1, -1)] == [0, 1, 0, 0, 1, 2, 3]


def test_an_unanswered_today_keeps_yesterdays_streak(loaded_db):
    practice.record_answer(loaded_db, 1, 10, "junior-01", "回答", T0 - timedelta(days=1))
    runs = answer_day_streaks(loaded_db, 1, 10, T0, 3)
    assert [n for _, n in runs] == [0, 1, 1]


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the stand-in font has no Japanese glyphs
def test_japanese_labels_when_a_japanese_font_exists(answered, monkeypatch):
    from bot.services import charts

    monkeypatch.setattr(charts, "japanese_font", lambda: "DejaVu Sans")  # stands in: the test machine has none
    assert pixels(stats_png(answered, 1, 10, T0)).shape[:2] == (750, 1000)
