"""Searching the Whoosh index: ranked hits, facets, typo tolerance, suggestions.

Designed around Whoosh's costs: one long-lived searcher per generation, all
Whoosh calls on one dedicated thread, facets counted from per-document facts
kept in memory (not ``groupedby``), snippets from short stored text (not the
highlighter), typo tolerance only as a fallback and through the vocabulary
(not ``FuzzyTerm`` over the lexicon).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import math
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, Literal, TypeVar

import msgspec
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndNot, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from caseapi.models import AMSTERDAM
from caseapi.search.analysis import dutch_analyzer, english_analyzer, terms
from caseapi.search.compounds import split_compound
from caseapi.search.query import ParsedQuery, Part, parse_query
from caseapi.search.snippets import highlight_title, snippet
from caseapi.search.vocabulary import Vocabulary
from caseapi.search.writer import (
    DUTCH_FIELDS,
    ENGLISH_FIELDS,
    HitFacts,
    facts_decoder,
    now_timestamp,
)
from caseapi.slugs import fold

HitType = Literal["assignment", "post"]
BM25_K1 = 1.2
BM25_B = 0.75
SCORED_FIELDS = (*DUTCH_FIELDS, *ENGLISH_FIELDS)
# Fewer exact hits than this and we also try the words a typo away.
FUZZY_BELOW = 3
FUZZY_BOOST = 0.5
PREFIX_EXPANSIONS = 12
FACET_TAGS = 20
_TYPE_OF = {"assignments": "assignment", "posts": "post"}
OPEN_ATTEMPTS = 5
T = TypeVar("T")

_DUTCH = dutch_analyzer()
_ENGLISH = english_analyzer()


class SearchFilters(msgspec.Struct, frozen=True, kw_only=True):
    """Filters of ``/search``."""

    type: HitType | None = None
    tag: str | None = None
    year: int | None = None


class Hit(msgspec.Struct, kw_only=True):
    """One search result."""

    type: HitType
    slug: str
    title: str
    title_html: str
    url: str
    date: dt.datetime
    score: float
    snippets: list[str]


class FacetCount(msgspec.Struct):
    """A facet value and how many matching documents have it."""

    value: str
    count: int


class YearCount(msgspec.Struct):
    """A year and how many matching documents belong to it."""

    value: int
    count: int


class Facets(msgspec.Struct, kw_only=True):
    """Counts over every matching document, not only the current page."""

    type: list[FacetCount]
    tags: list[FacetCount]
    year: list[YearCount]


class SearchOutcome(msgspec.Struct, kw_only=True):
    """What a search found."""

    hits: list[Hit]
    total: int
    facets: Facets
    suggestion: str | None
    fuzzy: bool


class Completion(msgspec.Struct, kw_only=True):
    """An as-you-type completion: a query to run, or a document to open."""

    text: str
    kind: Literal["word", "title"]
    count: int | None = None
    type: HitType | None = None
    slug: str | None = None


class _Segment:
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


def _read_weights(matcher: Any, offset: int, into: dict[int, float]) -> None:
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


class _Snapshot:
    """One generation's searcher with its in-memory facts; never changes once built."""

    def __init__(
        self, folder: Path, vocabulary: Vocabulary, previous: _Snapshot | None = None
    ) -> None:
        self.folder = folder
        self.index = whoosh_index.open_dir(str(folder))
        self.searcher: Searcher = self.index.searcher()
        self.vocabulary = vocabulary
        reader = self.searcher.reader()
        self._reader = reader
        known = previous.segments if previous is not None and previous.folder == folder else {}
        self.segments: dict[str, _Segment] = {}
        self.facts: dict[int, HitFacts] = {}
        self.timestamps: dict[int, float] = {}
        self.lengths: dict[str, dict[int, int]] = {field: {} for field in SCORED_FIELDS}
        for segment_reader, offset in reader.leaf_readers():
            whoosh_segment = segment_reader.segment()
            if whoosh_segment is None:  # an empty index has a reader but no segment
                continue
            name = whoosh_segment.segment_id()
            segment = known.get(name) or _Segment(segment_reader)
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
        self.scheduled = {
            docnum: facts.publish_at
            for docnum, facts in self.facts.items()
            if facts.publish_at is not None
        }
        self._allowed = lru_cache(maxsize=256)(self._allowed_ignoring_schedule)
        # Snippets analyse index-side, which needs the compound word list: load it
        # now, while opening, rather than during somebody's first search.
        split_compound("vakmanschapsontwikkeling")

        self._postings = lru_cache(maxsize=4096)(self._posting_weights)
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

    def facet_values(self, this_year: int) -> _FacetValues:
        """What facets count, per document; ongoing assignments run up to ``this_year``."""
        return self._facet_values(this_year)

    def _facet_values_of_year(self, this_year: int) -> _FacetValues:
        return _FacetValues(
            types={docnum: _TYPE_OF[facts.collection] for docnum, facts in self.facts.items()},
            tags={docnum: tuple(facts.tags) for docnum, facts in self.facts.items()},
            years={docnum: _years(facts, this_year) for docnum, facts in self.facts.items()},
        )

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
                _read_weights(segment_reader.postings(field, text), offset, weights)
        if self._live is not None:
            weights = {docnum: weight for docnum, weight in weights.items() if docnum in self._live}
        return weights

    def _alternative_documents(self, alternative: _Alternative) -> set[int]:
        if alternative.phrase:
            return set(self.searcher.docs_for_query(alternative.query()))
        postings = [self._postings(alternative.field, stem).keys() for stem in alternative.stems]
        found = set(postings[0])
        for more in postings[1:]:
            found &= more
        return found

    def documents_matching(self, alternatives: tuple[_Alternative, ...]) -> set[int]:
        """Documents matching any of ``alternatives``."""
        found: set[int] = set()
        for alternative in alternatives:
            found |= self._alternative_documents(alternative)
        return found

    def score(self, plan: _Plan, matched: list[int]) -> dict[int, float]:
        """BM25F scores of ``matched``: per typed part its best alternative, summed.

        Done here rather than by Whoosh's collector, whose Python matcher tree
        costs more than the arithmetic: postings are cached dicts, lengths are
        read once per generation, and only documents known to match are scored.
        """
        scores = dict.fromkeys(matched, 0.0)
        for alternatives in plan.include:
            best: dict[int, float] = {}
            for alternative in alternatives:
                candidates = self._alternative_documents(alternative) & scores.keys()
                if not candidates:
                    continue
                lengths = self.lengths.get(alternative.field, {})
                average = self.average_length.get(alternative.field, 1.0)
                for stem in alternative.stems:
                    postings = self._postings(alternative.field, stem)
                    idf = math.log(
                        1 + (self.documents - len(postings) + 0.5) / (len(postings) + 0.5)
                    )
                    weight = idf * alternative.boost
                    for docnum in candidates:
                        frequency = postings.get(docnum, 0.0)
                        norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths.get(docnum, 0) / average)
                        value = weight * frequency * (BM25_K1 + 1) / (frequency + norm)
                        if value > best.get(docnum, 0.0):
                            best[docnum] = value
            for docnum, value in best.items():
                scores[docnum] += value
        return scores

    def allowed(self, filters: SearchFilters, now: float) -> set[int] | None:
        """Documents a search may return now; ``None`` means all of them."""
        hidden = {docnum for docnum, moment in self.scheduled.items() if moment > now}
        if filters == SearchFilters() and not hidden:
            return None
        return set(self._allowed(filters)) - hidden

    def _allowed_ignoring_schedule(self, filters: SearchFilters) -> frozenset[int]:
        tag = fold(filters.tag) if filters.tag else None
        this_year = dt.datetime.now(AMSTERDAM).year
        return frozenset(
            docnum
            for docnum, facts in self.facts.items()
            if (filters.type is None or _TYPE_OF[facts.collection] == filters.type)
            and (tag is None or any(fold(name) == tag for name in facts.tags))
            and (filters.year is None or filters.year in _years(facts, this_year))
        )


