"""Started as root: become `nobody` before bubblewrap, so the sandbox's processes are not root's.

Usage: python -I as_nobody.py STAGE_DIR UID GID SOURCE... -- BWRAP_ARGV...

Root's processes ignore the process-count limit (RLIMIT_NPROC), so the sandbox must run as another user.
That user may not be able to reach what the sandbox shows (a Python under /root, a checkout in a home
directory): in a private mount namespace that dies with this process, each SOURCE is bind-mounted on
STAGE_DIR/<index>, a tmpfs nobody can traverse, and bubblewrap binds it from there. Standard library only.
"""
import ctypes
import os
import sys

CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
libc = ctypes.CDLL(None, use_errno=True)


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    encoded = [x.encode() if x is not None else None for x in (source, target, fstype, data)]
    if libc.mount(encoded[0], encoded[1], encoded[2], flags, encoded[3]) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def main() -> None:
    split = sys.argv.index("--")
    stage, uid, gid, *sources = sys.argv[1:split]
    bwrap = sys.argv[split + 1:]
    if libc.unshare(CLONE_NEWNS) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"unshare(CLONE_NEWNS): {os.strerror(errno)}")
    mount("none", "/", None, MS_REC | MS_PRIVATE)  # nothing mounted here reaches the host
    mount("tmpfs", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=64k")
    for index, source in enumerate(sources):
        target = os.path.join(stage, str(index))
        if os.path.isdir(source):
            os.mkdir(target)
        else:
            open(target, "x").close()
        mount(source, target, None, MS_BIND | MS_REC)
    os.setgroups([])
    os.setgid(int(gid))
    os.setuid(int(uid))
    os.execv(bwrap[0], bwrap)


main()
