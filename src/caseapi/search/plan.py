"""A parsed query -> a plan: per typed part, the terms that may match it, with typos corrected.

Planning looks only at which terms the index holds (``Snapshot.has_term``)
and at the vocabulary; matching and scoring the plan is ``scoring.py``'s job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from whoosh.query import Phrase

from caseapi.search.analysis import dutch_analyzer, english_analyzer, terms
from caseapi.search.query import ParsedQuery, Part
from caseapi.search.schema import DUTCH_FIELDS, ENGLISH_FIELDS

if TYPE_CHECKING:
    from caseapi.search.snapshot import Snapshot

FUZZY_BOOST = 0.5
PREFIX_EXPANSIONS = 12

_DUTCH = dutch_analyzer()
_ENGLISH = english_analyzer()


class Alternative(msgspec.Struct, frozen=True):
    """One way a typed part can match: all ``stems`` in ``field`` (in order, for a phrase)."""

    field: str
    stems: tuple[str, ...]
    phrase: bool
    boost: float
    # Words of a phrase that analysis dropped (stop words), so its terms may stand apart.
    gaps: int = 0

    def phrase_query(self) -> Phrase:
        """The Whoosh query of a phrase: only word positions need Whoosh."""
        # Stop words keep their positions in the index but not in the query:
        # allow a gap of that many words ("zorg voor de mensen" -> zorg .. mensen).
        return Phrase(self.field, list(self.stems), slop=1 + self.gaps, boost=self.boost)


class Plan(msgspec.Struct, frozen=True):
    """A query as alternatives per part: every included part must match one of its own."""

    include: tuple[tuple[Alternative, ...], ...]
    exclude: tuple[tuple[Alternative, ...], ...]
    # Every term any alternative stands for: what snippets and titles mark.
    highlight: frozenset[str]


def plan_query(snapshot: Snapshot, parsed: ParsedQuery, fuzzy: bool) -> Plan | None:
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
    return Plan(include=tuple(include), exclude=tuple(exclude), highlight=frozenset(highlight))


def corrected(snapshot: Snapshot, parsed: ParsedQuery) -> ParsedQuery | None:
    """The query with each unknown word replaced by the closest known one, if any changed."""
    changed = False
    parts = []
    for part in parsed.include:
        words = []
        for word in part.text.split():
            correction = None
            # A prefix is unfinished on purpose; only whole words get corrected.
            if not part.prefix:
                correction = snapshot.vocabulary.correct(
                    word, known=lambda text: _known(snapshot, text)
                )
            changed = changed or correction is not None
            words.append(correction or word)
        parts.append(msgspec.structs.replace(part, text=" ".join(words)))
    if not changed:
        return None
    return ParsedQuery(include=tuple(parts), exclude=parsed.exclude)


def _alternatives(
    snapshot: Snapshot, part: Part, fuzzy: bool, highlight: set[str]
) -> tuple[Alternative, ...]:
    """The ways one typed part can match, in both languages and with its variants.

    Alternatives whose terms are not in the index are left out: they cannot
    match, and every branch left in costs work when matching and scoring.
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
    snapshot: Snapshot, spellings: list[tuple[str, float]], phrase: bool, highlight: set[str]
) -> tuple[Alternative, ...]:
    found: list[Alternative] = []
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
                    found.append(Alternative(field, stems, as_phrase, boost, gaps))
    return tuple(dict.fromkeys(found))


def _known(snapshot: Snapshot, word: str) -> bool:
    """True when ``word`` (after analysis) occurs in the index."""
    return bool(_spelling_alternatives(snapshot, [(word, 1.0)], False, set()))


def _is_stop_word(part: Part) -> bool:
    return part.phrase is False and not (terms(_DUTCH, part.text) and terms(_ENGLISH, part.text))
