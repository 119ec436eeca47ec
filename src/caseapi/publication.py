"""What is public, and when: the one home of the rules every reader applies.

- A draft is never public; a document with a ``publish_at`` is public from that
  moment (scheduled), any other document always. The catalog stores the
  moment (``public_from``) and search keeps it per hit, so both compare one
  value with the time of the request and restate no rule.
- An assignment runs during the years of its period; an ongoing one (no end)
  runs up to the current year in Amsterdam. A document without a period
  belongs to the year of its date.
- A scheduled document's words may be suggested from its publication on; of
  several documents with a word, the earliest release counts, and a public
  one releases it at once.
- A document's frontend URL is ``{base_url}/{collection}/{slug}``; it last
  changed at its ``updated`` date, else when its file was saved.
- What is public changes with a new generation, when a ``publish_at`` passes,
  and at New Year in Amsterdam (ongoing assignments start to run in the new
  year): ``public_epoch`` says when it last changed and when it changes next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import TypeVar

from caseapi.models import AMSTERDAM, Document

# The moment documents without a publish_at are public from: before anything else.
ALWAYS = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Scheduled publications looked up one by one after a generation's change before giving
# up on the exact moment (and taking "now", which is later and so still correct).
PUBLICATION_STEPS = 8

Moment = TypeVar("Moment", float, dt.datetime)
NextPublication = Callable[[dt.datetime], Awaitable[dt.datetime | None]]


def public_from(document: Document) -> dt.datetime | None:
    """When ``document`` becomes public; ``None`` for a draft, which never does."""
    if document.draft:
        return None
    return document.publish_at or ALWAYS


def is_public(moment: Moment | None, now: Moment) -> bool:
    """Whether a document public from ``moment`` (``None``: never) is public at ``now``."""
    return moment is not None and moment <= now


def is_searchable(document: Document) -> bool:
    """Drafts never enter the search index; scheduled documents do, hidden until their time."""
    return public_from(document) is not None


def pending_release(document: Document, now: dt.datetime) -> dt.datetime | None:
    """Until when a non-draft document's words stay hidden: ``None`` once it is public."""
    moment = document.publish_at
    return moment if moment is not None and moment > now else None


def earliest_release(first: Moment | None, second: Moment | None) -> Moment | None:
    """Of two documents' releases of one word, the one that counts (``None``: public now)."""
    if first is None or second is None:
        return None
    return min(first, second)


def year_span(document: Document) -> tuple[int, int | None]:
    """The first and last year a document belongs to; no last year: an ongoing assignment."""
    if document.period is not None:
        start = int(document.period.start[:4])
        end = int(document.period.end[:4]) if document.period.end else None
        return start, end
    # The year readers see: the date as shown, in Amsterdam.
    year = document.date.astimezone(AMSTERDAM).year
    return year, year


def this_year(now: dt.datetime) -> int:
    """The current year in Amsterdam, up to which ongoing assignments run."""
    return now.astimezone(AMSTERDAM).year


def last_year(year_from: int, year_to: int | None, current_year: int) -> int:
    """The last year a document runs: its end, or for an ongoing one the current year.

    An ongoing assignment that starts in a later year runs in its first year only.
    """
    return year_to if year_to is not None else max(current_year, year_from)


def running_years(year_from: int, year_to: int | None, current_year: int) -> range:
    """Every year a document belongs to."""
    return range(year_from, last_year(year_from, year_to, current_year) + 1)


def last_change(document: Document) -> dt.datetime:
    """When a document last changed: its ``updated`` date, else its file's modification."""
    return document.updated or document.modified


def document_url(base_url: str, collection: str, slug: str) -> str:
    """Where the frontend shows a document; also its feed id, which an edit never changes."""
    return f"{base_url}/{collection}/{slug}"


async def public_epoch(
    next_publication: NextPublication, since: dt.datetime, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None]:
    """When public content last changed (at or after ``since``), and when it changes next.

    ``since`` is the served generation's change; ``next_publication(after)`` gives
    the earliest ``publish_at`` later than ``after``.
    """
    last = max(since, _new_year(now))
    for _ in range(PUBLICATION_STEPS):
        upcoming = await next_publication(last)
        if upcoming is None or upcoming > now:
            return last, _earliest(upcoming, _next_new_year(now))
        last = upcoming
    return now, _earliest(await next_publication(now), _next_new_year(now))


def _new_year(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(AMSTERDAM)
    return dt.datetime(local.year, 1, 1, tzinfo=AMSTERDAM).astimezone(dt.UTC)


def _next_new_year(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(AMSTERDAM)
    return dt.datetime(local.year + 1, 1, 1, tzinfo=AMSTERDAM).astimezone(dt.UTC)


def _earliest(first: dt.datetime | None, second: dt.datetime) -> dt.datetime:
    return second if first is None else min(first, second)
