"""The first process of the sandbox: starts the snippet, outlives it, and reports on a pipe of its own.

Usage: python -I collector.py JOB.json   (the report pipe is the file descriptor JOB.json names)

It is the PID namespace's init when run under bubblewrap: processes inside cannot signal it, it is not
dumpable (they cannot ptrace it or open its descriptors), and the snippet never inherits the report pipe.
Everything the snippet leaves in the out directory is read as hostile: no links followed, only PNG images,
counted and capped. Standard library only.
"""
import base64
import contextlib
import ctypes
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PR_SET_DUMPABLE = 4


def harden() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # init gets only the signals it handles: none, then
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE)")


def limiter(job: dict) -> Callable[[], None]:
    """rlimits for the snippet's process and everything it starts (the collector itself stays free)."""
    limits = job["limits"]

    def apply() -> None:
        for name, value in (("RLIMIT_CPU", limits["cpu_seconds"]), ("RLIMIT_AS", limits["memory_bytes"]),
                            ("RLIMIT_NPROC", limits["processes"]), ("RLIMIT_FSIZE", limits["file_bytes"]),
                            ("RLIMIT_CORE", 0), ("RLIMIT_NOFILE", 256)):
            resource.setrlimit(getattr(resource, name), (value, value))

    return apply


def run_snippet(job: dict) -> tuple[int, float]:
    started = time.monotonic()
    child = subprocess.Popen(
        [sys.executable, "-X", "utf8", job["harness"], job["snippet"], job["out"], "libraries" if job["libraries"] else "stdlib"],
        cwd=job["work"], stdin=subprocess.DEVNULL, close_fds=True, preexec_fn=limiter(job),
    )
    code = child.wait()
    seconds = time.monotonic() - started
    if os.getpid() == 1:
        with contextlib.suppress(ProcessLookupError):  # when nothing was left
            os.kill(-1, signal.SIGKILL)  # whatever the snippet left behind; init itself is spared
    return code, seconds


def read_png(directory: int, name: str, cap: int) -> bytes | None:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=directory)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > cap:
            return None
        data = fh.read(cap + 1)
    return data if len(data) <= cap and data.startswith(PNG_SIGNATURE) and data[12:16] == b"IHDR" else None


def figures(job: dict) -> list[str]:
    limits = job["limits"]
    try:
        directory = os.open(job["out"], os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return []
    try:
        names = [f"fig{k}.png" for k in range(1, limits["figures"] + 1)]
        found = [read_png(directory, name, limits["figure_bytes"]) for name in names]
    finally:
        os.close(directory)
    kept = []
    for data in found:
        if data is None:
            break
        kept.append(base64.b64encode(data).decode())
    return kept


def value(job: dict) -> str:
    try:
        fd = os.open(os.path.join(job["out"], "value.txt"), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return ""
        return fh.read(job["limits"]["value_bytes"]).decode("utf-8", errors="replace")


def versions(job: dict) -> dict:
    """Installed versions of the packages the snippet imports itself (named by the runner, looked up here)."""
    from importlib import metadata

    found = {}
    dists = metadata.packages_distributions()
    for name in job["packages"]:
        for dist in dists.get(name, ()):
            with contextlib.suppress(metadata.PackageNotFoundError):
                found[dist] = metadata.version(dist)
    return dict(sorted(found.items()))


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    harden()
    for path in (job["work"], job["out"], *job["make_dirs"]):
        os.makedirs(path, exist_ok=True)
    code, seconds = run_snippet(job)
    report = {"exit": code, "seconds": round(seconds, 2), "value": value(job), "figures": figures(job),
              "versions": versions(job)}
    data = json.dumps(report).encode()
    with os.fdopen(job["report_fd"], "wb") as out:
        out.write(data)


main()
