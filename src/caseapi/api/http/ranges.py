"""Byte ranges (RFC 9110 §14): parts of a file, for video players and resumed downloads.

Only a single range is served as a range; a request for several gets the
whole file (which RFC 9110 allows), and one that asks past the end gets 416.
Files are sent in small chunks from an open file, so that a slow client holds
a little memory, not a megabyte.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import anyio

CHUNK_BYTES = 64 * 1024
_SINGLE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


class Unsatisfiable(ValueError):
    """The range lies wholly past the end of the file."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The first and last byte a ``Range`` header asks for; ``None``: send it all."""
    if not header:
        return None
    match = _SINGLE.match(header)
    if match is None:
        return None  # several ranges, or not bytes: the whole file is a valid answer
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        length = int(last)
        if length == 0:
            raise Unsatisfiable(header)
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise Unsatisfiable(header)
    return start, end


async def file_chunks(path: Path, start: int, end: int) -> AsyncIterator[bytes]:
    """The bytes ``start`` to ``end`` (inclusive) of ``path``, a chunk at a time."""
    async with await anyio.open_file(path, "rb") as file:
        await file.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = await file.read(min(CHUNK_BYTES, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