def _years(facts: HitFacts, this_year: int) -> range:
    end = facts.year_to if facts.year_to is not None else max(this_year, facts.year_from)
    return range(facts.year_from, end + 1)


class SearchIndex:
    """The searchable index of the current generation, behind one thread."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._snapshot: _Snapshot | None = None
        # Whoosh readers are not meant for concurrent use; one thread also keeps
        # the event loop free, and Python would not run two searches at once anyway.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search")

    @property
    def folder(self) -> Path | None:
        """The index folder being searched."""
        return self._snapshot.folder if self._snapshot else None

    async def run(self, function: Callable[..., T], *arguments: Any) -> T:
        """Run ``function`` on the search thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, *arguments)

    async def load(self, folder: Path, vocabulary: Vocabulary) -> None:
        """Switch to the index in ``folder`` (opened off the search thread, then swapped)."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                fresh = await asyncio.to_thread(_Snapshot, folder, vocabulary, self._snapshot)
                break
            except FileNotFoundError:
                # A live update committed while we opened: the table of contents we
                # found was replaced (and deleted). The newer one is there; open again.
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
        old, self._snapshot = self._snapshot, fresh
        if old is not None:
            await self.run(old.close)  # after any search still using it

    async def close(self) -> None:
        """Close the searcher and stop the search thread."""
        if self._snapshot is not None:
            await self.run(self._snapshot.close)
            self._snapshot = None
        self._executor.shutdown(wait=True)

    def search(
        self, parsed: ParsedQuery, filters: SearchFilters, offset: int, limit: int
    ) -> SearchOutcome:
        """Run a search; call through ``run`` so Whoosh stays on its thread."""
        snapshot = self._snapshot
        if snapshot is None:
            return _empty()
        allowed = snapshot.allowed(filters, now_timestamp())
        plan = _plan(snapshot, parsed, fuzzy=False)
        if plan is None:
            return _empty()
        matched = _matching(snapshot, plan, allowed)
        fuzzy = False
        if len(matched) < FUZZY_BELOW:
            fuzzy_plan = _plan(snapshot, parsed, fuzzy=True)
            if fuzzy_plan is not None and fuzzy_plan != plan:
                fuzzy_matched = _matching(snapshot, fuzzy_plan, allowed)
                if len(fuzzy_matched) > len(matched):
                    plan, matched, fuzzy = fuzzy_plan, fuzzy_matched, True
        hits: list[Hit] = []
        if matched and offset < len(matched):
            scores = snapshot.score(plan, matched)
            # Best first; equal scores newest first, so the order is stable.
            ranked = heapq.nsmallest(
                offset + limit,
                scores,
                key=lambda docnum: (-scores[docnum], -snapshot.timestamps[docnum], docnum),
            )
            for docnum in ranked[offset : offset + limit]:
                hits.append(self._hit(snapshot.facts[docnum], scores[docnum], plan.highlight))
        # "Did you mean" when nothing matched, or when typo tolerance found the hits.
        suggestion = None if matched and not fuzzy else self._suggestion(snapshot, parsed, allowed)
        return SearchOutcome(
            hits=hits,
            total=len(matched),
            facets=_facets(snapshot, matched),
            suggestion=suggestion,
            fuzzy=fuzzy,
        )

    def _suggestion(
        self, snapshot: _Snapshot, parsed: ParsedQuery, allowed: set[int] | None
    ) -> str | None:
        """A corrected query, offered only when it would find something."""
        corrected = _corrected(snapshot, parsed)
        if corrected is None:
            return None
        plan = _plan(snapshot, parse_query(corrected), fuzzy=False)
        if plan is None or not _matching(snapshot, plan, allowed):
            return None
        return corrected

    def _hit(self, facts: HitFacts, score: float, matched_terms: frozenset[str]) -> Hit:
        return Hit(
            type=_TYPE_OF[facts.collection],  # type: ignore[arg-type]
            slug=facts.slug,
            title=facts.title,
            title_html=highlight_title(facts.title, facts.lang, matched_terms),
            url=f"{self._base_url}/{facts.collection}/{facts.slug}",
            date=dt.datetime.fromisoformat(facts.date),
            score=round(float(score), 4),
            snippets=[snippet(facts.text, facts.lang, matched_terms)],
        )

    def suggest(self, text: str, limit: int) -> list[Completion]:
        """Completions of the last word typed, then titles containing a word starting so."""
        snapshot = self._snapshot
        words = text.replace("*", " ").split()
        if snapshot is None or not words:
            return []
        last = words[-1]
        before = " ".join(words[:-1])
        # "vakmanschap " (a space typed) asks for a next word, not another ending.
        finished = text[-1:].isspace()
        completions = [
            Completion(text=f"{before} {word}".strip(), kind="word", count=count)
            for word, count in ([] if finished else snapshot.vocabulary.complete(last, limit))
        ]
        now = now_timestamp()
        key = fold(last)
        titles = []
        for facts in snapshot.facts.values():
            if facts.publish_at is not None and facts.publish_at > now:
                continue
            if any(word.startswith(key) for word in fold(facts.title).split()):
                titles.append(facts)
        titles.sort(key=lambda facts: facts.date, reverse=True)
        completions.extend(
            Completion(
                text=facts.title,
                kind="title",
                type=_TYPE_OF[facts.collection],  # type: ignore[arg-type]
                slug=facts.slug,
            )
            for facts in titles[:limit]
        )
        return completions


def _empty() -> SearchOutcome:
    return SearchOutcome(
        hits=[],
        total=0,
        facets=Facets(type=[], tags=[], year=[]),
        suggestion=None,
        fuzzy=False,
    )


class _Alternative(msgspec.Struct, frozen=True):
    """One way a typed part can match: all ``stems`` in ``field`` (in order, for a phrase)."""

    field: str
    stems: tuple[str, ...]
    phrase: bool
    boost: float
    # Words of a phrase that analysis dropped (stop words), so its terms may stand apart.
    gaps: int = 0

    def query(self) -> Query:
        if self.phrase:
            # Stop words keep their positions in the index but not in the query:
            # allow a gap of that many words ("zorg voor de mensen" -> zorg .. mensen).
            return Phrase(self.field, list(self.stems), slop=1 + self.gaps, boost=self.boost)
        terms_ = [Term(self.field, stem, boost=self.boost) for stem in self.stems]
        return terms_[0] if len(terms_) == 1 else And(terms_)


class _Plan(msgspec.Struct, frozen=True):
    """A query as alternatives per part: matched with set algebra, scored by Whoosh."""

    include: tuple[tuple[_Alternative, ...], ...]
    exclude: tuple[tuple[_Alternative, ...], ...]
    highlight: frozenset[str]

    def query(self) -> Query:
        required = [_any(alternatives) for alternatives in self.include]
        query: Query = required[0] if len(required) == 1 else And(required)
        if self.exclude:
            query = AndNot(query, Or([_any(alternatives) for alternatives in self.exclude]))
        return query


def _any(alternatives: tuple[_Alternative, ...]) -> Query:
    queries = [alternative.query() for alternative in alternatives]
    return queries[0] if len(queries) == 1 else Or(queries)


def _matching(snapshot: _Snapshot, plan: _Plan, allowed: set[int] | None) -> list[int]:
    """Every matching document number, from cached posting sets (no scoring, no matchers)."""
    matched: set[int] | None = None
    for alternatives in plan.include:
        found = snapshot.documents_matching(alternatives)
        matched = found if matched is None else matched & found
        if not matched:
            return []
    assert matched is not None
    for alternatives in plan.exclude:
        matched = matched - snapshot.documents_matching(alternatives)
    if allowed is not None:
        matched &= allowed
    return sorted(matched)


def _alternatives(
    snapshot: _Snapshot, part: Part, fuzzy: bool, highlight: set[str]
) -> tuple[_Alternative, ...]:
    """The ways one typed part can match, in both languages and with its variants.

    Alternatives whose terms are not in the index are left out: they cannot
    match, and every branch left in costs Whoosh a matcher when scoring.
    """
    vocabulary = snapshot.vocabulary
    spellings = [(part.text, 1.0)]
    if part.prefix:
        spellings += [(word, 0.8) for word, _ in vocabulary.complete(part.text, PREFIX_EXPANSIONS)]
    found = _spelling_alternatives(snapshot, spellings, part.phrase, highlight)
    # Only words the index does not know can be typos: "keten" is a word, not a
    # misspelt "kennen", and "werkt" is found through "werken" by stemming.
    if fuzzy and not found and not part.phrase and not part.prefix:
        similar = [(word, FUZZY_BOOST) for word in vocabulary.similar(part.text)]
        found = _spelling_alternatives(snapshot, similar, False, highlight)
    return found


def _spelling_alternatives(
    snapshot: _Snapshot, spellings: list[tuple[str, float]], phrase: bool, highlight: set[str]
) -> tuple[_Alternative, ...]:
    found: list[_Alternative] = []
    for text, boost in spellings:
        for analyzer, fields in ((_DUTCH, DUTCH_FIELDS), (_ENGLISH, ENGLISH_FIELDS)):
            stems = tuple(terms(analyzer, text))
            if not stems:
                continue
            highlight.update(stems)
            as_phrase = phrase and len(stems) > 1
            gaps = max(0, len(text.split()) - len(stems)) if as_phrase else 0
            for field in fields:
                if all(snapshot.has_term(field, stem) for stem in stems):
                    found.append(_Alternative(field, stems, as_phrase, boost, gaps))
    return tuple(dict.fromkeys(found))


def _known(snapshot: _Snapshot, word: str) -> bool:
    """True when ``word`` (after analysis) occurs in the index."""
    return bool(_spelling_alternatives(snapshot, [(word, 1.0)], False, set()))


def _plan(snapshot: _Snapshot, parsed: ParsedQuery, fuzzy: bool) -> _Plan | None:
    """The plan of a parsed query; ``None`` when it has no searchable words at all."""
    highlight: set[str] = set()
    include = []
    searchable = False
    for part in parsed.include:
        # A stop word of either language, or only symbols, asks nothing: "doe" is
        # a Dutch stop word even where an English text happens to contain it.
        if _is_stop_word(part):
            continue
        # A real word that is nowhere in the index matches nothing.
        include.append(_alternatives(snapshot, part, fuzzy, highlight))
        searchable = True
    if not searchable:
        return None
    exclude = [
        alternatives
        for part in parsed.exclude
        if (alternatives := _alternatives(snapshot, part, False, set()))
    ]
    return _Plan(include=tuple(include), exclude=tuple(exclude), highlight=frozenset(highlight))


def _is_stop_word(part: Part) -> bool:
    return part.phrase is False and not (terms(_DUTCH, part.text) and terms(_ENGLISH, part.text))


def _facets(snapshot: _Snapshot, matched: list[int]) -> Facets:
    # Counted from per-document tuples at C speed: a common word matches thousands.
    kinds = snapshot.facet_values(dt.datetime.now(AMSTERDAM).year)
    types = Counter(map(kinds.types.__getitem__, matched))
    tags = Counter(chain.from_iterable(map(kinds.tags.__getitem__, matched)))
    years = Counter(chain.from_iterable(map(kinds.years.__getitem__, matched)))
    return Facets(
        type=[FacetCount(value, count) for value, count in types.most_common()],
        tags=[FacetCount(value, count) for value, count in tags.most_common(FACET_TAGS)],
        year=[YearCount(year, count) for year, count in sorted(years.items(), reverse=True)],
    )


class _FacetValues(msgspec.Struct, frozen=True):
    """Each document's type, tags and years, ready to be counted."""

    types: dict[int, str]
    tags: dict[int, tuple[str, ...]]
    years: dict[int, range]


def _corrected(snapshot: _Snapshot, parsed: ParsedQuery) -> str | None:
    """The query with each unknown word replaced by the closest known one, if any changed."""
    changed = False
    parts = []
    for part in parsed.include:
        words = []
        for word in part.text.split():
            correction = None
            # A prefix is unfinished on purpose; only whole words get corrected.
            if not part.prefix and not _known(snapshot, word):
                candidates = snapshot.vocabulary.similar(word, limit=1)
                correction = candidates[0] if candidates else None
            changed = changed or correction is not None
            words.append(correction or word)
        text = " ".join(words)
        if part.phrase:
            text = f'"{text}"'
        elif part.prefix:
            text += "*"
        parts.append(text)
    if not changed:
        return None
    excluded = [f'-"{part.text}"' if part.phrase else f"-{part.text}" for part in parsed.exclude]
    return " ".join(parts + excluded)
