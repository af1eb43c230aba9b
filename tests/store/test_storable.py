"""The store's last line of defence (issue 11, item 1) and version order (item 7), on SQLite."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from pouls.enrich.text import texts_of
from pouls.query.tokens import tokenize
from pouls.signals import DeadLetter, Metrics, Signal
from pouls.store.sqlite import SQLiteStore
from tests.conftest import T0, make_signal

LONE = "\ud800"


def test_put_mends_lone_surrogates_and_writes_them(store: SQLiteStore) -> None:
    odd = make_signal(1, f"a{LONE}b", author_name=LONE, raw={LONE: [LONE]})
    result = store.put([odd, make_signal(2, "voisin")])
    assert (result.inserted, result.dead_letters) == (2, 0)
    stored = store.get("acme", odd.id)
    assert stored is not None and stored.text == "a\ufffdb"
    assert stored.raw == {"\ufffd": ["\ufffd"]}


def test_put_turns_an_unwritable_signal_into_a_dead_letter_and_keeps_its_batch(
    store: SQLiteStore,
) -> None:
    broken = make_signal(1, {"a": 1})  # type: ignore[arg-type]
    result = store.put([broken, make_signal(2, "voisin")])
    assert (result.inserted, result.dead_letters, result.refused) == (1, 1, [broken.id])
    [dead] = store.dead_letters("acme")
    assert "could not be stored" in dead.reason and dead.position == f"signal:{broken.id}"


def test_put_clamps_a_reach_past_64_bits(store: SQLiteStore) -> None:
    viral = make_signal(1, "viral", metrics=Metrics(followers=10**30))
    assert store.put([viral]).inserted == 1
    [row] = store._reader().execute("SELECT reach FROM signals").fetchall()
    assert row[0] == 2**63 - 1


def test_a_dead_letter_is_always_writable(store: SQLiteStore) -> None:
    dead = DeadLetter(
        workspace="acme", source=f"s{LONE}", reason=f"r{LONE}", raw=f"x{LONE}", position=LONE
    )
    assert store.put([], dead_letters=[dead]).dead_letters == 1
    [kept] = store.dead_letters("acme")
    assert (kept.raw, kept.reason, kept.source) == ("x\\ud800", "r\\ud800", "s\\ud800")


def test_models_and_tokens_read_a_text_that_is_not_text_as_none() -> None:
    odd = make_signal(1, {"a": 1})  # type: ignore[arg-type]
    assert texts_of([odd, make_signal(2, "bonjour")]) == ([1], ["bonjour"])
    assert tokenize({"a": 1}) == ([], set(), set(), set())  # type: ignore[arg-type]


def version(n: int, text: str, *, edited: int | None = None, observed: int = 0) -> Signal:
    return make_signal(
        n,
        text,
        edited_at=None if edited is None else T0 + timedelta(minutes=edited),
        observed_at=T0 + timedelta(minutes=observed),
    )


def test_an_older_edit_never_replaces_a_newer_one(store: SQLiteStore) -> None:
    v1, v2 = version(1, "v1", edited=1, observed=1), version(1, "v2", edited=2, observed=2)
    replay = version(1, "v1", edited=1, observed=3)
    for v in (v1, v2, replay):
        store.put([v])
    stored = store.get("acme", v1.id)
    assert stored is not None and stored.text == "v2"
    assert [s.text for s in store.search("acme", "v2").signals] == ["v2"]
    assert store.search("acme", "v1").signals == []


def test_the_original_never_replaces_an_edit_and_a_same_age_replay_is_a_no_op(
    store: SQLiteStore,
) -> None:
    original, edit = version(1, "v1", observed=1), version(1, "v2", edited=2, observed=2)
    store.put([original, edit])
    store.put([original])
    same = msgspec.structs.replace(edit, text="v2 bis", observed_at=T0 + timedelta(hours=1))
    assert store.put([same]).existing == 1
    stored = store.get("acme", original.id)
    assert stored is not None and stored.text == "v2"
    assert stored.observed_at == T0 + timedelta(minutes=2)


def test_without_edit_times_an_older_observation_loses_beyond_the_tolerance(
    store: SQLiteStore,
) -> None:
    store.put([version(1, "later", observed=10)])
    store.put([version(1, "late replay", observed=1)])
    store.put([version(1, "re-fetch", observed=10)])
    stored = store.get("acme", version(1, "").id)
    assert stored is not None and stored.text == "re-fetch"
