"""One writer at a time: an advisory lock file in the index folder.

Every server worker, ``caseapi index`` and the admin endpoint may want to
write; ``flock`` on ``index/write.lock`` lets exactly one do so at a time and
is released by the kernel if the holder dies, so a crash never leaves the
index locked.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


@asynccontextmanager
async def write_lock(index_dir: Path) -> AsyncIterator[None]:
    """Hold the write lock of ``index_dir`` (waiting for it off the event loop)."""
    descriptor = _open(index_dir / "write.lock")
    try:
        await asyncio.to_thread(fcntl.flock, descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


class RoleLock:
    """A lock held for as long as a process plays a role (the one watcher)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._descriptor: int | None = None

    def try_acquire(self) -> bool:
        """Take the role if nobody has it; never waits."""
        if self._descriptor is not None:
            return True
        descriptor = _open(self._path)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return False
        self._descriptor = descriptor
        return True

    def release(self) -> None:
        """Give the role up."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
