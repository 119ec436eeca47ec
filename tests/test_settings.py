"""Settings from ``CASEAPI_*`` environment variables, with CLI overrides."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from caseapi.settings import Settings
from tests.paths import ROOT

VARIABLES = (
    "CASEAPI_CONTENT_DIR",
    "CASEAPI_INDEX_DIR",
    "CASEAPI_BASE_URL",
    "CASEAPI_API_URL",
    "CASEAPI_ADMIN_TOKEN",
    "CASEAPI_CORS_ORIGINS",
)


def test_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.content_dir == Path("content")
    assert settings.index_dir == Path("index")
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.api_url == "http://127.0.0.1:8000"
    assert settings.admin_token is None
    assert settings.http.cors_origins == ("*",)
    assert settings.catalog_path == Path("index") / "catalog.sqlite"


def test_defaults_match_the_plain_constructor() -> None:
    assert Settings.from_env({}) == Settings()


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "CASEAPI_CONTENT_DIR": "/srv/site/content",
            "CASEAPI_INDEX_DIR": "/var/cache/caseapi",
            "CASEAPI_BASE_URL": "https://www.example.nl",
            "CASEAPI_API_URL": "https://api.example.nl",
            "CASEAPI_ADMIN_TOKEN": "geheim",
            "CASEAPI_CORS_ORIGINS": "https://www.example.nl",
        }
    )
    assert settings.content_dir == Path("/srv/site/content")
    assert settings.index_dir == Path("/var/cache/caseapi")
    assert settings.catalog_path == Path("/var/cache/caseapi/catalog.sqlite")
    assert settings.base_url == "https://www.example.nl"
    assert settings.api_url == "https://api.example.nl"
    assert settings.admin_token == "geheim"
    assert settings.http.cors_origins == ("https://www.example.nl",)


def test_unrelated_variables_are_ignored() -> None:
    settings = Settings.from_env({"CONTENT_DIR": "/elders", "caseapi_content_dir": "/elders"})
    assert settings.content_dir == Path("content")


def test_reads_the_process_environment_by_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASEAPI_CONTENT_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("CASEAPI_API_URL", "https://api.example.nl/")
    settings = Settings.from_env()
    assert settings.content_dir == tmp_path / "c"
    assert settings.index_dir == Path("index")
    assert settings.api_url == "https://api.example.nl"


def test_overrides_win_and_none_means_not_given() -> None:
    env = {"CASEAPI_CONTENT_DIR": "/env/content", "CASEAPI_INDEX_DIR": "/env/index"}
    settings = Settings.from_env(env, content_dir=Path("/flag/content"), index_dir=None)
    assert settings.content_dir == Path("/flag/content")
    assert settings.index_dir == Path("/env/index")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("*", ("*",)),
        ("https://a.nl", ("https://a.nl",)),
        ("https://a.nl,https://b.nl", ("https://a.nl", "https://b.nl")),
        (" https://a.nl , https://b.nl ", ("https://a.nl", "https://b.nl")),
        ("https://a.nl,,https://b.nl,", ("https://a.nl", "https://b.nl")),
        ("", ()),
        (" , ", ()),
    ],
)
def test_cors_origins_parsing(raw: str, expected: tuple[str, ...]) -> None:
    assert Settings.from_env({"CASEAPI_CORS_ORIGINS": raw}).http.cors_origins == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.example.nl/", "https://www.example.nl"),
        ("https://www.example.nl//", "https://www.example.nl"),
        ("https://www.example.nl/site/", "https://www.example.nl/site"),
        ("https://www.example.nl", "https://www.example.nl"),
    ],
)
def test_trailing_slashes_are_stripped_from_urls(raw: str, expected: str) -> None:
    settings = Settings.from_env({"CASEAPI_BASE_URL": raw, "CASEAPI_API_URL": raw})
    assert settings.base_url == expected
    assert settings.api_url == expected


def test_empty_admin_token_means_admin_is_off() -> None:
    assert Settings.from_env({"CASEAPI_ADMIN_TOKEN": ""}).admin_token is None


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(AttributeError):
        settings.base_url = "https://elders.nl"  # type: ignore[misc]
    changed = msgspec.structs.replace(settings, base_url="https://elders.nl")
    assert changed.base_url == "https://elders.nl"
    assert settings.base_url == "http://127.0.0.1:8000"


def test_every_variable_the_code_reads_is_in_the_readme() -> None:
    root = ROOT
    source = "\n".join(path.read_text() for path in (root / "src" / "caseapi").rglob("*.py"))
    read = set(re.findall(r'"(CASEAPI_[A-Z_]+[A-Z])"', source))
    readme = (root / "README.md").read_text()
    documented = set(re.findall(r"CASEAPI_[A-Z_]+[A-Z]", readme))
    # "`CASEAPI_CACHE_DOCUMENTS`, `…_LISTS`" documents CASEAPI_CACHE_LISTS too.
    documented |= {
        f"{prefix}{suffix}"
        for prefix in ("CASEAPI_CACHE_",)
        for suffix in re.findall(r"`…_([A-Z]+)`", readme)
    }
    assert read, "no variables found: has the code moved?"
    assert sorted(read - documented) == []
