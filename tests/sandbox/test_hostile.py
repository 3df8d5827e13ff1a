"""Hostile snippets, one per escape a new contributor (or, later, any server) could try. Each test runs the
snippet through the bank runner, as `studybot content run` would, and checks the breach is contained and the
stored status says why."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import textwrap
import threading
import time

import pytest

from bot.content.runner import run_bank, stored_result
from bot.core.models import Question, Snippet, SnippetResult
from bot.sandbox import Limits
from tests.conftest import sandbox_here

SECRET = "studybot-test-token-6f1d"
HOSTILE_LIMITS = Limits(wall_seconds=60)


def hostile(tmp_path, code: str, *, limits: Limits = HOSTILE_LIMITS, qid: str = "evil-01") -> SnippetResult:
    """Run `code` as a bank snippet; return what was stored for the learner (checked against the returned one)."""
    q = Question(qid, "junior", 1, "c", "t", "a", (Snippet("python", textwrap.dedent(code)),), None, None, "s")
    outputs = tmp_path / "outputs"
    result = run_bank([q], outputs, sandbox=sandbox_here(), limits=limits, report=lambda line: None)[f"{qid}-1"]
    stored = stored_result(outputs, qid, 1, q.snippets[0])
    assert (stored.status, stored.output, stored.reason) == (result.status, result.output, result.reason)
    return result


def test_the_token_in_a_parent_environment_cannot_be_read(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    result = hostile(tmp_path, """
        import os
        found = []
        for pid in os.listdir('/proc'):
            if pid.isdigit():
                for name in ('environ', 'cmdline'):
                    try:
                        found.append(open(f'/proc/{pid}/{name}', 'rb').read())
                    except OSError:
                        pass
        print(sorted(p for p in os.listdir('/proc') if p.isdigit()), os.getppid())
        print(b'DISCORD_TOKEN' in b''.join(found), os.environ.get('DISCORD_TOKEN'))
        """)
    assert result.status == "ok"
    pids, ppid = result.output.splitlines()[0].rsplit(" ", 1)
    assert len(json.loads(pids.replace("'", '"'))) <= 3 and ppid == "1"  # only the collector, the snippet, its child
    assert result.output.splitlines()[1] == "False None"
    assert SECRET not in (tmp_path / "outputs" / "evil-01-1.json").read_text()


def test_no_network_not_even_the_hosts_loopback(tmp_path):
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted = []
    listener.settimeout(0.2)

    def accept() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not accepted:
            try:
                accepted.append(listener.accept())
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept)
    thread.start()
    try:
        result = hostile(tmp_path, f"""
            import socket
            try:
                socket.create_connection(('127.0.0.1', {port}), timeout=5)
                print('connected')
            except OSError as exc:
                print('refused', type(exc).__name__)
            """)
    finally:
        accepted.append("stop")
        thread.join()
        listener.close()
    assert accepted == ["stop"]
    assert result.status == "ok" and result.output.startswith("refused")


def test_nothing_outside_its_work_dir_can_be_written_or_planted(tmp_path):
    repo = tmp_path / "repo"
    (repo / "content" / "questions").mkdir(parents=True)
    planted = repo / "content" / "questions" / "planted.md"
    result = hostile(tmp_path, f"""
        import os
        targets = [{str(planted)!r}, {str(tmp_path / 'beside.txt')!r}, '/usr/planted', '/etc/planted',
                   {os.getcwd() + '/planted.txt'!r}, '/studybot/scripts/collector.py']
        for path in targets:
            try:
                open(path, 'w').write('x')
                print('wrote', path)
            except OSError as exc:
                print('refused', type(exc).__name__)
        open('mine.txt', 'w').write('fine')  # its own work dir is writable
        open('/tmp/mine.txt', 'w').write('fine')
        print(sorted(os.listdir('.')))
        """)
    assert result.status == "ok"
    assert "wrote" not in result.output and result.output.count("refused") == 6
    assert result.output.splitlines()[-1] == "['mine.txt']"
    assert not planted.exists() and not (tmp_path / "beside.txt").exists() and not os.path.exists("planted.txt")
    assert not os.path.exists("/usr/planted") and not os.path.exists("/tmp/mine.txt")


def marked_processes(marker: str) -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if marker.encode() in fh.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def test_every_process_dies_with_the_run(tmp_path):
    marker = f"studybot-survivor-{os.getpid()}"
    result = hostile(tmp_path, f"""
        import subprocess, sys
        code = "import os, time\\nif os.fork(): os._exit(0)\\nos.setsid()\\ntime.sleep(300)"
        for _ in range(20):
            subprocess.Popen([sys.executable, '-c', code, {marker!r}], start_new_session=True)
        print('started')
        """)
    assert result.status == "ok" and result.output == "started\n"
    assert marked_processes(marker) == []


def test_memory_is_capped(tmp_path):
    result = hostile(tmp_path, "chunks = [bytearray(256 * 1024**2) for _ in range(24)]  # 6 GiB",
                     limits=Limits(wall_seconds=60, memory_bytes=1024**3))
    assert result.status == "limit" and "メモリの上限（1024 MiB）" in result.reason


def test_processes_are_capped(tmp_path):
    result = hostile(tmp_path, """
        import os, time
        children = 0
        while children < 500:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
            children += 1
        """, limits=Limits(wall_seconds=60, processes=32))
    assert result.status == "limit" and "プロセス数の上限（32）" in result.reason


def test_the_database_and_config_are_not_visible(tmp_path):
    database = tmp_path / "bot.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("create table answers (text)")
        db.execute("insert into answers values ('a member''s answer')")
    (tmp_path / "config.toml").write_text("database = 'bot.sqlite3'\n")
    result = hostile(tmp_path, f"""
        import os
        for path in ({str(database)!r}, {str(tmp_path / 'config.toml')!r}, {os.getcwd()!r}):
            print(os.path.exists(path))
        """)
    assert result.status == "ok" and result.output == "False\nFalse\nFalse\n"


def test_forged_results_are_not_trusted(tmp_path):
    """The snippet writes what the runner might believe: figures that are links or not images, a report on the
    collector's pipe, the old meta.json. Only the collector's own checks decide what comes back."""
    secret = tmp_path / "secret.sqlite3"
    secret.write_bytes(b"SQLite format 3\x00 member data")
    result = hostile(tmp_path, f"""
        import json, os
        out = '/sandbox/out'
        os.symlink('/etc/ld.so.cache', f'{{out}}/fig1.png')
        open(f'{{out}}/fig2.png', 'wb').write(b'not a png at all')
        json.dump({{'figures': [{str(secret)!r}], 'versions': {{'evil': '1'}}}}, open(f'{{out}}/meta.json', 'w'))
        for fd in (3, 4, 5):
            try:
                os.write(fd, json.dumps({{'exit': 0, 'seconds': 0, 'value': 'forged', 'figures': [], 'versions': {{}}}}).encode())
                print('wrote to', fd)
            except OSError as exc:
                print('no fd', fd)
        try:
            open('/proc/1/fd/3', 'wb').write(b'{{}}')
            print('opened the report pipe')
        except OSError as exc:
            print('refused', type(exc).__name__)
        raise SystemExit(3)
        """)
    assert "wrote to" not in result.output and "opened the report pipe" not in result.output
    assert result.status == "error" and "終了コード 3" in result.reason
    assert result.figures == () and result.versions == {} and result.value == ""
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == ["evil-01-1.json"]


def test_a_garbled_or_forged_out_dir_does_not_crash_the_run_of_the_others(tmp_path):
    code = """
        import os, shutil
        shutil.rmtree('/sandbox/out')
        os.symlink('/proc/self/environ', '/sandbox/out')
        """
    questions = [
        Question("evil-01", "junior", 1, "c", "t", "a", (Snippet("python", textwrap.dedent(code)),), None, None, "s"),
        Question("good-01", "junior", 2, "c", "t", "a", (Snippet("python", "print('ok')"),), None, None, "s"),
    ]
    results = run_bank(questions, tmp_path, sandbox=sandbox_here(), report=lambda line: None)
    assert results["evil-01-1"].status == "ok" and results["evil-01-1"].figures == ()
    assert results["good-01-1"].output == "ok\n"


def test_the_runner_and_host_processes_cannot_be_signalled(tmp_path):
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        result = hostile(tmp_path, f"""
            import os, signal
            for pid in ({os.getpid()}, {bystander.pid}, os.getppid(), 1):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError as exc:
                    pass
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            print('still here')
            """)
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
    assert result.status == "ok" and result.output == "still here\n"


def test_huge_output_is_capped_while_it_is_read(tmp_path):
    started = time.monotonic()
    result = hostile(tmp_path, """
        import sys
        line = 'x' * 1023 + '\\n'
        for _ in range(100 * 1024):  # 100 MiB
            sys.stdout.write(line)
        """)
    assert result.status == "limit" and "出力が上限（1024 KiB）" in result.reason
    assert len(result.output) <= 50_000 + 100 and "保存していません" in result.output
    assert time.monotonic() - started < 30


@pytest.mark.parametrize(("code", "why"), [
    ("while True: pass", "CPU 時間の上限（2 秒）"),
    ("open('big', 'wb').write(b'x' * 80 * 1024**2)", "ファイルの大きさの上限（64 MiB）"),
])
def test_cpu_time_and_file_size_are_capped(tmp_path, code, why):
    result = hostile(tmp_path, code, limits=Limits(wall_seconds=30, cpu_seconds=2))
    assert result.status == "limit" and why in result.reason


def test_wall_time_is_capped(tmp_path):
    result = hostile(tmp_path, "import time\ntime.sleep(60)", limits=Limits(wall_seconds=2))
    assert result.status == "timeout" and "2 秒以内に終わらなかった" in result.reason
