"""The network guard: while active, nothing but loopback may be connected to or looked up."""
from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable, Iterator
from typing import Any

_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "ip6-localhost"}


def _is_loopback(host: Any) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def loopback_only(on_violation: Callable[[str], None] | None = None) -> Iterator[None]:
    """Refuse (``PermissionError`` / ``socket.gaierror``) any TCP/UDP connect or name lookup that is
    not loopback while active.  ``on_violation`` is called with a description of each attempt."""
    orig_connect, orig_connect_ex, orig_gai = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        inet = sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
        if inet and not _is_loopback(address[0]):
            msg = f"e2e tests may only contact 127.0.0.1; refused connect to {address!r}"
            if on_violation:
                on_violation(msg)
            raise PermissionError(msg)

    def connect(self, address):  # type: ignore[no-untyped-def]
        check(self, address)
        return orig_connect(self, address)

    def connect_ex(self, address):  # type: ignore[no-untyped-def]
        check(self, address)
        return orig_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not _is_loopback(host):
            msg = f"e2e tests may only contact 127.0.0.1; refused name lookup of {host!r}"
            if on_violation:
                on_violation(msg)
            raise socket.gaierror(socket.EAI_NONAME, msg)
        return orig_gai(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.socket.connect = orig_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = orig_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = orig_gai  # type: ignore[assignment]
