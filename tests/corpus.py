"""A generated content folder big enough that building it takes a second or two.

Small cousin of ``bench/corpus.py`` for tests: Dutch words from wordfreq, a fixed seed,
and in every document a made-up marker word and the document's own made-up word, so a
search can count all documents or find exactly one.
"""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import wordfreq

from caseapi.content.loader import load_folder

# In every document: a search for it must count every served document.
MARKER = "qorvelmix"
_LETTERS = "bdfghjklmnprstvwz"
_VOWELS = "aeiou"


def dutch_words(count: int = 3000) -> list[str]:
    """Common Dutch words, letters only."""
    return [word for word in wordfreq.top_n_list("nl", count) if word.isalpha()]


def own_word(number: int, version: int = 0) -> str:
    """A made-up word for one document (and version): no stem, no Dutch compound part."""
    rng = random.Random(number * 1009 + version * 7919)
    syllables = [rng.choice(_LETTERS) + rng.choice(_VOWELS) for _ in range(4)]
    return "zq" + "".join(syllables) + "x"


class Corpus:
    """Posts and assignments in ``root``, rewritten in place by the tests."""

    def __init__(self, root: Path, size: int, seed: int = 9) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.words = dutch_words()
        self.versions: dict[str, int] = {}
        for folder in ("assignments", "posts"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        for number in range(size):
            self.write(self.relative(number))

    @staticmethod
    def relative(number: int) -> str:
        folder = "posts" if number % 3 else "assignments"
        return f"{folder}/document-{number:04d}.md"

    def sentence(self, length: int) -> str:
        words = self.rng.choices(self.words, k=length)
        return " ".join(words).capitalize() + "."

    def write(self, relative: str, version: int = 0) -> Path:
        """Write (or rewrite) one document in place."""
        path = self.root / relative
        path.write_text(self.text(relative, version), encoding="utf-8")
        return path

    def text(self, relative: str, version: int = 0) -> str:
        """A new version of one document; its title carries its own word and version."""
        number = int(relative.rsplit("-", 1)[1].removesuffix(".md"))
        self.versions[relative] = version
        word = own_word(number, version)
        title = f"{self.sentence(3)[:-1]} {word}"
        body = "\n\n".join(self.sentence(self.rng.randint(20, 60)) for _ in range(3))
        if relative.startswith("posts/"):
            head = f"title: {title}\ndate: 2024-{number % 12 + 1:02d}-{number % 28 + 1:02d}\n"
        else:
            head = (
                f"title: {title}\nsummary: {self.sentence(12)}\nclients: [Klant {number % 17}]\n"
                f"period: {{start: 20{number % 20 + 4:02d}-03}}\n"
            )
        return f"---\n{head}tags: [tag{number % 9}]\n---\n## Vraag\n\n{MARKER} {body}\n"

    def files(self) -> list[str]:
        return sorted(self.versions)

    def delete(self, relative: str) -> None:
        (self.root / relative).unlink()
        del self.versions[relative]


def served_documents(client: httpx.Client) -> dict[tuple[str, str], str]:
    """(collection, slug) -> title of every document the API lists."""
    served: dict[tuple[str, str], str] = {}
    for collection in ("assignments", "posts"):
        page: int | None = 1
        while page is not None:
            response = client.get(
                f"/{collection}", params={"limit": 100, "page": page, "fields": "slug,title"}
            )
            assert response.status_code == 200, response.text
            body = response.json()
            for item in body["data"]:
                served[(collection, item["slug"])] = item["title"]
            page = body["meta"]["next"]
    return served


def assert_serves_folder(client: httpx.Client, corpus: Corpus, check_words: list[str]) -> None:
    """Catalog, search and health all say what the folder says; ``check_words`` by search."""
    expected = {
        (document.collection, document.slug): document.title
        for document in load_folder(corpus.root).documents
    }
    assert served_documents(client) == expected
    health = client.get("/health")
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "ok"
    assert health.json()["documents"] == {
        "assignments": sum(collection == "assignments" for collection, _ in expected),
        "posts": sum(collection == "posts" for collection, _ in expected),
    }
    marker = client.get("/search", params={"q": MARKER, "limit": 1})
    assert marker.status_code == 200, marker.text
    assert marker.json()["meta"]["total"] == len(expected)
    for relative in check_words:
        number = int(relative.rsplit("-", 1)[1].removesuffix(".md"))
        slug = relative.split("/")[1].removesuffix(".md")
        current = corpus.versions.get(relative)
        for version in {0, current or 0}:
            body = client.get("/search", params={"q": own_word(number, version)}).json()
            found = [hit["slug"] for hit in body["data"]]
            if version == current:
                assert slug in found, (relative, version, found)
            elif not body["fuzzy"]:  # a typo-tolerant match of the new word is fine
                assert slug not in found, (relative, version, found)
