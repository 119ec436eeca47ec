"""Settings: one frozen Struct, read from ``CASEAPI_*`` environment variables once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

from caseapi.http_settings import HttpSettings

LOCAL_URL = "http://127.0.0.1:8000"
DEFAULT_FEED_SIZE = 20
MAX_FEED_SIZE = 100
DEFAULT_SITE_NAME = "caseapi"


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
    cors_origins: tuple[str, ...] = ("*",)
    # How many items one page of a feed holds.
    feed_size: int = DEFAULT_FEED_SIZE
    # The site's name: feed titles, and the author of feed items that name none.
    site_name: str = DEFAULT_SITE_NAME
    # Watch the content folder and update the index live (``caseapi serve`` turns it on).
    watch: bool = False
    # How the API answers over HTTP: Cache-Control, the response cache, limits.
    http: HttpSettings = HttpSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read ``CASEAPI_*`` variables; explicit ``overrides`` (CLI flags) win."""
        env = os.environ if environ is None else environ
        origins = env.get("CASEAPI_CORS_ORIGINS", "*").split(",")
        settings = cls(
            content_dir=Path(env.get("CASEAPI_CONTENT_DIR", "content")),
            index_dir=Path(env.get("CASEAPI_INDEX_DIR", "index")),
            base_url=env.get("CASEAPI_BASE_URL", LOCAL_URL).rstrip("/"),
            api_url=env.get("CASEAPI_API_URL", LOCAL_URL).rstrip("/"),
            admin_token=env.get("CASEAPI_ADMIN_TOKEN") or None,
            cors_origins=tuple(origin.strip() for origin in origins if origin.strip()),
            feed_size=_feed_size(env.get("CASEAPI_FEED_SIZE", str(DEFAULT_FEED_SIZE))),
            site_name=env.get("CASEAPI_SITE_NAME", "").strip() or DEFAULT_SITE_NAME,
            watch=env.get("CASEAPI_WATCH", "").strip().lower() in ("1", "true", "yes", "on"),
            http=HttpSettings.from_env(env),
        )
        chosen = {key: value for key, value in overrides.items() if value is not None}
        return msgspec.structs.replace(settings, **chosen)

    @property
    def catalog_path(self) -> Path:
        """The SQLite catalog inside the index folder."""
        return self.index_dir / "catalog.sqlite"


def _feed_size(raw: str) -> int:
    """``CASEAPI_FEED_SIZE``, refused at start-up when it is not a sensible number."""
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_FEED_SIZE:
        raise ValueError(
            f"CASEAPI_FEED_SIZE must be a whole number from 1 to {MAX_FEED_SIZE}, not {raw!r}."
        )
    return size
