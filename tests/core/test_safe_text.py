"""What members write, made storable and safe to show: answers keep their words, names cannot hide or ping."""
from __future__ import annotations

import pytest

from bot.core.answers import EMPTY_ANSWER, clean_answer
from bot.core.errors import InvalidAnswer
from bot.core.safe_text import is_blank, safe_name, storable


def test_lone_surrogates_become_replacement_characters_and_pairs_their_character():
    assert storable("過学習\ud800を防ぐ\udcff") == "過学習\ufffdを防ぐ\ufffd"
    assert storable("\ud83d\ude00") == "😀"  # a pair written as two escapes is one character
    assert storable("普通の回答") == "普通の回答"
    storable("a\udc80b").encode("utf-8")  # storable: UTF-8 (and so SQLite) takes it


@pytest.mark.parametrize("text", ["\u200b", "\u200d\u200d", "\ufeff", "\u202e\u2066", " \u3000\n\t\u200b ", "\u3164", "\u2800"])
def test_only_invisible_characters_is_an_empty_answer(text):
    assert is_blank(text)
    with pytest.raises(InvalidAnswer) as refused:
        clean_answer(text)
    assert refused.value.message == EMPTY_ANSWER
    assert refused.value.text is None  # nothing visible to give back


def test_an_answer_keeps_its_words_and_only_loses_what_cannot_be_stored():
    assert clean_answer("  \u200bバギング\ud800は並列\u200dです  ") == "\u200bバギング\ufffdは並列\u200dです"
    assert clean_answer("\ud800") == "\ufffd"  # not empty: something was sent
    assert not is_blank("😀") and not is_blank("\u200ba")


def test_a_refused_long_answer_is_given_back_storable():
    with pytest.raises(InvalidAnswer) as refused:
        clean_answer("あ" * 4000 + "\ud800")
    assert refused.value.text == "あ" * 4000 + "\ufffd"


@pytest.mark.parametrize(("name", "shown"), [
    ("<@123>", "<＠123>"),
    ("<@!123> さん", "<＠!123> さん"),
    ("<@&456>", "<＠&456>"),
    ("@everyone", "＠everyone"),
    ("@here 花子", "＠here 花子"),
    ("\u202e花子\u202c", "花子"),  # right-to-left override
    ("\u2066太郎\u2069\u200e\u200f\u061c", "太郎"),
    ("ha\u200bna\u200c\u200d\ufeff\u2060ko", "hanako"),
    ("山田　太郎", "山田　太郎"),  # a full-width space is part of a Japanese name
    ("two\nlines\tand\x1bescape", "two lines andescape"),
    ("\ud800名前", "\ufffd名前"),
])
def test_display_names_lose_hidden_characters_and_mention_syntax(name, shown):
    assert safe_name(name) == shown


@pytest.mark.parametrize("name", [None, "", "\u200b\u200d", "\u202e\u202c", " \u3000 "])
def test_a_name_of_nothing_visible_is_empty(name):
    assert safe_name(name) == ""
