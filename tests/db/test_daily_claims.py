"""db.daily's claims on daily posts: every take is a compare-and-set, and resolving a post clears its claim."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.core.daily import INTENDED, PENDING, POSTED, SKIPPED
from db import daily as store

NOW = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=2)


@pytest.fixture
def intent(loaded_db):
    qid = next(iter(loaded_db.query("select id from questions limit 1")))["id"]
    return store.insert_intent(loaded_db, 1, date(2026, 11, 25), qid, 1, 100, "2026-W48", "2026-11", NOW, state=INTENDED,
                               claimed_by="send a", claimed_until=LATER)


def test_the_intent_is_claimed_by_its_writer(loaded_db, intent):
    assert (intent.claimed_by, intent.claimed_until) == ("send a", LATER)


def test_a_live_claim_is_taken_only_from_the_holder_seen_and_expired_ones_by_anyone(loaded_db, intent):
    assert not store.claim_intent(loaded_db, intent.id, intent.attempts, "look b", LATER, NOW, None)
    assert not store.claim_intent(loaded_db, intent.id, intent.attempts, "look b", LATER, NOW, "send c")
    assert not store.claim_intent(loaded_db, intent.id, intent.attempts + 1, "look b", LATER, NOW, "send a")
    assert store.claim_intent(loaded_db, intent.id, intent.attempts, "look b", LATER, NOW, "send a")  # a is gone
    assert store.get_post(loaded_db, intent.id).claimed_by == "look b"
    assert store.claim_intent(loaded_db, intent.id, intent.attempts, "look c", LATER, LATER, "whoever")  # ran out


def test_release_is_the_holders_own_and_of_its_attempt(loaded_db, intent):
    store.release_claim(loaded_db, intent.id, "send b")
    store.release_claim(loaded_db, intent.id, "send a", intent.attempts + 1)
    assert store.get_post(loaded_db, intent.id).claimed_by == "send a"
    store.release_claim(loaded_db, intent.id, "send a", intent.attempts)
    assert store.get_post(loaded_db, intent.id).claimed_by is None


def test_renewing_needs_the_claim(loaded_db, intent):
    assert store.renew_claim(loaded_db, intent.id, "send a", LATER + timedelta(minutes=1))
    assert store.get_post(loaded_db, intent.id).claimed_until == LATER + timedelta(minutes=1)
    assert not store.renew_claim(loaded_db, intent.id, "send b", LATER)


def test_resolving_the_intent_clears_its_claim(loaded_db, intent):
    assert store.settle_intent(loaded_db, intent.id, intent.attempts, PENDING)
    assert store.get_post(loaded_db, intent.id).claimed_by is None
    assert store.reintend(loaded_db, intent.id, intent.attempts, intent.question_id, 1, 100, NOW, "send b", LATER)
    assert not store.reintend(loaded_db, intent.id, intent.attempts, intent.question_id, 1, 100, NOW, "send c", LATER)
    again = store.get_post(loaded_db, intent.id)
    assert (again.state, again.attempts, again.claimed_by) == (INTENDED, 2, "send b")
    assert store.record_failure(loaded_db, intent.id, 2, SKIPPED, "no_permission", None)
    assert store.get_post(loaded_db, intent.id).claimed_by is None
    assert store.reopen_skipped(loaded_db, intent.id, 2, claimed_by="look c", claimed_until=LATER)
    assert store.get_post(loaded_db, intent.id).claimed_by == "look c"
    posted = store.mark_posted(loaded_db, intent.id, 5, 6, NOW)
    assert (posted.state, posted.claimed_by, posted.claimed_until) == (POSTED, None, None)


def test_a_reveal_claim_is_on_an_unrevealed_posted_question_and_ends_with_the_reveal(loaded_db, intent):
    assert not store.claim_reveal(loaded_db, intent.id, "reveal b", LATER, NOW, "send a")  # not posted yet
    store.mark_posted(loaded_db, intent.id, 5, 6, NOW)
    assert store.claim_reveal(loaded_db, intent.id, "reveal b", LATER, NOW, None)
    assert not store.claim_reveal(loaded_db, intent.id, "reveal c", LATER, NOW, None)
    store.reveal_failed(loaded_db, intent.id, "error", LATER)
    assert store.claim_reveal(loaded_db, intent.id, "reveal c", LATER, NOW, None)
    assert store.mark_revealed(loaded_db, intent.id, NOW, None).claimed_by is None
    assert not store.claim_reveal(loaded_db, intent.id, "reveal b", LATER, NOW, None)  # revealed: nothing to claim
