"""Starting the bot: every startup failure is one clear sentence, never a traceback."""
from __future__ import annotations

import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.config import BackupSettings, ConfigError, load_config
from tests.conftest import CONTENT, ROOT


def studybot(*args, token: str | None = None, stdin: str = ""):
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    if token is not None:
        env["DISCORD_TOKEN"] = token
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def one_sentence(result) -> str:
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_discord_without_a_token(tmp_path):
    assert "DISCORD_TOKEN is not set" in one_sentence(studybot("discord"))


def test_unreadable_or_broken_config(tmp_path):
    assert "does not exist" in one_sentence(studybot("--config", str(tmp_path / "nope.toml"), "run"))
    bad = tmp_path / "bad.toml"
    bad.write_text("[bot\n")
    assert "not valid TOML" in one_sentence(studybot("--config", str(bad), "run"))
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('[bot]\ndatabse = "x"\n')
    assert "Unknown setting(s) in [bot]: databse" in one_sentence(studybot("--config", str(unknown), "run"))


def test_settings_of_the_wrong_type_are_one_sentence(tmp_path):
    cases = {
        "[bot]\ndatabase = 5\n": "database in [bot] must be text in quotes",
        "bot = 3\n": "bot must be a [bot] section of settings, not the number 3.",
        "[bot]\nlog_level = 5\n": "log_level in [bot] must be text in quotes",
        "[bot]\ndev_guild_id = true\n": "dev_guild_id must be a number",
        "[bot]\ndev_guild_id = \"123\"\n": "dev_guild_id must be a number",
        "dev_guild_id = 123\n[bot]\n": "Unknown setting(s) outside [bot], [console], [discord], [privacy] and [backup]: dev_guild_id.",
        "[console]\nmember = 7\n": "member in [console] must be text in quotes",
        "[discord]\napi_base = 1\n": "api_base in [discord] must be text in quotes",
        "discord = \"x\"\n": "discord must be a [discord] section",
    }
    for n, (text, expected) in enumerate(cases.items()):
        config = tmp_path / f"c{n}.toml"
        config.write_text(text)
        assert expected in one_sentence(studybot("--config", str(config), "run")), text


def test_a_database_that_cannot_be_opened(tmp_path):
    config = tmp_path / "c.toml"
    (tmp_path / "adir").mkdir()
    config.write_text(f'[bot]\ndatabase = "adir"\ncontent_dir = "{CONTENT}"\n')
    assert "cannot be opened" in one_sentence(studybot("--config", str(config), "discord", token="t"))


def test_run_without_token_opens_the_terminal_and_says_how_to_connect(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(f'[bot]\ndatabase = "{tmp_path / "db.sqlite3"}"\ncontent_dir = "{CONTENT}"\n')
    result = studybot("--config", str(config), "run", stdin="/question junior\n/reveal\n")
    assert result.returncode == 0, result.stderr
    assert "DISCORD_TOKEN" in result.stderr + result.stdout
    assert "模範解答" in result.stdout and "junior-" in result.stdout


def test_the_backup_section(tmp_path):
    """Off unless [backup] names a dir (relative to the config file, like every path); keep and a UTC time."""
    config = tmp_path / "c.toml"
    config.write_text("[bot]\n")
    assert load_config(config).backup is None
    config.write_text('[backup]\ndir = "backups"\n')
    assert load_config(config).backup == BackupSettings(dir=tmp_path / "backups", keep=7, at=time(3, 0))
    config.write_text('[backup]\ndir = "/srv/b"\nkeep = 14\ntime = "23:45"\n')
    assert load_config(config).backup == BackupSettings(dir=Path("/srv/b"), keep=14, at=time(23, 45))
    cases = {
        "[backup]\nkeep = 3\n": "dir in [backup] is needed for daily backups",
        '[backup]\ndir = "b"\nkeep = 0\n': "keep in [backup] must be how many daily backups to keep, a whole number of 1 or more, "
                                         "not the number 0.",
        '[backup]\ndir = "b"\nkeep = "7"\n': "keep in [backup] must be how many daily backups to keep",
        '[backup]\ndir = "b"\ntime = "3:00"\n': "time in [backup] must be a 24-hour time in UTC like \"03:00\", not '3:00'.",
        '[backup]\ndir = "b"\ntime = "24:00"\n': "time in [backup] must be a 24-hour time in UTC",
        '[backup]\ndir = "b"\nwhen = "03:00"\n': "Unknown setting(s) in [backup]: when.",
        'backup = "b"\n': "backup must be a [backup] section of settings",
    }
    for text, expected in cases.items():
        config.write_text(text)
        with pytest.raises(ConfigError) as caught:
            load_config(config)
        assert expected in str(caught.value), text


def test_the_shard_settings(tmp_path):
    """Both optional; shard_ids needs shard_count and lists shards that exist, each once."""
    config = tmp_path / "c.toml"
    config.write_text("[discord]\n")
    assert (load_config(config).shard_count, load_config(config).shard_ids) == (None, None)
    config.write_text("[discord]\nshard_count = 4\n")
    assert (load_config(config).shard_count, load_config(config).shard_ids) == (4, None)
    config.write_text("[discord]\nshard_count = 4\nshard_ids = [2, 0]\n")
    assert (load_config(config).shard_count, load_config(config).shard_ids) == (4, (2, 0))
    cases = {
        "[discord]\nshard_count = 0\n": "shard_count in [discord] must be a whole number of 1 or more, not the number 0.",
        '[discord]\nshard_count = "2"\n': "shard_count in [discord] must be a whole number of 1 or more, not the text '2'.",
        "[discord]\nshard_count = true\n": "not the boolean true.",
        "[discord]\nshard_ids = [0]\n": "shard_ids in [discord] needs shard_count too",
        "[discord]\nshard_count = 2\nshard_ids = [2]\n": "shard_ids in [discord] must list different shard numbers from 0 to 1 "
                                                         "(shard_count = 2), like [0, 1], not [2].",
        "[discord]\nshard_count = 2\nshard_ids = [0, 0]\n": "must list different shard numbers",
        "[discord]\nshard_count = 2\nshard_ids = []\n": "must list different shard numbers",
        "[discord]\nshard_count = 2\nshard_ids = 1\n": "like [0, 1], not the number 1.",
        '[discord]\nshard_count = 2\nshard_ids = ["0"]\n': "must list different shard numbers",
    }
    for text, expected in cases.items():
        config.write_text(text)
        with pytest.raises(ConfigError) as caught:
            load_config(config)
        assert expected in str(caught.value), text
    config.write_text("[discord]\nshard_count = 0\n")
    assert "shard_count in [discord]" in one_sentence(studybot("--config", str(config), "run"))
