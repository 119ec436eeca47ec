"""Helpers for tests that read the API over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
from litestar.testing import TestClient

PROBLEM = "application/problem+json"
Serve = Callable[[], TestClient]


def slugs(body: dict[str, Any]) -> list[str]:
    return [item["slug"] for item in body["data"]]


def parse_link(header: str) -> dict[str, str]:
    """``Link`` header -> {rel: url}."""
    links: dict[str, str] = {}
    for part in header.split(","):
        match = re.fullmatch(r'\s*<([^>]*)>;\s*rel="([^"]+)"\s*', part)
        assert match, f"malformed Link part: {part!r}"
        links[match.group(2)] = match.group(1)
    return links


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with ``status``; returns its body."""
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"] == "about:blank"
    return body
