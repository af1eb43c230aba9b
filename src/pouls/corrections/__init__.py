"""Corrections: a person's verdict on what the models said of a signal, which wins over them.

A correction names one field (sentiment, toxicity, language or entities) and the value a
person gives it. The store writes it into the signal itself, so every reader (search, facets,
counts, rollups, alerts, exports) sees it without knowing about corrections, and keeps beside
it who corrected, when, and what the models had said (`pouls.store.corrections`). Here: the
values a correction may take, read from untrusted input, and what they make of a signal.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal, NamedTuple, get_args

import msgspec

from pouls.locale import N_
from pouls.signals import Signal
from pouls.signals.model import Entity, Sentiment

Field = Literal["sentiment", "toxicity", "lang", "entities"]
FIELDS: tuple[str, ...] = get_args(Field)
SENTIMENTS = ("negative", "neutral", "positive")
# `none`: not toxic at all; an attribute: toxic in that way (pouls.enrich.toxicity.ATTRIBUTES).
TOXICITY = ("none", "toxic", "hate", "offensive", "insult", "threat")
ENTITY_TYPES = ("person", "org", "place", "product")
MAX_ENTITIES = 50
MAX_ENTITY_TEXT = 200
_LANG = re.compile(r"^[a-z]{2,3}$")


class Correction(msgspec.Struct, frozen=True, kw_only=True):
    """One stored correction: the verdict, what the models said, who gave it and when."""

    signal_id: str
    field: str
    value: Any  # as `verdict` reads it: a label, a language code or a list of entities
    model: Any  # the field as the models left it, in JSON form (None: they said nothing)
    by: str
    at: datetime


class Example(NamedTuple):
    """A corrected signal as the workspace's adaptation learns from it."""

    text: str
    lang: str | None
    field: str
    value: Any
    model: Any


class Refused(ValueError):
    """A correction that cannot be read: `message` is an English msgid with `%(name)s` holes,
    translated where it is shown; `values` fill them."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values)
        self.message, self.values = message, values


def verdict(field: str, value: Any) -> Any:
    """The canonical form of a correction's value, or `Refused` saying why it cannot be one."""
    if field not in FIELDS:
        raise Refused(
            N_("field: %(value)s is not accepted; accepted values: %(accepted)s"),
            value=_shown(field),
            accepted=", ".join(FIELDS),
        )
    if field == "entities":
        return _entities(value)
    if not isinstance(value, str):
        raise Refused(N_("value: a text is expected for %(field)s"), field=field)
    value = value.strip()
    accepted = {"sentiment": SENTIMENTS, "toxicity": TOXICITY}.get(field)
    if accepted is not None and value not in accepted:
        raise Refused(
            N_("value: %(value)s is not accepted for %(field)s; accepted values: %(accepted)s"),
            value=_shown(value),
            field=field,
            accepted=", ".join(accepted),
        )
    if field == "lang" and not _LANG.match(value):
        raise Refused(
            N_("value: %(value)s is not a language code (two or three letters: fr, en, oc)"),
            value=_shown(value),
        )
    return value


def _entities(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise Refused(N_("value: a list of entities is expected, each with a type and a text"))
    if len(value) > MAX_ENTITIES:
        raise Refused(
            N_("value: %(count)s entities; at most %(limit)s"), count=len(value), limit=MAX_ENTITIES
        )
    out: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise Refused(N_("value: a list of entities is expected, each with a type and a text"))
        kind, text = item.get("type"), " ".join(item["text"].split())
        if kind not in ENTITY_TYPES:
            raise Refused(
                N_("value: entity type %(value)s is not accepted; accepted values: %(accepted)s"),
                value=_shown(kind),
                accepted=", ".join(ENTITY_TYPES),
            )
        if not text or len(text) > MAX_ENTITY_TEXT:
            raise Refused(
                N_("value: an entity's text must have 1 to %(limit)s characters"),
                limit=MAX_ENTITY_TEXT,
            )
        if {"type": kind, "text": text} not in out:
            out.append({"type": kind, "text": text})
    return out


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def model_value(signal: Signal, field: str) -> Any:
    """The field as the signal holds it, in JSON form (what the models said, before a
    correction)."""
    return msgspec.to_builtins(getattr(signal, field))


def corrected(signal: Signal, field: str, value: Any) -> Signal:
    """The signal with a verdict (in `verdict`'s form) in place of the models' value."""
    return msgspec.structs.replace(signal, **{field: _typed(signal, field, value)})


def restored(signal: Signal, field: str, model: Any) -> Signal:
    """The signal with the models' value (as `model_value` gave it) back in place."""
    if field == "entities":
        found: Any = tuple(msgspec.convert(model or [], list[Entity]))
    elif field == "sentiment":
        found = None if model is None else msgspec.convert(model, Sentiment)
    else:
        found = model
    return msgspec.structs.replace(signal, **{field: found})


def _typed(signal: Signal, field: str, value: Any) -> Any:
    if field == "sentiment":
        return Sentiment(label=value, score=1.0)
    if field == "toxicity":
        # The models' other attributes are kept when a person names one; `none` clears all.
        scores = dict(signal.toxicity or {})
        if value == "none":
            return {k: 0.0 for k in scores} or {"toxic": 0.0}
        return {**scores, value: 1.0}
    if field == "entities":
        return tuple(Entity(type=e["type"], text=e["text"], norm=norm(e["text"])) for e in value)
    return value


def norm(text: str) -> str:
    """The grouping form of an entity a person named, as the entity model writes it."""
    from pouls.enrich.entities import normalize_name

    return normalize_name(text) or text.casefold()


def label(value: Any) -> str:
    """A correction's value in one line: a label, a code or the entities' texts."""
    if isinstance(value, list):
        return ", ".join(f"{e['text']} ({e['type']})" for e in value)
    return str(value)
