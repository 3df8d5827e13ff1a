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
