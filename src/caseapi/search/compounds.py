"""Dutch compound splitting: ``vakmanschapsontwikkeling`` -> ``vakmanschap`` + ``ontwikkeling``.

No maintained, permissively licensed Dutch decompounder exists on PyPI, so
this is the longest-match splitter the search issue describes, over the
Dutch word list of ``wordfreq`` (used as a dependency, not bundled). It only
splits words that are rare or unknown, only into parts that are common words
themselves, and it knows the linking sounds ``s``, ``e`` and ``en``
(``vakmanschap-s-ontwikkeling``, ``boek-en-kast``).
"""

from __future__ import annotations

import math
from functools import cache, lru_cache

import wordfreq

from caseapi.slugs import fold

# A word this common is a word of its own, not a compound to take apart
# ("samenwerking", "ziekenhuis"); rarer compounds ("jeugdzorg", 3.7) are split.
WHOLE_WORD_ZIPF = 4.0
# Parts must be real, reasonably common words; short parts produce nonsense.
PART_ZIPF = 3.0
# A long part is rarely a chance match, so a rarer word will do ("professionalisering").
LONG_PART = 10
LONG_PART_ZIPF = 2.5
MIN_PART = 4
MIN_COMPOUND = 8
_LINKS = ("", "s", "e", "en")
# Suffixes that are also words: "vakmanschap" is not "vakman" + "schap" (shelf).
_SUFFIX_WORDS = frozenset({"schap", "schappen", "heid", "heden", "baar", "loos", "zaam", "achtig"})


@cache
def _vocabulary() -> dict[str, float]:
    """Folded Dutch words with their Zipf frequency, the frequent ones only."""
    words: dict[str, float] = {}
    # Rarer words never pass a threshold below: leaving them out (five in six of
    # the list) makes this, paid once per process, take a fraction of a second.
    rarest = 10 ** (min(WHOLE_WORD_ZIPF, PART_ZIPF, LONG_PART_ZIPF) - 9.01)  # 9.01: rounding
    # get_frequency_dict is one bulk read; zipf_frequency per word takes seconds.
    for word, frequency in wordfreq.get_frequency_dict("nl").items():
        if frequency < rarest or not word.isalpha():
            continue
        key = fold.__wrapped__(word)  # not through fold's cache: these would fill it
        words[key] = max(words.get(key, 0.0), round(math.log10(frequency) + 9, 2))
    return words


def zipf(word: str) -> float:
    """How common a (folded) Dutch word is; 0 when unknown."""
    return _vocabulary().get(word, 0.0)


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a folded compound word, or ``()`` when it is not one."""
    if len(word) < MIN_COMPOUND or zipf(word) >= WHOLE_WORD_ZIPF:
        return ()
    # Fewest parts first: "keten|samenwerking" beats "ketens|amen|werking".
    for count in (2, 3, 4):
        parts = _split(word, count)
        if parts:
            return tuple(parts)
    return ()


def _split(rest: str, count: int) -> list[str] | None:
    """``rest`` as exactly ``count`` common words (with linking sounds), longest head first."""
    if count == 1:
        if rest in _SUFFIX_WORDS:
            return None
        return [rest] if len(rest) >= MIN_PART and _is_part(rest) else None
    for end in range(len(rest) - MIN_PART, MIN_PART - 1, -1):
        head = rest[:end]
        if not _is_part(head):
            continue
        tail = rest[end:]
        for link in _LINKS:
            if tail.startswith(link):
                deeper = _split(tail[len(link) :], count - 1)
                if deeper:
                    return [_without_link(head), *deeper]
    return None


def _is_part(word: str) -> bool:
    return zipf(word) >= (LONG_PART_ZIPF if len(word) >= LONG_PART else PART_ZIPF)


def _without_link(head: str) -> str:
    """``kwaliteits`` -> ``kwaliteit``: the linking s belongs to the joint, not the word."""
    if head.endswith("s") and len(head) - 1 >= MIN_PART and _is_part(head[:-1]):
        return head[:-1]
    return head
