"""One generation of the Whoosh index, read into structures that are fast to search.

Whoosh is pure Python and slow where a search spends its time: iterating
postings, looking up field lengths, grouping facets. A snapshot reads what
searches need once per generation (facts, field lengths) and caches what
they ask for again and again (postings, term lookups), and never changes
once built, so a search thread can use it without locks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import Query
from whoosh.searching import Searcher

from caseapi.models import DOCUMENT_TYPES
from caseapi.publication import ALWAYS, is_public, running_years, this_year
from caseapi.search.compounds import split_compound
from caseapi.search.interface import SearchFilters
from caseapi.search.schema import SCORED_FIELDS, HitFacts, facts_decoder
from caseapi.search.vocabulary import Vocabulary
from caseapi.slugs import fold

_ALWAYS = ALWAYS.timestamp()


class Segment:
    """What a snapshot keeps of one Whoosh segment, by the segment's own document numbers.

    Segments never change once written (deletions aside, which are applied when
    a snapshot is assembled), so the next generation's snapshot reuses these for
    every segment an incremental update left alone: opening it costs what the
    new segment holds, not what the whole index holds.
    """

    __slots__ = ("facts", "lengths", "timestamps")

    def __init__(self, reader: Any) -> None:
        self.facts: dict[int, HitFacts] = {}
        for docnum in range(reader.doc_count_all()):
            if not reader.is_deleted(docnum):
                self.facts[docnum] = facts_decoder.decode(reader.stored_fields(docnum)["facts"])
        self.timestamps = {
            docnum: dt.datetime.fromisoformat(facts.date).timestamp()
            for docnum, facts in self.facts.items()
        }
        # Field lengths for BM25, read once: Whoosh would look each one up per hit.
        self.lengths = {
            field: {docnum: reader.doc_field_length(docnum, field, 0) for docnum in self.facts}
            for field in SCORED_FIELDS
        }


def read_weights(matcher: Any, offset: int, into: dict[int, float]) -> None:
    """Add a term's postings (document -> weight) from one segment to ``into``.

    Whoosh's own iteration costs several Python calls per posting, the bulk of
    a search over common words at 10,000 documents; its posting blocks hold the
    numbers as arrays, which are taken a block at a time. Deleted documents are
    left in (the snapshot filters them); an unknown kind of matcher is read the
    slow way.
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        into.update((offset + docnum, weight) for docnum, weight in matcher.items_as("weight"))
        return
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids = matcher._ids
        into.update(zip(map(offset.__add__, ids) if offset else ids, matcher._weights, strict=True))
        matcher._next_block()


class FacetValues:
    """Each document's type, tags and years, ready to be counted."""

    __slots__ = ("tags", "types", "years")

    def __init__(self, facts: dict[int, HitFacts], current_year: int) -> None:
        self.types = {docnum: DOCUMENT_TYPES[f.collection] for docnum, f in facts.items()}
        self.tags = {docnum: f.tags for docnum, f in facts.items()}
        self.years = {
            docnum: running_years(f.year_from, f.year_to, current_year)
            for docnum, f in facts.items()
        }


