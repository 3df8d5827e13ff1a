"""Which shard, and so which bot process, a server belongs to: Discord's own formula, as a pure function."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord sends a server's events to shard (guild_id >> 22) % shard_count (its creation time, mod)."""
    return (guild_id >> 22) % shard_count


@dataclass(frozen=True)
class Shards:
    """The shards one process runs, of `count`: the servers whose daily timers it keeps."""

    count: int
    ids: Collection[int]

    def __call__(self, guild_id: int) -> bool:
        return shard_of(guild_id, self.count) in self.ids
