"""What is public, and when: the year rules, and New Year without a rebuild."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from caseapi.api.readers import Readers
from caseapi.catalog.interface import Filters
from caseapi.indexing.build import build_index
from caseapi.models import AMSTERDAM
from caseapi.publication import running_years
from caseapi.search.interface import SearchFilters, YearCount
from caseapi.search.query import parse_query
from caseapi.settings import Settings
from tests.conftest import ContentFolder

BEFORE = dt.datetime(2026, 12, 31, 23, 30, tzinfo=AMSTERDAM)
AFTER = dt.datetime(2027, 1, 1, 0, 30, tzinfo=AMSTERDAM)
ONGOING = """\
---
title: Lopende begeleiding
summary: Een traject dat nog loopt.
clients: [Zorggroep Meerzicht]
period: {start: 2025-03}
---
Begeleiding van teams in de wijk.
"""
Open = Callable[[str], Awaitable[Readers]]


@pytest.fixture
async def open_readers(content: ContentFolder, settings: Settings) -> AsyncIterator[Open]:
    """Build the index of one assignment file and open a worker's readers on it."""
    opened: list[Readers] = []

    async def open_with(text: str) -> Readers:
        content.write("assignments/lopend.md", text)
        await build_index(settings)
        opened.append(await Readers.open(settings))
        return opened[-1]

    yield open_with
    for readers in opened:
        await readers.close()


async def test_a_searcher_open_across_new_year_finds_ongoing_work_in_the_new_year(
    open_readers: Open,
) -> None:
    readers = await open_readers(ONGOING)
    query, in_2027 = parse_query("begeleiding"), SearchFilters(year=2027)
    before = await readers.search.search(query, in_2027, 0, 10, BEFORE)
    assert before.total == 0
    # The same searcher (and its caches), an hour later: it is 2027 now.
    after = await readers.search.search(query, in_2027, 0, 10, AFTER)
    assert [match.facts.slug for match in after.matches] == ["lopend"]
    assert YearCount(2027, 1) in after.facets.year


async def test_lists_count_ongoing_work_in_the_new_year(open_readers: Open) -> None:
    readers = await open_readers(ONGOING)
    catalog, in_2027 = readers.catalog, Filters(year=2027)
    assert await catalog.list_documents(None, in_2027, "date", 0, 10, BEFORE) == ([], 0)
    documents, total = await catalog.list_documents(None, in_2027, "date", 0, 10, AFTER)
    assert ([document.slug for document in documents], total) == (["lopend"], 1)


def test_an_ongoing_assignment_runs_from_its_start_to_this_year() -> None:
    assert running_years(2025, None, 2026) == range(2025, 2027)
    assert running_years(2020, 2022, 2026) == range(2020, 2023)
    # Starting in a later year: it runs in its first year only, not in none.
    assert running_years(2028, None, 2026) == range(2028, 2029)


async def test_lists_and_search_agree_on_work_that_starts_in_a_later_year(
    open_readers: Open,
) -> None:
    readers = await open_readers(ONGOING.replace("2025-03", "2028-01"))
    documents, _ = await readers.catalog.list_documents(
        None, Filters(year=2028), "date", 0, 10, BEFORE
    )
    result = await readers.search.search(
        parse_query("begeleiding"), SearchFilters(year=2028), 0, 10, BEFORE
    )
    assert [document.slug for document in documents] == ["lopend"]
    assert [match.facts.slug for match in result.matches] == ["lopend"]
