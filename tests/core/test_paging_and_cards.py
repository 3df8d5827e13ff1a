"""Long content is paged within Discord's limits and nothing is cut silently."""
from __future__ import annotations

from bot.commands.table import COMMANDS
from bot.content.runner import with_results
from bot.core.paging import split_markdown
from bot.presenters.cards import DESCRIPTION_LIMIT, FIELD_LIMIT, TITLE_LIMIT
from bot.presenters.study import help_card, question_card, reveal_pages
from tests.conftest import CONTENT, parsed_bank


def test_short_text_is_one_page():
    assert split_markdown("短い", 100) == ["短い"]


def test_pages_fit_and_keep_every_line():
    text = "\n".join(f"行 {i} " + "あ" * 50 for i in range(200))
    pages = split_markdown(text, 1000)
    assert len(pages) > 5 and all(len(p) <= 1000 for p in pages)
    assert "\n".join(pages) == text


def test_a_break_inside_code_closes_and_reopens_the_fence():
    code = "```python\n" + "\n".join(f"print({i})" for i in range(300)) + "\n```"
    pages = split_markdown(code, 500)
    assert len(pages) > 3
    for page in pages:
        assert len(page) <= 500 and page.startswith("```python") and page.rstrip().endswith("```")
    lines = [text for p in pages for text in p.split("\n") if text.startswith("print")]
    assert lines == [f"print({i})" for i in range(300)]


def test_every_question_renders_within_embed_limits():
    questions, _ = parsed_bank()
    for q in questions:
        cards = [question_card(q)] + reveal_pages(with_results(q, CONTENT / "outputs"), CONTENT / "outputs")
        for card in cards:
            total = len(card.title) + len(card.description) + len(card.footer) + sum(len(a) + len(b) for a, b in card.fields)
            assert len(card.title) <= TITLE_LIMIT and len(card.description) <= DESCRIPTION_LIMIT
            assert all(len(v) <= FIELD_LIMIT for _, v in card.fields) and total <= 6000
        revealed = "\n".join(c.description for c in cards)
        for snippet in q.snippets:  # every code line is somewhere in the pages
            assert all(line in revealed for line in snippet.code.split("\n"))


def test_help_lists_every_command_in_japanese_and_english():
    card = help_card(tuple((c.usage, c.help) for c in COMMANDS))
    for command in ("/question", "/answer", "/reveal", "/help"):
        assert command in card.description
    assert len(card.description) <= DESCRIPTION_LIMIT
    assert "使い方" in card.title and "how to use" in card.title
