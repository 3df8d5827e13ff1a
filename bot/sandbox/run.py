"""One run of Python code in the sandbox: output streamed and capped while it is read, a wall-clock deadline,
and a result built only from what the snippet cannot forge (the collector's report, checked again here)."""
from __future__ import annotations

import ast
import base64
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.sandbox.bubblewrap import INSIDE, SCRIPTS, Bubblewrap, Layout, environment
from bot.sandbox.limits import Limits

KEEP_BYTES = 256 * 1024  # of each stream; what is stored is cut further by the caller
REPORT_SLACK = 256 * 1024
DRAIN_SECONDS = 1.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Outcome:
    status: str  # ok | error | timeout | limit
    stdout: str = ""
    stderr: str = ""
    value: str = ""
    reason: str = ""
    seconds: float | None = None
    exit_code: int | None = None
    figures: tuple[bytes, ...] = ()
    versions: dict[str, str] = field(default_factory=dict)


@dataclass
class _Streams:
    """What was read so far: the first KEEP_BYTES of each stream, and how much came in all."""

    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    report: bytearray = field(default_factory=bytearray)
    total: int = 0


def run_python(source: str, limits: Limits, sandbox: Bubblewrap | None, *, stands_in: tuple[str, ...] = ()) -> Outcome:
    """Run `source` as a notebook cell would. `sandbox=None` runs it as a plain process of this user: only for
    code its maintainers wrote, and only when they asked for it."""
    with tempfile.TemporaryDirectory(prefix="studybot-run-") as tmp:
        os.chmod(tmp, 0o711)  # the staging tmpfs below must be reachable by the user the sandbox runs as
        job_dir, stage = Path(tmp, "job"), Path(tmp, "stage")
        job_dir.mkdir()
        stage.mkdir()
        (job_dir / "snippet.py").write_text(source, encoding="utf-8")
        layout = Layout(str(SCRIPTS), str(job_dir), str(Path(tmp, "sandbox"))) if sandbox is None else None
        read_end, write_end = os.pipe()
        try:
            _write_job(job_dir, layout, limits, source, stands_in, write_end)
            if sandbox is None:
                assert layout is not None
                argv = [sys.executable, "-I", layout.paths()["collector"], str(job_dir / "job.json")]
                env: dict[str, str] | None = environment(layout)
            else:
                argv, env = sandbox.command(job_dir, stage, limits.disk_bytes), {"PATH": os.environ.get("PATH", "")}
            started = time.monotonic()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    pass_fds=(write_end,), env=env, start_new_session=True)
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        streams, stopped = _read(proc, read_end, limits, started)
        return _outcome(proc.returncode, streams, stopped, limits, layout, time.monotonic() - started)


