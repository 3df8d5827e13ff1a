"""The sandbox itself, made by bubblewrap (Linux namespaces): the command line for one run.

Each run gets its own user, PID, network, IPC and UTS namespaces (no network but its own loopback, and
every process dies with the run), a read-only view of the system and of this Python environment only
(not the repository, the database or the config), a fresh size-capped tmpfs as its only writable place,
its own /proc, an empty environment but for what the snippet needs, and no capabilities.
"""
from __future__ import annotations

import os
import pwd
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPTS = Path(__file__).with_name("scripts")
INSIDE_SCRIPTS = "/studybot/scripts"
INSIDE_JOB = "/studybot/job"
WRITABLE = "/sandbox"  # the tmpfs: work (the current directory), out, home, tmp
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/fonts")
SHM_BYTES = 16 * 1024**2


@dataclass(frozen=True)
class Layout:
    """Where the collector, the harness, the snippet and the writable directories are, as the run sees them."""

    scripts: str
    job: str
    root: str

    def paths(self) -> dict[str, str]:
        return {"harness": f"{self.scripts}/harness.py", "collector": f"{self.scripts}/collector.py",
                "snippet": f"{self.job}/snippet.py", "work": f"{self.root}/work", "out": f"{self.root}/out",
                "home": f"{self.root}/home", "tmp": f"{self.root}/tmp"}


INSIDE = Layout(INSIDE_SCRIPTS, INSIDE_JOB, WRITABLE)


def environment(layout: Layout, python: str = sys.executable) -> dict[str, str]:
    """Nothing of the caller's environment (tokens, keys): only what a snippet needs, threads and hashes pinned
    so output is the same on every machine."""
    paths = layout.paths()
    return {
        "PATH": f"{os.path.dirname(python)}:/usr/local/bin:/usr/bin:/bin",
        "HOME": paths["home"], "TMPDIR": paths["tmp"], "LANG": "C.UTF-8", "TZ": "UTC",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{paths['home']}/.matplotlib",
        "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1",
    }


VENV = "/venv"


def python_roots() -> list[tuple[str, str]]:
    """The interpreter and its packages: the base installation where it is (a virtual environment points to
    it by absolute path) and the virtual environment at /venv (its own path would name the checkout)."""
    bases = {sys.base_prefix, sys.base_exec_prefix}
    roots = [(base, base) for base in sorted(bases) if not (base == "/usr" or base.startswith("/usr/"))]
    if sys.prefix not in bases:
        roots.append((sys.prefix, VENV))
    return roots


def inside_python() -> str:
    """This interpreter as the sandbox sees it."""
    if sys.prefix != sys.base_prefix and sys.executable.startswith(sys.prefix + "/"):
        return VENV + sys.executable[len(sys.prefix):]
    return sys.executable


@dataclass(frozen=True)
class Bubblewrap:
    executable: str
    drop_to: tuple[int, int] | None  # (uid, gid) to become first when started as root

    @classmethod
    def here(cls, executable: str) -> Bubblewrap:
        if os.geteuid() != 0:
            return cls(executable, None)
        try:
            nobody = pwd.getpwnam("nobody")
            return cls(executable, (nobody.pw_uid, nobody.pw_gid))
        except KeyError:
            return cls(executable, (65534, 65534))

    def command(self, job_dir: Path, stage: Path, disk_bytes: int) -> list[str]:
        """The whole command for one run: [as_nobody.py …] bwrap … python collector.py job.json."""
        binds = self._binds(job_dir)
        sources = [source for source, _ in binds]
        if self.drop_to is not None:
            binds = [(str(stage / str(k)), dest) for k, (_, dest) in enumerate(binds)]
        argv = [self.executable, *self._namespaces(), *self._filesystem(binds, disk_bytes)]
        for name, value in environment(INSIDE, inside_python()).items():
            argv += ["--setenv", name, value]
        argv += ["--chdir", INSIDE.paths()["work"], "--", inside_python(), "-I", INSIDE.paths()["collector"],
                 f"{INSIDE_JOB}/job.json"]
        if self.drop_to is None:
            return argv
        uid, gid = self.drop_to
        return [sys.executable, "-I", str(SCRIPTS / "as_nobody.py"), str(stage), str(uid), str(gid), *sources, "--", *argv]

    def _namespaces(self) -> list[str]:
        return ["--unshare-all", "--unshare-user", "--disable-userns", "--uid", "65534", "--gid", "65534",
                "--hostname", "sandbox", "--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL",
                "--clearenv"]

    def _binds(self, job_dir: Path) -> list[tuple[str, str]]:
        binds = [("/usr", "/usr")]
        binds += [(path, path) for path in SYSTEM_FILES if os.path.exists(path)]
        binds += python_roots()
        binds += [(str(SCRIPTS), INSIDE_SCRIPTS), (str(job_dir), INSIDE_JOB)]
        return binds

    def _filesystem(self, binds: list[tuple[str, str]], disk_bytes: int) -> list[str]:
        args = []
        for source, dest in binds:
            args += ["--ro-bind", source, dest]
        for path in SYSTEM_LINKS:
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        args += ["--proc", "/proc", "--dev", "/dev", "--size", str(disk_bytes), "--tmpfs", WRITABLE]
        for name in ("work", "out", "home", "tmp"):
            args += ["--dir", INSIDE.paths()[name]]
        args += ["--symlink", INSIDE.paths()["tmp"], "/tmp"]
        # bubblewrap's own root and /dev are writable tmpfs without a size: read-only once everything is in place
        args += ["--size", str(SHM_BYTES), "--tmpfs", "/dev/shm", "--remount-ro", "/dev", "--remount-ro", "/"]
        return args
