"""`studybot content run`: execute snippets in the sandbox and store their real output.

Results are committed under content/outputs/ like a notebook's stored outputs, keyed by a hash of
everything that determines them, so the bot can show them on a machine without the heavy packages.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

from bot.core.models import Question, Snippet, SnippetResult
from bot.sandbox import Bubblewrap, Limits, run_python
from bot.sandbox.limits import configured
from bot.sandbox.run import imported_packages

RUNNER_VERSION = 3  # 3: run in bubblewrap, shown as a notebook cell (stdout, then the last expression's value)
MAX_STORED_CHARS = 50_000
DEFAULT_LIMITS = Limits()

NOT_RUN_REASONS = {
    "dockerfile": "Dockerfile はコンテナイメージの設計図です。実行には docker build が必要なので、ここでは実行していません。",
    "bash": "シェルコマンドです。docker などの外部ツールやサーバーを操作するため、ここでは実行していません。",
    "yaml": "YAML は設定ファイル（docker compose や CI の定義）で、それ自体を実行するものではありません。",
}
TRUNCATED_REASON = "記事の原文がこのコードの途中で切れています。"


def output_path(outputs: Path, question_id: str, position: int) -> Path:
    return outputs / f"{question_id}-{position}.json"


def snippet_key(snippet: Snippet) -> str:
    what = [RUNNER_VERSION, snippet.language, snippet.setup, snippet.code, snippet.completion, list(snippet.stands_in)]
    return hashlib.sha256(json.dumps(what, ensure_ascii=False).encode()).hexdigest()[:16]


def stored_result(outputs: Path, question_id: str, position: int, snippet: Snippet) -> SnippetResult:
    """The committed result if it belongs to this exact snippet, else a 'pending' placeholder."""
    path = output_path(outputs, question_id, position)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not data or data.get("key") != snippet_key(snippet):
        return SnippetResult("pending", reason="このコードはまだ実行されていません（studybot content run で実行できます）。")
    fields = {k: data[k] for k in SnippetResult.__dataclass_fields__ if k in data}
    fields["figures"] = tuple(fields.get("figures", ()))
    fields["versions"] = dict(fields.get("versions") or {})
    fields["stands_in"] = tuple(fields.get("stands_in", ()))
    return SnippetResult(**fields)


def with_results(question: Question, outputs: Path) -> Question:
    snippets = tuple(
        replace(s, result=stored_result(outputs, question.id, n, s)) for n, s in enumerate(question.snippets, 1)
    )
    return replace(question, snippets=snippets)


def not_run(snippet: Snippet) -> SnippetResult:
    reason = NOT_RUN_REASONS.get(snippet.language, f"{snippet.language} のコードはここでは実行していません。")
    if snippet.truncated:
        reason = f"{reason} {TRUNCATED_REASON}"
    return SnippetResult("not_run", reason=reason)


def source_of(snippet: Snippet) -> str:
    """What runs: the disclosed setup, the article's code, then the completion glued to it."""
    return f"{snippet.setup}\n{snippet.code}{snippet.completion}\n"


def missing_packages(snippet: Snippet) -> list[str]:
    """Packages the snippet imports that this environment lacks (stand-ins are provided by its setup)."""
    names = imported_packages(source_of(snippet)) - set(snippet.stands_in)
    return sorted(name for name in names if importlib.util.find_spec(name) is None)


def skipped(missing: list[str]) -> SnippetResult:
    return SnippetResult("skipped", reason=f"{', '.join(missing)} がこの環境に入っていないため実行しませんでした"
                                           "（pip install -e '.[snippets]' で入ります）。")


def execute(snippet: Snippet, limits: Limits, sandbox: Bubblewrap | None, figures_to: Path, figure_prefix: str) -> SnippetResult:
    """One run in the sandbox (or, when its maintainers asked for it, without one); figures saved beside the output."""
    outcome = run_python(source_of(snippet), limits, sandbox, stands_in=snippet.stands_in)
    figures = _keep_figures(outcome.figures, figures_to, figure_prefix)
    return SnippetResult(
        outcome.status, output=_cut(outcome.stdout), value=outcome.value, stderr=_cut(outcome.stderr),
        reason=outcome.reason, seconds=outcome.seconds, exit_code=outcome.exit_code, figures=figures,
        versions=outcome.versions, stands_in=snippet.stands_in,
    )


def _cut(text: str) -> str:
    if len(text) > MAX_STORED_CHARS:
        cut = len(text) - MAX_STORED_CHARS
        text = text[:MAX_STORED_CHARS] + f"\n[… 出力が長いため残り {cut} 文字は保存していません]"
    return text


def _keep_figures(images: tuple[bytes, ...], figures_to: Path, prefix: str) -> tuple[str, ...]:
    for stale in figures_to.glob(f"{prefix}-fig*.png"):
        stale.unlink()
    kept = []
    for k, image in enumerate(images, 1):
        target = figures_to / f"{prefix}-fig{k}.png"
        target.write_bytes(image)
        kept.append(target.name)
    return tuple(kept)


def run_bank(
    questions: list[Question], outputs: Path, *, sandbox: Bubblewrap | None, only: set[str] | None = None,
    force: bool = False, limits: Limits = DEFAULT_LIMITS, workers: int = 2, report: Callable[[str], object] = print,
) -> dict[str, SnippetResult]:
    """Run what changed (or everything with force); returns the fresh results by '<id>-<n>'. `sandbox=None`
    runs without isolation: only for the shipped bank, when its maintainers ask for it."""
    outputs.mkdir(parents=True, exist_ok=True)
    todo: list[tuple[str, int, Snippet, Limits]] = []
    for question in questions:
        if only and question.id not in only:
            continue
        for n, snippet in enumerate(question.snippets, 1):
            current = stored_result(outputs, question.id, n, snippet)
            if force or current.status in ("pending", "skipped"):
                todo.append((question.id, n, snippet, configured(question.limits, limits)))

    def one(item: tuple[str, int, Snippet, Limits]) -> tuple[str, SnippetResult]:
        qid, n, snippet, own_limits = item
        result = _result(snippet, own_limits, sandbox, outputs, f"{qid}-{n}")
        kept = result.status == "skipped" and stored_result(outputs, qid, n, snippet).status not in ("pending", "skipped")
        if not kept:
            _store(outputs, qid, n, snippet, result)
        took = f" ({result.seconds:.1f} s)" if result.seconds else ""
        why = f" {result.reason}" if result.status not in ("ok", "not_run") else ""
        report(f"{qid}-{n}: {result.status}{took}{why}" + (" The stored output is kept." if kept else ""))
        return f"{qid}-{n}", result

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(one, todo))


def _result(snippet: Snippet, limits: Limits, sandbox: Bubblewrap | None, outputs: Path, prefix: str) -> SnippetResult:
    if not snippet.runnable:
        return not_run(snippet)
    missing = missing_packages(snippet)
    return skipped(missing) if missing else execute(snippet, limits, sandbox, outputs, prefix)


def _store(outputs: Path, qid: str, n: int, snippet: Snippet, result: SnippetResult) -> None:
    data = {"key": snippet_key(snippet), "question": qid, "position": n, "language": snippet.language, **asdict(result)}
    data["python"] = sys.version.split()[0] if snippet.runnable else None
    output_path(outputs, qid, n).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
