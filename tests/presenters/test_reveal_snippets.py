"""What a learner sees of a snippet on the reveal: stdout then the last expression's value, why a run
stopped, and the code added around the article's code (実行のための準備), never hidden."""
from __future__ import annotations

from bot.content.runner import with_results
from bot.core.models import Question, Snippet, SnippetResult
from bot.frontends.terminal.render import card_text
from bot.presenters.cards import PAGE_BUDGET
from bot.presenters.study import NOTHING_SHOWN, PREPARATION, PREPARATION_FOLLOWS, VALUE_HEADING, reveal_pages
from tests.conftest import CONTENT, parsed_bank
from tests.presenters.test_reveal_limits import discord_problems, shown

OK = SnippetResult("ok", output="学習しました\n", seconds=0.5)


def question(*snippets: Snippet, answer: str = "模範解答です。") -> Question:
    return Question("t-01", "junior", 1, "カテゴリ", "題", answer, snippets, None, None, "s")


def snippet_pages(*snippets: Snippet, answer: str = "模範解答です。") -> list[str]:
    """The descriptions of the reveal's pages after the model answer's."""
    return [p.description for p in reveal_pages(question(*snippets, answer=answer))[1:]]


def test_a_setup_is_disclosed_after_the_output_on_the_same_page():
    [page] = snippet_pages(Snippet("python", "model.fit(X, y)", setup="model = Dummy()\nX, y = [[0]], [0]", result=OK))
    assert f"**{PREPARATION}**" in page and "```python\nmodel = Dummy()\nX, y = [[0]], [0]\n```" in page
    assert page.index("model.fit(X, y)") < page.index("学習しました") < page.index(PREPARATION)
    assert "前に実行 (setup)" in page and "completion)" not in page and PREPARATION_FOLLOWS not in page


def test_a_completion_is_disclosed_too():
    s = Snippet("python", "print(greeting,", completion=" 'みんな')", truncated=True, result=OK)
    [page] = snippet_pages(s)
    assert PREPARATION in page and "後に続けて実行 (completion)**\n```python\n 'みんな')\n```" in page
    assert "setup)" not in page


def test_a_snippet_without_added_code_still_says_what_every_run_is_prepared_with():
    text = "\n".join(snippet_pages(Snippet("python", "print(1)", result=OK)))
    assert PREPARATION in text and "random.seed(0)" in text and "(setup)" not in text and "(completion)" not in text
    assert all(PREPARATION not in page for page in snippet_pages(Snippet("dockerfile", "FROM python", result=OK)))


def test_a_long_setup_gets_its_own_pages_right_after_the_output_and_nothing_is_lost():
    setup = "\n".join(f"準備_{i} = {i}  # Ψ" for i in range(400))  # several pages of it
    s = Snippet("python", "print(準備_1)", setup=setup, result=SnippetResult("ok", output="1\n", seconds=0.1, figures=("f.png",)))
    q = question(s, Snippet("python", "print(2)", result=OK))
    cards = reveal_pages(q, CONTENT)
    first, *preparation = [c for c in cards[1:] if "準備_" in c.description]
    assert "print(準備_1)" in first.description and "```\n1\n```" in first.description
    assert first.description.endswith(PREPARATION_FOLLOWS) and first.image == CONTENT / "f.png" and first.small_print
    assert len(preparation) >= 2 and preparation[0].description.startswith(f"**{PREPARATION}**")
    assert all(not c.image and not c.small_print for c in preparation)
    assert cards.index(preparation[-1]) + 1 == cards.index(next(c for c in cards if "print(2)" in c.description))
    assert shown(cards).count("Ψ") == 400 and all(f"準備_{i} = {i}" in shown(cards) for i in range(400))
    for card in cards:
        assert discord_problems(card) == [] and len(card.description) <= PAGE_BUDGET


def test_a_setup_that_fits_only_without_the_code_follows_on_the_next_page():
    code = "x = 1\n" * 500  # 3000 characters: the code and output fit a page, the setup does not beside them
    pages = snippet_pages(Snippet("python", code, setup="# 準備\n" + "y = 2\n" * 200, result=OK))
    assert len(pages) == 2 and pages[0].endswith(PREPARATION_FOLLOWS) and "学習しました" in pages[0]
    assert pages[1].startswith(f"**{PREPARATION}**") and pages[1].count("y = 2") == 200


def test_the_last_expressions_value_comes_after_stdout_under_its_own_heading():
    [page] = snippet_pages(Snippet("python", "print('合計')\nsum([1, 2])", result=SnippetResult("ok", output="合計\n", value="3")))
    assert f"```\n合計\n```\n**{VALUE_HEADING}**\n```\n3\n```" in page
    assert NOTHING_SHOWN not in page


def test_a_value_alone_is_shown_and_nothing_at_all_says_so():
    [value_only] = snippet_pages(Snippet("python", "df.shape", result=SnippetResult("ok", value="(150, 4)")))
    assert f"**{VALUE_HEADING}**\n```\n(150, 4)\n```" in value_only and NOTHING_SHOWN not in value_only
    [silent] = snippet_pages(Snippet("python", "x = 1", result=SnippetResult("ok")))
    assert NOTHING_SHOWN in silent and VALUE_HEADING not in silent


def test_a_value_holding_backticks_cannot_close_its_block_early():
    [page] = snippet_pages(Snippet("python", "s", result=SnippetResult("ok", value="'```\\nprint(1)\\n```'")))
    assert "````\n'```\\nprint(1)\\n```'\n````" in page


def test_a_run_stopped_at_a_limit_or_skipped_says_why():
    stopped = SnippetResult("limit", output="途中まで\n", reason="出力が 50,000 文字を超えたため止めました。")
    skipped = SnippetResult("skipped", reason="xgboost がインストールされていません。")
    limit_page, skipped_page = snippet_pages(Snippet("python", "a", result=stopped), Snippet("python", "b", result=skipped))
    assert "実行環境の上限に達したため途中で止めました: 出力が 50,000 文字を超えたため止めました。" in limit_page
    assert "```\n途中まで\n```" in limit_page
    assert "実行していません（必要なパッケージがこの環境に入っていないため）: xgboost がインストールされていません。" in skipped_page
    assert NOTHING_SHOWN not in skipped_page


def test_every_added_code_of_the_real_bank_is_on_its_reveal_in_discord_and_the_terminal():
    questions, _ = parsed_bank()
    with_added = [q for q in questions if any(s.setup or s.completion for s in q.snippets)]
    assert len(with_added) >= 10
    for q in with_added:
        cards = reveal_pages(with_results(q, CONTENT / "outputs"), CONTENT / "outputs")
        text, terminal = shown(cards), "\n".join(card_text(c) for c in cards)
        for s in q.snippets:
            for line in (s.setup + "\n" + s.completion).splitlines():
                assert line in text and line in terminal, (q.id, line)
        assert text.count(f"**{PREPARATION}**") == sum(1 for s in q.snippets if s.setup or s.completion), q.id
