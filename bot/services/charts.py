"""A member's progress as one PNG: answers per week, streak history and mastery per category.

matplotlib's object API only (Figure + Agg canvas), never pyplot: no global figure state, safe to
call from a worker thread. Labels are Japanese when a font with Japanese glyphs is installed, else
English (a font without them draws empty boxes).
"""
from __future__ import annotations

import functools
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlite_utils import Database

from bot.core.study_stats import answers_per_week, best_scores, category_mastery, day_streaks, utc_day
from db import bank, practice

SIZE_INCHES, DPI = (10, 7.5), 100  # 1000 x 750 px: readable in a Discord embed
# (date, run length that day), oldest first; the lead can swap in the streak service's own history
StreakHistory = Callable[[Database, int, int, datetime, int], list[tuple[date, int]]]
JAPANESE_FONTS = ("IPAexGothic", "IPAGothic", "Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP",
                  "TakaoGothic", "VL Gothic", "Hiragino Sans", "Yu Gothic", "Meiryo")
LABELS = {
    "ja": {"title": "学習の記録 (study stats)", "weekly": "週ごとの回答数", "streak": "連続回答日数",
           "mastery": "カテゴリ別の習熟度 (%)", "mastery_note": "各問題の最高スコアの平均（未回答は 0）",
           "empty": "まだ回答がありません。/question で始めましょう"},
    "en": {"title": "Study stats", "weekly": "Answers per week", "streak": "Streak (consecutive days with an answer)",
           "mastery": "Mastery per category (%)", "mastery_note": "mean of best score per question (unanswered = 0)",
           "empty": "No answers yet: /question to start"},
}
# the bank's section headings, for machines without a Japanese font
CATEGORY_EN = {
    "Pythonとプログラミング": "Python & programming", "MLアルゴリズムと理論": "ML algorithms & theory",
    "モデルのトレーニングとデプロイメント": "Training & deployment", "高度な機械学習": "Advanced ML",
    "特徴量エンジニアリング": "Feature engineering", "モデルのデプロイと本番環境": "Deployment & production",
}


def answer_day_streaks(db: Database, guild_id: int, user_id: int, now: datetime, days: int) -> list[tuple[date, int]]:
    """Stand-in streak history: consecutive UTC days with at least one answer, for the last `days` days."""
    answered = {utc_day(datetime.fromisoformat(a["created_at"])) for a in practice.answer_history(db, guild_id, user_id)}
    today = utc_day(now)
    runs = day_streaks(answered, today - timedelta(days=days - 1), today)
    if len(runs) > 1 and runs[-1][1] == 0:  # today is not over: an unanswered today has not broken the run yet
        runs[-1] = (today, runs[-2][1])
    return runs


def japanese_font() -> str | None:
    _register_shipped_font()
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in JAPANESE_FONTS if n in names), None)


@functools.cache
def _register_shipped_font() -> None:
    """matplotlib-fontja ships IPAexGothic, so labels are Japanese on any machine; registering the file
    (rather than its japanize(), which changes global rc settings) keeps other figures untouched."""
    try:
        import matplotlib_fontja
    except ImportError:
        return
    font_manager.fontManager.addfont(matplotlib_fontja.get_font_ttf_path())


def stats_png(db: Database, guild_id: int, user_id: int, now: datetime, *, weeks: int = 8,
              streak_history: StreakHistory = answer_day_streaks) -> bytes:
    history = practice.answer_history(db, guild_id, user_id)
    weekly = answers_per_week((datetime.fromisoformat(a["created_at"]) for a in history), now, weeks)
    streaks = streak_history(db, guild_id, user_id, now, weeks * 7)
    mastery = category_mastery(best_scores(history), {q.id: q.category for q in bank.active_questions(db)})
    font = japanese_font()
    with matplotlib.rc_context({"font.family": [font, "DejaVu Sans"]} if font else {}):
        return _render(weekly, streaks, mastery, "ja" if font else "en", empty=not history)


def _render(weekly, streaks, mastery, lang: str, *, empty: bool) -> bytes:
    text = LABELS[lang]
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 2, height_ratios=(1, 1.1))
    fig.suptitle(text["title"], fontsize=15)  # IPAexGothic has no bold face
    weekly_ax = fig.add_subplot(grid[0, 0])
    _weekly(weekly_ax, weekly, text["weekly"])
    _streaks(fig.add_subplot(grid[0, 1]), streaks, text["streak"])
    _mastery(fig.add_subplot(grid[1, :]), mastery, text, lang)
    if empty:
        weekly_ax.text(0.5, 0.5, text["empty"], transform=weekly_ax.transAxes, ha="center", va="center", fontsize=11,
                       color="#555", bbox={"boxstyle": "round", "facecolor": "#fff8dc", "edgecolor": "#ccc"})
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _weekly(ax, weekly: list[tuple[date, int]], title: str) -> None:
    labels = [f"{d:%m/%d}" for d, _ in weekly]
    counts = [n for _, n in weekly]
    ax.bar(labels, counts, color="#5865F2")
    ax.set_title(title)
    ax.set_ylim(0, max(counts + [1]) * 1.1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.grid(axis="y", alpha=0.3)


def _streaks(ax, streaks: list[tuple[date, int]], title: str) -> None:
    days = [d for d, _ in streaks]
    runs = [n for _, n in streaks]
    ax.fill_between(days, runs, step="mid", color="#57F287", alpha=0.5)
    ax.step(days, runs, where="mid", color="#2d9d5a")
    ax.set_title(title)
    ax.set_ylim(0, max(runs + [1]) + 1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%d"))
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.grid(axis="y", alpha=0.3)


def _mastery(ax, mastery: list[tuple[str, float]], text: dict, lang: str) -> None:
    names = [c if lang == "ja" or c.isascii() else CATEGORY_EN.get(c, f"category {i}") for i, (c, _) in enumerate(mastery, 1)]
    values = [v for _, v in mastery]
    bars = ax.barh(names[::-1], values[::-1], color="#FEE75C", edgecolor="#b59f00")
    ax.bar_label(bars, fmt="%.0f", padding=3)
    ax.set_xlim(0, 105)
    ax.set_title(text["mastery"])
    ax.set_xlabel(text["mastery_note"], fontsize=9)
    ax.grid(axis="x", alpha=0.3)
