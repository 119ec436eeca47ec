"""The committed OpenAPI document must match the app."""

from __future__ import annotations

import json

from caseapi.cli import openapi_json
from tests.paths import ROOT

COMMITTED = ROOT / "openapi" / "openapi.json"


def test_committed_openapi_matches_the_app() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    generated = json.loads(openapi_json())
    assert committed == generated, (
        "openapi/openapi.json is out of date: run `make openapi` and commit the result"
    )


def test_openapi_documents_every_public_path() -> None:
    paths = set(json.loads(openapi_json())["paths"])
    expected = {
        "/assignments",
        "/assignments/{slug}",
        "/posts",
        "/posts/{slug}",
        "/tags",
        "/health",
        "/content-errors",
    }
    assert expected <= paths


def test_errors_are_documented_as_problem_json() -> None:
    schema = json.loads(openapi_json())
    for path in ("/assignments/{slug}", "/posts/{slug}"):
        responses = schema["paths"][path]["get"]["responses"]
        assert "application/problem+json" in responses["404"]["content"]
        assert "application/problem+json" in responses["400"]["content"]
