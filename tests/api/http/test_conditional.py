"""Conditional GET: strong ETags, HTTP dates and the RFC 9110 §13.2.2 evaluation order.

Over HTTP this is exercised by every feed (tests/api/test_feeds.py); here are the edge cases.
"""

from __future__ import annotations

import datetime as dt

import pytest

from caseapi.api.http.conditional import http_date, is_not_modified, strong_etag

ETAG = strong_etag(b"inhoud")
CHANGED = dt.datetime(2024, 9, 1, 6, 0, 0, 750_000, tzinfo=dt.UTC)
CHANGED_HTTP = "Sun, 01 Sep 2024 06:00:00 GMT"


def test_strong_etag_is_a_quoted_hash_of_the_bytes() -> None:
    assert ETAG.startswith('"')
    assert ETAG.endswith('"')
    assert not ETAG.startswith("W/")
    assert strong_etag(b"inhoud") == ETAG
    assert strong_etag(b"inhoud ") != ETAG
    assert strong_etag(b"") != ETAG


def test_http_date_is_gmt_whatever_the_zone() -> None:
    assert http_date(CHANGED) == CHANGED_HTTP
    amsterdam = CHANGED.astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert http_date(amsterdam) == CHANGED_HTTP


@pytest.mark.parametrize(
    "if_none_match",
    [ETAG, f"W/{ETAG}", f'"a", {ETAG}', f'"a",{ETAG} , "b"', "*", f" {ETAG} "],
)
def test_if_none_match_that_matches(if_none_match: str) -> None:
    assert is_not_modified(if_none_match, None, ETAG, CHANGED)


@pytest.mark.parametrize("if_none_match", ['"a"', '"a", "b"', "", "geen-tag", ETAG.strip('"')])
def test_if_none_match_that_does_not_match(if_none_match: str) -> None:
    assert not is_not_modified(if_none_match, None, ETAG, CHANGED)


def test_if_none_match_wins_over_if_modified_since() -> None:
    assert not is_not_modified('"a"', CHANGED_HTTP, ETAG, CHANGED)
    assert is_not_modified(ETAG, "Mon, 01 Jan 1990 00:00:00 GMT", ETAG, CHANGED)


@pytest.mark.parametrize(
    ("if_modified_since", "expected"),
    [
        (CHANGED_HTTP, True),  # the fraction of a second HTTP dates cannot carry is ignored
        ("Sun, 01 Sep 2024 06:00:01 GMT", True),
        ("Sun, 01 Sep 2024 05:59:59 GMT", False),
        ("Sunday, 01-Sep-24 06:00:00 GMT", True),  # obsolete RFC 850 form
        ("Sun Sep  1 06:00:00 2024", True),  # obsolete asctime form
        ("Sun, 01 Sep 2024 08:00:00 +0200", True),
        ("gisteren", False),
        ("", False),
    ],
)
def test_if_modified_since(if_modified_since: str, expected: bool) -> None:
    assert is_not_modified(None, if_modified_since, ETAG, CHANGED) is expected


def test_without_validators_or_a_date_the_full_response_is_sent() -> None:
    assert not is_not_modified(None, None, ETAG, CHANGED)
    assert not is_not_modified(None, CHANGED_HTTP, ETAG, None)
