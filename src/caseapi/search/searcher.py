"""Searching the Whoosh index: ranked matches, facets, typo tolerance, completions.

Designed around Whoosh's costs: one snapshot per generation (``snapshot.py``),
all Whoosh calls on one dedicated thread, typo tolerance only as a fallback
and through the vocabulary (not ``FuzzyTerm`` over the lexicon), snippets
from short stored text (not the highlighter).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from caseapi.models import DOCUMENT_TYPES
from caseapi.publication import is_public, this_year
from caseapi.search.facets import count_facets
from caseapi.search.interface import Completion, Facets, Match, SearchFilters, SearchResult
from caseapi.search.plan import corrected, plan_query
from caseapi.search.query import ParsedQuery
from caseapi.search.scoring import matching, score
from caseapi.search.snapshot import Snapshot
from caseapi.search.snippets import snippet
from caseapi.search.vocabulary import Vocabulary
from caseapi.slugs import fold

# Fewer exact hits than this and we also try the words a typo away.
FUZZY_BELOW = 3
OPEN_ATTEMPTS = 5
T = TypeVar("T")


class WhooshSearcher:
    """The searchable index of the current generation, behind one thread."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        # Whoosh readers are not meant for concurrent use; one thread also keeps
        # the event loop free, and Python would not run two searches at once anyway.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search")

    @property
    def folder(self) -> Path | None:
        """The index folder being searched."""
        return self._snapshot.folder if self._snapshot else None

    async def _run(self, function: Callable[..., T], *arguments: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, *arguments)

    async def load(self, folder: Path, vocabulary: Vocabulary) -> None:
        """Switch to the index in ``folder`` (opened off the search thread, then swapped)."""
        for attempt in range(OPEN_ATTEMPTS):
            try:
                fresh = await asyncio.to_thread(Snapshot, folder, vocabulary, self._snapshot)
                break
            except FileNotFoundError:
                # A live update committed while we opened: the table of contents we
                # found was replaced (and deleted). The newer one is there; open again.
                if attempt == OPEN_ATTEMPTS - 1:
                    raise
        old, self._snapshot = self._snapshot, fresh
        if old is not None:
            await self._run(old.close)  # after any search still using it

    async def close(self) -> None:
        """Close the searcher and stop the search thread."""
        if self._snapshot is not None:
            await self._run(self._snapshot.close)
            self._snapshot = None
        self._executor.shutdown(wait=True)

    async def search(
        self,
        query: ParsedQuery,
        filters: SearchFilters,
        offset: int,
        limit: int,
        now: dt.datetime,
    ) -> SearchResult:
        """One page of matches for ``query``, as public at ``now``."""
        return await self._run(self.search_here, query, filters, offset, limit, now)

    async def suggest(self, text: str, limit: int, now: dt.datetime) -> list[Completion]:
        """Completions of the last word typed, then titles containing a word starting so."""
        return await self._run(self._suggest, text, limit, now)

    def search_here(
        self,
        parsed: ParsedQuery,
        filters: SearchFilters,
        offset: int,
        limit: int,
        now: dt.datetime,
    ) -> SearchResult:
        """``search`` on the calling thread, for measuring it alone; never beside ``search``."""
        snapshot = self._snapshot
        if snapshot is None:
            return _empty()
        allowed = snapshot.allowed(filters, now)
        plan = plan_query(snapshot, parsed, fuzzy=False)
        if plan is None:
            return _empty()
        matched = matching(snapshot, plan, allowed)
        fuzzy = False
        if len(matched) < FUZZY_BELOW:
            fuzzy_plan = plan_query(snapshot, parsed, fuzzy=True)
            if fuzzy_plan is not None and fuzzy_plan != plan:
                fuzzy_matched = matching(snapshot, fuzzy_plan, allowed)
                if len(fuzzy_matched) > len(matched):
                    plan, matched, fuzzy = fuzzy_plan, fuzzy_matched, True
        matches: list[Match] = []
        if matched and offset < len(matched):
            scores = score(snapshot, plan, matched)
            # Best first; equal scores newest first, so the order is stable.
            ranked = heapq.nsmallest(
                offset + limit,
                scores,
                key=lambda docnum: (-scores[docnum], -snapshot.timestamps[docnum], docnum),
            )
            for docnum in ranked[offset : offset + limit]:
                facts = snapshot.facts[docnum]
                matches.append(
                    Match(
                        facts=facts,
                        score=round(float(scores[docnum]), 4),
                        snippet=snippet(facts.text, facts.lang, plan.highlight),
                        terms=plan.highlight,
                    )
                )
        # "Did you mean" when nothing matched, or when typo tolerance found the hits.
        suggestion = None if matched and not fuzzy else _suggestion(snapshot, parsed, allowed)
        return SearchResult(
            matches=matches,
            total=len(matched),
            facets=count_facets(snapshot, matched, this_year(now)),
            suggestion=suggestion,
            fuzzy=fuzzy,
        )

    def _suggest(self, text: str, limit: int, now: dt.datetime) -> list[Completion]:
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
        moment = now.timestamp()
        key = fold(last)
        titles = [
            facts
            for facts in snapshot.facts.values()
            if is_public(facts.public_from, moment)
            and any(word.startswith(key) for word in fold(facts.title).split())
        ]
        titles.sort(key=lambda facts: facts.date, reverse=True)
        completions.extend(
            Completion(
                text=facts.title,
                kind="title",
                type=DOCUMENT_TYPES[facts.collection],
                slug=facts.slug,
            )
            for facts in titles[:limit]
        )
        return completions


def _suggestion(snapshot: Snapshot, parsed: ParsedQuery, allowed: set[int] | None) -> str | None:
    """A corrected query, offered only when it would find something."""
    correction = corrected(snapshot, parsed)
    if correction is None:
        return None
    plan = plan_query(snapshot, correction, fuzzy=False)
    if plan is None or not matching(snapshot, plan, allowed):
        return None
    return correction.text()


def _empty() -> SearchResult:
    return SearchResult(
        matches=[],
        total=0,
        facets=Facets(type=[], tags=[], year=[]),
        suggestion=None,
        fuzzy=False,
    )
