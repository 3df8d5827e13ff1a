"""Runs inside the snippet's own process (never imported by the bot): seeds, figures, versions.

Usage: python sandbox.py SNIPPET.py META.json
"""
import json
import os
import random
import runpy
import sys

script, meta_path = sys.argv[1], sys.argv[2]
figures: list[str] = []
stands_in = [n for n in os.environ.get("STUDYBOT_STANDS_IN", "").split(",") if n]


def save_figures() -> None:
    """Save every open matplotlib figure as PNG (plt.show() in a headless run would drop them)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    for number in plt.get_fignums():
        name = os.path.join(os.path.dirname(meta_path), f"fig{len(figures) + 1}.png")
        plt.figure(number).savefig(name, dpi=80, metadata={"Software": None})
        figures.append(name)
    plt.close("all")


def imported_names(path: str) -> set[str]:
    """Top-level packages the snippet imports itself (not what those packages pull in)."""
    import ast

    with open(path, encoding="utf-8") as fh:
        source = fh.read()
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
    return names


def versions() -> dict[str, str]:
    from contextlib import suppress
    from importlib import metadata

    found = {}
    dists = metadata.packages_distributions()
    for module in sorted(imported_names(script) & {m.split(".")[0] for m in sys.modules}):
        if module in stands_in:
            continue
        for dist in dists.get(module, ()):
            with suppress(metadata.PackageNotFoundError):
                found[dist] = metadata.version(dist)
    return dict(sorted(found.items()))


def finish() -> None:
    save_figures()
    with open(meta_path, "w", encoding="utf-8") as fh:
        json.dump({"figures": figures, "versions": versions()}, fh)


def prepare_libraries() -> None:
    """numpy's seed and matplotlib's headless show(), for snippets that may reach them (pandas and
    scikit-learn import numpy too); a snippet of the standard library alone is spared a second of imports."""
    try:
        import numpy

        numpy.random.seed(0)
    except ImportError:
        pass
    try:
        import matplotlib.pyplot

        # plt.show() cannot open a window here: it saves the figures instead, as the learner would see them
        matplotlib.pyplot.show = lambda *args, **kwargs: save_figures()
    except ImportError:
        pass


random.seed(0)
if imported_names(script) - set(sys.stdlib_module_names):
    prepare_libraries()
sys.argv = [script]
try:
    runpy.run_path(script, run_name="__main__")
finally:
    finish()  # before matplotlib's own exit handler closes the figures
