"""Dutch analysis, compound splitting, snippets and the vocabulary, one unit at a time."""

from __future__ import annotations

import datetime as dt
import pickle
import re

import pytest

from caseapi.models import AMSTERDAM, Document, WordCount
from caseapi.search.analysis import dutch_analyzer, english_analyzer, terms
from caseapi.search.compounds import split_compound
from caseapi.search.snippets import highlight_title, mark, snippet
from caseapi.search.vocabulary import Vocabulary, count_words, document_words, edit_budget

DUTCH = dutch_analyzer()
ENGLISH = english_analyzer()


def stem(word: str) -> str:
    """The one query term of a Dutch word."""
    (term,) = terms(DUTCH, word)
    return term


def index_terms(text: str) -> list[str]:
    return terms(DUTCH, text, mode="index")


def outside_marks(html: str) -> str:
    return html.replace("<mark>", "").replace("</mark>", "")


def marked(html: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", html)


# --- the Dutch analyzer -----------------------------------------------------------------------


def test_words_are_lowercased_and_accent_folded() -> None:
    assert terms(DUTCH, "CLIËNTEN") == terms(DUTCH, "clienten") == terms(DUTCH, "cliënten")
    assert all(term.isascii() for term in terms(DUTCH, "cliënten coöperatie één-op-één ideeën"))


@pytest.mark.parametrize("written", ["dilemma's", "dilemma’s", "Dilemma's"])
def test_an_apostrophe_s_plural_is_the_singular(written: str) -> None:
    assert terms(DUTCH, written) == terms(DUTCH, "dilemma")


def test_other_apostrophe_endings_are_dropped_too() -> None:
    assert terms(DUTCH, "auto’s foto's") == terms(DUTCH, "auto foto")


def test_stop_words_alone_leave_nothing() -> None:
    assert terms(DUTCH, "de het een en van in op met voor") == []
    assert terms(DUTCH, "De Het EEN") == []


def test_stop_words_are_dropped_from_between_content_words() -> None:
    assert terms(DUTCH, "de zorg voor de mensen") == terms(DUTCH, "zorg mensen")


def test_single_letters_are_dropped() -> None:
    assert terms(DUTCH, "a b c zorg") == terms(DUTCH, "zorg")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("teams", "team"),
        ("werken", "werk"),
        ("gewerkt", "werken"),
        ("organisaties", "organisatie"),
        ("onderzoeken", "onderzoek"),
        ("ontwikkelingen", "ontwikkeling"),
    ],
)
def test_inflected_forms_share_a_stem(one: str, other: str) -> None:
    assert stem(one) == stem(other)


def test_unrelated_words_keep_different_stems() -> None:
    assert len({stem("zorg"), stem("team"), stem("werk"), stem("wijk")}) == 4


def test_index_mode_adds_compound_parts_query_mode_does_not() -> None:
    assert terms(DUTCH, "vakmanschapsontwikkeling") == [stem("vakmanschapsontwikkeling")]
    assert set(index_terms("vakmanschapsontwikkeling")) == {
        stem("vakmanschapsontwikkeling"),
        stem("vakmanschap"),
        stem("ontwikkeling"),
    }


def test_compound_parts_share_the_position_and_characters_of_the_compound() -> None:
    text = "De vakmanschapsontwikkeling van teams"
    tokens = [
        (token.text, token.pos, token.startchar, token.endchar)
        for token in DUTCH(text, positions=True, chars=True, mode="index")
    ]
    compound = [token for token in tokens if token[0] != stem("teams")]
    assert len(compound) == 3
    assert {(pos, start, end) for _, pos, start, end in compound} == {(1, 3, 27)}
    assert text[3:27] == "vakmanschapsontwikkeling"
    (team,) = [token for token in tokens if token[0] == stem("teams")]
    assert team[1] == 3  # after "van": stop words keep their place
    assert text[team[2] : team[3]] == "teams"


def test_a_compound_with_a_linking_s_yields_the_stem_of_its_head() -> None:
    assert stem("kwaliteit") in index_terms("kwaliteitszorg")


def test_the_analyzer_survives_being_pickled_into_an_index_schema() -> None:
    copy = pickle.loads(pickle.dumps(DUTCH))
    text = "Cliënten en dilemma's bij vakmanschapsontwikkeling"
    assert terms(copy, text, mode="index") == index_terms(text)


# --- the English analyzer ---------------------------------------------------------------------


def test_english_forms_share_an_english_stem() -> None:
    assert terms(ENGLISH, "organizations") == terms(ENGLISH, "organization")
    assert terms(ENGLISH, "running runs") == terms(ENGLISH, "run run")


