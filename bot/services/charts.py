"""A member's progress as one PNG: answers per week, daily-question streak and mastery per category.

Two steps, so a front end can keep the slow one off its event loop: `stats_data` reads the database
(fast, on the caller's thread: SQLite connections stay on theirs), `render_png` draws (0.5-3 s of
matplotlib, safe in a worker thread). Dates are the server's (its daily question's timezone, else UTC);
the weekly bars and the streak line share one date axis over the same weeks.

matplotlib's object API only (Figure + Agg canvas), never pyplot: no global figure state. Labels are
Japanese when a font with Japanese glyphs is installed, else English (a font without them draws boxes).
"""
from __future__ import annotations

import functools
import io
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator
from sqlite_utils import Database

from bot.core.daily import local_date
from bot.core.study_stats import answers_per_week, best_scores, category_mastery, week_start
from bot.services.progress import Progress, server_zone
from db import bank, practice

SIZE_INCHES, DPI = (10, 7.5), 100  # 1000 x 750 px: readable in a Discord embed
JAPANESE_FONTS = ("IPAexGothic", "IPAGothic", "Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP",
                  "TakaoGothic", "VL Gothic", "Hiragino Sans", "Yu Gothic", "Meiryo")
LABELS = {
    "ja": {"title": "学習の記録 (study stats)", "weekly": "週ごとの回答数", "streak": "日替わり問題の連続記録",
           "mastery": "カテゴリ別の習熟度 (%)", "mastery_note": "各問題の最高スコアの平均（未回答は 0）",
           "empty": "まだ回答がありません。/question で始めましょう"},
    "en": {"title": "Study stats", "weekly": "Answers per week", "streak": "Daily-question streak",
           "mastery": "Mastery per category (%)", "mastery_note": "mean of best score per question (unanswered = 0)",
           "empty": "No answers yet: /question to start"},
}
_RENDERING = threading.Lock()
# the bank's section headings, for machines without a Japanese font
CATEGORY_EN = {
    "Pythonとプログラミング": "Python & programming", "MLアルゴリズムと理論": "ML algorithms & theory",
    "モデルのトレーニングとデプロイメント": "Training & deployment", "高度な機械学習": "Advanced ML",
    "特徴量エンジニアリング": "Feature engineering", "モデルのデプロイと本番環境": "Deployment & production",
}


@dataclass(frozen=True)
class StatsData:
    """What the chart shows, read from the database; drawing it needs no database."""

    weekly: list[tuple[date, int]]  # (Monday, answers that week), oldest first
    streaks: list[tuple[date, int]]  # (day, daily-question streak at its end), from the first Monday to today
    mastery: list[tuple[str, float]]
    empty: bool  # no answers at all

    @property
    def span(self) -> tuple[date, date]:
        """The dates both top panels cover: the first week's Monday to the end of the current week."""
        return self.weekly[0][0], self.weekly[-1][0] + timedelta(days=7)


def stats_data(db: Database, guild_id: int, user_id: int, now: datetime, *, weeks: int = 8) -> StatsData:
    zone = server_zone(db, guild_id)
    history = practice.answer_history(db, guild_id, user_id)
    weekly = answers_per_week((datetime.fromisoformat(a["created_at"]) for a in history), now, weeks, zone)
    today = local_date(now, zone)
    streaks = Progress(db).streak_history(guild_id, user_id, week_start(today) - timedelta(weeks=weeks - 1), today)
    mastery = category_mastery(best_scores(history), {q.id: q.category for q in bank.active_questions(db)})
    return StatsData(weekly, streaks, mastery, empty=not history)


def stats_png(db: Database, guild_id: int, user_id: int, now: datetime, *, weeks: int = 8) -> bytes:
    return render_png(stats_data(db, guild_id, user_id, now, weeks=weeks))


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


