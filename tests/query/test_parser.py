"""The grammar: normalised rendering, and errors that name the column and a stable code."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.query import And, Near, Not, Or, Phrase, Prefix, QueryError, Word, parse, render


@pytest.mark.parametrize(
    ("query", "rendered"),
    [
        ("Nike  adidas", "nike AND adidas"),
        ("nike OR Adidas OR puma", "nike OR adidas OR puma"),
        ("(a OR b) c", "(a OR b) AND c"),
        ("a NOT b", "a AND NOT b"),
        ("-a", "NOT a"),
        ("NOT NOT a", "a"),
        ("NOT (a OR b)", "NOT (a OR b)"),
        ("((a))", "a"),
        ("(a b) c", "a AND b AND c"),
        ('"a b"~5', "a NEAR/5 b"),
        ('"a b c"~5', '"a b c"~5'),
        ('(a OR bbb*) NEAR/3f "c d"', '(a OR bbb*) NEAR/3f "c d"'),
        ("NOT a NEAR/2 b", "NOT a NEAR/2 b"),
        ("L’École", '"l ecole"'),
        ("LANG:FR", "lang:fr"),
        ("site:https://www.LeMonde.fr/x", "site:lemonde.fr"),
        ("author:@Jean", "author:jean"),
        ('source:"Mon Flux"', 'source:"mon flux"'),
        ('raw:"Dit \\"non\\""', 'raw:"Dit \\"non\\""'),
        ("“mot exact”", '"mot exact"'),
        ("«mot exact»", '"mot exact"'),
        ("and or not", "and AND or AND not"),
        ("https://example.com/page", '"https example com page"'),
        ("lang:(FR OR en) nike", "(lang:fr OR lang:en) AND nike"),
        ('source:("my feed" OR other)', 'source:"my feed" OR source:other'),
        ("lang:(fr)", "lang:fr"),
        ("-channel:(rss OR rss)", "NOT channel:rss"),
        ("WOM?N", "wom?n"),
        ("Organi?ation*", "organi?ation*"),
        ("ÉCO?E", "eco?e"),
        ("pourquoi?", "pourquoi"),
        ("https://x.com/?a=b", '"https x com a b"'),
    ],
)
def test_render_gives_one_normalised_form(query: str, rendered: str) -> None:
    assert render(parse(query)) == rendered
    assert parse(rendered) == parse(query)


def test_near_accepts_groups_of_words_phrases_and_prefixes() -> None:
    node = parse('(greve OR "service client") NEAR/3 (ecol* OR lycee)')
    assert node == Near(
        (Or((Word("greve"), Phrase(("service", "client")))), Or((Prefix("ecol"), Word("lycee")))),
        3,
    )


def test_not_binds_tighter_than_and_or() -> None:
    assert parse("NOT a OR b") == Or((Not(Word("a")), Word("b")))
    assert parse("-a b") == And((Not(Word("a")), Word("b")))


@pytest.mark.parametrize(
    ("query", "code", "column"),
    [
        ("", "empty_query", 1),
        ("   ", "empty_query", 1),
        ("nike adidas OR puma", "mixed_and_or", 13),
        ("a OR b AND c", "mixed_and_or", 8),
        ("a OR b NOT c", "mixed_and_or", 8),
        ("(a", "unclosed_paren", 1),
        ("a)", "unexpected_paren", 2),
        ("()", "empty_group", 1),
        ('say "hello', "unclosed_quote", 5),
        ("AND a", "missing_operand", 1),
        ("a AND", "missing_operand", 3),
        ("a OR OR b", "missing_operand", 3),
        ("a NOT", "missing_operand", 3),
        ("ec*", "short_prefix", 1),
        ("*cole", "bad_wildcard", 1),
        ("ec*le", "bad_wildcard", 3),
        ("wo?n", "short_prefix", 1),
        ("l'wom?n", "bad_wildcard", 1),
        ("wom?n.x", "bad_wildcard", 1),
        ("x wom?n*s", "bad_wildcard", 8),
        ("lang:()", "empty_value", 6),
        ("x lang:(fr OR en", "unclosed_paren", 8),
        ("lang:(fr en)", "bad_value", 10),
        ("lang:(fr AND en)", "bad_value", 10),
        ("lang:(fr OR)", "missing_operand", 12),
        ("lang:(OR fr)", "missing_operand", 7),
        ("lang:(fr OR (en))", "bad_value", 13),
        ("lang:(fr OR french)", "bad_value", 13),
        ("channel:(rss OR mastdon)", "bad_value", 17),
        ('"ecol* paris"', "bad_wildcard", 6),
        ("foo:bar", "unknown_field", 1),
        ("x lnag:fr", "unknown_field", 3),
        ("lang:", "empty_value", 1),
        ("lang:french", "bad_value", 1),
        ("channel:mastodn", "bad_value", 1),
        ("sentiment:bad", "bad_value", 1),
        ("a NEAR b", "bad_near", 3),
        ("croissant NEAR/x pain", "bad_near", 16),
        ("a NEAR/5x b", "bad_near", 8),
        ("a NEAR/-3 b", "bad_near", 8),
        ("a NEAR/5 b NEAR/5 c", "near_chain", 12),
        ("a NEAR/5 (b c)", "near_operand", 10),
        ("#nike NEAR/5 b", "near_operand", 1),
        ('"a"~5', "bad_proximity", 1),
        ('"a b"~', "bad_proximity", 6),
        ("- a", "dangling_minus", 1),
        ("!!!", "empty_term", 1),
        ("#", "bad_hashtag", 1),
        ("@", "bad_mention", 1),
        ("(" * 60 + "a" + ")" * 60, "too_deep", 51),
    ],
)
def test_error_names_its_code_and_column(query: str, code: str, column: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    assert (caught.value.code, caught.value.column) == (code, column), caught.value.message
    assert caught.value.message.endswith(".")


def test_long_queries_parse() -> None:
    query = " OR ".join(f'"marque{i} produit{i}"' for i in range(300))
    assert len(query) > 4096
    assert len(parse(query).children) == 300  # type: ignore[union-attr]


def test_too_long_query_is_an_error() -> None:
    with pytest.raises(QueryError) as caught:
        parse("a " * 20_000)
    assert caught.value.code == "too_long"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="x5f/-é ", min_size=1, max_size=4))
def test_near_slash_is_an_operator_or_an_error_never_words(after: str) -> None:
    """`a NEAR/…` is a NEAR with its distance, or a bad_near error: never the word "near"."""
    query = f"croissant NEAR/{after} pain"
    try:
        node = parse(query)
    except QueryError as exc:
        assert exc.code in ("bad_near", "near_operand", "dangling_minus", "empty_term")
        return
    assert "near" not in render(node).lower().replace("near/", "")


def test_near_error_reads_in_french_on_the_web() -> None:
    from pouls.web.i18n import translate

    with pytest.raises(QueryError) as caught:
        parse("croissant NEAR/x pain")
    assert translate("fr", caught.value.message).startswith("NEAR demande une distance")
