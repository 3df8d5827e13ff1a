"""Start-up checks the database every command opens: a read-only file or directory, a damaged or unreadable
file is one sentence on stderr and exit 2 for run, console, discord, load and backup; an empty file is a
warning and a fresh start.

Each case runs in a child process. The permission cases run with real file modes: as root, the child first
drops the two capabilities that let root ignore them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), keeping its
uid, so the checks meet what an ordinary `studybot` user would; where that cannot be done the tests say so
and skip. To keep the suite quick, one child runs the entry point (bot.app.main, what `studybot` runs) for
each command in turn, each with its own stderr, rather than one interpreter start per command.
"""
from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import main
from tests.conftest import CONTENT, ROOT, bank_database

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2
_libc = ctypes.CDLL(None, use_errno=True)


def _as_an_ordinary_user() -> None:
    """Runs in the child before exec: without these two capabilities root is refused what file modes refuse."""
    if os.geteuid() == 0:
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")


def studybot(config: Path, *args: str, token: str | None = None, stdin: str = "/quit\n") -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"}
    if token is not None:
        env["DISCORD_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "bot", *args, "--config", str(config)], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60, preexec_fn=_as_an_ordinary_user)


@pytest.fixture(scope="module")
def file_modes_apply(tmp_path_factory) -> None:
    """Skip, saying why, where a read-only file stays writable for the test's child processes."""
    probe = tmp_path_factory.mktemp("modes") / "read-only"
    probe.write_text("")
    probe.chmod(0o444)
    try:
        result = subprocess.run([sys.executable, "-c", f"open({str(probe)!r}, 'a')"], capture_output=True,
                                preexec_fn=_as_an_ordinary_user, timeout=30)
    except subprocess.SubprocessError as exc:
        pytest.skip(f"cannot drop root's file-permission capabilities here: {exc}")
    if result.returncode == 0:
        pytest.skip("file modes do not apply to this test's processes (e.g. root without CAP_SETPCAP)")


def one_sentence(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("studybot: ") and lines[0].endswith("."), lines
    return lines[0]


@pytest.fixture
def setup(tmp_path) -> Iterator[tuple[Path, Path]]:
    """A config and its database (the bank loaded, then closed) in a data directory of its own."""
    data = tmp_path / "data"
    data.mkdir()
    database = data / "studybot.sqlite3"
    bank_database(database).close()
    config = tmp_path / "config.toml"
    # a closed local port for Discord: should a check let `discord` through, it fails at once, offline
    config.write_text(f'[bot]\ndatabase = "{database}"\ncontent_dir = "{CONTENT}"\n'
                      '[discord]\napi_base = "http://127.0.0.1:9/api/v10"\ngateway_url = "ws://127.0.0.1:9/"\n', encoding="utf-8")
    yield config, database
    for path in (data, *data.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)


EACH_COMMAND = """
import contextlib, io, json, os, sys
from bot.app import main
said = {}
for argv in json.loads(sys.argv[1]):
    os.environ.pop("DISCORD_TOKEN", None)
    if argv[0] == "discord":
        os.environ["DISCORD_TOKEN"] = "t"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    said[argv[0]] = [code, err.getvalue()]
print(json.dumps(said))
"""


def every_command(config: Path, *, backup: bool = False) -> dict[str, subprocess.CompletedProcess]:
    """What run, console, discord and load (and backup) say, each as if started on its own."""
    commands = [[name, "--config", str(config)] for name in ("run", "console", "discord", "load")]
    if backup:
        commands.append(["backup", str(config.parent / "copy.sqlite3"), "--config", str(config)])
    child = subprocess.run([sys.executable, "-c", EACH_COMMAND, json.dumps(commands)], cwd=ROOT, capture_output=True,
                           text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1"},
                           stdin=subprocess.DEVNULL, preexec_fn=_as_an_ordinary_user)
    assert child.returncode == 0 and "Traceback" not in child.stderr, child.stderr
    return {name: subprocess.CompletedProcess(name, code, "", err) for name, (code, err) in json.loads(child.stdout).items()}


def test_a_read_only_database_or_wal_file_is_one_sentence_for_every_command(setup, file_modes_apply):
    config, database = setup
    database.chmod(0o444)
    said = every_command(config, backup=True)
    backup = said.pop("backup")
    for name, result in said.items():
        assert one_sentence(result) == (
            f"studybot: The database file {database} is read-only: let the user running studybot write it, and the -wal and "
            "-shm files beside it (chown or chmod u+w)."), name
    assert backup.returncode == 0 and backup.stderr == ""  # a backup only reads it
    # a -wal file left read-only (e.g. by a sqlite3 shell run as another user) is named
    database.chmod(0o644)
    wal = database.with_name(database.name + "-wal")
    wal.write_bytes(b"")
    wal.chmod(0o444)
    assert one_sentence(studybot(config, "load")).startswith(f"studybot: The database file {wal} is read-only")


def test_a_read_only_data_directory_is_one_sentence_for_every_command(setup, file_modes_apply):
    """SQLite in WAL mode creates -wal and -shm beside the database: the directory must be writable."""
    config, database = setup
    database.parent.chmod(0o555)
    for name, result in every_command(config).items():
        sentence = one_sentence(result)
        assert sentence.startswith(f"studybot: The data directory {database.parent} is not writable (Permission denied), "
                                   "and SQLite must create the database's -wal and -shm files there"), (name, sentence)
    database.parent.chmod(0o755)
    database.unlink()  # no database yet: it could not be created there either
    database.parent.chmod(0o555)
    assert "is not writable" in one_sentence(studybot(config, "run"))


def test_an_unreadable_database_file_is_one_sentence_for_every_command(setup, file_modes_apply):
    config, database = setup
    database.chmod(0o000)
    expected = (f"studybot: The database {database} cannot be read (Permission denied): let the user running studybot read "
                "and write it (chown or chmod).")
    for name, result in every_command(config, backup=True).items():
        assert one_sentence(result) == expected, name


def test_a_file_that_is_not_a_database_is_one_sentence_for_every_command(setup):
    config, database = setup
    database.write_text("name,score\n花子,80\n", encoding="utf-8")  # e.g. a CSV saved over it
    expected = (f"studybot: The database {database} is not a SQLite database (damaged, or another kind of file): restore "
                "it from a backup (README: Backups), or move it away to start with an empty one.")
    for name, result in every_command(config, backup=True).items():
        assert one_sentence(result) == expected, name


def damage(database: Path) -> None:
    """Overwrite pages in the middle of a real database: the header is fine, the b-trees are not."""
    with database.open("r+b") as file:
        for page in (3, 10, 20):
            file.seek(4096 * page)
            file.write(b"\xff" * 3000)


def test_a_damaged_database_is_one_sentence_for_every_command(setup):
    config, database = setup
    damage(database)
    expected = (f"studybot: The database {database} is damaged (database disk image is malformed): stop studybot and "
                "restore it from a backup (README: Backups).")
    for name, result in every_command(config, backup=True).items():
        assert one_sentence(result) == expected, name
    assert not (config.parent / "copy.sqlite3").exists()


def said(capsys, status: int) -> str:
    """In-process runs of the entry point, for cases that need no file modes: its exit status and one sentence."""
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_a_database_path_that_is_a_directory_is_one_sentence(setup, capsys):
    config, database = setup
    config.write_text(f'[bot]\ndatabase = "{database.parent}"\ncontent_dir = "{CONTENT}"\n', encoding="utf-8")
    assert said(capsys, main(["load", "--config", str(config)])) == (
        f"studybot: The database {database.parent} cannot be opened: it is a directory, not a file (set database in [bot] "
        "to a file path).")


def test_an_empty_database_file_is_a_warning_and_a_fresh_start(setup):
    """A 0-byte file is what SQLite calls a new database: the bot says so, says where backups are, and starts."""
    config, database = setup
    database.write_bytes(b"")
    result = studybot(config, "run", stdin="/question junior\n/quit\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("studybot: ")]
    assert warnings == [
        f"studybot: warning: the database {database} is empty (0 bytes), so studybot starts with a new, empty one; if it "
        "held answers and streaks, stop studybot and restore a backup (README: Backups); no daily backup is configured "
        "([backup] in the config)."]
    assert "junior-" in result.stdout and database.stat().st_size > 0  # it started, and the bank is in it again


def test_the_empty_database_warning_names_the_newest_daily_backup(setup, capsys):
    config, database = setup
    backups = database.parent.parent / "backups"
    backups.mkdir()
    for day in ("2026-11-23", "2026-11-24"):
        (backups / f"studybot-{day}.sqlite3").write_bytes(b"")
    config.write_text(config.read_text() + f'[backup]\ndir = "{backups}"\n', encoding="utf-8")
    database.write_bytes(b"")
    assert main(["load", "--config", str(config)]) == 0
    printed = capsys.readouterr()
    assert "29 added" in printed.out
    assert printed.err.endswith(f"; the newest daily backup is {backups / 'studybot-2026-11-24.sqlite3'}.\n")
    assert main(["backup", str(backups / "copy.sqlite3"), "--config", str(config)]) == 0  # no longer empty


def test_backing_up_an_empty_or_missing_database_is_one_sentence(setup, capsys):
    config, database = setup
    copy = config.parent / "copy.sqlite3"
    database.write_bytes(b"")
    assert said(capsys, main(["backup", str(copy), "--config", str(config)])) == (
        f"studybot: The database {database} is empty (0 bytes), so there is nothing to back up.")
    database.unlink()
    assert said(capsys, main(["backup", str(copy), "--config", str(config)])) == (
        f"studybot: The database {database} does not exist (check database in [bot] of the config).")
    assert not copy.exists()
