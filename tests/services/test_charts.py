"""The progress chart is a real PNG with content, for members with and without answers; its streak panel
is the daily-question streak /streak shows, its weeks are the server's, and both top panels share dates."""
from __future__ import annotations

import io
import random
import threading
from datetime import date, datetime, timedelta

import numpy as np
import pytest
from matplotlib import image

from bot.services.chart_drawing import DPI, SIZE_INCHES
from bot.services.charts import render_png, stats_data, stats_png
from bot.services.daily import Daily
from bot.services.progress import Progress
from db import practice
from tests.conftest import T0
from tests.services.test_progress import TOKYO, Days, Server


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


@pytest.fixture
def tokyo(loaded_db, clock):
    """A Tokyo server's daily question, posted at 09:00 JST (00:00 UTC) from Friday 2026-11-20."""
    days = Days(clock, TOKYO, datetime(2026, 11, 20))
    days.at(8)
    daily = Daily(loaded_db, clock, random.Random(3))
    daily.setup(1, 100, "09:00", "Asia/Tokyo", "mixed")
    return Server(daily, 1, TOKYO), days


def run(server: Server, days: Days, answered: str) -> None:
    """One daily question per character: 'y' member 10 answers it, '.' they miss it, '-' no post that day."""
    for mark in answered:
        if mark != "-":
            days.at(9)
            server.post()
            days.at(20)
            if mark == "y":
                server.answer(10, "たろう")
        days.next()


def test_the_streak_panel_is_the_daily_question_streak(tokyo, loaded_db, clock):
    server, days = tokyo
    run(server, days, "yyyyyyy.y-y..yy")  # 7 answers earn a freeze; a miss spends it; the next miss ends it
    days.next(-1)
    days.at(21)
    data = stats_data(loaded_db, 1, 10, clock.now, weeks=3)
    by_day = dict(data.streaks)
    assert by_day[date(2026, 11, 26)] == 7
    assert by_day[date(2026, 11, 27)] == 7  # the miss is still open: nothing spent yet
    assert by_day[date(2026, 11, 28)] == 8  # the freeze covered it
    assert by_day[date(2026, 11, 29)] == 8  # no post that day: nobody's miss
    assert by_day[date(2026, 11, 30)] == 9 and by_day[date(2026, 12, 1)] == 9
    assert by_day[date(2026, 12, 2)] == 0 and by_day[date(2026, 12, 3)] == 1  # a closed miss without a freeze ends it
    assert data.streaks[-1] == (date(2026, 12, 4), Progress(loaded_db).streak(1, 10).current) == (date(2026, 12, 4), 2)


def test_weeks_and_days_are_the_servers_and_both_panels_cover_the_same_dates(tokyo, loaded_db, clock):
    server, days = tokyo
    run(server, days, "yy")
    monday_morning_tokyo = datetime(2026, 11, 23, 1, 0, tzinfo=TOKYO)  # Sunday 16:00 UTC
    practice.record_answer(loaded_db, 1, 10, "junior-01", "練習", monday_morning_tokyo)
    for row in practice.answers_of(loaded_db, 1, 10):
        practice.record_feedback(loaded_db, row["id"], 50, [], [])
    practice.record_answer(loaded_db, 1, 10, "junior-02", "短い", monday_morning_tokyo)  # not judged: not counted
    clock.now = datetime(2026, 11, 25, 12, tzinfo=TOKYO)
    data = stats_data(loaded_db, 1, 10, clock.now, weeks=2)
    assert data.weekly == [(date(2026, 11, 16), 2), (date(2026, 11, 23), 1)]  # Tokyo's Monday, not UTC's Sunday
    assert data.span == (date(2026, 11, 16), date(2026, 11, 30))
    assert data.streaks[0][0] == data.span[0] and data.streaks[-1][0] == date(2026, 11, 25)  # today, in Tokyo


def test_the_chart_is_drawn_without_the_database(answered, loaded_db):
    data = stats_data(answered, 1, 10, T0)
    pngs = []
    worker = threading.Thread(target=lambda: pngs.append(render_png(data)))  # as /stats does, off the event loop
    worker.start()
    worker.join()
    assert pixels(pngs[0]).shape[:2] == (750, 1000)


def test_the_chart_call_crosses_processes(study, loaded_db):
    """Discord draws it in a process pool: the call the service returns must pickle, data and all."""
    import pickle

    draw = study.stats_chart(1, 10)
    assert pixels(pickle.loads(pickle.dumps(draw))())[:2].shape[:2] == pixels(draw())[:2].shape[:2]


def test_the_terminal_saves_each_chart_to_a_new_file(tmp_path, monkeypatch):
    import tempfile

    from bot.frontends.terminal.session import save_png

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first, second = save_png(b"\x89PNG one"), save_png(b"\x89PNG two")
    assert first.parent == tmp_path and first != second and first.suffix == ".png"
    assert first.read_bytes() == b"\x89PNG one" and second.read_bytes() == b"\x89PNG two"


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the stand-in font has no Japanese glyphs
def test_japanese_labels_when_a_japanese_font_exists(answered, monkeypatch):
    from bot.services import chart_drawing

    monkeypatch.setattr(chart_drawing, "japanese_font", lambda: "DejaVu Sans")  # stands in: the test machine has none
    assert pixels(stats_png(answered, 1, 10, T0)).shape[:2] == (750, 1000)


def test_the_chart_is_about_answered_questions_of_the_members_levels_with_their_name_date_and_review(loaded_db):
    from db import review

    for qid, score in (("junior-06", 40), ("junior-06", 90), ("junior-07", 60)):
        practice.record_feedback(loaded_db, practice.record_answer(loaded_db, 1, 10, qid, "回答", T0), score, [], [])
    practice.record_answer(loaded_db, 1, 10, "junior-01", "短い", T0)  # unscored: a try, but no mastery
    review.save_rating(loaded_db, 1, 10, "junior-06", card="{}", due=T0, rating="good", now=T0 - timedelta(days=2))
    review.save_rating(loaded_db, 1, 10, "junior-07", card="{}", due=T0 + timedelta(days=3), rating="again",
                       now=T0 - timedelta(days=1))
    review.save_rating(loaded_db, 1, 10, "junior-01", card="{}", due=T0 + timedelta(days=20), rating="easy",
                       now=T0 - timedelta(days=40))  # older than the retention window
    data = stats_data(loaded_db, 1, 10, T0, name="花子")
    by_category = {m.category: m for m in data.mastery}
    assert set(by_category) == {"Pythonとプログラミング", "MLアルゴリズムと理論", "モデルのトレーニングとデプロイメント"}  # junior only
    ml = by_category["MLアルゴリズムと理論"]
    assert (ml.score, ml.answered, ml.total) == (75.0, 2, 5)  # the best of each answered question: (90 + 60) / 2
    python = by_category["Pythonとプログラミング"]
    assert (python.score, python.answered) == (None, 0)  # an unscored answer is no mastery
    assert (data.review.due_today, data.review.due_this_week) == (1, 2)  # T0 is a Wednesday: Saturday is this week
    assert (data.review.retention, data.review.rated) == (0.5, 2)
    assert data.weekly[-1][1] == 3  # judged answers only
    from bot.services.chart_drawing import title

    assert title(data, "ja") == "花子 さんの学習の記録 ・ 2026-11-25"
    assert title(data, "en") == "花子: Study stats ・ 2026-11-25"
