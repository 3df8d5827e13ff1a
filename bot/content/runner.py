"""`studybot content run`: execute snippets in isolated processes and store their real output.

Results are committed under content/outputs/ like a notebook's stored outputs, keyed by a hash of
everything that determines them, so the bot can show them on a machine without the heavy packages.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bot.core.models import Question, Snippet, SnippetResult

RUNNER_VERSION = 2
SANDBOX = Path(__file__).with_name("sandbox.py")
MAX_STORED_CHARS = 50_000

NOT_RUN_REASONS = {
    "dockerfile": "Dockerfile はコンテナイメージの設計図です。実行には docker build が必要なので、ここでは実行していません。",
    "bash": "シェルコマンドです。docker などの外部ツールやサーバーを操作するため、ここでは実行していません。",
    "yaml": "YAML は設定ファイル（docker compose や CI の定義）で、それ自体を実行するものではありません。",
}
TRUNCATED_REASON = "記事の原文がこのコードの途中で切れています。"


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 240
    cpu_seconds: int = 240
    memory_bytes: int = 8 * 1024**3


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


def sandbox_env(home: str, stands_in: tuple[str, ...]) -> dict[str, str]:
    """A clean environment: nothing of the caller's (tokens, keys) reaches the snippet."""
    return {
        "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": home,
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "STUDYBOT_STANDS_IN": ",".join(stands_in),
    }


def execute(snippet: Snippet, limits: Limits, figures_to: Path, figure_prefix: str) -> SnippetResult:
    with tempfile.TemporaryDirectory(prefix="studybot-snippet-") as tmp:
        work, home = Path(tmp, "work"), Path(tmp, "home")
        work.mkdir()
        home.mkdir()
        (work / "snippet.py").write_text(f"{snippet.setup}\n{snippet.code}{snippet.completion}\n", encoding="utf-8")
        meta_file = home / "meta.json"

        def limit() -> None:
            resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))

        started = time.monotonic()
        try:
            proc = subprocess.run(
                [sys.executable, "-X", "utf8", str(SANDBOX), str(work / "snippet.py"), str(meta_file)],
                cwd=work, env=sandbox_env(str(home), snippet.stands_in), capture_output=True,
                timeout=limits.wall_seconds, preexec_fn=limit, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            return SnippetResult(
                "timeout", output=_text(exc.stdout), stderr=_text(exc.stderr), seconds=limits.wall_seconds,
                reason=f"{limits.wall_seconds:.0f} 秒以内に終わらなかったため打ち切りました。",
            )
        seconds = round(time.monotonic() - started, 2)
        meta = json.loads(meta_file.read_text()) if meta_file.exists() else {}
        figures = _keep_figures(home, meta.get("figures", []), figures_to, figure_prefix)
        # the temporary path differs on every run; the learner only needs the file name
        stdout, stderr = (_text(raw).replace(str(work) + "/", "") for raw in (proc.stdout, proc.stderr))
        status, reason = ("ok", "") if proc.returncode == 0 else ("error", _error_reason(proc.returncode, stderr))
        return SnippetResult(
            status, output=stdout, stderr=stderr, reason=reason, seconds=seconds, exit_code=proc.returncode,
            figures=tuple(figures), versions=meta.get("versions", {}), stands_in=snippet.stands_in,
        )


def _text(raw: bytes | None) -> str:
    text = (raw or b"").decode("utf-8", errors="replace")
    if len(text) > MAX_STORED_CHARS:
        cut = len(text) - MAX_STORED_CHARS
        text = text[:MAX_STORED_CHARS] + f"\n[… 出力が長いため残り {cut} 文字は保存していません]"
    return text


def _error_reason(code: int, stderr: str) -> str:
    if code < 0:
        return f"プロセスがシグナル {-code} で終了しました（CPU 時間かメモリの上限に達した可能性があります）。"
    last = next((line for line in reversed(stderr.splitlines()) if line.strip()), "")
    return f"実行するとエラーになりました（終了コード {code}）: {last}"


def _keep_figures(_home: Path, names: list[str], figures_to: Path, prefix: str) -> list[str]:
    kept = []
    for k, name in enumerate(names, 1):
        target = figures_to / f"{prefix}-fig{k}.png"
        shutil.copyfile(Path(name), target)
        kept.append(target.name)
    return kept


def run_bank(
    questions: list[Question], outputs: Path, *, only: set[str] | None = None, force: bool = False,
    limits: Limits = Limits(), workers: int = 2, report: Callable[[str], object] = print,
) -> dict[str, SnippetResult]:
    """Run what changed (or everything with force); returns the fresh results by '<id>-<n>'."""
    outputs.mkdir(parents=True, exist_ok=True)
    todo: list[tuple[str, int, Snippet]] = []
    for question in questions:
        if only and question.id not in only:
            continue
        for n, snippet in enumerate(question.snippets, 1):
            current = stored_result(outputs, question.id, n, snippet)
            if force or current.status == "pending":
                todo.append((question.id, n, snippet))

    def one(item: tuple[str, int, Snippet]) -> tuple[str, SnippetResult]:
        qid, n, snippet = item
        result = execute(snippet, limits, outputs, f"{qid}-{n}") if snippet.runnable else not_run(snippet)
        _store(outputs, qid, n, snippet, result)
        took = f" ({result.seconds:.1f} s)" if result.seconds else ""
        why = f" {result.reason}" if result.status not in ("ok", "not_run") else ""
        report(f"{qid}-{n}: {result.status}{took}{why}")
        return f"{qid}-{n}", result

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(pool.map(one, todo))


def _store(outputs: Path, qid: str, n: int, snippet: Snippet, result: SnippetResult) -> None:
    data = {"key": snippet_key(snippet), "question": qid, "position": n, "language": snippet.language, **asdict(result)}
    data["python"] = sys.version.split()[0] if snippet.runnable else None
    output_path(outputs, qid, n).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