def test_english_stop_words_are_dropped_but_dutch_ones_are_english_words() -> None:
    assert terms(ENGLISH, "the of and to") == []
    assert terms(ENGLISH, "die had") != []


def test_english_text_is_not_decompounded() -> None:
    assert terms(ENGLISH, "vakmanschapsontwikkeling", mode="index") == terms(
        ENGLISH, "vakmanschapsontwikkeling"
    )


# --- compounds --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("compound", "parts"),
    [
        ("vakmanschapsontwikkeling", ("vakmanschap", "ontwikkeling")),
        ("teamontwikkeling", ("team", "ontwikkeling")),
        ("ketensamenwerking", ("keten", "samenwerking")),
        ("leiderschapsontwikkeling", ("leiderschap", "ontwikkeling")),
    ],
)
def test_compounds_split_into_common_words(compound: str, parts: tuple[str, ...]) -> None:
    assert split_compound(compound) == parts


@pytest.mark.parametrize("word", ["ontwikkeling", "samenwerking", "organisatie", "huis", "team"])
def test_common_words_and_short_words_are_not_split(word: str) -> None:
    assert split_compound(word) == ()


def test_unknown_letter_soup_is_not_split() -> None:
    assert split_compound("qxzvbnmwkrtpl") == ()


# --- highlighting -----------------------------------------------------------------------------


def test_mark_escapes_everything_and_wraps_only_the_spans() -> None:
    text = "<b>zorg</b> & 'teams'"
    html = mark(text, [(3, 7), (15, 20)])
    assert html == "&lt;b&gt;<mark>zorg</mark>&lt;/b&gt; &amp; '<mark>teams</mark>'"


def test_mark_ignores_repeated_and_overlapping_spans() -> None:
    assert mark("vakmanschap", [(0, 11), (0, 11), (3, 6)]) == "<mark>vakmanschap</mark>"


def test_a_title_is_marked_where_its_words_match_after_analysis() -> None:
    html = highlight_title(
        "Cliënten en hun dilemma's bij vakmanschapsontwikkeling",
        "nl",
        {stem("clienten"), stem("dilemma"), stem("vakmanschap")},
    )
    assert marked(html) == ["Cliënten", "dilemma's", "vakmanschapsontwikkeling"]
    assert outside_marks(html) == "Cliënten en hun dilemma's bij vakmanschapsontwikkeling"


def test_a_title_with_markup_is_escaped_around_the_marks() -> None:
    html = highlight_title("<script>alert(1)</script> zorg", "nl", {stem("zorg")})
    assert html == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>zorg</mark>"


def test_an_english_title_is_marked_by_english_stems() -> None:
    html = highlight_title("Leading organizations", "en", set(terms(ENGLISH, "organization")))
    assert marked(html) == ["organizations"]


def test_a_snippet_without_a_match_is_the_start_of_the_text() -> None:
    text = "Korte tekst zonder treffer."
    assert snippet(text, "nl", {stem("vakmanschap")}) == text


def test_a_snippet_shows_the_window_around_a_late_match() -> None:
    text = "Inleiding " + "opvulling " * 80 + "Het ging om ketenregie bij cliënten. " + "slot " * 80
    html = snippet(text, "nl", {stem("ketenregie"), stem("clienten")})
    assert marked(html) == ["ketenregie", "cliënten"]
    assert html.startswith("…")
    assert html.endswith("…")
    assert "Inleiding" not in html
    # Cut at whole words, about 220 characters of text.
    inner = outside_marks(html).strip("…")
    assert inner.split()[0] in ("opvulling", "Het")
    assert inner.split()[-1] == "slot"
    assert 150 <= len(inner) <= 230


def test_a_snippet_prefers_the_window_with_the_most_distinct_terms() -> None:
    text = (
        "Ketenregie komt eerst. "
        + "opvulling " * 60
        + "Later samen: ketenregie en wijkteams. "
        + "slot " * 60
    )
    html = snippet(text, "nl", {stem("ketenregie"), stem("wijkteams")})
    assert marked(html) == ["ketenregie", "wijkteams"]


def test_a_snippet_escapes_the_text() -> None:
    text = "Over <img src=x onerror=alert(1)> en ketenregie & meer."
    html = snippet(text, "nl", {stem("ketenregie")})
    assert html == "Over &lt;img src=x onerror=alert(1)&gt; en <mark>ketenregie</mark> &amp; meer."


