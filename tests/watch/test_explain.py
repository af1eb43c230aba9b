"""Explanations: the demo's bad-buzz alert explains itself with its terms, channels and a chart."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from pathlib import Path

from pouls.store.sqlite import SQLiteStore
from pouls.watch.explain import explain
from pouls.watch.replay import replay
from tests.watch import badbuzz


def test_bad_buzz_alert_is_explained(tmp_path: Path) -> None:
    badbuzz.write(tmp_path / "demo.jsonl")
    store = SQLiteStore(tmp_path / "pouls.db")
    badbuzz.load(store, tmp_path / "demo.jsonl")
    (alert,) = replay(store, badbuzz.RULE, since=badbuzz.SINCE, until=badbuzz.END)
    e = explain(
        store,
        badbuzz.RULE,
        start=alert.opened.at - timedelta(hours=1),
        end=alert.opened.at,
        observed=alert.opened.observed,
        baseline=alert.opened.baseline,
        base_url="http://pouls.test/",
    )
    store.close()
    terms = [t.term for t in e.terms]
    assert "intoxication" in terms and {"fraises", "tartes"} & set(terms)
    assert e.signals == alert.opened.observed and sum(n for _, n in e.channels) == e.signals
    assert set(e.sentiment) <= {"negative", "neutral", "positive", "unknown"}
    assert e.examples and all(x.link.startswith("http://pouls.test/signals/") for x in e.examples)
    assert all(x.link.endswith("?ws=demo") for x in e.examples)
    assert "intoxication" in e.summary("en") and "termes" in e.summary("fr")
    image = e.chart()
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", image[16:24])
    assert (width, height) == (960, 280) and len(image) < 60_000  # shown at 480 × 140
    assert zlib.crc32(image[12:29]) == struct.unpack(">I", image[29:33])[0]  # IHDR intact
