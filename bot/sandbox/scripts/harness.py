"""Runs the snippet inside its sandboxed process, as a notebook cell would: stdout as it comes, then the
value of the last expression; matplotlib figures saved as PNG. Standard library only at start-up.

Usage: python harness.py SNIPPET.py OUT_DIR libraries|stdlib
(`libraries`: the snippet imports more than the standard library, as the runner found; it then gets their set-up)

Nothing here is trusted by the runner: the snippet shares this process and may overwrite anything it
writes. The collector outside the snippet's process reads OUT_DIR with every check it needs.
"""
import ast
import os
import random
import sys
import traceback

script, out_dir, uses_libraries = sys.argv[1], sys.argv[2], sys.argv[3] == "libraries"
VALUE_CHARS = 20_000
figures_saved = 0


def save_figures() -> None:
    """Save every open matplotlib figure (plt.show() in a headless run would drop them)."""
    global figures_saved
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    for number in plt.get_fignums():
        figures_saved += 1
        plt.figure(number).savefig(os.path.join(out_dir, f"fig{figures_saved}.png"), dpi=80, metadata={"Software": None})
    plt.close("all")


def prepare_libraries() -> None:
    """Seeds, printing and headless figures, so output is what a learner expects and the same everywhere."""
    try:
        import numpy

        numpy.random.seed(0)
        if int(numpy.__version__.split(".")[0]) >= 2:
            numpy.set_printoptions(legacy="1.25")  # np.float64(0.5) prints as 0.5, as the articles show it
    except ImportError:
        pass
    try:
        import pandas

        # a wide frame is shown whole, wrapped in blocks of columns, rather than with columns elided
        pandas.set_option("display.max_columns", None)
        pandas.set_option("display.width", 100)
    except ImportError:
        pass
    try:
        import matplotlib.pyplot

        matplotlib.pyplot.show = lambda *args, **kwargs: save_figures()
    except ImportError:
        pass


def show(value: object) -> None:
    if value is None:
        return
    text = repr(value)
    if len(text) > VALUE_CHARS:
        text = text[:VALUE_CHARS] + f"\n[… 長いため残り {len(text) - VALUE_CHARS} 文字は省略]"
    with open(os.path.join(out_dir, "value.txt"), "w", encoding="utf-8") as fh:
        fh.write(text)


def run(tree: ast.Module) -> None:
    """Execute all statements; a final expression is evaluated apart so its value can be shown."""
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    assert last is None or isinstance(last, ast.Expr)
    scope = {"__name__": "__main__", "__file__": script, "__builtins__": __builtins__}
    exec(compile(tree, script, "exec"), scope)
    if last is not None:
        show(eval(compile(ast.Expression(last.value), script, "eval"), scope))


def main() -> None:
    with open(script, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), script)
    random.seed(0)
    if uses_libraries:  # a snippet of the standard library alone is spared a second of imports
        prepare_libraries()
    sys.argv = [script]
    try:
        run(tree)
    except Exception as exc:  # noqa: BLE001 - shown as Python would show it, without this file's frames
        tb = exc.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != script:
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb)
        sys.exit(1)
    finally:
        save_figures()  # before matplotlib's own exit handler closes the figures


main()
