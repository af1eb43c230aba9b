"""The rule editor's form read into a Rule: any text a person types gives a rule or reasons,
never an exception, and what the form shows of a rule reads back as the same rule."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.config import Rule
from pouls.web.rule_form import TEXT, from_rule, read

FIELD_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "1", "-3", "0.5", "1e9", "nan", "inf", "match", "threshold", "fr"]),
)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.fixed_dictionaries({k: FIELD_TEXT for k in TEXT}), st.booleans())
def test_any_form_gives_a_rule_or_reasons(values: dict[str, Any], own: bool) -> None:
    values = {**values, "sinks": [], "include_own": own}
    rule, reasons = read(values, "acme", str)
    assert (rule is None) == bool(reasons)
    if rule is not None:
        assert rule.workspace == "acme" and rule.include_own is own
    else:
        assert all(isinstance(r, str) and r for r in reasons)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(
    st.builds(
        Rule,
        name=st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True),
        workspace=st.just("acme"),
        kind=st.sampled_from(["spike", "threshold", "match", "campaign"]),
        query=st.one_of(st.none(), st.sampled_from(["lyon", '"maison lumière" AND malade*'])),
        threshold=st.one_of(st.none(), st.floats(0.01, 1000, allow_nan=False)),
        window=st.integers(1, 10_000),
        sensitivity=st.floats(0.01, 0.99),
        include_own=st.booleans(),
    )
)
def test_a_rule_shown_in_the_form_reads_back_the_same(rule: Rule) -> None:
    assert read(from_rule(rule), "acme", str) == (rule, [])


def test_reasons_name_the_field_in_the_pages_language() -> None:
    french = {"Window (minutes)": "Fenêtre (minutes)", "a whole number is expected": "entier"}
    values = {k: "" for k in TEXT} | {"name": "x", "window": "beaucoup", "sinks": []}
    _, reasons = read(values, "acme", lambda t: french.get(t, t))
    assert reasons == ["Fenêtre (minutes): entier"]


def test_a_french_decimal_comma_is_read() -> None:
    values = {k: "" for k in TEXT} | {"name": "x", "kind": "threshold", "sinks": []}
    rule, reasons = read(values | {"threshold": "0,3", "sensitivity": "0,75"}, "acme", str)
    assert reasons == [] and rule is not None
    assert rule.threshold == 0.3 and rule.sensitivity == 0.75
    rule, _ = read(values | {"threshold": "1\u202f000,5", "window": "1 440"}, "acme", str)
    assert rule is not None and rule.threshold == 1000.5 and rule.window == 1440


def test_a_word_for_a_number_is_one_reason_in_words() -> None:
    values = {k: "" for k in TEXT} | {"name": "x", "kind": "threshold", "sinks": []}
    _, reasons = read(values | {"threshold": "abc"}, "acme", str)
    assert reasons == ["Threshold: a number is expected, such as 0.3"]


def test_the_editor_says_it_once_in_french(client: TestClient) -> None:
    form = {"name": "seuil", "kind": "threshold", "threshold": "abc"}
    page = client.post("/rules?ws=acme", data=form, headers={"Accept-Language": "fr"})
    assert page.status_code == 400
    assert page.text.count('role="alert"') == 1
    assert "Seuil : un nombre est attendu, par exemple 0,3" in page.text
    assert "Expected" not in page.text
    assert 'placeholder="0,3"' in page.text
    assert 'hx-trigger="change delay:400ms"' in page.text  # no second box from a replay on load
    replay = client.post(
        "/rules/preview?ws=acme", data=form, headers={"HX-Request": "true", "Accept-Language": "fr"}
    )
    assert replay.text.count('role="alert"') == 1
    assert '<div id="rule-problems" hx-swap-oob="true"></div>' in replay.text
    saved = client.post("/rules?ws=acme", data={**form, "threshold": "0,3"}, follow_redirects=False)
    assert saved.status_code == 303
