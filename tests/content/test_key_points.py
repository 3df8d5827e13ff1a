"""Every question carries the key points the answer scorer looks for."""
from __future__ import annotations

import pytest

from bot.core.answer_text import normalize
from tests.conftest import parsed_bank

QUESTIONS, _ = parsed_bank()


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_three_to_six_distinct_key_points(q):
    assert 3 <= len(q.key_points) <= 6
    phrases = [normalize(k.phrase) for k in q.key_points]
    assert len(set(phrases)) == len(phrases)
    for k in q.key_points:
        assert k.phrase.strip() and len(k.phrase) <= 40  # shown to members as a checklist line
        assert all(s.strip() for s in k.synonyms) and len(set(k.synonyms)) == len(k.synonyms)
