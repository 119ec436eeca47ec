"""The words of the public content: as-you-type completion and "did you mean".

Whoosh is slow at prefix and fuzzy matching over its lexicon; a sorted list
of folded words answers a prefix with two bisections, and rapidfuzz finds
near misses among 100,000 words in milliseconds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from caseapi.models import Document, WordCount
from caseapi.publication import earliest_release, is_searchable, pending_release
from caseapi.search.compounds import split_compound
from caseapi.slugs import fold

_WORD = re.compile(r"[^\W\d_]{3,}(?:['’][^\W\d_]+)?")
MAX_COMPLETION_SCAN = 20_000


def document_words(document: Document) -> set[str]:
    """The distinct lowercase words of a document (three letters or more).

    Parts of compounds count as words too: search finds "ontwikkeling" in
    "teamontwikkeling", so suggestions and typo tolerance should know it.
    """
    text = " ".join([document.title, document.summary, document.text, *document.tags])
    words = {word.lower() for word in _WORD.findall(text)}
    for word in list(words):
        folded = fold(word)
        for part in split_compound(folded):
            words.add(_surface(word, folded, part))
    return words


def _surface(word: str, folded: str, part: str) -> str:
    """A compound part as the word spells it: "cliënten" from "cliëntenraad", not "clienten"."""
    start = folded.find(part)
    # Folding keeps one letter per letter for Dutch text; where it does not, keep the fold.
    if start < 0 or len(folded) != len(word):
        return part
    return word[start : start + len(part)]


def count_words(
    documents: Iterable[Document],
    now: dt.datetime,
    known: Mapping[str, frozenset[str]] | None = None,
) -> dict[str, WordCount]:
    """In how many non-draft documents each word occurs, and from when it may be shown.

    Words of a scheduled post are counted but only become visible at its
    ``publish_at``: suggestions must not give away what has not been published.
    ``known`` holds the words of documents (by path) already found elsewhere.
    """
    known = known or {}
    counts: Counter[str] = Counter()
    release: dict[str, dt.datetime | None] = {}
    for document in documents:
        if not is_searchable(document):
            continue
        pending = pending_release(document, now)
        words = known.get(document.path)
        for word in words if words is not None else document_words(document):
            counts[word] += 1
            release[word] = earliest_release(release[word], pending) if word in release else pending
    return {
        word: WordCount(documents=count, visible_from=release[word])
        for word, count in counts.items()
    }


def edit_budget(word: str) -> int:
    """Typos tolerated: none for short words, one from five letters, two from nine."""
    if len(word) >= 9:
        return 2
    return 1 if len(word) >= 5 else 0


class Vocabulary:
    """Words with their document counts, searchable by prefix and by likeness."""

    def __init__(self, counts: dict[str, WordCount]) -> None:
        # Rebuilt for every generation (tens of thousands of words): a lean loop.
        best: dict[str, tuple[str, int]] = {}
        totals: dict[str, int] = {}
        releases: dict[str, float | None] = {}
        for word, count in counts.items():
            key = fold(word)
            documents = count.documents
            totals[key] = totals.get(key, 0) + documents
            # One spelling per folded form: the most used one ("cliënten" over "clienten").
            kept = best.get(key)
            if kept is None or documents > kept[1]:
                best[key] = (word, documents)
            release = count.visible_from.timestamp() if count.visible_from else None
            releases[key] = earliest_release(releases[key], release) if key in releases else release
        self._folded = sorted(best)
        self._entries = [(best[key][0], totals[key]) for key in self._folded]
        self._counts = {key: totals[key] for key in self._folded}
        # Words only scheduled posts have: hidden until the first of them is published.
        self._release = {key: moment for key, moment in releases.items() if moment is not None}

    def _hidden(self, key: str) -> bool:
        moment = self._release.get(key)
        return moment is not None and moment > time.time()

    def __len__(self) -> int:
        return len(self._folded)

    def __contains__(self, word: str) -> bool:
        key = fold(word)
        return key in self._counts and not self._hidden(key)

    def complete(self, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
        """The most used words starting with ``prefix`` (accents ignored)."""
        key = fold(prefix)
        if not key:
            return []
        start = bisect.bisect_left(self._folded, key)
        end = bisect.bisect_left(self._folded, key + "\uffff", lo=start)
        stop = min(end, start + MAX_COMPLETION_SCAN)
        matches = [
            self._entries[index]
            for index in range(start, stop)
            if not self._release or not self._hidden(self._folded[index])
        ]
        return sorted(matches, key=lambda entry: (-entry[1], entry[0]))[:limit]

    def similar(self, word: str, limit: int = 5) -> list[str]:
        """Known words within the typo budget of ``word``, closest and most used first."""
        key = fold(word)
        budget = edit_budget(key)
        if budget == 0:
            return []
        found = process.extract(
            key,
            self._folded,
            scorer=Levenshtein.distance,
            score_cutoff=budget,
            limit=50,
        )
        ranked = sorted(
            (distance, -self._counts[match], match)
            for match, distance, _ in found
            if match != key and not self._hidden(match)
        )
        return [self._entries[bisect.bisect_left(self._folded, m)][0] for _, _, m in ranked[:limit]]

    def correct(self, word: str, known: Callable[[str], bool] | None = None) -> str | None:
        """The word a visitor probably meant, or ``None`` when ``word`` is known or hopeless.

        ``known`` says whether a word is known; by default, whether it is in this
        vocabulary (search asks the index, which also knows its stems).
        """
        if (known or self.__contains__)(word):
            return None
        candidates = self.similar(word, limit=1)
        return candidates[0] if candidates else None
