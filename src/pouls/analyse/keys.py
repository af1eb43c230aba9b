"""What a signal is counted under in the dashboards' tops: its author, press site, hashtags,
mentions, terms, entities, place and country.

One function, given to the store's rollups (`pouls.store.figures`), so a key is read the same
way whether it comes from a rollup or from the signals of a full-text selection.
"""

from __future__ import annotations

from collections.abc import Iterator

from pouls.query.tokens import tags, words
from pouls.signals import Signal
from pouls.store.rows import site
from pouls.watch.explain import terms_of

# The kinds of key, in the order a dashboard shows them.
KINDS = ("author", "site", "hashtag", "mention", "term", "entity", "place", "country")
PLACE_DIGITS = 2  # coordinates rounded to about a kilometre: one point per shop, not per phone


def keys_of(signal: Signal) -> Iterator[tuple[str, str, str]]:
    """(kind, key, label) for each key of a signal, each at most once."""
    author = signal.author or signal.author_handle or signal.author_name
    if author:
        yield "author", author, signal.author_handle or signal.author_name or author
    if signal.visibility == "press":
        host = site(signal.url)
        if host:
            yield "site", host, host
    text = f"{signal.title or ''} {signal.text}"
    hashtags, mentions, _ = tags(text)
    for tag in sorted(hashtags):
        yield "hashtag", tag, f"#{tag}"
    full = {m.split("@", 1)[0] for m in mentions if "@" in m}
    for mention in sorted(mentions - full):
        yield "mention", mention, f"@{mention}"
    handles = {w for m in mentions for w in words(m)}  # @bob@piaille.fr is not the term "piaille"
    for term in sorted(terms_of(signal) - handles):
        yield "term", term, term
    seen = set()
    for entity in signal.entities:
        key = f"{entity.type}:{entity.norm}"
        if key not in seen:
            seen.add(key)
            yield "entity", key, entity.text
    geo = signal.geo
    if geo is not None and geo.lat is not None and geo.lon is not None:
        point = f"{round(geo.lat, PLACE_DIGITS)},{round(geo.lon, PLACE_DIGITS)}"
        yield "place", point, geo.place or ""
    if geo is not None and geo.country:
        yield "country", geo.country.upper(), geo.country.upper()
