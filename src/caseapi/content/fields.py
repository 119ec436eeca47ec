"""Front matter values -> typed fields, with messages an editor can act on.

Each field is converted on its own so that one file reports every mistake at
once, each with its own line, instead of stopping at the first.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec

from caseapi.content.frontmatter import Yaml11Word
from caseapi.models import AMSTERDAM, COLLECTIONS, SLUG_PATTERN, Collection, Period, Publication

_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO_DATE_SHAPE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SLUG = re.compile(SLUG_PATTERN)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


class FieldProblem(Exception):
    """A value that cannot be used; ``subpath`` points inside the field (a list index)."""

    def __init__(self, message: str, subpath: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.subpath = subpath


class Converted(msgspec.Struct):
    """The typed values of the known fields, the kept unknown ones, and warnings."""

    values: dict[str, Any]
    extra: dict[str, Any]
    problems: list[tuple[tuple[str | int, ...], str]]
    warnings: list[tuple[tuple[str | int, ...], str]]


Converter = Callable[[Any, list[tuple[tuple[str | int, ...], str]]], Any]


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a group of fields"
    if isinstance(value, list):
        return "a list"
    return f"'{value}'"


def text(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> str:
    """One line or paragraph of text; whitespace runs collapse to one space."""
    if value is None:
        raise FieldProblem("is empty; write some text or remove the field")
    if isinstance(value, bool):
        raise FieldProblem(
            f"expected text, got {_describe(value)}; put the value in quotes to use it as text"
        )
    if not isinstance(value, str):
        raise FieldProblem(f"expected text, got {_describe(value)}")
    if isinstance(value, Yaml11Word):
        warnings.append(
            (
                (),
                f"'{value}' is read as text here, but many YAML tools read it as "
                f'true/false; write it in quotes ("{value}") to be safe',
            )
        )
    cleaned = " ".join(str(value).split())
    if not cleaned:
        raise FieldProblem("is empty; write some text or remove the field")
    return cleaned


def optional_text(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> str | None:
    """Text, or nothing when the field is left empty."""
    return None if value is None else text(value, warnings)


def text_list(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> list[str]:
    """A list of texts; a single text counts as a list of one."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    result: list[str] = []
    for index, item in enumerate(items):
        try:
            cleaned = text(item, warnings)
        except FieldProblem as problem:
            raise FieldProblem(problem.message, (index,)) from None
        if cleaned not in result:
            result.append(cleaned)
    return result


