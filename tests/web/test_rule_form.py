"""The rule editor's form read into a Rule: any text a person types gives a rule or reasons,
never an exception, and what the form shows of a rule reads back as the same rule."""

from __future__ import annotations

from typing import Any

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
