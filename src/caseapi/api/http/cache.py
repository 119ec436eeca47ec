"""The response cache: rendered answers of one process, valid while what is public stays put.

An answer is kept for one epoch, the stretch of time in which what is public
does not change (``publication.public_epoch``): until the generation changes
or the next scheduled publication, whichever comes first. Bounded in entries
and bytes, least recently used out first.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import TYPE_CHECKING

from caseapi.api.http.compression import Encoding, compress
from caseapi.api.http.conditional import strong_etag
from caseapi.publication import public_epoch
from caseapi.settings import HttpSettings

if TYPE_CHECKING:
    from caseapi.api.readers import Readers


class Epoch:
    """A stretch of time in which what is public does not change."""

    __slots__ = ("generation", "last_change", "valid_until")

    def __init__(
        self, generation: int, last_change: dt.datetime, valid_until: dt.datetime | None
    ) -> None:
        self.generation = generation
        self.last_change = last_change
        self.valid_until = valid_until

    def covers(self, generation: int, now: dt.datetime) -> bool:
        """Whether answers rendered in this epoch still hold at ``now``."""
        return self.generation == generation and (
            self.valid_until is None or now < self.valid_until
        )


class Representation:
    """One rendered 200 answer, with its compressed copies made as they are asked for."""

    __slots__ = ("body", "compressible", "etag", "headers", "last_modified", "size", "variants")

    def __init__(
        self,
        body: bytes,
        headers: list[tuple[bytes, bytes]],
        last_modified: dt.datetime,
        compressible: bool,
    ) -> None:
        self.body = body
        self.headers = headers
        self.etag = strong_etag(body)
        self.last_modified = last_modified
        self.compressible = compressible
        self.variants: dict[Encoding, bytes] = {}
        self.size = len(body) + sum(len(name) + len(value) for name, value in headers) + 200

    def encoded(self, encoding: Encoding | None) -> tuple[bytes, int]:
        """The body in ``encoding``, and how many bytes making it added to this entry."""
        if encoding is None:
            return self.body, 0
        body = self.variants.get(encoding)
        if body is not None:
            return body, 0
        body = compress(self.body, encoding)
        self.variants[encoding] = body
        self.size += len(body)
        return body, len(body)


class ResponseCache:
    """Rendered answers of one process, valid for one epoch; LRU within its bounds."""

    def __init__(self, settings: HttpSettings) -> None:
        self.enabled = settings.response_cache
        self.max_entries = settings.response_cache_entries
        self.max_bytes = settings.response_cache_megabytes * 1024 * 1024
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, Representation] = OrderedDict()
        self._bytes = 0
        self._epoch: Epoch | None = None

    @property
    def entries(self) -> int:
        """How many answers are kept."""
        return len(self._entries)

    @property
    def bytes(self) -> int:
        """Roughly how much memory they take."""
        return self._bytes

    async def epoch(self, readers: Readers, now: dt.datetime) -> Epoch:
        """The current epoch; a new one (and an empty cache) when the last has ended."""
        epoch = self._epoch
        generation = readers.generation
        if epoch is not None and epoch.covers(generation, now):
            return epoch
        # No lock: two requests that both see the end compute the same new epoch.
        if epoch is not None and epoch.generation == generation and epoch.valid_until:
            since = epoch.valid_until  # a scheduled document has just become public
        elif readers.changed_at is not None:
            # The served generation's change, not the catalog's: between a new generation's
            # commit and the readers' switch to it, the catalog's date is later than what
            # search answers from, and they would keep that later date (and their 304s)
            # after the switch.
            since = readers.changed_at
        else:
            since = (await readers.catalog.generation()).changed_at
        last_change, valid_until = await public_epoch(readers.catalog.next_publication, since, now)
        fresh = Epoch(generation, last_change, valid_until)
        if self._epoch is epoch:
            self._epoch = fresh
            self._entries.clear()
            self._bytes = 0
        return self._epoch or fresh

    def get(self, key: str, epoch: Epoch) -> Representation | None:
        """The kept answer for ``key``, if it was rendered in ``epoch``."""
        if epoch is not self._epoch:
            return None
        representation = self._entries.get(key)
        if representation is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return representation

    def put(self, key: str, epoch: Epoch, representation: Representation) -> None:
        """Keep ``representation`` unless its epoch ended while it was rendered."""
        if not self.enabled or epoch is not self._epoch:
            return
        if representation.size > self.max_bytes // 8:
            return  # one answer must not push out everything else
        previous = self._entries.pop(key, None)
        if previous is not None:
            self._bytes -= previous.size
        self._entries[key] = representation
        self._bytes += representation.size
        self._shrink()

    def grew(self, key: str, added: int) -> None:
        """Account for a compressed copy added to a kept answer."""
        if added and key in self._entries:
            self._bytes += added
            self._shrink()

    def _shrink(self) -> None:
        while self._entries and (
            len(self._entries) > self.max_entries or self._bytes > self.max_bytes
        ):
            _, oldest = self._entries.popitem(last=False)
            self._bytes -= oldest.size
