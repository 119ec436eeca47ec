"""Matching and ranking a plan: posting sets and BM25F, over a snapshot's cached structures.

Done here rather than by Whoosh's matchers and collector, whose Python object
tree costs more than the arithmetic: postings are cached dicts, field lengths
are read once per generation, and only documents known to match are scored.
"""

from __future__ import annotations

import math

from caseapi.search.plan import Alternative, Plan
from caseapi.search.snapshot import Snapshot

BM25_K1 = 1.2
BM25_B = 0.75


def matching(snapshot: Snapshot, plan: Plan, allowed: set[int] | None) -> list[int]:
    """Every matching document number, from cached posting sets (no scoring)."""
    matched: set[int] | None = None
    for alternatives in plan.include:
        found = _documents_matching(snapshot, alternatives)
        matched = found if matched is None else matched & found
        if not matched:
            return []
    assert matched is not None
    for alternatives in plan.exclude:
        matched = matched - _documents_matching(snapshot, alternatives)
    if allowed is not None:
        matched &= allowed
    return sorted(matched)


def score(snapshot: Snapshot, plan: Plan, matched: list[int]) -> dict[int, float]:
    """BM25F scores of ``matched``: per typed part its best alternative, summed."""
    scores = dict.fromkeys(matched, 0.0)
    for alternatives in plan.include:
        best: dict[int, float] = {}
        for alternative in alternatives:
            candidates = _alternative_documents(snapshot, alternative) & scores.keys()
            if not candidates:
                continue
            lengths = snapshot.lengths.get(alternative.field, {})
            average = snapshot.average_length.get(alternative.field, 1.0)
            for stem in alternative.stems:
                postings = snapshot.postings(alternative.field, stem)
                idf = math.log(
                    1 + (snapshot.documents - len(postings) + 0.5) / (len(postings) + 0.5)
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


def _alternative_documents(snapshot: Snapshot, alternative: Alternative) -> set[int]:
    if alternative.phrase:
        return snapshot.phrase_documents(alternative.phrase_query())
    postings = [snapshot.postings(alternative.field, stem).keys() for stem in alternative.stems]
    found = set(postings[0])
    for more in postings[1:]:
        found &= more
    return found


def _documents_matching(snapshot: Snapshot, alternatives: tuple[Alternative, ...]) -> set[int]:
    """Documents matching any of ``alternatives``."""
    found: set[int] = set()
    for alternative in alternatives:
        found |= _alternative_documents(snapshot, alternative)
    return found