def keyword_list(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> list[str]:
    """Tags and kinds of work: lowercase, without duplicates."""
    result: list[str] = []
    for item in text_list(value, warnings):
        if item.lower() not in result:
            result.append(item.lower())
    return result


def boolean(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> bool:
    """``true``/``false``; YAML 1.1's yes/no/on/off are clear enough in a yes/no field."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Yaml11Word):
        return value.lower() in ("yes", "y", "on")
    raise FieldProblem(f"expected true or false, got {_describe(value)}")


def language(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> str:
    """``nl`` or ``en``."""
    if value in ("nl", "en"):
        return str(value)
    raise FieldProblem(f"expected nl or en, got {_describe(value)}")


def slug(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> str:
    """A URL slug as the editor chose it."""
    if isinstance(value, str) and _SLUG.match(value) and len(value) <= 200:
        return value
    raise FieldProblem(
        f"{_describe(value)} is not a valid slug: use lowercase letters a-z, digits and "
        "single hyphens, like 'vakmanschap-in-de-zorg'"
    )


def datetime_value(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> dt.datetime:
    """A date or an RFC 3339 datetime; without an offset it is Amsterdam time."""
    if not isinstance(value, str) or isinstance(value, bool):
        raise FieldProblem(
            f"expected a date like 2024-05-01 or 2024-05-01T09:30:00+02:00, got {_describe(value)}"
        )
    raw = value.strip()
    if _ISO_DATE_SHAPE.match(raw):
        return dt.datetime.combine(_parse_date(raw), dt.time(), tzinfo=AMSTERDAM)
    try:
        parsed = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise FieldProblem(_date_hint(raw)) from None
    return parsed.replace(tzinfo=AMSTERDAM) if parsed.tzinfo is None else parsed


def date_value(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> dt.date:
    """A calendar date; a datetime is accepted and its date kept."""
    if isinstance(value, str) and _ISO_DATE_SHAPE.match(value.strip()):
        return _parse_date(value.strip())
    return datetime_value(value, warnings).astimezone(AMSTERDAM).date()


def _parse_date(raw: str) -> dt.date:
    year, month, day = (int(part) for part in raw.split("-"))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise FieldProblem(
            f"'{raw}' is not a real date (month 1-12, and a day that month has)"
        ) from None


def _date_hint(raw: str) -> str:
    dutch = _DUTCH_DATE.match(raw)
    if dutch:
        day, month, year = dutch.groups()
        suggestion = f"{year}-{int(month):02d}-{int(day):02d}"
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            return (
                f"'{raw}' looks like day-month-year, but that date does not exist; write dates "
                "as year-month-day, like 2024-05-01"
            )
        return f"'{raw}' looks like day-month-year; write dates as year-month-day: {suggestion}"
    return (
        f"'{raw}' is not a date; write it as YYYY-MM-DD (2024-05-01) or with a time "
        "as 2024-05-01T09:30:00+02:00"
    )


def period(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> Period | None:
    """``{start: 2003-10, end: 2004-12}``; no end means ongoing."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FieldProblem(
            f"expected start and end, like {{start: 2003-10, end: 2004-12}}, got {_describe(value)}"
        )
    unknown = sorted(set(value) - {"start", "end"})
    if unknown:
        raise FieldProblem(f"only 'start' and 'end' are allowed, not '{unknown[0]}'", (unknown[0],))
    if value.get("start") is None:
        raise FieldProblem("needs a start, like start: 2003-10", ("start",))
    start = _year_month(value["start"], "start")
    end = None if value.get("end") is None else _year_month(value["end"], "end")
    if end is not None and end < start:
        raise FieldProblem(f"ends ({end}) before it starts ({start})", ("end",))
    return Period(start=start, end=end)


def _year_month(value: Any, key: str) -> str:
    match = _YEAR_MONTH.match(value) if isinstance(value, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise FieldProblem(
            f"expected a year and month like 2003-10, got {_describe(value)}", (key,)
        )
    return str(value)


def aliases(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> list[str]:
    """Old slugs (``oude-naam``) and old-site paths (``/oude-site/pagina.html``)."""
    result: list[str] = []
    for index, item in enumerate(text_list(value, warnings)):
        if item.startswith(("http://", "https://")):
            # A whole old address: the path is what a request for it asks.
            try:
                parts = urlsplit(item)
            except ValueError:
                raise FieldProblem(f"'{item}' is not a web address", (index,)) from None
            item = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if item == "/":
            raise FieldProblem("'/' is the home page; it cannot redirect to a document", (index,))
        folder, _, rest = item.lstrip("/").partition("/")
        if item.startswith("/") and folder in COLLECTIONS and rest:
            raise FieldProblem(
                f"'{item}' is a page of this site's own {folder}: write the old slug "
                f"'{rest.rstrip('/')}' instead",
                (index,),
            )
        is_path = item.startswith("/") and not any(char.isspace() for char in item)
        if not is_path and not (_SLUG.match(item) and len(item) <= 200):
            raise FieldProblem(
                f"'{item}' is neither a slug (like 'oude-naam') nor a path of the old site "
                "(like '/oude-site/pagina.html')",
                (index,),
            )
        if item not in result:
            result.append(item)
    return result


def image(value: Any, warnings: list[tuple[tuple[str | int, ...], str]]) -> str:
    """A file beside the content (``team.jpg``, ``/media/team.jpg``) or an http(s) address."""
    written = text(value, warnings)
    scheme = _SCHEME.match(written)
    if written.startswith("//") or (scheme and scheme.group(1).lower() not in ("http", "https")):
        raise FieldProblem(
            f"'{written}' is not an image address: give a file in the content folder "
            "(like team.jpg) or an address starting with https://"
        )
    return written


def period_end_date(value: Period) -> dt.date | None:
    """The last day of the period's final month, if it has ended."""
    if value.end is None:
        return None
    year, month = (int(part) for part in value.end.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def publications(
    value: Any, warnings: list[tuple[tuple[str | int, ...], str]]
) -> list[Publication]:
    """Titles, or ``{title, url}`` groups."""
    if value is None:
        return []
    if not isinstance(value, list):
        value = [value]
    result: list[Publication] = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            if set(item) - {"title", "url"} or "title" not in item:
                raise FieldProblem(
                    "each publication is a title, or {title: ..., url: ...}", (index,)
                )
            try:
                title = text(item["title"], warnings)
                url = optional_text(item.get("url"), warnings)
            except FieldProblem as problem:
                raise FieldProblem(problem.message, (index,)) from None
            if url is not None and not url.startswith(("http://", "https://")):
                raise FieldProblem(f"the url '{url}' must start with https://", (index, "url"))
            result.append(Publication(title=title, url=url))
        else:
            try:
                result.append(Publication(title=text(item, warnings)))
            except FieldProblem as problem:
                raise FieldProblem(problem.message, (index,)) from None
    return result


# field -> (converter, required)
ASSIGNMENT_FIELDS: dict[str, tuple[Converter, bool]] = {
    "title": (text, True),
    "summary": (text, True),
    "clients": (text_list, True),
    "period": (period, False),
    "work": (keyword_list, False),
    "contact": (optional_text, False),
    "publications": (publications, False),
    "tags": (keyword_list, False),
    "date": (date_value, False),
    "draft": (boolean, False),
    "lang": (language, False),
    "slug": (slug, False),
    "image": (image, False),
    "image_alt": (optional_text, False),
    "aliases": (aliases, False),
}

POST_FIELDS: dict[str, tuple[Converter, bool]] = {
    "title": (text, True),
    "date": (datetime_value, True),
    "author": (optional_text, False),
    "summary": (optional_text, False),
    "tags": (keyword_list, False),
    "draft": (boolean, False),
    "publish_at": (datetime_value, False),
    "updated": (datetime_value, False),
    "lang": (language, False),
    "slug": (slug, False),
    "image": (image, False),
    "image_alt": (optional_text, False),
    "aliases": (aliases, False),
}

FIELDS: dict[Collection, dict[str, tuple[Converter, bool]]] = {
    "assignments": ASSIGNMENT_FIELDS,
    "posts": POST_FIELDS,
}


def convert_fields(collection: Collection, data: dict[str, Any]) -> Converted:
    """Convert every known field of ``data``; unknown keys are kept as ``extra``."""
    fields = FIELDS[collection]
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    problems: list[tuple[tuple[str | int, ...], str]] = []
    warnings: list[tuple[tuple[str | int, ...], str]] = []
    for key, raw in data.items():
        if key not in fields:
            extra[key] = _plain(raw)
            warnings.extend(_unknown_key_warning(collection, key))
            continue
        converter, required = fields[key]
        field_warnings: list[tuple[tuple[str | int, ...], str]] = []
        try:
            values[key] = converter(raw, field_warnings)
        except FieldProblem as problem:
            problems.append(((key, *problem.subpath), problem.message))
        warnings.extend(((key, *subpath), message) for subpath, message in field_warnings)
    for key, (_, required) in fields.items():
        if required and key not in data:
            problems.append(((key,), "is missing; this field is required"))
    if "clients" in values and not values["clients"]:
        problems.append((("clients",), "needs at least one client"))
    return Converted(values=values, extra=extra, problems=problems, warnings=warnings)


def _unknown_key_warning(
    collection: Collection, key: str
) -> list[tuple[tuple[str | int, ...], str]]:
    own = FIELDS[collection]
    other: Collection = "posts" if collection == "assignments" else "assignments"
    close = difflib.get_close_matches(key, list(own), n=1, cutoff=0.75)
    if close:
        return [((key,), f"unknown field; did you mean '{close[0]}'? It is kept under 'extra'")]
    if key in FIELDS[other]:
        return [
            ((key,), f"'{key}' is a field of {other}, not {collection}; it is kept under 'extra'")
        ]
    return []


def _plain(value: Any) -> Any:
    """Unknown values as plain JSON-able data (our YAML schema yields only these types)."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value
