"""What is public, and when: the year rules, and New Year without a rebuild."""

from __future__ import annotations

import datetime as dt

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


async def test_a_searcher_open_across_new_year_finds_ongoing_work_in_the_new_year(
    content: ContentFolder, settings: Settings
) -> None:
    content.write("assignments/lopend.md", ONGOING)
    await build_index(settings)
    readers = await Readers.open(settings)
    try:
        query, in_2027 = parse_query("begeleiding"), SearchFilters(year=2027)
        before = await readers.search.search(query, in_2027, 0, 10, BEFORE)
        assert before.total == 0
        # The same searcher (and its caches), an hour later: it is 2027 now.
        after = await readers.search.search(query, in_2027, 0, 10, AFTER)
        assert [match.facts.slug for match in after.matches] == ["lopend"]
        assert YearCount(2027, 1) in after.facets.year
    finally:
        await readers.close()


async def test_lists_count_ongoing_work_in_the_new_year(
    content: ContentFolder, settings: Settings
) -> None:
    content.write("assignments/lopend.md", ONGOING)
    await build_index(settings)
    readers = await Readers.open(settings)
    try:
        catalog, in_2027 = readers.catalog, Filters(year=2027)
        assert await catalog.list_documents(None, in_2027, "date", 0, 10, BEFORE) == ([], 0)
        documents, total = await catalog.list_documents(None, in_2027, "date", 0, 10, AFTER)
        assert ([document.slug for document in documents], total) == (["lopend"], 1)
    finally:
        await readers.close()


def test_an_ongoing_assignment_runs_from_its_start_to_this_year() -> None:
    assert running_years(2025, None, 2026) == range(2025, 2027)
    assert running_years(2020, 2022, 2026) == range(2020, 2023)
    # Starting in a later year: it runs in its first year only, not in none.
    assert running_years(2028, None, 2026) == range(2028, 2029)


async def test_lists_and_search_agree_on_work_that_starts_in_a_later_year(
    content: ContentFolder, settings: Settings
) -> None:
    content.write("assignments/lopend.md", ONGOING.replace("2025-03", "2028-01"))
    await build_index(settings)
    readers = await Readers.open(settings)
    try:
        documents, _ = await readers.catalog.list_documents(
            None, Filters(year=2028), "date", 0, 10, BEFORE
        )
        result = await readers.search.search(
            parse_query("begeleiding"), SearchFilters(year=2028), 0, 10, BEFORE
        )
        assert [document.slug for document in documents] == ["lopend"]
        assert [match.facts.slug for match in result.matches] == ["lopend"]
    finally:
        await readers.close()