def imported_packages(source: str) -> set[str]:
    """The top-level packages outside the standard library that the code imports itself."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names)


def _write_job(job_dir: Path, layout: Layout | None, limits: Limits, source: str, stands_in: tuple[str, ...],
               report_fd: int) -> None:
    """What the collector needs: where things are, the limits, and the snippet's imports, parsed here once (the
    harness prepares numpy, pandas and matplotlib only for `libraries`; versions are looked up for `packages`)."""
    paths = (layout or INSIDE).paths()
    imports = imported_packages(source)
    job = {"limits": limits.inside(), "packages": sorted(imports - set(stands_in)), "libraries": bool(imports),
           "report_fd": report_fd,
           "make_dirs": [paths["home"], paths["tmp"]], **paths}
    (job_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")


def _read(proc: subprocess.Popen[bytes], report_fd: int, limits: Limits, started: float) -> tuple[_Streams, str]:
    """Read all three pipes until they close; stop the run at the deadline or past the output cap."""
    assert proc.stdout is not None and proc.stderr is not None
    streams = _Streams()
    report_cap = limits.figures * limits.figure_bytes * 4 // 3 + limits.value_bytes * 6 + REPORT_SLACK
    targets = {proc.stdout.fileno(): streams.stdout, proc.stderr.fileno(): streams.stderr, report_fd: streams.report}
    selector = selectors.DefaultSelector()
    for fd in targets:
        selector.register(fd, selectors.EVENT_READ)
    stopped, reported_at = "", 0.0
    try:
        while selector.get_map():
            now = time.monotonic()
            if reported_at and now > reported_at + DRAIN_SECONDS:
                break  # the collector is done; only a leftover of an unsandboxed run still holds a pipe
            remaining = started + limits.wall_seconds - now
            if remaining <= 0:
                stopped = "timeout"
                break
            for key, _ in selector.select(timeout=min(remaining, DRAIN_SECONDS)):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fd)
                    reported_at = reported_at or (time.monotonic() if key.fd == report_fd else 0.0)
                    continue
                buffer = targets[key.fd]
                if key.fd == report_fd:
                    buffer += chunk
                    if len(buffer) > report_cap:
                        stopped = "report"
                else:
                    streams.total += len(chunk)
                    buffer += chunk[: max(0, KEEP_BYTES - len(buffer))]
                    if streams.total > limits.output_bytes:
                        stopped = "output"
            if stopped:
                break
    finally:
        selector.close()
        os.close(report_fd)
        _stop(proc)
    return streams, stopped


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the run's whole session (bubblewrap's children die with it, and the namespace with its init)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _outcome(code: int, streams: _Streams, stopped: str, limits: Limits, layout: Layout | None, took: float) -> Outcome:
    stdout, stderr = _text(streams.stdout, layout), _text(streams.stderr, layout)
    if stopped == "timeout":
        return Outcome("timeout", stdout, stderr, seconds=limits.wall_seconds,
                       reason=f"{limits.wall_seconds:.0f} 秒以内に終わらなかったため打ち切りました。")
    if stopped == "output":
        return Outcome("limit", stdout, stderr, seconds=round(took, 2),
                       reason=f"出力が上限（{limits.output_bytes // 1024} KiB）を超えたため打ち切りました。")
    report = _report(bytes(streams.report), limits) if stopped != "report" else None
    if report is None:
        last = _last_line(stderr)
        return Outcome("error", stdout, stderr, seconds=round(took, 2), exit_code=code,
                       reason=f"サンドボックスが結果を返さずに終了しました（終了コード {code}）" + (f": {last}" if last else "。"))
    exit_code = report["exit"]
    status, reason = ("ok", "") if exit_code == 0 else _failure(exit_code, stderr, limits)
    return Outcome(status, stdout, stderr, value=report["value"], reason=reason, seconds=report["seconds"],
                   exit_code=exit_code, figures=report["figures"], versions=report["versions"])


def _report(raw: bytes, limits: Limits) -> dict[str, Any] | None:
    """The collector's report, checked again: types, sizes, and every figure a PNG image."""
    try:
        data = json.loads(raw)
        exit_code, seconds, value = int(data["exit"]), float(data["seconds"]), str(data["value"])
        versions = {str(k)[:100]: str(v)[:100] for k, v in dict(data["versions"]).items()}
        figures = tuple(base64.b64decode(f, validate=True) for f in list(data["figures"])[: limits.figures])
    except (ValueError, TypeError, KeyError):
        return None
    figures = tuple(f for f in figures if f.startswith(PNG_SIGNATURE) and len(f) <= limits.figure_bytes)
    return {"exit": exit_code, "seconds": round(seconds, 2), "value": value[: limits.value_bytes],
            "versions": dict(list(versions.items())[:50]), "figures": figures}


def _failure(code: int, stderr: str, limits: Limits) -> tuple[str, str]:
    last = _last_line(stderr)
    if code in (-signal.SIGXCPU, -signal.SIGKILL) or "SIGXCPU" in last:
        return "limit", f"CPU 時間の上限（{limits.cpu_seconds} 秒）に達したため止めました。"
    if "MemoryError" in last:
        return "limit", f"メモリの上限（{limits.memory_bytes // 1024**2} MiB）に達しました: {last}"
    if "File too large" in stderr or code == -signal.SIGXFSZ:
        return "limit", f"書き込めるファイルの大きさの上限（{limits.file_bytes // 1024**2} MiB）に達しました。"
    if "Resource temporarily unavailable" in last and ("fork" in stderr or "Thread" in stderr or "Popen" in stderr):
        return "limit", f"プロセス数の上限（{limits.processes}）に達しました: {last}"
    if code < 0:
        return "error", f"プロセスがシグナル {-code} で終了しました。"
    return "error", f"実行するとエラーになりました（終了コード {code}）: {last}"


def _last_line(text: str) -> str:
    return next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "")


def _text(raw: bytearray, layout: Layout | None) -> str:
    """Decoded, with the run's own paths shortened to the file name a learner knows."""
    text = bytes(raw).decode("utf-8", errors="replace")
    job = layout.job if layout is not None else None
    for prefix in filter(None, (job, "/studybot/job")):
        text = text.replace(f"{prefix}/", "")
    return text
