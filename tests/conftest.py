"""Shared fixtures: real content folders in ``tmp_path`` and the real app over HTTP."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from caseapi.api.app import create_app
from caseapi.settings import Settings

ASSIGNMENT = """\
---
title: {title}
summary: {summary}
clients: [{client}]
period: {{start: 2003-10, end: 2004-12}}
work: [advies, coaching]
contact: Henk Wedman
tags: [{tags}]
---
## Vraag

{body}

## Resultaat

- Een eindrapport
- Toegeruste managers
"""

POST = """\
---
title: {title}
date: {date}
author: {author}
tags: [{tags}]
---
{body}

## Meer

Tweede alinea.
"""


class ContentFolder:
    """A content folder on disk that tests write files into."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "assignments").mkdir(parents=True, exist_ok=True)
        (root / "posts").mkdir(parents=True, exist_ok=True)

    def write(self, relative: str, text: str) -> Path:
        """Write ``text`` (dedented) to ``relative``, creating folders."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, relative: str, data: bytes) -> Path:
        """Write raw bytes to ``relative``."""
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def assignment(
        self,
        slug: str,
        title: str = "Vraaggestuurde professionaliteit",
        summary: str = "Vraagsturing concreet maken met professionals.",
        client: str = "Visio - Huis te Echten",
        tags: str = "vraagsturing, professionaliteit",
        body: str = "Hoe geef je vraagsturing handen en voeten?",
    ) -> Path:
        """A valid assignment."""
        text = ASSIGNMENT.format(title=title, summary=summary, client=client, tags=tags, body=body)
        return self.write(f"assignments/{slug}.md", text)

    def post(
        self,
        slug: str,
        title: str = "Actieonderzoek uitgelegd",
        date: str = "2024-05-01",
        author: str = "Henk Wedman",
        tags: str = "actieonderzoek",
        body: str = "Actieonderzoek combineert leren, veranderen en onderzoeken.",
    ) -> Path:
        """A valid post."""
        text = POST.format(title=title, date=date, author=author, tags=tags, body=body)
        return self.write(f"posts/{slug}.md", text)


@pytest.fixture
def content(tmp_path: Path) -> ContentFolder:
    """An empty content folder."""
    return ContentFolder(tmp_path / "content")


@pytest.fixture
def settings(tmp_path: Path, content: ContentFolder) -> Settings:
    """Settings pointing at the test's content and index folders."""
    return Settings(
        content_dir=content.root,
        index_dir=tmp_path / "index",
        base_url="https://www.example.nl",
        api_url="https://api.example.nl",
    )


@pytest.fixture
def serve(settings: Settings) -> Iterator[Callable[[], TestClient]]:
    """Start the real app (index built at start-up) once the test has written its files."""
    clients: list[TestClient] = []

    def start() -> TestClient:
        client = TestClient(app=create_app(settings))
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


Start = Callable[..., TestClient]


@pytest.fixture
def start(settings: Settings) -> Iterator[Start]:
    """Start the real app with the test's settings, changed by keyword (``http=...``)."""
    clients: list[TestClient] = []

    def run(**changes: Any) -> TestClient:
        client = TestClient(app=create_app(msgspec.structs.replace(settings, **changes)))
        client.__enter__()
        clients.append(client)
        return client

    yield run
    for client in clients:
        client.__exit__(None, None, None)
