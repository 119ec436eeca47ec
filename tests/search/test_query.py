"""``parse_query``: what a visitor typed -> words, phrases, prefixes and exclusions."""

from __future__ import annotations

import pytest

from caseapi.search.query import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_PARTS,
    ParsedQuery,
    Part,
    QueryError,
    clean,
    parse_query,
)


def words(parsed: ParsedQuery) -> list[str]:
    """The included words, phrases split up, in order."""
    return [word for part in parsed.include for word in part.text.split()]


def included(text: str) -> list[Part]:
    return list(parse_query(text).include)


def excluded(text: str) -> list[Part]:
    return list(parse_query(text).exclude)


# --- words ------------------------------------------------------------------------------------


def test_words_are_all_required_parts_in_order() -> None:
    parsed = parse_query("zelfsturende teams zorg")
    assert parsed == ParsedQuery(
        include=(Part("zelfsturende"), Part("teams"), Part("zorg")), exclude=()
    )
    assert words(parsed) == ["zelfsturende", "teams", "zorg"]


def test_whitespace_of_any_kind_separates_words() -> None:
    assert included("  vakmanschap\t\tontwikkeling\n zorg  ") == [
        Part("vakmanschap"),
        Part("ontwikkeling"),
        Part("zorg"),
    ]


def test_accents_case_and_apostrophes_are_left_to_the_analyzer() -> None:
    assert included("Cliënten dilemma's") == [Part("Cliënten"), Part("dilemma's")]


# --- phrases ----------------------------------------------------------------------------------


def test_a_quoted_phrase_is_one_part() -> None:
    assert included('"zelfsturende teams" zorg') == [
        Part("zelfsturende teams", phrase=True),
        Part("zorg"),
    ]


def test_a_phrase_has_its_inner_whitespace_normalised() -> None:
    assert included('"  zelfsturende \t teams "') == [Part("zelfsturende teams", phrase=True)]


def test_a_quoted_single_word_is_a_plain_word() -> None:
    assert included('"teams"') == [Part("teams")]


def test_an_unbalanced_quote_is_forgiven() -> None:
    assert included('zorg "zelfsturende teams') == [
        Part("zorg"),
        Part("zelfsturende teams", phrase=True),
    ]
    assert included('zorg teams"') == [Part("zorg"), Part("teams")]


def test_the_words_of_a_phrase_count_as_words() -> None:
    assert words(parse_query('"zelfsturende teams" zorg')) == ["zelfsturende", "teams", "zorg"]


# --- exclusions -------------------------------------------------------------------------------


def test_a_minus_word_is_excluded() -> None:
    parsed = parse_query("ketenregie -jeugdzorg")
    assert parsed.include == (Part("ketenregie"),)
    assert parsed.exclude == (Part("jeugdzorg"),)
    assert words(parsed) == ["ketenregie"]


def test_a_minus_phrase_is_excluded_as_a_phrase() -> None:
    assert excluded('ketenregie -"zelfsturende teams"') == [Part("zelfsturende teams", phrase=True)]


def test_plus_means_include() -> None:
    assert included('+zorg +"zelfsturende teams"') == [
        Part("zorg"),
        Part("zelfsturende teams", phrase=True),
    ]


def test_an_excluded_word_is_never_a_prefix() -> None:
    assert excluded("zorg -vak*") == [Part("vak")]


def test_a_hyphen_inside_a_word_is_not_an_exclusion() -> None:
    assert included("e-learning") == [Part("e-learning")]
    assert excluded("e-learning") == []


def test_only_exclusions_is_an_error_that_says_so() -> None:
    with pytest.raises(QueryError, match="only excludes"):
        parse_query("-zorg")
    with pytest.raises(QueryError, match="only excludes"):
        parse_query('-zorg -"zelfsturende teams"')


# --- prefixes ---------------------------------------------------------------------------------


def test_a_trailing_star_asks_for_a_prefix() -> None:
    assert included("vakma* zorg") == [Part("vakma", prefix=True), Part("zorg")]


