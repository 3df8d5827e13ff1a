"""Running code nobody has vetted: bubblewrap namespaces, resource limits, and a result it cannot forge.

`find_sandbox()` says whether this machine can isolate a run, and why not in one sentence;
`run_python()` runs one piece of code. The files under scripts/ run inside the sandbox and are never
imported by the bot.
"""
from __future__ import annotations

import functools
import shutil

from bot.sandbox.bubblewrap import Bubblewrap
from bot.sandbox.limits import Limits
from bot.sandbox.run import Outcome, run_python

__all__ = ["Bubblewrap", "Limits", "Outcome", "find_sandbox", "run_python"]

INSTALL_HINT = "sudo apt-get install bubblewrap"


@functools.cache
def find_sandbox() -> Bubblewrap | str:
    """The sandbox, tried once with a trivial run; or why there is none, as one sentence."""
    executable = shutil.which("bwrap")
    if executable is None:
        return f"サンドボックスに使う bubblewrap (bwrap) がないため、コードを実行できません（入れ方: {INSTALL_HINT}）。"
    sandbox = Bubblewrap.here(executable)
    outcome = run_python("print('ok')", Limits(wall_seconds=30), sandbox)
    if outcome.status != "ok" or outcome.stdout != "ok\n":
        why = outcome.reason or outcome.stderr.strip()
        return f"bubblewrap でサンドボックスを作れないため、コードを実行できません: {why}"
    return sandbox
