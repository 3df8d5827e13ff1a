"""What went wrong: schema/rule violations, unexpected routes, late callbacks, bot error logs and network
attempts; acknowledging the ones a test provokes on purpose; :meth:`assert_clean`; timeout diagnoses.

The records (``requests``, ``interactions``, ``bot_errors``, ...) are created by ``FakeDiscord.__init__``.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .model import RecordedRequest

if TYPE_CHECKING:
    from .record import InteractionRecord


class RecordingMixin:
    """The problem-reporting API of :class:`FakeDiscord`."""

    def requests_for(self, operation_id: str) -> list[RecordedRequest]:
        """The recorded requests of one OpenAPI operation, e.g. ``"bulk_set_guild_application_commands"``."""
        return [r for r in self.requests if r.operation_id == operation_id]

    @property
    def violations(self) -> list[RecordedRequest]:
        """Requests whose body/path broke the OpenAPI schema or a Discord rule (see ``errors``)."""
        return [r for r in self.requests if r.errors and not r.unexpected and not r.acknowledged]

    @property
    def unexpected(self) -> list[RecordedRequest]:
        """Requests to routes the fake does not implement (answered 404 code 0)."""
        return [r for r in self.requests if r.unexpected and not r.acknowledged]

    @property
    def late_callbacks(self) -> list[InteractionRecord]:
        return [r for r in self.interactions if r.late and not r.late_acknowledged]

    def take_violations(self) -> list[RecordedRequest]:
        """Return the current violations and mark them acknowledged, so :meth:`assert_clean` no longer
        counts them (for tests that provoke one on purpose; ``errors`` stay readable)."""
        out = self.violations
        for r in out:
            r.acknowledged = True
        return out

    def take_unexpected(self) -> list[RecordedRequest]:
        """Like :meth:`take_violations` for requests to unimplemented routes."""
        out = self.unexpected
        for r in out:
            r.acknowledged = True
        return out

    def take_late_callbacks(self) -> list[InteractionRecord]:
        """Return interactions answered too late and stop counting them as problems."""
        out = self.late_callbacks
        for rec in out:
            rec.late_acknowledged = True
        return out

    def take_bot_errors(self) -> list[str]:
        """Return and forget captured ERROR log records (for tests that expect the bot to log one)."""
        out, self.bot_errors[:] = list(self.bot_errors), []
        return out

    def problems(self) -> list[str]:
        """Human-readable list of everything :meth:`assert_clean` complains about."""
        out: list[str] = []
        for r in self.violations:
            out.append(f"schema/rule violation: {r}")
            out += [f"    {e}" for e in r.errors]
            if r.json is not None:
                out.append(f"    body: {json.dumps(r.json, ensure_ascii=False)[:400]}")
        for r in self.unexpected:
            out.append(f"unexpected route: {r} (not implemented by FakeDiscord)")
        for rec in self.late_callbacks:
            out.append(f"interaction answered after the 3 s deadline: {rec!r} latency={rec.latency:.3f}s")
        for e in self.bot_errors:
            out.append(f"bot logged an error: {e}")
        for n in self.network_violations:
            out.append(f"network: {n}")
        return out

    def assert_clean(self) -> None:
        """Fail with a readable list of violations, unexpected routes, late callbacks, bot errors and
        non-loopback network attempts (the ``fake_discord`` fixture calls this at teardown)."""
        problems = self.problems()
        if problems:
            raise AssertionError("FakeDiscord found problems:\n  " + "\n  ".join(problems))

    def _diagnose(self, what: str, record: InteractionRecord | None = None) -> str:
        lines = [f"timed out waiting for {what}"]
        if record is not None:
            lines.append(record.describe())
            for status, body in record.rejected_callbacks:
                lines.append(f"  rejected callback ({status}): {json.dumps(body)[:200]}")
        if not any(s.connected and s.ready_sent for s in self.sessions.values()):
            lines.append("no bot is connected to the gateway")
        lines.append("last requests:")
        lines += [f"  {r}" + (f"  ERRORS: {r.errors}" if r.errors else "") for r in self.requests[-8:]] or ["  (none)"]
        if self.bot_errors:
            lines.append("bot errors:")
            lines += [f"  {e[:2000]}" for e in self.bot_errors[-3:]]
        return "\n".join(lines)

