"""HTTP settings: Cache-Control per route family, the response cache, rate and size limits.

Part of ``Settings`` (``settings.http``), read from ``CASEAPI_*`` variables at
start-up; a value that makes no sense stops the server with a message naming
the variable, rather than being guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

import msgspec

RateLimitPeriod = Literal["second", "minute", "hour", "day"]
RATE_LIMIT_PERIODS: tuple[RateLimitPeriod, ...] = ("second", "minute", "hour", "day")

_TOKEN = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_DIRECTIVE = rf'{_TOKEN}(?:=(?:{_TOKEN}|"[^"\\\r\n]*"))?'
CACHE_CONTROL = re.compile(rf"{_DIRECTIVE}(?:\s*,\s*{_DIRECTIVE})*")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class RateLimit(msgspec.Struct, frozen=True, kw_only=True):
    """At most ``requests`` per ``period`` from one client address (per server process)."""

    requests: int
    period: RateLimitPeriod


class HttpSettings(msgspec.Struct, frozen=True, kw_only=True):
    """How responses are cached, compressed and limited; defaults suit local use."""

    # Cache-Control per route family. Browsers and CDNs may keep a copy for max-age
    # seconds and serve it stale while they revalidate (a cheap 304) for a while more.
    cache_documents: str = "public, max-age=60, stale-while-revalidate=600"
    cache_lists: str = "public, max-age=30, stale-while-revalidate=300"
    cache_search: str = "public, max-age=30, stale-while-revalidate=300"
    cache_feeds: str = "public, max-age=300, stale-while-revalidate=3600"
    cache_status: str = "no-cache"
    # Keep rendered responses in memory until the content changes.
    response_cache: bool = True
    response_cache_entries: int = 4096
    response_cache_megabytes: int = 64
    # Off by default: a developer reloading a page should never be throttled.
    rate_limit: RateLimit | None = None
    # Requests with a longer path and query, or a larger body, are refused (414, 413).
    max_url_bytes: int = 16 * 1024
    max_body_bytes: int = 64 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> HttpSettings:
        """Read the ``CASEAPI_CACHE_*``, ``CASEAPI_RESPONSE_CACHE*``, limit variables."""
        defaults = cls()
        return cls(
            cache_documents=_cache_control(
                env, "CASEAPI_CACHE_DOCUMENTS", defaults.cache_documents
            ),
            cache_lists=_cache_control(env, "CASEAPI_CACHE_LISTS", defaults.cache_lists),
            cache_search=_cache_control(env, "CASEAPI_CACHE_SEARCH", defaults.cache_search),
            cache_feeds=_cache_control(env, "CASEAPI_CACHE_FEEDS", defaults.cache_feeds),
            cache_status=_cache_control(env, "CASEAPI_CACHE_STATUS", defaults.cache_status),
            response_cache=_switch(env, "CASEAPI_RESPONSE_CACHE", defaults.response_cache),
            response_cache_entries=_whole_number(
                env, "CASEAPI_RESPONSE_CACHE_ENTRIES", defaults.response_cache_entries, 1, 10**7
            ),
            response_cache_megabytes=_whole_number(
                env, "CASEAPI_RESPONSE_CACHE_MB", defaults.response_cache_megabytes, 1, 10**6
            ),
            rate_limit=_rate_limit(env.get("CASEAPI_RATE_LIMIT", "")),
            max_url_bytes=_whole_number(
                env, "CASEAPI_MAX_URL_BYTES", defaults.max_url_bytes, 256, 10**6
            ),
            max_body_bytes=_whole_number(
                env, "CASEAPI_MAX_BODY_BYTES", defaults.max_body_bytes, 0, 10**9
            ),
        )


def _cache_control(env: Mapping[str, str], name: str, default: str) -> str:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not CACHE_CONTROL.fullmatch(raw):
        raise ValueError(
            f"{name} must be a Cache-Control value such as "
            f"'public, max-age=60, stale-while-revalidate=600', not {raw!r}."
        )
    return raw


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(f"{name} must be 1 (on) or 0 (off), not {raw!r}.")


def _whole_number(
    env: Mapping[str, str], name: str, default: int, smallest: int, largest: int
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = smallest - 1
    if not smallest <= value <= largest:
        raise ValueError(
            f"{name} must be a whole number from {smallest} to {largest}, not {raw!r}."
        )
    return value


def _rate_limit(raw: str) -> RateLimit | None:
    """``CASEAPI_RATE_LIMIT``: ``120/minute``; empty, ``0`` or ``off`` means no limit."""
    text = raw.strip().lower()
    if text in ("", "0", "off"):
        return None
    count, _, period = text.partition("/")
    try:
        requests = int(count)
    except ValueError:
        requests = 0
    periods: dict[str, RateLimitPeriod] = {name: name for name in RATE_LIMIT_PERIODS}
    known = periods.get(period.strip())
    if requests < 1 or known is None:
        raise ValueError(
            "CASEAPI_RATE_LIMIT must look like 120/minute (a number of requests per "
            f"{', '.join(RATE_LIMIT_PERIODS)}), or 0 for no limit; not {raw!r}."
        )
    return RateLimit(requests=requests, period=known)
