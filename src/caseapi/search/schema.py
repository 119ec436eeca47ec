"""What the search index holds of a document: its fields, their weights, and its facts.

Whoosh is only ever touched through ``writer.py`` (writing) and
``snapshot.py`` (reading); both take the field layout from here.
"""

from __future__ import annotations

from typing import Any

import msgspec
from whoosh.fields import ID, STORED, TEXT, Schema

from caseapi.models import AMSTERDAM, Collection, Document
from caseapi.publication import public_from, year_span
from caseapi.search.analysis import dutch_analyzer, english_analyzer

# Field weights: a word in the title says more than one in the summary, which
# says more than one in the body. Tags, clients and kinds of work sit in
# "keywords", weighted like the summary.
TITLE_BOOST = 4.0
SUMMARY_BOOST = 2.0
KEYWORDS_BOOST = 2.0

DUTCH_FIELDS = ("title", "summary", "keywords", "body")
ENGLISH_FIELDS = ("title_en", "summary_en", "keywords", "body_en")
SCORED_FIELDS = (*DUTCH_FIELDS, *ENGLISH_FIELDS)
# How much text a hit keeps for snippets: enough for a good window, little to analyse.
SNIPPET_SOURCE_CHARS = 1600


class HitFacts(msgspec.Struct, array_like=True, frozen=True):
    """What a hit shows and filters on, stored beside each indexed document."""

    collection: Collection
    slug: str
    title: str
    date: str
    tags: tuple[str, ...]
    year_from: int
    year_to: int | None
    # publication.public_from as a timestamp (drafts are never indexed).
    public_from: float
    lang: str
    text: str


_facts_encoder = msgspec.msgpack.Encoder()
facts_decoder = msgspec.msgpack.Decoder(HitFacts)


def schema() -> Schema:
    """The index schema; analyzers are stored with it by Whoosh."""
    dutch = dutch_analyzer()
    english = english_analyzer()
    return Schema(
        key=ID(unique=True, stored=True),
        facts=STORED(),
        title=TEXT(analyzer=dutch, field_boost=TITLE_BOOST),
        summary=TEXT(analyzer=dutch, field_boost=SUMMARY_BOOST),
        keywords=TEXT(analyzer=dutch, field_boost=KEYWORDS_BOOST),
        body=TEXT(analyzer=dutch),
        title_en=TEXT(analyzer=english, field_boost=TITLE_BOOST),
        summary_en=TEXT(analyzer=english, field_boost=SUMMARY_BOOST),
        body_en=TEXT(analyzer=english),
    )


def document_key(collection: str, slug: str) -> str:
    """The unique key of a document in the index."""
    return f"{collection}/{slug}"


def index_fields(document: Document) -> dict[str, Any]:
    """The fields Whoosh stores and indexes for a searchable ``document``."""
    year_from, year_to = year_span(document)
    moment = public_from(document)
    assert moment is not None, "drafts are never indexed"
    facts = HitFacts(
        collection=document.collection,
        slug=document.slug,
        title=document.title,
        date=document.date.astimezone(AMSTERDAM).isoformat(),
        tags=tuple(document.tags),
        year_from=year_from,
        year_to=year_to,
        public_from=moment.timestamp(),
        lang=document.lang,
        text=_snippet_source(document),
    )
    # Who wrote or led it is searchable too: people look for "Henk Wedman".
    people = [name for name in (document.author, document.contact) if name]
    keywords = " ".join([*document.tags, *document.clients, *document.work, *people])
    suffix = "_en" if document.lang == "en" else ""
    return {
        "key": document_key(document.collection, document.slug),
        "facts": _facts_encoder.encode(facts),
        f"title{suffix}": document.title,
        f"summary{suffix}": document.summary,
        "keywords": keywords,
        f"body{suffix}": document.text,
    }


def _snippet_source(document: Document) -> str:
    """Summary and the start of the body, without saying the first paragraph twice."""
    body = document.text
    if " ".join(body[: len(document.summary) + 200].split()).startswith(document.summary):
        return body[:SNIPPET_SOURCE_CHARS]
    return f"{document.summary}\n{body}"[:SNIPPET_SOURCE_CHARS]
