"""Settings: frozen Structs, read from ``CASEAPI_*`` environment variables once.

Every variable is read here, by one set of parsers. A value that makes no
sense stops the start with a message naming the variable, rather than being
guessed at. ``Settings`` holds what every command needs; ``settings.http``
groups how the API answers over HTTP.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec

LOCAL_URL = "http://127.0.0.1:8000"
DEFAULT_FEED_SIZE = 20
MAX_FEED_SIZE = 100
DEFAULT_SITE_NAME = "caseapi"

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
    """How the API answers over HTTP; defaults suit local use."""

    # Origins whose scripts may read the API; "*" lets anyone read.
    cors_origins: tuple[str, ...] = ("*",)
    # Cache-Control per route family. Browsers and CDNs may keep a copy for max-age
    # seconds and serve it stale while they revalidate (a cheap 304) for a while more.
    cache_documents: str = "public, max-age=60, stale-while-revalidate=600"
    cache_lists: str = "public, max-age=30, stale-while-revalidate=300"
    cache_search: str = "public, max-age=30, stale-while-revalidate=300"
    cache_feeds: str = "public, max-age=300, stale-while-revalidate=3600"
    cache_status: str = "no-cache"
    # Files beside the content; with ?v= (as in every URL the API gives out) a year instead.
    cache_files: str = "public, max-age=3600, stale-while-revalidate=86400"
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
    def from_env(cls, environ: Mapping[str, str]) -> HttpSettings:
        """The HTTP group alone (``Settings.from_env`` reads it the same way)."""
        return _read_http(_Environment(environ))


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything that can be configured, with the defaults a local user expects."""

    content_dir: Path = Path("content")
    index_dir: Path = Path("index")
    # Public URL of the frontend: item links in API responses and feeds point there.
    base_url: str = LOCAL_URL
    # Public URL of this API: used for self links (pagination, feed_url).
    api_url: str = LOCAL_URL
    # Admin endpoints are switched off while no token is configured.
    admin_token: str | None = None
    # Signs preview links; previews are off while none is configured.
    preview_secret: str | None = None
    # How many items one page of a feed holds.
    feed_size: int = DEFAULT_FEED_SIZE
    # The site's name: feed titles, and the author of feed items that name none.
    site_name: str = DEFAULT_SITE_NAME
    # Public URL of the files beside the content; empty: ``{api_url}/files``.
    files_url: str = ""
    # URLs per sitemap file; past it /sitemap.xml is an index of parts (the protocol's limit).
    sitemap_size: int = 50_000
    # Files beside the content larger than this are refused.
    max_file_megabytes: int = 20
    # Watch the content folder and update the index live (``caseapi serve`` turns it on).
    watch: bool = False
    http: HttpSettings = HttpSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``CASEAPI_*`` variables; explicit ``overrides`` (CLI flags) win."""
        env = _Environment(os.environ if environ is None else environ)
        settings = cls(
            content_dir=Path(env.text("CASEAPI_CONTENT_DIR", "content")),
            index_dir=Path(env.text("CASEAPI_INDEX_DIR", "index")),
            base_url=env.url("CASEAPI_BASE_URL"),
            api_url=env.url("CASEAPI_API_URL"),
            admin_token=env.text("CASEAPI_ADMIN_TOKEN", "") or None,
            preview_secret=env.text("CASEAPI_PREVIEW_SECRET", "") or None,
            feed_size=env.whole_number("CASEAPI_FEED_SIZE", DEFAULT_FEED_SIZE, 1, MAX_FEED_SIZE),
            site_name=env.text("CASEAPI_SITE_NAME", "").strip() or DEFAULT_SITE_NAME,
            files_url=env.text("CASEAPI_FILES_URL", "").strip().rstrip("/"),
            max_file_megabytes=env.whole_number("CASEAPI_MAX_FILE_MB", 20, 1, 1024),
            sitemap_size=env.whole_number("CASEAPI_SITEMAP_SIZE", 50_000, 1, 50_000),
            http=_read_http(env),
        )
        chosen = {key: value for key, value in overrides.items() if value is not None}
        return msgspec.structs.replace(settings, **chosen)

    @property
    def catalog_path(self) -> Path:
        """The SQLite catalog inside the index folder."""
        return self.index_dir / "catalog.sqlite"

    @property
    def files_folder(self) -> Path:
        """Where the served copies of the files beside the content are kept."""
        return self.index_dir / "files"

    @property
    def files_base_url(self) -> str:
        """The URL files are served under: ``CASEAPI_FILES_URL``, else the API's ``/files``."""
        return self.files_url or f"{self.api_url}/files"

    @property
    def max_file_bytes(self) -> int:
        """The largest file beside the content that is served."""
        return self.max_file_megabytes * 1024 * 1024


