"""Write a synthetic Dutch content folder of N documents, for benchmarks.

Words are drawn from wordfreq's Dutch frequency list, so term statistics look
like real text (a few very common words, a long tail); lengths, tags, clients
and dates vary like the sample content. The same seed gives the same corpus.

    python bench/corpus.py 10000 bench/corpus/10k
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
from pathlib import Path

import wordfreq
import yaml

TAGS = [
    "vakmanschap",
    "actieonderzoek",
    "zorg",
    "onderwijs",
    "participatie",
    "leiderschap",
    "teamontwikkeling",
    "vraagsturing",
    "intervisie",
    "verandermanagement",
    "jeugdzorg",
    "cliëntgerichtheid",
    "overheid",
    "wonen",
    "medezeggenschap",
    "reflectie",
    "dilemma's",
]
WORK = ["advies", "coaching", "training", "onderzoek", "procesbegeleiding", "intervisie"]
CLIENTS = [
    "Gemeente Zwolle",
    "CIZ",
    "Visio - Huis te Echten",
    "Hogeschool Windesheim",
    "Zorggroep Meerzicht",
    "Woonstichting De Veste",
    "Jeugdzorg Oost",
    "Ministerie van VWS",
    "Stichting Kwadraad",
]
AUTHORS = ["Henk Wedman", "Marieke de Vries", "Joost Bakker"]
HEADINGS = ["Vraag", "Aanpak", "Verloop", "Resultaat", "Achtergrond", "Tot slot"]


class Words:
    """Dutch words weighted by frequency (stop words included, as in real text)."""

    def __init__(self, rng: random.Random, size: int = 30_000) -> None:
        frequencies = wordfreq.get_frequency_dict("nl")
        ranked = [word for word in wordfreq.top_n_list("nl", size) if word.isalpha()]
        self.words = ranked
        self.rare = ranked[300:]
        # Cumulative weights once: random.choices with plain weights re-adds 30,000 floats per call.
        self.cumulative = list(itertools.accumulate(frequencies[word] for word in ranked))
        self.rare_cumulative = list(itertools.accumulate(frequencies[word] for word in self.rare))
        self.rng = rng

    def sample(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def content_words(self, count: int) -> list[str]:
        """Rarer words (rank 300+): what titles and queries are made of."""
        return self.rng.choices(self.rare, cum_weights=self.rare_cumulative, k=count)


def sentence(words: Words) -> str:
    text = " ".join(words.sample(words.rng.randint(6, 22)))
    return text[0].upper() + text[1:] + "."


def body(words: Words, paragraphs: int) -> str:
    rng = words.rng
    parts = []
    for index in range(paragraphs):
        if index % 2 == 0:
            parts.append(f"## {HEADINGS[(index // 2) % len(HEADINGS)]}")
        if rng.random() < 0.25:
            parts.append("\n".join(f"- {sentence(words)}" for _ in range(rng.randint(2, 5))))
        else:
            parts.append(" ".join(sentence(words) for _ in range(rng.randint(3, 7))))
    return "\n\n".join(parts) + "\n"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def title(words: Words) -> str:
    return " ".join(words.content_words(words.rng.randint(2, 6))).capitalize()


def assignment(words: Words, number: int) -> str:
    rng = words.rng
    start_year = rng.randint(2003, 2025)
    start_month = rng.randint(1, 12)
    months = rng.randint(3, 30)
    end_year, end_month = (
        start_year + (start_month - 1 + months) // 12,
        (start_month - 1 + months) % 12 + 1,
    )
    end = f", end: {end_year}-{end_month:02d}" if end_year < 2026 and rng.random() > 0.05 else ""
    return (
        "---\n"
        f"title: {quoted(title(words))}\n"
        f"summary: {quoted(' '.join(sentence(words) for _ in range(3)))}\n"
        f"clients: [{quoted(rng.choice(CLIENTS))}]\n"
        f"period: {{start: {start_year}-{start_month:02d}{end}}}\n"
        f"work: [{', '.join(rng.sample(WORK, rng.randint(1, 3)))}]\n"
        f"contact: {quoted(rng.choice(AUTHORS))}\n"
        f"tags: [{', '.join(quoted(tag) for tag in rng.sample(TAGS, rng.randint(1, 4)))}]\n"
        f"draft: {'true' if number % 97 == 0 else 'false'}\n"
        "---\n" + body(words, rng.randint(4, 10))
    )


def post(words: Words, number: int) -> str:
    rng = words.rng
    return (
        "---\n"
        f"title: {quoted(title(words))}\n"
        f"date: {rng.randint(2010, 2026)}-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}\n"
        f"author: {quoted(rng.choice(AUTHORS))}\n"
        f"tags: [{', '.join(quoted(tag) for tag in rng.sample(TAGS, rng.randint(1, 4)))}]\n"
        f"draft: {'true' if number % 89 == 0 else 'false'}\n"
        "---\n" + body(words, rng.randint(3, 8))
    )


def write_corpus(count: int, folder: Path, seed: int = 7) -> None:
    """Write ``count`` documents (a third assignments) into ``folder``, replacing it."""
    rng = random.Random(seed)
    words = Words(rng)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "assignments").mkdir(parents=True)
    (folder / "posts").mkdir(parents=True)
    for number in range(count):
        if number % 3 == 0:
            path = folder / "assignments" / f"opdracht-{number:06d}.md"
            path.write_text(assignment(words, number), encoding="utf-8")
        else:
            path = folder / "posts" / f"bericht-{number:06d}.md"
            path.write_text(post(words, number), encoding="utf-8")


def ensure_corpus(count: int, folder: Path, seed: int = 7) -> bool:
    """Write the corpus unless ``folder`` already holds this one; True when it was written."""
    marker = folder / ".corpus"
    wanted = f"{count} {seed}\n"
    if marker.exists() and marker.read_text() == wanted:
        return False
    write_corpus(count, folder, seed)
    marker.write_text(wanted)
    return True


def read_documents(folder: Path) -> list[dict[str, str]]:
    """The public documents of a corpus as flat records, for the peer engines (no caseapi code).

    Drafts are left out, as caseapi leaves them out; Markdown marks are dropped from the body.
    """
    documents = []
    for collection, kind in (("assignments", "assignment"), ("posts", "post")):
        for path in sorted((folder / collection).glob("*.md")):
            _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
            meta = yaml.load(front, Loader=yaml.CSafeLoader)
            if meta.get("draft"):
                continue
            documents.append(
                {
                    "type": kind,
                    "slug": path.stem,
                    "title": meta["title"],
                    "summary": meta.get("summary", ""),
                    "tags": " ".join(meta.get("tags", [])),
                    "body": body.replace("## ", "").replace("\n- ", "\n"),
                }
            )
    return documents


def queries(count: int, seed: int = 11) -> list[str]:
    """``count`` distinct queries of one to three words, drawn by real word frequency."""
    rng = random.Random(seed)
    words = Words(rng)
    found: set[str] = set()
    while len(found) < count:
        found.add(" ".join(words.content_words(rng.choice((1, 1, 1, 2, 2, 3)))))
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    ensure_corpus(arguments.count, arguments.folder, arguments.seed)


if __name__ == "__main__":
    main()
