"""The rule editor's form read into a `Rule`: text fields typed and checked, every refusal
named by its field in the page's language (the API reads JSON into the same `Rule`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec
from starlette.datastructures import FormData

from pouls.config import Rule
from pouls.locale import N_

# Form fields in the order the editor shows them; `sinks` is a list of checkboxes.
TEXT = (
    "name",
    "kind",
    "topic",
    "query",
    "metric",
    "threshold",
    "window",
    "bucket",
    "sensitivity",
    "min_volume",
    "min_signals",
    "min_authors",
    "cooldown",
    "quiet_hours",
    "timezone",
    "lang",
)
LABELS = {
    "name": N_("Name"),
    "kind": N_("Kind"),
    "topic": N_("Topic"),
    "query": N_("Query"),
    "metric": N_("Metric"),
    "threshold": N_("Threshold"),
    "window": N_("Window (minutes)"),
    "bucket": N_("Step (minutes)"),
    "sensitivity": N_("Sensitivity"),
    "min_volume": N_("Least volume"),
    "min_signals": N_("Least signals"),
    "min_authors": N_("Least authors"),
    "cooldown": N_("Quiet minutes before closing"),
    "quiet_hours": N_("Quiet hours"),
    "timezone": N_("Time zone"),
    "sinks": N_("Sinks"),
    "lang": N_("Language"),
    "include_own": N_("Count our own accounts"),
}
_AT = re.compile(r"at `\$\.(\w+)")
DECIMALS = ("threshold", "sensitivity")  # `0,3` in French, `0.3` in English: both are read
WHOLE = ("window", "bucket", "min_volume", "min_signals", "min_authors", "cooldown")
_SPACES = re.compile(r"[\s\u00a0\u202f]")  # `1 000` as French groups digits


def values_of(form: FormData) -> dict[str, Any]:
    """What the form holds, as strings (and a list of sinks), for refilling it."""
    out: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in TEXT}
    out["sinks"] = [str(s) for s in form.getlist("sinks")]
    out["include_own"] = form.get("include_own") == "on"
    return out


def from_rule(rule: Rule) -> dict[str, Any]:
    """A stored rule as the form's values."""
    raw = msgspec.to_builtins(rule)
    out: dict[str, Any] = {k: "" if raw.get(k) is None else str(raw[k]) for k in TEXT}
    out["sinks"] = list(rule.sinks)
    out["include_own"] = rule.include_own
    return out


def read(
    values: dict[str, Any], workspace: str, say: Callable[[str], str]
) -> tuple[Rule | None, list[str]]:
    """The rule the form describes, or None with what is wrong (in the page's language)."""
    fields: dict[str, Any] = {k: v for k, v in values.items() if v not in ("", None)}
    for key in (*DECIMALS, *WHOLE):
        if isinstance(fields.get(key), str):
            fields[key] = number_text(fields[key])
    fields["workspace"] = workspace
    fields["include_own"] = bool(values.get("include_own"))
    if not fields.get("name"):
        return None, [say(N_("Give the rule a name."))]
    try:
        return msgspec.convert(fields, Rule, strict=False), []
    except msgspec.ValidationError as exc:
        found = _AT.search(str(exc))
        field = say(LABELS.get(found.group(1), found.group(1))) if found else ""
        reason = _reason(str(exc).split(" - at ")[0], say)
        text = say(N_("%(field)s: %(reason)s")) % {"field": field, "reason": reason}
        return None, [text if field else reason]


def number_text(text: str) -> str:
    """A number as a person types it, as msgspec reads it: `0,3` → `0.3`, `1 000` → `1000`
    (a comma is a decimal mark only when there is no point: `1,000.5` stays English).

    >>> [number_text(t) for t in ["0,3", "0.3", "1 000", "1\u202f000,5", "1,000.5", "abc"]]
    ['0.3', '0.3', '1000', '1000.5', '1000.5', 'abc']
    """
    bare = _SPACES.sub("", text)
    if "," in bare and "." in bare:
        return bare.replace(",", "")
    return bare.replace(",", ".")


def _reason(text: str, say: Callable[[str], str]) -> str:
    """msgspec's reason in words a person reads, in the page's language."""
    if "matching regex" in text:
        return say(N_("use lowercase letters, digits, - and _ (e.g. bad-buzz)"))
    if re.match(r"Expected `int( \| null)?`, got", text):
        return say(N_("a whole number is expected"))
    if re.match(r"Expected `float( \| null)?`, got", text):
        return say(N_("a number is expected, such as 0.3"))
    if text.startswith("Invalid enum value"):
        return say(N_("not one of the choices"))
    bound = re.match(r"Expected `(?:int|float)` (>=|<=|>|<) ([\d.]+)", text)
    if bound:
        words = {
            ">=": N_("at least %(n)s"),
            "<=": N_("at most %(n)s"),
            ">": N_("more than %(n)s"),
        }
        return say(words.get(bound.group(1), N_("less than %(n)s"))) % {"n": bound.group(2)}
    return say(N_("this value cannot be read"))