class Snapshot:
    """One generation's searcher with its in-memory facts; never changes once built."""

    def __init__(
        self, folder: Path, vocabulary: Vocabulary, previous: Snapshot | None = None
    ) -> None:
        self.folder = folder
        self.index = whoosh_index.open_dir(str(folder))
        self.searcher: Searcher = self.index.searcher()
        self.vocabulary = vocabulary
        reader = self.searcher.reader()
        self._reader = reader
        known = previous.segments if previous is not None and previous.folder == folder else {}
        self.segments: dict[str, Segment] = {}
        self.facts: dict[int, HitFacts] = {}
        self.timestamps: dict[int, float] = {}
        self.lengths: dict[str, dict[int, int]] = {field: {} for field in SCORED_FIELDS}
        for segment_reader, offset in reader.leaf_readers():
            whoosh_segment = segment_reader.segment()
            if whoosh_segment is None:  # an empty index has a reader but no segment
                continue
            name = whoosh_segment.segment_id()
            segment = known.get(name) or Segment(segment_reader)
            self.segments[name] = segment
            live = [
                docnum
                for docnum in segment.facts
                if not (segment_reader.has_deletions() and segment_reader.is_deleted(docnum))
            ]
            if offset == 0 and len(live) == len(segment.facts):
                # The usual first segment, whole: copied at C speed, not number by number.
                self.facts.update(segment.facts)
                self.timestamps.update(segment.timestamps)
                for field, lengths in self.lengths.items():
                    lengths.update(segment.lengths[field])
                continue
            self.facts.update((offset + docnum, segment.facts[docnum]) for docnum in live)
            self.timestamps.update((offset + docnum, segment.timestamps[docnum]) for docnum in live)
            for field, lengths in self.lengths.items():
                own = segment.lengths[field]
                lengths.update((offset + docnum, own[docnum]) for docnum in live)
        # Documents with a publication moment of their own: hidden while it lies ahead.
        self.scheduled = {
            docnum: facts.public_from
            for docnum, facts in self.facts.items()
            if facts.public_from != _ALWAYS
        }
        self._allowed = lru_cache(maxsize=256)(self._allowed_ignoring_schedule)
        # Snippets analyse index-side, which needs the compound word list: load it
        # now, while opening, rather than during somebody's first search.
        split_compound("vakmanschapsontwikkeling")

        self.postings: Callable[[str, str], dict[int, float]] = lru_cache(maxsize=4096)(
            self._posting_weights
        )
        self._facet_values = lru_cache(maxsize=2)(self._facet_values_of_year)
        # Asked for every variant of every typed word, and a lookup in every segment.
        self.has_term: Callable[[str, str], bool] = lru_cache(maxsize=65_536)(self._has_term)
        self._live = frozenset(self.facts) if reader.has_deletions() else None
        self.documents = max(1, reader.doc_count())
        self.average_length = {
            field: max(1.0, reader.field_length(field) / self.documents) for field in SCORED_FIELDS
        }

    def close(self) -> None:
        self.searcher.close()
        self.index.close()

    def facet_values(self, current_year: int) -> FacetValues:
        """What facets count, per document; ongoing assignments run up to ``current_year``."""
        return self._facet_values(current_year)

    def _facet_values_of_year(self, current_year: int) -> FacetValues:
        return FacetValues(self.facts, current_year)

    def _has_term(self, field: str, text: str) -> bool:
        """True when ``text`` occurs in ``field`` of some document (``has_term``, cached)."""
        return (field, text) in self._reader

    def _posting_weights(self, field: str, text: str) -> dict[int, float]:
        """Document -> weight (term frequency times field boost) of one term."""
        if not self.has_term(field, text):
            return {}
        weights: dict[int, float] = {}
        for segment_reader, offset in self._reader.leaf_readers():
            if (field, text) in segment_reader:
                read_weights(segment_reader.postings(field, text), offset, weights)
        if self._live is not None:
            weights = {docnum: weight for docnum, weight in weights.items() if docnum in self._live}
        return weights

    def phrase_documents(self, query: Query) -> set[int]:
        """Documents matching a phrase query (positions are Whoosh's to check)."""
        return set(self.searcher.docs_for_query(query))

    def is_visible(self, docnum: int, now: dt.datetime) -> bool:
        """Whether a document is public at ``now`` (scheduled ones only from their time)."""
        return is_public(self.facts[docnum].public_from, now.timestamp())

    def allowed(self, filters: SearchFilters, now: dt.datetime) -> set[int] | None:
        """Documents a search may return at ``now``; ``None`` means all of them."""
        moment = now.timestamp()
        hidden = {docnum for docnum, at in self.scheduled.items() if not is_public(at, moment)}
        if filters == SearchFilters() and not hidden:
            return None
        return set(self._allowed(filters, this_year(now))) - hidden

    def _allowed_ignoring_schedule(
        self, filters: SearchFilters, current_year: int
    ) -> frozenset[int]:
        tag = fold(filters.tag) if filters.tag else None
        return frozenset(
            docnum
            for docnum, facts in self.facts.items()
            if (filters.type is None or DOCUMENT_TYPES[facts.collection] == filters.type)
            and (tag is None or any(fold(name) == tag for name in facts.tags))
            and (
                filters.year is None
                or filters.year in running_years(facts.year_from, facts.year_to, current_year)
            )
        )