def test_a_leading_star_is_dropped_without_making_a_prefix() -> None:
    assert included("*vak") == [Part("vak")]


# --- what is forgiven -------------------------------------------------------------------------


@pytest.mark.parametrize("operator", ["AND", "OR", "NOT", "&&", "||", "!"])
def test_boolean_operators_are_ignored(operator: str) -> None:
    assert included(f"zorg {operator} teams") == [Part("zorg"), Part("teams")]


def test_lowercase_and_or_are_ordinary_words() -> None:
    assert included("zorg and or teams") == [
        Part("zorg"),
        Part("and"),
        Part("or"),
        Part("teams"),
    ]


@pytest.mark.parametrize(
    ("typed", "word"),
    [("(zorg)", "zorg"), ("zorg,", "zorg"), ("[zorg]", "zorg"), ("~zorg^", "zorg"), ("<b>", "b")],
)
def test_punctuation_around_a_word_is_dropped(typed: str, word: str) -> None:
    assert included(typed) == [Part(word)]


@pytest.mark.parametrize("syntax", ["title:foo", "foo~2", "foo^3", "a/b"])
def test_search_engine_syntax_is_read_as_plain_text(syntax: str) -> None:
    parts = included(syntax)
    assert [part.phrase or part.prefix for part in parts] == [False] * len(parts)
    assert "".join(part.text for part in parts) == syntax


def test_a_range_is_read_as_words() -> None:
    assert included("[a TO b]") == [Part("a"), Part("TO"), Part("b")]


@pytest.mark.parametrize(
    "nothing", ["", "   ", "\t\n", "AND", "OR NOT", "-", "*", '""', '" "', "+", "(", "()", "- * +"]
)
def test_nothing_to_search_for_is_an_error(nothing: str) -> None:
    with pytest.raises(QueryError, match="no words"):
        parse_query(nothing)


# --- characters -------------------------------------------------------------------------------


def test_control_and_format_characters_are_removed() -> None:
    # An invisible character separates words, like the space it usually stands for.
    assert included("zorg\x00teams") == [Part("zorg"), Part("teams")]
    assert included("zorg\u200bteams \x07wijk\x7f") == [Part("zorg"), Part("teams"), Part("wijk")]
    assert included("\u202ezorg\u202c") == [Part("zorg")]


def test_emoji_and_right_to_left_letters_are_kept() -> None:
    assert included("zorg 😀 مرحبا שלום") == [
        Part("zorg"),
        Part("😀"),
        Part("مرحبا"),
        Part("שלום"),
    ]


def test_clean_keeps_letters_and_collapses_spaces() -> None:
    assert clean(" a\u00a0b\x00c \r\n d ") == "a b c d"
    assert clean("Cliënten 😀") == "Cliënten 😀"


# --- limits -----------------------------------------------------------------------------------


def test_the_longest_query_is_searched() -> None:
    assert included("x" * MAX_QUERY_LENGTH) == [Part("x" * MAX_QUERY_LENGTH)]


def test_a_longer_query_is_an_error_that_names_both_lengths() -> None:
    with pytest.raises(QueryError) as error:
        parse_query("x" * (MAX_QUERY_LENGTH + 1))
    assert str(MAX_QUERY_LENGTH + 1) in str(error.value)
    assert str(MAX_QUERY_LENGTH) in str(error.value)


def test_a_very_long_query_is_rejected_before_any_work() -> None:
    with pytest.raises(QueryError, match="characters"):
        parse_query("zorg " * 2_000)


def test_up_to_the_maximum_number_of_parts_is_searched() -> None:
    words = [f"woord{number}" for number in range(MAX_QUERY_PARTS)]
    assert len(included(" ".join(words))) == MAX_QUERY_PARTS


def test_more_parts_than_the_maximum_is_an_error() -> None:
    words = [f"woord{number}" for number in range(MAX_QUERY_PARTS)]
    with pytest.raises(QueryError, match=str(MAX_QUERY_PARTS)):
        parse_query(" ".join([*words, "-extra"]))
