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
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeVar

import msgspec
from whoosh import index as whoosh_index
from whoosh.query import And, AndNot, Or, Phrase, Query, Term
from whoosh.searching import Searcher

from caseapi.analysis import dutch_analyzer, english_analyzer, terms
from caseapi.compounds import split_compound
from caseapi.models import AMSTERDAM
from caseapi.query import ParsedQuery, Part, parse_query
from caseapi.search_index import (
    DUTCH_FIELDS,
    ENGLISH_FIELDS,
    HitFacts,
    facts_decoder,
    now_timestamp,
)
from caseapi.slugs import fold
from caseapi.snippets import highlight_title, snippet
from caseapi.vocabulary import Vocabulary

HitType = Literal["assignment", "post"]
# Fewer exact hits than this and we also try the words a typo away.
FUZZY_BELOW = 3
FUZZY_BOOST = 0.5
PREFIX_EXPANSIONS = 12
FACET_TAGS = 20
_TYPE_OF = {"assignments": "assignment", "posts": "post"}
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


class Facets(msgspec.Struct, kw_only=True):
    """Counts over every matching document, not only the current page."""

    type: list[FacetCount]
    tags: list[FacetCount]
    year: list[FacetCount]


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


class _Snapshot:
    """One generation's searcher with its in-memory facts; never changes once built."""

    def __init__(self, folder: Path, vocabulary: Vocabulary) -> None:
        self.folder = folder
        self.index = whoosh_index.open_dir(str(folder))
        self.searcher: Searcher = self.index.searcher()
        self.vocabulary = vocabulary
        reader = self.searcher.reader()
        self.facts: dict[int, HitFacts] = {
            docnum: facts_decoder.decode(stored["facts"]) for docnum, stored in reader.iter_docs()
        }
        self.scheduled = {
            docnum: facts.publish_at
            for docnum, facts in self.facts.items()
            if facts.publish_at is not None
        }
        self._allowed = lru_cache(maxsize=256)(self._allowed_ignoring_schedule)
        # Snippets analyse index-side, which needs the compound word list: load it
        # now, while opening, rather than during somebody's first search.
        split_compound("vakmanschapsontwikkeling")

    def close(self) -> None:
        self.searcher.close()
        self.index.close()

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
        fresh = await asyncio.to_thread(_Snapshot, folder, vocabulary)
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
        query, matched_terms = _build_query(parsed, snapshot.vocabulary, fuzzy=False)
        if query is None:
            return _empty()
        matched = _matching(snapshot, query, allowed)
        fuzzy = False
        if len(matched) < FUZZY_BELOW:
            fuzzy_query, fuzzy_terms = _build_query(parsed, snapshot.vocabulary, fuzzy=True)
            if fuzzy_query is not None and fuzzy_terms != matched_terms:
                fuzzy_matched = _matching(snapshot, fuzzy_query, allowed)
                if len(fuzzy_matched) > len(matched):
                    query, matched_terms, matched, fuzzy = (
                        fuzzy_query,
                        fuzzy_terms,
                        fuzzy_matched,
                        True,
                    )
        hits: list[Hit] = []
        if matched and offset < len(matched):
            results = snapshot.searcher.search(
                query, limit=offset + limit, filter=allowed, terms=False
            )
            for result in results[offset : offset + limit]:
                facts = snapshot.facts[result.docnum]
                hits.append(self._hit(facts, result.score, matched_terms))
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
        corrected = _corrected(parsed, snapshot.vocabulary)
        if corrected is None:
            return None
        query, _ = _build_query(parse_query(corrected), snapshot.vocabulary, fuzzy=False)
        if query is None or not _matching(snapshot, query, allowed):
            return None
        return corrected

    def _hit(self, facts: HitFacts, score: float, matched_terms: set[str]) -> Hit:
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
        words = text.split()
        if snapshot is None or not words:
            return []
        last = words[-1]
        before = " ".join(words[:-1])
        completions = [
            Completion(text=f"{before} {word}".strip(), kind="word", count=count)
            for word, count in snapshot.vocabulary.complete(last, limit)
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


def _matching(snapshot: _Snapshot, query: Query, allowed: set[int] | None) -> list[int]:
    """Every matching document number, unscored (cheap: no ranking, no counting twice)."""
    return [
        docnum
        for docnum in snapshot.searcher.docs_for_query(query)
        if allowed is None or docnum in allowed
    ]


def _word_query(stems: list[str], fields: Iterable[str], boost: float = 1.0) -> Query | None:
    """All ``stems`` (from one typed word) in any of ``fields``."""
    if not stems:
        return None
    field_list = list(fields)
    per_stem = [Or([Term(field, stem, boost=boost) for field in field_list]) for stem in stems]
    return per_stem[0] if len(per_stem) == 1 else And(per_stem)


def _part_query(part: Part, vocabulary: Vocabulary, fuzzy: bool, matched: set[str]) -> Query | None:
    """The query of one typed part in both languages, with its variants."""
    alternatives: list[Query] = []
    spellings = [(part.text, 1.0)]
    if part.prefix:
        spellings += [(word, 0.8) for word, _ in vocabulary.complete(part.text, PREFIX_EXPANSIONS)]
    elif fuzzy and not part.phrase and part.text not in vocabulary:
        # Only unknown words can be typos: "keten" is a word, not a misspelt "kennen".
        spellings += [(word, FUZZY_BOOST) for word in vocabulary.similar(part.text)]
    for text, boost in spellings:
        for analyzer, fields in ((_DUTCH, DUTCH_FIELDS), (_ENGLISH, ENGLISH_FIELDS)):
            stems = terms(analyzer, text)
            matched.update(stems)
            if part.phrase and len(stems) > 1:
                alternatives.extend(Phrase(field, stems, boost=boost) for field in fields)
            else:
                query = _word_query(stems, fields, boost)
                if query is not None:
                    alternatives.append(query)
    if not alternatives:
        return None
    return alternatives[0] if len(alternatives) == 1 else Or(alternatives)


def _build_query(
    parsed: ParsedQuery, vocabulary: Vocabulary, fuzzy: bool
) -> tuple[Query | None, set[str]]:
    """The Whoosh query of a parsed query, and the terms to highlight."""
    matched: set[str] = set()
    required = [
        part_query
        for part in parsed.include
        if (part_query := _part_query(part, vocabulary, fuzzy, matched)) is not None
    ]
    if not required:
        return None, matched
    query: Query = required[0] if len(required) == 1 else And(required)
    excluded = [
        excluded_query
        for part in parsed.exclude
        if (excluded_query := _part_query(part, vocabulary, False, set())) is not None
    ]
    if excluded:
        query = AndNot(query, Or(excluded))
    return query, matched


def _facets(snapshot: _Snapshot, matched: list[int]) -> Facets:
    types: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    years: Counter[int] = Counter()
    this_year = dt.datetime.now(AMSTERDAM).year
    for docnum in matched:
        facts = snapshot.facts[docnum]
        types[_TYPE_OF[facts.collection]] += 1
        tags.update(facts.tags)
        years.update(_years(facts, this_year))
    return Facets(
        type=[FacetCount(value, count) for value, count in types.most_common()],
        tags=[FacetCount(value, count) for value, count in tags.most_common(FACET_TAGS)],
        year=[FacetCount(str(year), count) for year, count in sorted(years.items(), reverse=True)],
    )


def _corrected(parsed: ParsedQuery, vocabulary: Vocabulary) -> str | None:
    """The query with each unknown word replaced by the closest known one, if any changed."""
    changed = False
    parts = []
    for part in parsed.include:
        words = []
        for word in part.text.split():
            correction = None if part.prefix else vocabulary.correct(word)
            changed = changed or correction is not None
            words.append(correction or word)
        text = " ".join(words)
        parts.append(f'"{text}"' if part.phrase else text)
    if not changed:
        return None
    excluded = [f'-"{part.text}"' if part.phrase else f"-{part.text}" for part in parsed.exclude]
    return " ".join(parts + excluded)
