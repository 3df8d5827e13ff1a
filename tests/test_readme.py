"""The README opens with the two commands, CI calls the test one, and every CLI command is documented."""
from __future__ import annotations

import re

from bot.cli import parser as _parser
from tests.conftest import ROOT


def test_readme_opens_with_run_and_test_commands_and_ci_uses_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    assert readme.index("make run") < 200
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in _parser()._actions if a.dest == "command")
    for name in sub.choices:
        if name in ("run", "discord", "console"):
            assert name in readme, name
        else:
            assert f"studybot {name}" in readme, name


def _section(readme: str, heading: str) -> str:
    return readme.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_the_layout_table_matches_the_tree():
    rows = re.findall(r"^\| `([^`]+)`", _section((ROOT / "README.md").read_text(encoding="utf-8"), "Layout"), re.M)
    assert len(rows) > 10
    assert [path for path in rows if not (ROOT / path).exists()] == []
    packages = {p.parent.relative_to(ROOT).as_posix() + "/" for p in (ROOT / "bot").glob("*/__init__.py")}
    assert packages - {"bot/frontends/"} <= set(rows)  # every package of bot/ is described


def test_the_command_table_lists_every_discord_command_with_its_options():
    from bot.commands.table import COMMANDS

    table = _section((ROOT / "README.md").read_text(encoding="utf-8"), "Commands (Discord)")
    rows = {m.group(1): set(re.findall(r"([a-z_]+):<", m.group(2)))
            for m in re.finditer(r"^\| `/([a-z]+(?: [a-z]+(?![a-z_]*:))?)([^`]*)`", table, re.M)}
    assert rows == {c.name: {o.name for o in c.options} for c in COMMANDS if c.in_discord}
    terminal = _section((ROOT / "README.md").read_text(encoding="utf-8"), "Try it without Discord")
    assert all(f"/{c.name}" in terminal for c in COMMANDS if not c.in_discord)
