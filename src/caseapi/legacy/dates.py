"""Periods as legacy pages write them: ``Oktober 2003 - December 2004.`` -> 2003-10 .. 2004-12.

Understood: Dutch (and English) month names and their abbreviations (``okt``,
``mrt``, ``sept``), numeric months (``10-2003``, ``2003-10``), ranges with
``-``, ``–``, ``t/m``, ``tot (en met)`` or ``/``, a single month or year, and
``heden``/``nu``/``lopend`` or a leading ``vanaf``/``sinds`` for ongoing work.
Anything else is refused rather than guessed: a wrong period is worse than none.
"""

from __future__ import annotations

import re

import msgspec

_FULL_MONTHS = {
    1: ("januari", "january"),
    2: ("februari", "february"),
    3: ("maart", "march"),
    4: ("april",),
    5: ("mei", "may"),
    6: ("juni", "june"),
    7: ("juli", "july"),
    8: ("augustus", "august"),
    9: ("september",),
    10: ("oktober", "october"),
    11: ("november",),
    12: ("december",),
}
# Abbreviations that are not a prefix of a month name.
_EXTRA_ABBREVIATIONS = {"mrt": 3}
_ONGOING = {"heden", "nu", "lopend", "lopende", "doorlopend", "present", "now", "ongoing"}
_SINCE = re.compile(r"^(?:vanaf|sinds|per|since|from)\s+")
_SEPARATOR = re.compile(r"\s*(?:-|–|—|/|\bt/m\b|\btot en met\b|\btot\b|\bto\b)\s*")
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_NAMED = re.compile(r"^([a-z]+)\.?(?:\s+(\d{4}))?$")


class LegacyPeriod(msgspec.Struct, frozen=True):
    """Year-months as the front matter wants them; ``end`` None means ongoing."""

    start: str
    end: str | None


class PeriodError(ValueError):
    """The text is not a period we can read without guessing."""


class _Point(msgspec.Struct, frozen=True):
    year: int | None
    month: int | None  # None: the whole year (or, for a start without year, unknown)
    ongoing: bool = False


def month_number(word: str) -> int | None:
    """``okt``, ``Oktober``, ``oct.`` -> 10; None when it is not (unambiguously) a month."""
    word = word.lower().rstrip(".")
    if word in _EXTRA_ABBREVIATIONS:
        return _EXTRA_ABBREVIATIONS[word]
    if len(word) < 3:
        return None
    matches = {
        number for number, names in _FULL_MONTHS.items() for name in names if name.startswith(word)
    }
    return matches.pop() if len(matches) == 1 else None


def parse_period(text: str) -> LegacyPeriod:
    """Read a legacy ``Looptijd``; raises ``PeriodError`` when it cannot be read safely."""
    cleaned = " ".join(text.split()).strip().rstrip(".").strip().lower()
    if not cleaned:
        raise PeriodError("the period is empty")
    since = _SINCE.match(cleaned)
    if since:
        start = _point(cleaned[since.end() :])
        if start is None or start.ongoing or start.year is None:
            raise PeriodError(f"'{text.strip()}' is not a period")
        return LegacyPeriod(start=_format(start, first=True), end=None)
    single = _point(cleaned)
    if single is not None and single.year is not None and not single.ongoing:
        return LegacyPeriod(start=_format(single, first=True), end=_format(single, first=False))
    # Try every separator: '2003-10 - 2004-12' has a '-' inside its parts too.
    for separator in _SEPARATOR.finditer(cleaned):
        start = _point(cleaned[: separator.start()])
        end = _point(cleaned[separator.end() :])
        if start is None or end is None or start.ongoing:
            continue
        return _range(text, start, end)
    raise PeriodError(
        f"'{text.strip()}' is not a period like 'Oktober 2003 - December 2004', "
        "'2003 - 2004' or 'Oktober 2003 - heden'"
    )


def _range(text: str, start: _Point, end: _Point) -> LegacyPeriod:
    if end.ongoing:
        if start.year is None:
            raise PeriodError(f"'{text.strip()}' has no year to start from")
        return LegacyPeriod(start=_format(start, first=True), end=None)
    if end.year is None:
        raise PeriodError(f"'{text.strip()}' has no year at its end")
    # 'Oktober - December 2004': the start month is in the end's year.
    if start.year is None:
        start = _Point(year=end.year, month=start.month)
    first, last = _format(start, first=True), _format(end, first=False)
    if last < first:
        raise PeriodError(f"'{text.strip()}' ends before it starts")
    return LegacyPeriod(start=first, end=last)


def _point(text: str) -> _Point | None:
    text = text.strip().rstrip(".").strip()
    if text in _ONGOING:
        return _Point(year=None, month=None, ongoing=True)
    if match := _YEAR.match(text):
        return _Point(year=int(match.group(1)), month=None)
    if match := _YEAR_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        return _Point(year=year, month=month) if 1 <= month <= 12 else None
    if match := _MONTH_YEAR.match(text):
        month, year = int(match.group(1)), int(match.group(2))
        return _Point(year=year, month=month) if 1 <= month <= 12 else None
    if match := _NAMED.match(text):
        month_or_none = month_number(match.group(1))
        if month_or_none is None:
            return None
        year_text = match.group(2)
        return _Point(year=int(year_text) if year_text else None, month=month_or_none)
    return None


def _format(point: _Point, *, first: bool) -> str:
    """``YYYY-MM``; a bare year starts in January and ends in December."""
    month = point.month if point.month is not None else (1 if first else 12)
    return f"{point.year:04d}-{month:02d}"
