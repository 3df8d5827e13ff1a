"""Leaderboard periods and orderings: which period a daily question belongs to, and their names.

A daily question belongs to the week (ISO, Monday first) and month of its local date in the server's
timezone, and to "all". A board shows the period of the server's latest daily question: on Monday
morning, before Monday's question, last week's board is still the live one (its question is still open).
"""
from __future__ import annotations

from datetime import date, timedelta

from bot.core.errors import StudyError

PERIODS = ("week", "month", "all")
# points: the sum of each member's best feedback score per daily question
ORDERS = ("streak", "answers", "points")
ALL = "all"
TOP = 10


class InvalidBoard(StudyError):
    pass


def check_board(period: str, by: str) -> None:
    if period not in PERIODS:
        raise InvalidBoard("period は week / month / all のどれかです。 (period must be week, month or all.)")
    if by not in ORDERS:
        raise InvalidBoard("by は streak / answers / points のどれかです。 (by must be streak, answers or points.)")


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def month_key(day: date) -> str:
    return f"{day.year}-{day.month:02d}"


def period_key(period: str, day: date) -> str:
    return {"week": week_key, "month": month_key}[period](day) if period != ALL else ALL


def period_label(key: str) -> str:
    """'2026-W48' -> '2026年 第48週 (11/23〜11/29)', '2026-11' -> '2026年11月', 'all' -> '全期間'."""
    if key == ALL:
        return "全期間 (all time)"
    if "-W" in key:
        year, week = key.split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
        sunday = monday + timedelta(days=6)
        return f"{year}年 第{int(week)}週 ({monday.month}/{monday.day}〜{sunday.month}/{sunday.day})"
    year, month = key.split("-")
    return f"{year}年{int(month)}月"
