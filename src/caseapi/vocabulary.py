"""The words of the public content: as-you-type completion and "did you mean".

Whoosh is slow at prefix and fuzzy matching over its lexicon; a sorted list
of folded words answers a prefix with two bisections, and rapidfuzz finds
near misses among 100,000 words in milliseconds.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from caseapi.compounds import split_compound
from caseapi.models import Document
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
        words.update(split_compound(fold(word)))
    return words


def count_words(documents: Iterable[Document]) -> Counter[str]:
    """In how many documents each word occurs."""
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update(document_words(document))
    return counts


def edit_budget(word: str) -> int:
    """Typos tolerated: none for short words, one from five letters, two from nine."""
    if len(word) >= 9:
        return 2
    return 1 if len(word) >= 5 else 0


class Vocabulary:
    """Words with their document counts, searchable by prefix and by likeness."""

    def __init__(self, counts: dict[str, int]) -> None:
        best: dict[str, tuple[str, int]] = {}
        for word, count in counts.items():
            key = fold(word)
            # One spelling per folded form: the most used one ("cliënten" over "clienten").
            if key not in best or count > best[key][1]:
                best[key] = (word, count)
        self._folded = sorted(best)
        self._entries = [best[key] for key in self._folded]
        self._counts = {key: best[key][1] for key in self._folded}

    def __len__(self) -> int:
        return len(self._folded)

    def __contains__(self, word: str) -> bool:
        return fold(word) in self._counts

    def complete(self, prefix: str, limit: int = 10) -> list[tuple[str, int]]:
        """The most used words starting with ``prefix`` (accents ignored)."""
        key = fold(prefix)
        if not key:
            return []
        start = bisect.bisect_left(self._folded, key)
        end = bisect.bisect_left(self._folded, key + "\uffff", lo=start)
        matches = self._entries[start : min(end, start + MAX_COMPLETION_SCAN)]
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
            (distance, -self._counts[match], match) for match, distance, _ in found if match != key
        )
        return [self._entries[bisect.bisect_left(self._folded, m)][0] for _, _, m in ranked[:limit]]

    def correct(self, word: str) -> str | None:
        """The word a visitor probably meant, or ``None`` when ``word`` is known or hopeless."""
        if word in self:
            return None
        candidates = self.similar(word, limit=1)
        return candidates[0] if candidates else None
