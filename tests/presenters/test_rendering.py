"""Cards carry structure; each front end renders it: a channel reference and the small print."""
from __future__ import annotations

from bot.frontends.discord import render as discord_render
from bot.frontends.terminal.render import HERE, card_text
from bot.presenters.cards import DESCRIPTION_LIMIT, Card, ChannelRef, card_size


def structured() -> Card:
    return Card("設定", "本文", fields=(("チャンネル", ChannelRef(123456789012345678)),), small_print="実行時間 0.12 秒")


def test_discord_links_the_channel_and_writes_small_print_as_its_subtext():
    embed = discord_render.embed(structured())
    assert embed.fields[0].value == "<#123456789012345678>"
    assert embed.description == "本文\n-# 実行時間 0.12 秒"
    assert card_size(structured()) >= len(embed.title) + len(embed.description) + len(embed.fields[0].value)


def test_the_terminal_names_itself_and_prints_small_print_as_a_line():
    text = card_text(structured())
    assert f"チャンネル: {HERE}" in text and "本文\n実行時間 0.12 秒" in text and "<#" not in text and "-#" not in text


def test_a_reveal_page_with_small_print_stays_within_the_description_limit():
    from bot.content.runner import with_results
    from bot.presenters.study import reveal_pages
    from tests.conftest import CONTENT, parsed_bank

    questions, _ = parsed_bank()
    pages = [p for q in questions for p in reveal_pages(with_results(q, CONTENT / "outputs"), CONTENT / "outputs")]
    assert any(p.small_print for p in pages)
    assert max(len(discord_render.description(p) or "") for p in pages) <= DESCRIPTION_LIMIT
