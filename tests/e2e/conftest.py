"""Fixtures for end-to-end tests: the real discord.py client against :class:`FakeDiscord`.

* ``openapi_spec`` (session): Discord's OpenAPI file, parsed once.
* ``db_path``: where a test's bot keeps its database (a file under ``tmp_path``; restarts reopen it).
* ``fake_discord``: a started :class:`FakeDiscord` with discord.py pointed at it (``Route.BASE``,
  ``DEFAULT_GATEWAY``), non-loopback network refused and ``discord`` ERROR logs captured; at teardown
  it is stopped, discord.py restored, and :meth:`FakeDiscord.assert_clean` fails the test on schema
  violations, unexpected routes, late interaction callbacks, bot error logs or network attempts.

Async tests need ``pytestmark = pytest.mark.asyncio`` (or ``@pytest.mark.asyncio``) in strict mode.
"""
from __future__ import annotations

import pytest
import pytest_asyncio

from .fake_discord import FakeDiscord
from .openapi_check import OpenAPISpec, get_spec


def pytest_collection_modifyitems(items):
    # everything under tests/e2e is an end-to-end test
    for item in items:
        if "tests/e2e" in item.path.as_posix():
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def openapi_spec() -> OpenAPISpec:
    """Discord's OpenAPI description with path matching and cached validators (loaded once)."""
    return get_spec()


@pytest.fixture
def db_path(tmp_path):
    """The bot's database file; a restarted bot opens the same file."""
    return tmp_path / "bot.sqlite3"


@pytest_asyncio.fixture
async def fake_discord(openapi_spec: OpenAPISpec):
    """A running :class:`FakeDiscord`; asserts at teardown that nothing went wrong (see module doc)."""
    fake = FakeDiscord(spec=openapi_spec)
    async with fake:
        yield fake
    fake.assert_clean()