def render_png(data: StatsData) -> bytes:
    """Draw the chart; safe in a worker thread. rc_context swaps matplotlib's global settings, so one
    chart is drawn at a time (charts are rare; the lock only keeps two from mixing fonts)."""
    with _RENDERING:
        font = japanese_font()
        with matplotlib.rc_context({"font.family": [font, "DejaVu Sans"]} if font else {}):
            return _render(data, "ja" if font else "en")


def _render(data: StatsData, lang: str) -> bytes:
    text = LABELS[lang]
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 2, height_ratios=(1, 1.1))
    fig.suptitle(text["title"], fontsize=15)  # IPAexGothic has no bold face
    weekly_ax = fig.add_subplot(grid[0, 0])
    streak_ax = fig.add_subplot(grid[0, 1], sharex=weekly_ax)  # the same weeks, the same dates
    _weekly(weekly_ax, data.weekly, text["weekly"])
    _streaks(streak_ax, data.streaks, text["streak"])
    weekly_ax.set_xlim(*data.span)  # type: ignore[arg-type]  # matplotlib converts dates; its stubs say float
    for ax in (weekly_ax, streak_ax):
        mondays = mdates.WeekdayLocator(byweekday=mdates.MO)  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated
        ax.xaxis.set_major_locator(mondays)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%d"))  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated
        ax.tick_params(axis="x", labelrotation=45, labelsize=8, labelbottom=True)
    _mastery(fig.add_subplot(grid[1, :]), data.mastery, text, lang)
    if data.empty:
        weekly_ax.text(0.5, 0.5, text["empty"], transform=weekly_ax.transAxes, ha="center", va="center", fontsize=11,
                       color="#555", bbox={"boxstyle": "round", "facecolor": "#fff8dc", "edgecolor": "#ccc"})
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _weekly(ax: Axes, weekly: list[tuple[date, int]], title: str) -> None:
    mondays, counts = [d for d, _ in weekly], [n for _, n in weekly]  # each bar: Monday to Saturday's end
    ax.bar(mondays, counts, width=6, align="edge", color="#5865F2")  # type: ignore[arg-type]  # matplotlib converts dates; its stubs say float
    ax.set_title(title)
    ax.set_ylim(0, max(counts + [1]) * 1.1)
    _whole_ticks(ax)
    ax.grid(axis="y", alpha=0.3)


def _streaks(ax: Axes, streaks: list[tuple[date, int]], title: str) -> None:
    # each day's value holds from its start to the next day's: steps drawn "post" from day starts
    days = [d for d, _ in streaks] + [streaks[-1][0] + timedelta(days=1)]
    runs = [n for _, n in streaks] + [streaks[-1][1]]
    ax.fill_between(days, runs, step="post", color="#57F287", alpha=0.5)  # type: ignore[arg-type]  # matplotlib converts dates; its stubs say float
    ax.step(days, runs, where="post", color="#2d9d5a")  # type: ignore[arg-type]  # matplotlib converts dates; its stubs say float
    ax.set_title(title)
    ax.set_ylim(0, max(runs + [1]) + 1)
    _whole_ticks(ax)
    ax.grid(axis="y", alpha=0.3)


def _whole_ticks(ax: Axes) -> None:
    """Counts and streaks are whole numbers: the default y locator, told to skip fractions."""
    locator = AutoLocator()
    locator.set_params(integer=True)
    ax.yaxis.set_major_locator(locator)


def _mastery(ax: Axes, mastery: list[tuple[str, float]], text: dict[str, str], lang: str) -> None:
    names = [c if lang == "ja" or c.isascii() else CATEGORY_EN.get(c, f"category {i}") for i, (c, _) in enumerate(mastery, 1)]
    values = [v for _, v in mastery]
    bars = ax.barh(names[::-1], values[::-1], color="#FEE75C", edgecolor="#b59f00")
    ax.bar_label(bars, fmt="%.0f", padding=3)
    ax.set_xlim(0, 105)
    ax.set_title(text["mastery"])
    ax.set_xlabel(text["mastery_note"], fontsize=9)
    ax.grid(axis="x", alpha=0.3)
