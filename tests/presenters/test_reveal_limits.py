"""Every reveal page, rendered as the Discord embed the bot sends, is within Discord's limits, for the
real question bank and for random long content; and paging loses nothing."""
from __future__ import annotations

import random

import pytest

from bot.content.runner import with_results
from bot.core.models import Question, Snippet, SnippetResult
from bot.core.paging import split_markdown
from bot.frontends.discord import render
from bot.presenters.study import reveal_pages
from tests.conftest import CONTENT, parsed_bank

ANSWER_CHARS, NOTE_CHARS, CODE_CHARS, ADDED_CHARS = "Ωλβ", "Ж", "x", "Ψ"  # none of them is in the fixed wording


def discord_problems(card) -> list[str]:
    """What Discord would refuse in a message carrying this card (400 Invalid Form Body)."""
    embed = render.embed(card)
    data = embed.to_dict()
    problems = []
    if len(data.get("title", "")) > 256:
        problems.append(f"title {len(data['title'])} > 256")
    if len(data.get("description", "")) > 4096:
        problems.append(f"description {len(data['description'])} > 4096")
    fields = data.get("fields", [])
    if len(fields) > 25:
        problems.append(f"{len(fields)} fields > 25")
    for f in fields:
        if not 1 <= len(f["name"]) <= 256 or not 1 <= len(f["value"]) <= 1024:
            problems.append(f"field {len(f['name'])}/{len(f['value'])} chars")
    if len(data.get("footer", {}).get("text", "")) > 2048:
        problems.append("footer > 2048")
    if len(embed) > 6000:  # title, description, fields, footer and author together
        problems.append(f"embed total {len(embed)} > 6000")
    if len(data.get("content", "")) > 2000:
        problems.append("content > 2000")
    return problems


def shown(cards) -> str:
    return "\n".join(c.description + "".join(v for _, v in c.fields) for c in cards)


def test_every_page_of_the_real_bank_fits_discord():
    questions, _ = parsed_bank()
    assert len(questions) == 29
    for q in questions:
        pages = reveal_pages(with_results(q, CONTENT / "outputs"), CONTENT / "outputs")
        for n, card in enumerate(pages, 1):
            assert discord_problems(card) == [], f"{q.id} page {n}"
        assert all(line in shown(pages) for n in q.notes for line in n.split("\n"))


def _text(rng: random.Random, chars: str, lines: int, fences: bool) -> str:
    out = []
    for _ in range(lines):
        kind = rng.random()
        if fences and kind < 0.12:
            out.append(rng.choice(["```", "```python", "~~~~", "````", "```text"]))
        else:
            out.append("".join(rng.choices(chars, k=rng.choice([0, 1, 40, 300, 1500, 5000]))))
    return "\n".join(out)


def _random_question(rng: random.Random) -> Question:
    def result():
        status = rng.choice(["ok", "error", "not_run", "limit", "skipped"])
        return SnippetResult(status, output=_text(rng, CODE_CHARS, rng.randint(0, 30), False), reason="理由" * rng.randint(0, 400),
                             value=_text(rng, CODE_CHARS, rng.choice([0, 1, 20]), False), seconds=1.5, versions={"numpy": "2.0"})

    def added() -> str:  # setup or completion: none, a line, or pages of it
        return _text(rng, ADDED_CHARS, rng.choice([0, 1, 10, 40]), True) if rng.random() < 0.6 else ""

    snippets = tuple(Snippet("python", _text(rng, CODE_CHARS, rng.randint(1, 40), True), setup=added(), completion=added(),
                             result=result()) for _ in range(rng.randint(0, 3)))
    notes = tuple(_text(rng, NOTE_CHARS, rng.randint(1, 3), False) for _ in range(rng.choice([0, 1, 3, 12, 40])))
    return Question(id="senior-" + "9" * rng.randint(1, 57), level="senior", number=1, category="カテゴリ",
                    title="題" * rng.choice([5, 250, 400]), answer=_text(rng, ANSWER_CHARS, rng.randint(1, 60), True),
                    snippets=snippets, rarity=None, difficulty=None, source="", notes=notes)


@pytest.mark.parametrize("seed", range(60))
def test_random_long_reveals_fit_discord_and_keep_everything(seed):
    rng = random.Random(seed)
    q = _random_question(rng)
    pages = reveal_pages(q)
    for n, card in enumerate(pages, 1):
        assert discord_problems(card) == [], f"seed {seed} page {n}/{len(pages)}"
        assert card.footer.endswith(f"ページ {n}/{len(pages)}")
    text = shown(pages)
    assert sum(text.count(c) for c in ANSWER_CHARS) == sum(q.answer.count(c) for c in ANSWER_CHARS)
    assert text.count(NOTE_CHARS) == sum(n.count(NOTE_CHARS) for n in q.notes)
    assert text.count(ADDED_CHARS) == sum((s.setup + s.completion).count(ADDED_CHARS) for s in q.snippets)


@pytest.mark.parametrize("limit", [100, 1024, 3900])
def test_split_markdown_never_exceeds_the_limit_and_keeps_every_character(limit):
    rng = random.Random(limit)
    for _ in range(200):
        text = _text(rng, "ab", rng.randint(1, 60), True)  # no fence's info string has an "a"
        pages = split_markdown(text, limit)
        assert all(len(p) <= limit for p in pages), [len(p) for p in pages]
        assert sum(p.count("a") for p in pages) == text.count("a")


def test_a_closing_fence_right_at_the_limit_still_fits():
    pages = split_markdown("x" * 90 + "\n~~~~\n~~~~\n", 100)
    assert all(len(p) <= 100 for p in pages) and "".join(pages).count("x") == 90
