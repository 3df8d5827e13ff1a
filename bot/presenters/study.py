"""What members see, independent of where they see it.

Cards are plain data: the Discord adapter turns them into embeds and the terminal front end into
panels, so wording and paging are written once. Every card fits Discord's embed limits.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bot.core.models import Question, Snippet, SnippetResult
from bot.core.paging import split_markdown
from bot.presenters.cards import (
    FIELD_COUNT_LIMIT,
    FIELD_LIMIT,
    MESSAGE_LIMIT,
    PAGE_BUDGET,
    Card,
    card_size,
    small,
    title_text,
)

FOOTER_ROOM = 100  # the page footer (`<id> ・ ページ i/n`) is added once the pages are counted
NOTES = "編集注記 (notes)"
VALUE_HEADING = "最後の式の値（ノートブックのセルのように表示）"
PREPARATION = "実行のための準備"
PREPARATION_NOTE = ("記事のコードをそのまま実行できるように、前後に補ったコードです。"
                    "setup は記事のコードの前に、completion は記事のコードの後に続けて実行しました。")
# what bot/sandbox/scripts/harness.py does before and after every snippet
RUNNER_PREPARATION = ("全コード共通: サンドボックスの中で、乱数の種を 0 に固定し（random.seed(0)・numpy.random.seed(0)）、"
                      "計算スレッドを 1 つにし、pandas の表は列を省かずに表示し、最後の式の値を表示しています。")
PREPARATION_FOLLOWS = f"⬇ このコードを実行するために補ったコード（{PREPARATION}）は次のページから表示します。"
NOTHING_SHOWN = "（標準出力も最後の式の値もありません）"
# what happened to a run that did not finish normally; error and timeout reasons are whole sentences already
STATUS_LABELS = {
    "error": "⚠ エラーで終了しました",
    "timeout": "⚠ 制限時間内に終わりませんでした",
    "limit": "⚠ 実行環境の上限に達したため途中で止めました",
    "skipped": "実行していません（必要なパッケージがこの環境に入っていないため）",
}
LEVEL_NAMES = {"junior": "ジュニア (junior)", "senior": "シニア (senior)"}
_title = title_text


def rating(value: str | None) -> str:
    return value if value else "未評価（記事に記載なし）"


def question_card(q: Question, *, heading: str = "問題") -> Card:
    return Card(
        title=_title(f"{heading}: {q.title}"),
        description=f"**{LEVEL_NAMES.get(q.level, q.level)} Q{q.number}** ・ {q.category}",
        fields=(("希少性 (rarity)", rating(q.rarity)), ("難易度 (difficulty)", rating(q.difficulty)), ("ID", f"`{q.id}`")),
        footer="Answer ボタンか /answer で回答、Reveal ボタンか /reveal で模範解答とコードの実行結果、"
               "Hint ボタンか /hint でキーポイントを 1 つずつ表示します。",
        kind="question",
    )


def reveal_pages(q: Question, outputs_dir: Path | None = None) -> list[Card]:
    """The model answer, then each snippet with its stored output; long parts span several pages."""
    title = _title(f"模範解答: {q.title}")
    pages = [Card(title, body, kind="reveal") for body in split_markdown(q.answer, PAGE_BUDGET)]
    if q.notes:
        pages = _with_notes(pages, "\n".join(f"- {n}" for n in q.notes))
    for n, snippet in enumerate(q.snippets, 1):
        pages += _snippet_pages(title, n, len(q.snippets), snippet, outputs_dir)
    total = len(pages)
    return [replace(p, footer=f"{q.id} ・ ページ {i}/{total}") for i, p in enumerate(pages, 1)]


def _with_notes(pages: list[Card], notes: str) -> list[Card]:
    """The editor's notes as fields under the answer's first page when the message stays within
    Discord's limits, otherwise as pages of their own right after the answer."""
    fields = tuple((NOTES, chunk) for chunk in split_markdown(notes, FIELD_LIMIT))
    first = replace(pages[0], fields=pages[0].fields + fields)
    if len(first.fields) <= FIELD_COUNT_LIMIT and card_size(first) + FOOTER_ROOM <= MESSAGE_LIMIT:
        return [first, *pages[1:]]
    own = [Card(pages[0].title, body, kind="reveal") for body in split_markdown(f"**{NOTES}**\n{notes}", PAGE_BUDGET)]
    return pages + own




