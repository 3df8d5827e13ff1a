"""Drawing a member's progress chart (bot.services.charts reads its data): matplotlib, loaded only by the
process that draws (a chart worker, the terminal), never by the bot's event loop process.

matplotlib's object API only (Figure + Agg canvas), never pyplot: no global figure state. Labels are
Japanese when a font with Japanese glyphs is installed, else English (a font without them draws boxes).
"""
from __future__ import annotations

import functools
import io
import threading
from datetime import date, timedelta

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import AutoLocator

from bot.core.study_stats import RETENTION_DAYS, Mastery, ReviewPanel, StatsData

SIZE_INCHES, DPI = (10, 7.5), 100  # 1000 x 750 px: readable in a Discord embed
JAPANESE_FONTS = ("IPAexGothic", "IPAGothic", "Noto Sans CJK JP", "Noto Sans JP", "Source Han Sans JP",
                  "TakaoGothic", "VL Gothic", "Hiragino Sans", "Yu Gothic", "Meiryo")
LABELS = {
    "ja": {"title": "{name}学習の記録 ・ {day}", "of": "{name} さんの", "weekly": "週ごとの採点された回答数",
           "streak": "日替わり問題の連続記録", "mastery": "カテゴリ別の習熟度（回答した問題の最高スコアの平均）",
           "mastery_note": "（回答した問題数 / 全問題数）", "count": "{score} ({answered}/{total} 問)",
           "none": "— (0/{total} 問)", "empty": "まだ回答がありません。/question で始めましょう",
           "review": "復習 (review)", "due_today": "今日まで: {n} 問", "due_week": "今週中: {n} 問",
           "retention": "定着率: {pct}%\n（直近{days}日の評価 {rated} 回のうち\n「もう一度」以外）",
           "no_ratings": "定着率: まだ評価がありません\n（模範解答のあと評価すると\n復習に追加されます）"},
    "en": {"title": "{name}Study stats ・ {day}", "of": "{name}: ", "weekly": "Judged answers per week",
           "streak": "Daily-question streak", "mastery": "Mastery per category (mean best score of answered questions)",
           "mastery_note": "(questions answered / questions)", "count": "{score} ({answered}/{total})",
           "none": "— (0/{total})", "empty": "No answers yet: /question to start",
           "review": "Review", "due_today": "Due today: {n}", "due_week": "Due this week: {n}",
           "retention": "Retention: {pct}%\n(of {rated} ratings in {days} days,\nnot \"again\")",
           "no_ratings": "Retention: no ratings yet\n(rate your recall after\na reveal to start)"},
}
_RENDERING = threading.Lock()
# the bank's section headings, for machines without a Japanese font
CATEGORY_EN = {
    "Pythonとプログラミング": "Python & programming", "MLアルゴリズムと理論": "ML algorithms & theory",
    "モデルのトレーニングとデプロイメント": "Training & deployment", "高度な機械学習": "Advanced ML",
    "特徴量エンジニアリング": "Feature engineering", "モデルのデプロイと本番環境": "Deployment & production",
}


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


def draw(data: StatsData) -> bytes:
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
    fig.suptitle(title(data, lang), fontsize=15)  # IPAexGothic has no bold face
    # two sub-figures, so the mastery panel's long category names do not narrow the panels above it
    parts = fig.subfigures(2, 1, height_ratios=(1, 1.1), squeeze=False)
    top: SubFigure = parts[0, 0]
    bottom: SubFigure = parts[1, 0]
    grid = top.add_gridspec(1, 3, width_ratios=(1, 1, 0.8))
    weekly_ax = top.add_subplot(grid[0, 0])
    streak_ax = top.add_subplot(grid[0, 1], sharex=weekly_ax)  # the same weeks, the same dates
    _review_panel(top.add_subplot(grid[0, 2]), data.review, text)
    _weekly(weekly_ax, data.weekly, text["weekly"])
    _streaks(streak_ax, data.streaks, text["streak"])
    weekly_ax.set_xlim(*data.span)  # type: ignore[arg-type]  # matplotlib converts dates; its stubs say float
    for ax in (weekly_ax, streak_ax):
        mondays = mdates.WeekdayLocator(byweekday=mdates.MO)  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated
        ax.xaxis.set_major_locator(mondays)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%d"))  # type: ignore[no-untyped-call]  # matplotlib.dates is unannotated
        ax.tick_params(axis="x", labelrotation=45, labelsize=8, labelbottom=True)
    _mastery(bottom.add_subplot(), data.mastery, text, lang)
    if data.empty:
        weekly_ax.text(0.5, 0.5, text["empty"], transform=weekly_ax.transAxes, ha="center", va="center", fontsize=11,
                       color="#555", bbox={"boxstyle": "round", "facecolor": "#fff8dc", "edgecolor": "#ccc"})
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def title(data: StatsData, lang: str) -> str:
    """The member's name and the date; `$` is escaped, or matplotlib would read a name as a formula."""
    text = LABELS[lang]
    name = text["of"].format(name=data.name.replace("$", r"\$")) if data.name else ""
    return text["title"].format(name=name, day=f"{data.day:%Y-%m-%d}" if data.day else "")


def _review_panel(ax: Axes, panel: ReviewPanel, text: dict[str, str]) -> None:
    lines = [text["due_today"].format(n=panel.due_today), text["due_week"].format(n=panel.due_this_week)]
    if panel.retention is None:
        lines.append(text["no_ratings"])
    else:
        lines.append(text["retention"].format(pct=round(panel.retention * 100), days=RETENTION_DAYS, rated=panel.rated))
    ax.set_title(text["review"])
    ax.axis("off")
    ax.text(0.02, 0.95, "\n\n".join(lines), transform=ax.transAxes, va="top", ha="left", fontsize=10, linespacing=1.4)


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


def _mastery(ax: Axes, mastery: list[Mastery], text: dict[str, str], lang: str) -> None:
    names = [m.category if lang == "ja" or m.category.isascii() else CATEGORY_EN.get(m.category, f"category {i}")
             for i, m in enumerate(mastery, 1)]
    values = [m.score or 0.0 for m in mastery]
    labels = [text["count"].format(score=round(m.score), answered=m.answered, total=m.total) if m.score is not None
              else text["none"].format(total=m.total) for m in mastery]
    bars = ax.barh(names[::-1], values[::-1], color="#FEE75C", edgecolor="#b59f00")
    ax.bar_label(bars, labels=labels[::-1], padding=3)
    ax.set_xlim(0, 125)  # room for the label after a full bar
    ax.set_title(text["mastery"])
    ax.set_xlabel(text["mastery_note"], fontsize=9)
    ax.grid(axis="x", alpha=0.3)
