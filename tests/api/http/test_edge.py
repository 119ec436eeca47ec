"""The outermost layer (``api/edge.py``) and its settings, over the real app and real files.

CORS for a frontend on another origin (simple requests, preflights, a restricted
list of origins), security headers, rate limiting with ``RateLimit-*`` headers
and 429s, request limits (413, 414), HEAD and OPTIONS, and the JSON access log.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from caseapi.logs import JsonLines, logging_config
from caseapi.settings import HttpSettings, RateLimit, Settings
from tests.api_helpers import assert_problem
from tests.conftest import ContentFolder, Start

FRONTEND = "https://www.example.nl"
STRANGER = "https://elders.example.com"
EXPOSED = {"etag", "last-modified", "link", "retry-after", "ratelimit-limit", "ratelimit-remaining"}


@pytest.fixture
def site(content: ContentFolder) -> ContentFolder:
    content.post("actieonderzoek-uitgelegd", body="Actieonderzoek verbindt leren en doen. " * 20)
    content.assignment("vraaggestuurde-professionaliteit")
    return content


def listed(header: str) -> set[str]:
    """A comma-separated header as a set of lowercase names."""
    return {part.strip().lower() for part in header.split(",") if part.strip()}


def preflight(client: TestClient, origin: str, method: str = "GET", **headers: str) -> Any:
    return client.options(
        "/posts",
        headers={"Origin": origin, "Access-Control-Request-Method": method, **headers},
    )


# --- CORS -----------------------------------------------------------------------------------


def test_any_origin_may_read_by_default(site: ContentFolder, start: Start) -> None:
    client = start()
    response = client.get("/posts", headers={"Origin": STRANGER})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert listed(response.headers["access-control-expose-headers"]) >= EXPOSED
    assert "link" in response.headers
    # Also without Origin: a shared cache may hand this copy to a browser later.
    assert client.get("/posts").headers["access-control-allow-origin"] == "*"
    # And on errors, so that a frontend can read the problem.
    missing = client.get("/posts/bestaat-niet", headers={"Origin": STRANGER})
    assert missing.headers["access-control-allow-origin"] == "*"


def test_a_preflight_from_another_origin_is_answered(site: ContentFolder, start: Start) -> None:
    client = start()
    response = preflight(
        client, STRANGER, **{"Access-Control-Request-Headers": "if-none-match, accept"}
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == "*"
    assert {"get", "head", "options"} <= listed(response.headers["access-control-allow-methods"])
    assert listed(response.headers["access-control-allow-headers"]) == {"if-none-match", "accept"}
    assert int(response.headers["access-control-max-age"]) > 0
    # Methods that change things are not for other origins.
    assert preflight(client, STRANGER, "DELETE").status_code == 403


def test_a_restricted_list_of_origins_is_honoured(site: ContentFolder, start: Start) -> None:
    client = start(http=HttpSettings(cors_origins=(FRONTEND, "http://localhost:5173")))
    allowed = client.get("/posts/actieonderzoek-uitgelegd", headers={"Origin": FRONTEND})
    assert allowed.headers["access-control-allow-origin"] == FRONTEND
    assert listed(allowed.headers["access-control-expose-headers"]) >= EXPOSED
    # The answer depends on Origin now, and still on Accept-Encoding.
    assert listed(allowed.headers["vary"]) == {"origin", "accept-encoding"}

    foreign = client.get("/posts/actieonderzoek-uitgelegd", headers={"Origin": STRANGER})
    assert foreign.status_code == 200  # the browser, not the server, withholds it
    assert "access-control-allow-origin" not in foreign.headers
    assert "access-control-expose-headers" not in foreign.headers
    assert "origin" in listed(foreign.headers["vary"])
    # A conditional answer carries the same Vary as the full one.
    etag = allowed.headers["etag"]
    not_modified = client.get(
        "/posts/actieonderzoek-uitgelegd", headers={"Origin": FRONTEND, "If-None-Match": etag}
    )
    assert not_modified.status_code == 304
    assert listed(not_modified.headers["vary"]) == {"origin", "accept-encoding"}
    assert not_modified.headers["access-control-allow-origin"] == FRONTEND

    ok = preflight(client, FRONTEND)
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == FRONTEND
    assert "origin" in listed(ok.headers["vary"])
    refused = preflight(client, STRANGER)
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers
    assert "origin" in listed(refused.headers["vary"])


def test_cors_origins_come_from_the_environment(site: ContentFolder, start: Start) -> None:
    origins = Settings.from_env({"CASEAPI_CORS_ORIGINS": f"{FRONTEND}/, http://localhost:5173"})
    client = start(http=origins.http)
    for origin in (FRONTEND, "http://localhost:5173"):
        response = client.get("/tags", headers={"Origin": origin})
        assert response.headers["access-control-allow-origin"] == origin
    assert (
        "access-control-allow-origin"
        not in client.get("/tags", headers={"Origin": STRANGER}).headers
    )


# --- security headers -----------------------------------------------------------------------


def test_every_answer_carries_the_security_headers(site: ContentFolder, start: Start) -> None:
    client = start()
    etag = client.get("/posts").headers["etag"]
    answers = [
        client.get("/posts"),
        client.get("/posts", headers={"If-None-Match": etag}),
        client.get("/posts/bestaat-niet"),
        client.get("/search?q="),
        client.head("/feeds/posts.atom"),
        client.options("/posts"),
        preflight(client, STRANGER),
    ]
    for response in answers:
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", response
        assert "frame-ancestors 'none'" in headers["content-security-policy"], response
        assert headers["referrer-policy"] == "no-referrer", response
    assert (
        answers[0].headers["content-security-policy"]
        == "default-src 'none'; frame-ancestors 'none'"
    )


def test_the_api_documentation_page_may_run_exactly_its_own_scripts(
    site: ContentFolder, start: Start
) -> None:
    page = start().get("/schema/swagger")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'none'"
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", page.text, re.DOTALL)
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives["script-src"].split()
    assert "'unsafe-inline'" not in policy


# --- rate limiting --------------------------------------------------------------------------


def test_rate_limiting_is_off_by_default(site: ContentFolder, start: Start) -> None:
    client = start()
    for _ in range(5):
        response = client.get("/tags")
        assert response.status_code == 200
        assert "ratelimit-limit" not in response.headers


def test_over_the_rate_limit_is_a_429_problem(site: ContentFolder, start: Start) -> None:
    limit = HttpSettings.from_env({"CASEAPI_RATE_LIMIT": "3/minute"}).rate_limit
    assert limit == RateLimit(requests=3, period="minute")
    client = start(http=HttpSettings(rate_limit=limit))
    remaining = []
    # The second is answered from the response cache: it counts, and says so, all the same.
    for path in ("/posts", "/posts", "/posts/actieonderzoek-uitgelegd"):
        response = client.get(path, headers={"Origin": STRANGER})
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "3"
        assert response.headers["ratelimit-policy"] == "3; w=60"
        remaining.append(int(response.headers["ratelimit-remaining"]))
    assert remaining == [2, 1, 0]

    over = client.get("/tags", headers={"Origin": STRANGER})
    body = assert_problem(over, 429)
    assert "3" in body["detail"]
    assert 0 < int(over.headers["retry-after"]) <= 60
    assert over.headers["ratelimit-remaining"] == "0"
    assert over.headers["cache-control"] == "no-store"
    # A frontend on another origin can read why, and when to try again.
    assert over.headers["access-control-allow-origin"] == "*"
    assert "retry-after" in listed(over.headers["access-control-expose-headers"])
    # Cached answers count too; health checks and preflights do not.
    assert client.get("/posts").status_code == 429
    assert client.get("/health").status_code == 200
    assert preflight(client, STRANGER).status_code == 204


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("0", None),
        ("off", None),
        ("120/minute", RateLimit(requests=120, period="minute")),
        (" 10/Second ", RateLimit(requests=10, period="second")),
        ("5000/day", RateLimit(requests=5000, period="day")),
    ],
)
def test_rate_limit_setting(raw: str, expected: RateLimit | None) -> None:
    assert HttpSettings.from_env({"CASEAPI_RATE_LIMIT": raw}).rate_limit == expected


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("CASEAPI_RATE_LIMIT", "120"),
        ("CASEAPI_RATE_LIMIT", "120/week"),
        ("CASEAPI_RATE_LIMIT", "-1/minute"),
        ("CASEAPI_CACHE_DOCUMENTS", "public; max-age=60"),
        ("CASEAPI_CACHE_FEEDS", "max-age=60\r\nX-Injected: 1"),
        ("CASEAPI_RESPONSE_CACHE", "misschien"),
        ("CASEAPI_RESPONSE_CACHE_MB", "0"),
        ("CASEAPI_MAX_URL_BYTES", "100"),
        ("CASEAPI_MAX_BODY_BYTES", "veel"),
    ],
)
def test_a_senseless_http_setting_stops_the_start_naming_the_variable(name: str, raw: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({name: raw})


def test_http_settings_from_the_environment() -> None:
    chosen = Settings.from_env(
        {
            "CASEAPI_RESPONSE_CACHE": "off",
            "CASEAPI_RESPONSE_CACHE_ENTRIES": "100",
            "CASEAPI_RESPONSE_CACHE_MB": "8",
            "CASEAPI_MAX_URL_BYTES": "2048",
            "CASEAPI_MAX_BODY_BYTES": "0",
            "CASEAPI_CACHE_STATUS": "no-store",
        }
    ).http
    assert chosen == HttpSettings(
        response_cache=False,
        response_cache_entries=100,
        response_cache_megabytes=8,
        max_url_bytes=2048,
        max_body_bytes=0,
        cache_status="no-store",
    )
    assert Settings.from_env({}).http == HttpSettings()


# --- limits ---------------------------------------------------------------------------------


def test_an_over_long_url_is_a_414_problem(site: ContentFolder, start: Start) -> None:
    client = start(http=HttpSettings(max_url_bytes=1024))
    assert client.get("/search", params={"q": "a" * 900}).status_code == 400  # under: q too long
    body = assert_problem(client.get("/search", params={"q": "a" * 1100}), 414)
    assert "1024" in body["detail"]
    assert body["instance"] == "/search"
    assert_problem(client.get("/posts/" + "a" * 1100), 414)


def test_an_over_large_body_is_a_413_problem(site: ContentFolder, start: Start) -> None:
    client = start(http=HttpSettings(max_body_bytes=1000), admin_token="geheim")
    token = {"Authorization": "Bearer geheim"}
    response = client.post("/admin/reindex", headers=token, content=b"x" * 1001)
    body = assert_problem(response, 413)
    assert "1000" in body["detail"]
    assert client.post("/admin/reindex", headers=token, content=b"x" * 10).status_code == 200


# --- HEAD and OPTIONS -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/posts", "/posts/actieonderzoek-uitgelegd", "/search?q=leren", "/feeds/all.rss", "/health"],
)
def test_head_answers_the_get_headers_without_a_body(
    site: ContentFolder, start: Start, path: str
) -> None:
    client = start()
    for encoding in ("identity", "br"):
        get = client.get(path, headers={"Accept-Encoding": encoding})
        head = client.head(path, headers={"Accept-Encoding": encoding})
        assert head.status_code == get.status_code == 200
        assert head.content == b""
        without_date = {key: value for key, value in get.headers.items() if key != "date"}
        assert {key: value for key, value in head.headers.items() if key != "date"} == without_date
        conditional = client.head(
            path, headers={"If-None-Match": get.headers["etag"], "Accept-Encoding": encoding}
        )
        assert conditional.status_code == 304
    missing = client.head("/posts/bestaat-niet")
    assert missing.status_code == 404
    assert missing.content == b""
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_options_names_the_methods(site: ContentFolder, start: Start) -> None:
    client = start()
    for path in ("/posts", "/posts/actieonderzoek-uitgelegd", "/feeds/posts.json"):
        response = client.options(path)
        assert response.status_code == 204
        assert listed(response.headers["allow"]) == {"get", "head", "options"}
    refused = client.post("/posts")
    assert_problem(refused, 405)
    assert "head" in listed(refused.headers["allow"])


# --- access log -----------------------------------------------------------------------------


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    """What the ``caseapi.access`` logger writes, formatted as ``caseapi serve`` does."""
    logger = logging.getLogger("caseapi.access")
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(JsonLines())
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield written
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_every_request_is_one_json_access_record(
    site: ContentFolder, start: Start, access_log: io.StringIO
) -> None:
    client = start()
    client.get("/posts?limit=1", headers={"User-Agent": "redactie/1.0"})
    client.get("/posts?limit=1")
    client.head("/posts/actieonderzoek-uitgelegd")
    client.get("/posts/bestaat-niet")
    preflight(client, STRANGER)
    client.get("/search", params={"q": "x" * 20_000})

    lines = access_log.getvalue().splitlines()
    assert all("\n" not in line for line in lines)
    records = [json.loads(line) for line in lines]
    assert [(r["method"], r["path"], r["status"]) for r in records] == [
        ("GET", "/posts", 200),
        ("GET", "/posts", 200),
        ("HEAD", "/posts/actieonderzoek-uitgelegd", 200),
        ("GET", "/posts/bestaat-niet", 404),
        ("OPTIONS", "/posts", 204),
        ("GET", "/search", 414),
    ]
    for record in records:
        assert record["level"] == "info"
        assert record["logger"] == "caseapi.access"
        assert isinstance(record["duration_ms"], float)
        assert record["duration_ms"] >= 0
        assert record["time"].endswith("Z")
    assert records[0]["query"] == "limit=1"
    assert records[0]["user_agent"] == "redactie/1.0"
    assert records[0]["bytes"] > 0
    assert records[2]["bytes"] == 0  # HEAD: no body went out
    assert [r["cache"] for r in records[:2]] == ["miss", "hit"]
    assert records[3]["cache"] == "pass"


def test_the_server_logging_config_writes_access_records_to_stdout() -> None:
    config = logging_config()
    assert config["loggers"]["caseapi.access"]["handlers"] == ["stdout"]
    assert config["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    assert config["loggers"]["uvicorn.access"]["handlers"] == []  # replaced, not doubled
    quiet = logging_config(access_log=False)
    assert quiet["loggers"]["caseapi.access"]["level"] == "WARNING"