def _snippet_pages(title: str, n: int, count: int, s: Snippet, outputs_dir: Path | None) -> list[Card]:
    """The article's code and its output first; the code added to run it (実行のための準備) after the
    output, on the same page when everything fits, else on its own pages right after, announced in a line."""
    label = f"コード {n}/{count} ({s.language})" + ("・記事の原文はここで途切れています" if s.truncated else "")
    code = f"**{label}**\n{fenced(s.code, s.language)}"
    result = f"**実行結果**\n{result_text(s)}"
    preparation = preparation_text(s)
    together = "\n".join(part for part in (code, result, preparation) if part)
    if len(together) <= PAGE_BUDGET:
        bodies, after = [together], []
    else:
        result += f"\n{PREPARATION_FOLLOWS}" if preparation else ""
        main = f"{code}\n{result}"
        bodies = [main] if len(main) <= PAGE_BUDGET else split_markdown(code, PAGE_BUDGET) + split_markdown(result, PAGE_BUDGET)
        after = split_markdown(preparation, PAGE_BUDGET) if preparation else []
    cards = [Card(title, body, kind="reveal") for body in bodies]
    image = outputs_dir / s.result.figures[0] if s.result and s.result.figures and outputs_dir is not None else None
    # the figure and run facts belong with the output, not with the preparation pages after it
    cards[-1] = replace(cards[-1], image=image, small_print=run_facts(s))
    return cards + [Card(title, body, kind="reveal") for body in after]


def preparation_text(s: Snippet) -> str:
    """The code added around the article's code so it runs, disclosed in full, and what the runner does for
    every snippet ("" for code that is not run)."""
    if not s.runnable:
        return ""
    parts = [f"**{PREPARATION}**", RUNNER_PREPARATION]
    if s.setup or s.completion:
        parts.append(PREPARATION_NOTE)
    if s.setup:
        parts.append(f"**記事のコードの前に実行 (setup)**\n{fenced(s.setup, s.language)}")
    if s.completion:
        parts.append(f"**記事のコードの後に続けて実行 (completion)**\n{fenced(s.completion, s.language)}")
    return "\n".join(parts)


def result_text(s: Snippet) -> str:
    r = s.result
    if r is None or r.status == "pending":
        return r.reason if r else "まだ実行されていません。"
    if r.status == "not_run":
        return f"実行していません: {r.reason}"
    lines = []
    if r.stands_in:
        lines.append(f"※ {', '.join(r.stands_in)} はコメントアウトされた行でしか使われないため、実行時は代用モジュールに置き換えています。")
    if r.status != "ok":
        lines.append(_status_line(r))
    shown = _shown(r)
    lines += shown if shown or r.status != "ok" else [NOTHING_SHOWN]
    if r.status == "ok" and r.figures:
        lines.append(f"図 {len(r.figures)} 枚を描画しました。")
    return "\n".join(lines)


def _status_line(r: SnippetResult) -> str:
    label = STATUS_LABELS.get(r.status, "⚠ 正常に終了しませんでした")
    if not r.reason:
        return f"{label}。"
    return f"⚠ {r.reason}" if r.status in ("error", "timeout") else f"{label}: {r.reason}"


def _shown(r: SnippetResult) -> list[str]:
    """What a notebook cell shows: stdout, then the value of the last expression, each as a code block."""
    shown = []
    if r.output.strip():
        shown.append(fenced(r.output.rstrip("\n")))
    if r.value:
        shown.append(f"**{VALUE_HEADING}**\n{fenced(r.value)}")
    return shown


def fenced(text: str, language: str = "") -> str:
    """`text` as a code block whose fence is longer than any backtick run inside it, so it cannot close early."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def run_facts(s: Snippet) -> str:
    """The small print under a snippet's output: how long it ran, with which versions."""
    r = s.result
    if r is None or r.status in ("pending", "not_run") or r.seconds is None:
        return ""
    return small(f"実行時間 {r.seconds:.2f} 秒" + (f" ・ {_versions(r.versions)}" if r.versions else ""))