def _read_http(env: _Environment) -> HttpSettings:
    defaults = HttpSettings()
    return HttpSettings(
        cors_origins=env.items("CASEAPI_CORS_ORIGINS", "*"),
        cache_documents=env.cache_control("CASEAPI_CACHE_DOCUMENTS", defaults.cache_documents),
        cache_lists=env.cache_control("CASEAPI_CACHE_LISTS", defaults.cache_lists),
        cache_search=env.cache_control("CASEAPI_CACHE_SEARCH", defaults.cache_search),
        cache_feeds=env.cache_control("CASEAPI_CACHE_FEEDS", defaults.cache_feeds),
        cache_status=env.cache_control("CASEAPI_CACHE_STATUS", defaults.cache_status),
        cache_files=env.cache_control("CASEAPI_CACHE_FILES", defaults.cache_files),
        response_cache=env.switch("CASEAPI_RESPONSE_CACHE", defaults.response_cache),
        response_cache_entries=env.whole_number(
            "CASEAPI_RESPONSE_CACHE_ENTRIES", defaults.response_cache_entries, 1, 10**7
        ),
        response_cache_megabytes=env.whole_number(
            "CASEAPI_RESPONSE_CACHE_MB", defaults.response_cache_megabytes, 1, 10**6
        ),
        rate_limit=env.rate_limit("CASEAPI_RATE_LIMIT"),
        max_url_bytes=env.whole_number("CASEAPI_MAX_URL_BYTES", defaults.max_url_bytes, 256, 10**6),
        max_body_bytes=env.whole_number(
            "CASEAPI_MAX_BODY_BYTES", defaults.max_body_bytes, 0, 10**9
        ),
    )


class _Environment:
    """The parsers: each reads one variable and says what is wrong with it, by name."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str, default: str) -> str:
        return self._environ.get(name, default)

    def url(self, name: str) -> str:
        # Paths are appended to it: "https://example.nl/" would give "//posts".
        return self.text(name, LOCAL_URL).rstrip("/")

    def items(self, name: str, default: str) -> tuple[str, ...]:
        """A comma-separated list; blanks and empty items are dropped."""
        raw = self.text(name, default)
        return tuple(item.strip() for item in raw.split(",") if item.strip())

    def switch(self, name: str, default: bool) -> bool:
        raw = self.text(name, "").strip().lower()
        if not raw:
            return default
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise ValueError(f"{name} must be 1 (on) or 0 (off), not {raw!r}.")

    def whole_number(self, name: str, default: int, smallest: int, largest: int) -> int:
        raw = self.text(name, "").strip()
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

    def cache_control(self, name: str, default: str) -> str:
        raw = self.text(name, "").strip()
        if not raw:
            return default
        if not CACHE_CONTROL.fullmatch(raw):
            raise ValueError(
                f"{name} must be a Cache-Control value such as "
                f"'public, max-age=60, stale-while-revalidate=600', not {raw!r}."
            )
        return raw

    def rate_limit(self, name: str) -> RateLimit | None:
        """``120/minute``; empty, ``0`` or ``off`` means no limit."""
        raw = self.text(name, "")
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
                f"{name} must look like 120/minute (a number of requests per "
                f"{', '.join(RATE_LIMIT_PERIODS)}), or 0 for no limit; not {raw!r}."
            )
        return RateLimit(requests=requests, period=known)
