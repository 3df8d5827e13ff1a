"""Who may send a daily post (or reveal its answer) now, when several bot processes share one database.

A process claims the row it is about to send: `claimed_by` names it, `claimed_until` ends the claim
(a lease). Another process leaves a live claim alone; once the lease has run out, or its holder is
known to be gone, it takes the row over and looks for the message in the channel before sending
anything (the holder may have sent it just before dying). "Known to be gone": the holder ran on this
machine, in this process namespace, and its process no longer exists; or it was an earlier `Daily` of
this very process (there is one per process: a restart within a process, as the tests make, leaves
what the old one held to the new one). A holder on another machine or namespace is waited for until
its lease runs out.
"""
from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

# Long enough to send a post and open its thread while discord.py waits out rate limits (a fan-out of
# 2,500 servers at 50 requests/s queues the last for under 2 minutes; a sender that waits longer renews
# its claim first, Daily.renew); short enough that a post held by a process that hung, or died where its
# pid cannot be checked, is looked for again within a sweep or two (bot.scheduler.SWEEP_EVERY).
LEASE = timedelta(minutes=2)


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except OSError:  # not Linux: the host name alone tells machines apart
        return ""


def this_node() -> str:
    """This machine since its last boot, and this pid namespace: where a pid means the same process."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return "/".join((socket.gethostname(), _read("/proc/sys/kernel/random/boot_id"), namespace))


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists here (a reused pid looks alive: then the lease decides)."""
    if os.name != "posix":  # os.kill elsewhere would end the process, not probe it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


# what a claim is for (the first word of claimed_by)
SENDING, LOOKING, REVEALING = "send", "look", "reveal"


@dataclass(frozen=True)
class Claimant:
    """One `Daily` in one process. claimed_by stores what it does and who it is: `tag(SENDING)`."""

    token: str = field(default_factory=lambda: secrets.token_hex(8))
    pid: int = field(default_factory=os.getpid)
    node: str = field(default_factory=this_node)

    @property
    def who(self) -> str:
        return f"{self.token}:{self.pid}@{self.node}"

    def tag(self, doing: str) -> str:
        return f"{doing} {self.who}"

    def holds(self, tag: str | None, doing: str | None = None) -> bool:
        """Is `tag` this claimant's claim (for `doing`, if given)?"""
        kind, _, who = (tag or "").partition(" ")
        return who == self.who and (doing is None or kind == doing)

    def outlived(self, tag: str) -> bool:
        """Is the holder named by `tag` (not this claimant) certainly gone?"""
        token_pid, _, node = tag.partition(" ")[2].partition("@")
        _, _, pid_text = token_pid.partition(":")
        if node != self.node or not pid_text.isdigit():
            return False
        pid = int(pid_text)
        return pid == self.pid or not pid_alive(pid)
