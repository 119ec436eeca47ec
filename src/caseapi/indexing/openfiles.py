"""Which content files some process still holds open for writing.

A file caught half-way through a slow save (an upload, a sync client, an editor
that pauses between writes) looks like any other file: its first half may even
be a valid post. Waiting until its modification time has been quiet for a
moment catches short pauses only; a file still open for writing is a surer
sign that more is coming. Linux tells through ``/proc``, for the processes
this one may look into (its own user's, or all of them for root); elsewhere
nothing is known and the quiet period alone decides.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

PROC = Path("/proc")
_WRITING = (os.O_WRONLY, os.O_RDWR)


def open_for_writing(content_dir: Path, relative_paths: Iterable[str]) -> set[str]:
    """The ones among ``relative_paths`` (under ``content_dir``) open for writing somewhere."""
    wanted = {os.path.realpath(content_dir / path): path for path in relative_paths}
    if not wanted or not (PROC / "self" / "fd").is_dir():
        return set()
    found: set[str] = set()
    for pid in os.listdir(PROC):
        if not pid.isdigit():
            continue
        descriptors = f"{PROC}/{pid}/fd"
        try:
            numbers = os.listdir(descriptors)
        except OSError:  # gone, or not ours to look at
            continue
        for number in numbers:
            try:
                target = os.readlink(f"{descriptors}/{number}")
            except OSError:
                continue
            if target in wanted and _writable(pid, number):
                found.add(wanted[target])
    return found


def _writable(pid: str, number: str) -> bool:
    """Whether descriptor ``number`` of ``pid`` was opened for writing (``fdinfo`` flags)."""
    try:
        info = Path(f"{PROC}/{pid}/fdinfo/{number}").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return False
    for line in info.splitlines():
        if line.startswith("flags:"):
            return int(line.split()[1], 8) & os.O_ACCMODE in _WRITING
    return False