def _versions(versions: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in versions.items())


def answer_receipt(q: Question, text: str) -> Card:
    quoted = "\n".join(f"> {line}" for line in text.splitlines()) or "> "
    fields = (("問題", _title(f"`{q.id}` {q.title}")[:FIELD_LIMIT]),)
    return Card(
        title="回答を記録しました (answer saved)",
        description=(split_markdown(quoted, PAGE_BUDGET)[0] if len(quoted) <= PAGE_BUDGET
                     else quoted[: PAGE_BUDGET - 40] + "\n> …（全文は保存済み）"),
        fields=fields,
        footer="/reveal で模範解答と見比べてみましょう。",
        kind="reveal",
    )


def help_card(commands: tuple[tuple[str, str], ...],
              sections: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()) -> Card:
    """Each of `commands` as (usage, text); each of `sections` is a heading over more (usage, text) lines."""
    lines = [f"**{name}**\n{text}" for name, text in commands]
    for heading, entries in sections:
        if entries:
            lines.append(f"__**{heading}**__\n" + "\n".join(f"**{name}** {text}" for name, text in entries))
    return Card(
        title="studybot の使い方 (how to use studybot)",
        description="機械学習エンジニア面接の問題で毎日練習するボットです。 "
        "A bot for daily machine-learning interview practice.\n\n" + "\n\n".join(lines),
        kind="info",
    )



HINT_LABEL = "ヒント (Hint)"
NO_MORE_HINTS = "これ以上のヒントはありません。 (No more hints.)"
NO_HINTS = "この問題にはヒントがありません。 (This question has no hints.)"
HINT_COST_NOTE = ("今日の日替わり問題のポイントは、回答の前に見たヒント 1 個につき {cost}% 減ります（いま {shown} 個: −{total}%）。"
                  " (Each hint before your answer lowers this daily question's points by {cost}%.)")
SHOW_LABEL = "表示する (Show)"
KEEP_HIDDEN_LABEL = "キャンセル (Cancel)"
FORFEIT_TITLE = "模範解答を表示しますか？ (show the model answer?)"
FORFEIT_TEXT = ("`{id}` は今日の日替わり問題で、あなたはまだ回答していません。いま模範解答を表示すると、"
                "この問題のポイントはつかなくなります（回答すれば連続記録には数えられます）。"
                " (This is today's daily question and you have not answered it: after seeing the model answer your"
                " answer earns no points, though it still counts for your streak.)")
KEPT_HIDDEN = "模範解答は表示していません。回答してからもう一度どうぞ。 (The model answer stays hidden.)"


def hint_card(q: Question, shown: int, *, new: bool, cost: int = 0) -> Card:
    """The first `shown` key points of a question, only to the member who asked; `cost`: the percent each hint
    takes from the daily question's points (0: nothing at stake)."""
    if not q.key_points:
        return Card(title=_title(f"ヒント: {q.title}"), description=NO_HINTS, kind="info")
    lines = "\n".join(f"{n}. {p.phrase}" for n, p in enumerate(q.key_points[:shown], 1))
    notes = [] if new else [NO_MORE_HINTS]
    if cost:
        notes.append(HINT_COST_NOTE.format(cost=cost, shown=shown, total=min(100, cost * shown)))
    return Card(title=_title(f"ヒント {shown}/{len(q.key_points)}: {q.title}"),
                description=lines + ("\n\n" + "\n".join(notes) if notes else ""),
                footer=f"{q.id} ・ 押すたびにキーポイントを 1 つずつ表示します。 (Each press shows one more key point.)",
                kind="info")


def forfeit_card(q: Question) -> Card:
    """Asked once before revealing the open daily question to a member who may still earn its points."""
    return Card(title=FORFEIT_TITLE, description=FORFEIT_TEXT.format(id=q.id), fields=(("問題", _title(f"`{q.id}` {q.title}")),),
                kind="info")


def kept_hidden_card() -> Card:
    return Card(title="キャンセルしました (cancelled)", description=KEPT_HIDDEN, kind="info")
