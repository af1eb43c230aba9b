"""The exported bytes of a small selection, pinned: a faster writer must change nothing.

The files under golden/ were written by the export before its CSV path was rewritten for speed
(issue 12). The signals cover what makes CSV and JSON lines tricky: accents, quotes, line
breaks, both separators inside texts, formula-like starts, floats with many digits or an
exponent, missing values, topics, geo, times with microseconds on both sides of a clock change,
and a pseudonymous workspace. Each selection goes through the real store and `read`: range,
query (full text, and a hashtag the matcher finishes) and facets. To rewrite them after an
intended change of the format: POULS_GOLDEN_WRITE=1 pytest tests/export/test_golden.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pouls.export import Format, chunks, read
from pouls.privacy.pseudonyms import Pseudonymiser
from pouls.signals import Geo, Metrics, Sentiment, Signal
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal

GOLDEN = Path(__file__).parent / "golden"
PARIS = ZoneInfo("Europe/Paris")


def corpus() -> list[Signal]:
    """Signals of a named workspace (acme) and a pseudonymous one (globex)."""
    plain = [
        make_signal(
            1,
            "Crème brûlée ratée, vraiment déçu… 🥐 #promo",
            author="a_0123456789abcdef",
            author_handle="@zoe",
            author_name="Zoé Martin",
            title="Avis, « très » mitigé",
            url='https://exemple.fr/avis?id=1,2&x="q"',
            lang="fr",
            sentiment=Sentiment(label="negative", score=0.1 + 0.2),
            toxicity={"insult": 1e-05, "threat": 3.2e-07},
            scam=0.0,
            topics=("prix", "livraison"),
            metrics=Metrics(likes=3, shares=0, replies=12, followers=12_345_678_901),
            geo=Geo(country="FR", place="Lille, Nord", lat=50.63, lon=3.06),
            conversation_id="c1",
            parent_id="p0",
        ),
        make_signal(
            2,
            'Il a dit "livraison; jamais"\r\nDeuxième ligne\navec un saut',
            author_name='=HYPERLINK("http://x.example","clic")',
            title="+33 6 12 34 56 78",
            sentiment=Sentiment(label="positive", score=1.0),
            scam=1.0,
            own=True,
            created_at=datetime(2026, 10, 25, 0, 59, 59, 999_999, tzinfo=UTC),
        ),
        make_signal(
            3,
            "-20 % ce soir seulement",
            title="@zoe",
            author_handle="\tonglet",
            lang="en",
            sentiment=Sentiment(label="neutral", score=0.5),
            toxicity={"insult": 0.987654321},
            metrics=Metrics(likes=40),
            created_at=datetime(2026, 10, 25, 1, 0, 0, 1, tzinfo=UTC),
        ),
        make_signal(
            4,
            "\rretour chariot en tête; puis, des virgules",
            channel="rss",
            kind="article",
            visibility="press",
            url="https://presse.example/article",
            geo=Geo(country="BE"),
            created_at=datetime(2026, 12, 7, 9, 30, 15, 520_000, tzinfo=UTC),
        ),
        make_signal(5, "", title="", author_name="", topics=("livraison",)),
        make_signal(6, "colis livré à l'heure, merci !", sentiment=Sentiment("positive", 0.875)),
        make_signal(7, "livraison en retard #promo", sentiment=Sentiment("negative", 0.66)),
    ]
    privacy = Pseudonymiser(b"k" * 32, named_workspaces=["acme"])
    hidden = privacy.enrich(
        [
            make_signal(
                10 + n,
                f"Colis perdu, écrivez à camille@exemple.fr ou au 06 12 34 56 78 ({n})",
                workspace="globex",
                author_handle="@camille.dupont@piaille.fr",
                author_name="Camille Dupont",
                url="https://piaille.fr/@camille.dupont/1",
                conversation_id="@camille.dupont/9",
                sentiment=Sentiment(label="negative", score=0.9),
                topics=("livraison",),
            )
            for n in range(3)
        ]
    )
    return [*privacy.enrich(plain), *hidden]


SELECTIONS: dict[str, tuple[str, str | None, Filters]] = {
    "acme-all": ("acme", None, Filters()),
    "acme-query-facets-range": (
        "acme",
        "livraison OR colis",
        Filters(
            since=datetime(2026, 10, 1, 8, 2, tzinfo=UTC),
            until=datetime(2026, 12, 31, tzinfo=UTC),
        ),
    ),
    "acme-hashtag-negative": ("acme", "#promo", Filters(sentiment="negative")),
    "globex-pseudonymous": ("globex", None, Filters()),
}
CASES = [
    (name, format, sep)
    for name in SELECTIONS
    for format, sep in ((Format.csv, ","), (Format.csv, ";"), (Format.jsonl, ","))
]


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path_factory.mktemp("golden") / "pouls.db")
    store.put(corpus())
    yield store
    store.close()


@pytest.mark.parametrize(("name", "format", "sep"), CASES)
def test_an_export_writes_exactly_the_pinned_bytes(
    filled: SQLiteStore, name: str, format: Format, sep: str
) -> None:
    workspace, query, filters = SELECTIONS[name]
    data = b"".join(chunks(format, read(filled, workspace, query, filters), PARIS, sep=sep))
    suffix = "semicolon.csv" if sep == ";" else format.value
    path = GOLDEN / f"{name}.{suffix}"
    if os.environ.get("POULS_GOLDEN_WRITE"):
        path.write_bytes(data)
    assert data == path.read_bytes()


def test_the_pinned_selections_hold_what_they_are_meant_to(filled: SQLiteStore) -> None:
    found = {n: len(list(read(filled, *SELECTIONS[n]))) for n in SELECTIONS}
    assert found == {
        "acme-all": 7,
        "acme-query-facets-range": 3,
        "acme-hashtag-negative": 2,
        "globex-pseudonymous": 3,
    }
    pseudonymous = (GOLDEN / "globex-pseudonymous.csv").read_text(encoding="utf-8-sig")
    assert "camille" not in pseudonymous.lower() and "06 12" not in pseudonymous
    assert (GOLDEN / "acme-all.csv").read_bytes().startswith(b"\xef\xbb\xbfid,workspace,")
