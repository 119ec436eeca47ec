"""Schemathesis: generated requests against the committed OpenAPI document and the real app.

The schema is ``openapi/openapi.json`` as committed (what clients read), not the app's own
``/schema/openapi.json``; the requests go to the app in process over ASGI. Every operation
gets valid and invalid inputs; every answer must be documented: no 5xx, a status code the
operation lists, a content type it lists, and a body (and headers) matching its schema.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar import Litestar
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from caseapi.api.app import create_app
from caseapi.settings import Settings
from tests.api_helpers import Serve, assert_problem
from tests.conftest import ContentFolder
from tests.paths import ROOT

COMMITTED = ROOT / "openapi" / "openapi.json"
SAMPLE_CONTENT = ROOT / "content"
TOKEN = "fuzz-token"
# Cases per operation (with the explicit and boundary cases Schemathesis adds, ~1,400 in all);
# the few operations without parameters run out early: `test_enough_cases_ran` counts.
EXAMPLES = 40
MINIMUM_CASES = 1000

cases_run: list[str] = []


class AppSlot:
    """The ASGI app Schemathesis calls, filled in by a fixture.

    The schema must exist when the module is collected, the app only once the test has a
    folder; and ``schemathesis.pytest.from_fixture`` fails on pytest 9 (it sets
    ``request.node._nodeid``, gone from pytest 9), so the schema is eager and the app late.
    """

    def __init__(self) -> None:
        self.app: Litestar | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None, "the app_in_slot fixture did not run"
        await self.app(scope, receive, send)


slot = AppSlot()
schema = schemathesis.openapi.from_path(COMMITTED)
schema.app = slot
schema.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
    database="none",
)


@pytest.fixture(scope="module")
def app_in_slot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The app over the sample content plus bad files, put in the slot for this module."""
    root = tmp_path_factory.mktemp("schemathesis")
    shutil.copytree(SAMPLE_CONTENT, root / "content")
    content = ContentFolder(root / "content")
    # Bad files too, so /content-errors and /health have problems to describe.
    content.write_bytes("posts/kapot.md", b"---\ntitle: [\n---\n")
    content.write("posts/tikfout.md", "---\ntitle: Tikfout\ndate: 2024-05-01\ntittle: x\n---\nx\n")
    slot.app = create_app(
        Settings(
            content_dir=root / "content",
            index_dir=root / "index",
            base_url="https://www.example.nl",
            api_url="https://api.example.nl",
            admin_token=TOKEN,
        )
    )
    yield
    # The ASGI transport starts the app's lifespan once and keeps it for the whole process;
    # stop it here, so the app's readers close before its folder is removed.
    asgi.shutdown_lifespans()
    slot.app = None


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # Sample content is small and the app is fast, but one case can still take 100 ms on a
    # loaded CI machine (a cold search index); slowness is for the benchmarks to judge.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@pytest.mark.usefixtures("app_in_slot")
def test_every_answer_matches_the_committed_schema(case: Any) -> None:
    cases_run.append(case.operation.label)
    headers = {"Authorization": f"Bearer {TOKEN}"} if case.method == "POST" else None
    excluded = []
    if case.operation.path.startswith("/search"):
        # A query of only punctuation or only exclusions (`q=)`, `q=-x`) fits the schema
        # (1-500 characters) but has nothing to search for: a documented 400, which the
        # other checks still hold to the schema. JSON Schema cannot say "has a word".
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers=headers, excluded_checks=excluded)


def test_enough_cases_ran() -> None:
    """Runs after the fuzzing above (pytest keeps file order)."""
    if not cases_run:
        pytest.skip("counts the cases of the fuzzing test, which was not selected")
    operations = set(cases_run)
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))["paths"]
    assert len(operations) == sum(len(methods) for methods in committed.values())
    assert len(operations) >= 20, sorted(operations)
    assert len(cases_run) >= MINIMUM_CASES, len(cases_run)


@pytest.mark.parametrize("collection", ["assignments", "posts"])
def test_fields_pattern_in_the_schema_is_what_lists_accept(
    collection: str, content: ContentFolder, serve: Serve
) -> None:
    """Found by the fuzzing: the schema said any text, the app refused unknown names."""
    content.post("een-bericht")
    content.assignment("een-opdracht")
    client = serve()
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    (parameter,) = (
        parameter
        for parameter in committed["paths"][f"/{collection}"]["get"]["parameters"]
        if parameter["name"] == "fields"
    )
    pattern = re.compile(parameter["schema"]["pattern"])
    for value in ("slug", "slug,title", " title , date ,", "", "slug,,date"):
        assert pattern.fullmatch(value), value
        assert client.get(f"/{collection}", params={"fields": value}).status_code == 200, value
    for value in ("0", "slug,nope", "slugtitle", ",slug;title"):
        assert not pattern.fullmatch(value), value
        assert_problem(client.get(f"/{collection}", params={"fields": value}), 400)