def test_a_snippet_marks_a_compound_for_its_part() -> None:
    html = snippet("Werken aan vakmanschapsontwikkeling.", "nl", {stem("ontwikkeling")})
    assert marked(html) == ["vakmanschapsontwikkeling"]


# --- the vocabulary ---------------------------------------------------------------------------


@pytest.fixture
def vocabulary() -> Vocabulary:
    counts = {
        "cliënten": 3,
        "clienten": 1,
        "vakmanschap": 5,
        "vakmanschapsontwikkeling": 2,
        "vakantie": 9,
        "dilemma": 4,
        "kennen": 7,
        "keten": 2,
        "wijkteams": 3,
    }
    return Vocabulary({word: WordCount(documents=count) for word, count in counts.items()})


def test_one_spelling_per_folded_word_the_most_used(vocabulary: Vocabulary) -> None:
    assert len(vocabulary) == 8
    # Shown as the most used spelling, counted over both spellings.
    assert vocabulary.complete("clien") == [("cliënten", 4)]


def test_membership_ignores_case_and_accents(vocabulary: Vocabulary) -> None:
    assert "clienten" in vocabulary
    assert "CLIËNTEN" in vocabulary
    assert "cliënt" not in vocabulary


def test_completion_is_by_prefix_most_used_first(vocabulary: Vocabulary) -> None:
    assert vocabulary.complete("vak") == [
        ("vakantie", 9),
        ("vakmanschap", 5),
        ("vakmanschapsontwikkeling", 2),
    ]
    assert vocabulary.complete("vakma", limit=1) == [("vakmanschap", 5)]
    assert vocabulary.complete("VAKMA") == vocabulary.complete("vakma")


def test_completion_of_accented_or_unknown_prefixes(vocabulary: Vocabulary) -> None:
    assert vocabulary.complete("clië") == [("cliënten", 4)]
    assert vocabulary.complete("xyz") == []
    assert vocabulary.complete("") == []


@pytest.mark.parametrize(("length", "budget"), [(1, 0), (4, 0), (5, 1), (8, 1), (9, 2), (20, 2)])
def test_edit_budget_grows_with_word_length(length: int, budget: int) -> None:
    assert edit_budget("x" * length) == budget


def test_similar_words_are_within_the_budget(vocabulary: Vocabulary) -> None:
    assert vocabulary.similar("dilemna") == ["dilemma"]
    assert vocabulary.similar("vakmanschsp") == ["vakmanschap"]
    assert vocabulary.similar("wijkteens") == ["wijkteams"]  # two edits at nine letters
    assert vocabulary.similar("dilenna") == []  # two edits at seven letters
    assert vocabulary.similar("ketn") == []  # four letters: no typos tolerated


def test_similar_words_closest_then_most_used(vocabulary: Vocabulary) -> None:
    assert vocabulary.similar("kenen") == ["kennen", "keten"]


def test_correct_offers_a_known_word_only_for_an_unknown_one(vocabulary: Vocabulary) -> None:
    assert vocabulary.correct("dilemna") == "dilemma"
    assert vocabulary.correct("Vakmanschsp") == "vakmanschap"
    assert vocabulary.correct("dilemma") is None
    assert vocabulary.correct("Cliënten") is None
    assert vocabulary.correct("qxzvbnmw") is None


def _document(title: str, text: str, tags: list[str]) -> Document:
    moment = dt.datetime(2024, 5, 1, tzinfo=AMSTERDAM)
    return Document(
        collection="posts",
        slug="bericht",
        path="posts/bericht.md",
        title=title,
        summary="",
        tags=tags,
        date=moment,
        modified=moment,
        lang="nl",
        draft=False,
        html="",
        text=text,
        sections=[],
        checksum="0",
    )


def test_document_words_are_lowercase_words_with_compound_parts() -> None:
    words = document_words(
        _document("Vakmanschapsontwikkeling", "De cliënten en hun dilemma's, 2024.", ["Wijk"])
    )
    assert {"vakmanschapsontwikkeling", "vakmanschap", "ontwikkeling"} <= words
    assert {"cliënten", "dilemma's", "wijk", "hun"} <= words
    assert "de" not in words  # fewer than three letters
    assert "2024" not in words


def test_count_words_counts_documents_not_occurrences() -> None:
    counts = count_words(
        [
            _document("Zorg", "zorg zorg zorg", []),
            _document("Teams", "zorg in teams", []),
        ],
        dt.datetime.now(dt.UTC),
    )
    assert counts["zorg"].documents == 2
    assert counts["teams"].documents == 1
    assert counts["zorg"].visible_from is None
