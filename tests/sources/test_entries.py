"""The check every polled connector passes its signals through before the store."""

from __future__ import annotations

import pytest

from pouls.signals import Geo, Metrics, inputs
from pouls.sources.entries import Unstorable, checked, writable
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal


def test_lone_surrogates_are_mended() -> None:
    assert inputs.text("a\ud800b") == "a\ufffdb"
    assert inputs.text("déjà vu") == "déjà vu"


def test_writable_cuts_and_keeps_every_character_visible() -> None:
    assert writable("\udcff" * 20, 5) == "\\udcff" * 5
    assert writable("déjà vu", 4) == "déjà"


def test_checked_mends_every_string_of_a_signal_and_the_store_takes_it(
    store: SQLiteStore,
) -> None:
    signal = make_signal(1, "x\ud800", title="\udcff", raw={"k\ud800": ["\ud800"]})
    mended = checked(signal)
    assert (mended.text, mended.title) == ("x\ufffd", "\ufffd")
    assert mended.raw == {"k\ufffd": ["\ufffd"]}
    store.put([mended])
    assert store.get("acme", mended.id) == mended


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"lang": {"fr": 1}}, "lang: expected `str | null`"),
        ({"metrics": Metrics(likes=1e30)}, "metrics.likes"),  # type: ignore[arg-type]
        ({"metrics": Metrics(followers=99999999999999999999)}, "metrics.followers"),
        ({"value": float("nan")}, "value: nan is not a finite number"),
        ({"geo": Geo(lat=float("inf"))}, "geo.lat"),
        ({"url": "http://[journal.example.org/a"}, "url:"),
    ],
)
def test_checked_refuses_what_the_store_could_not_hold(fields: dict, says: str) -> None:
    with pytest.raises(Unstorable) as refused:
        checked(make_signal(1, **fields))
    assert says in str(refused.value)


def test_checked_keeps_a_good_signal_as_it_is() -> None:
    signal = make_signal(1, "bonjour", metrics=Metrics(likes=3), url="https://example.org/a")
    assert checked(signal) is signal
