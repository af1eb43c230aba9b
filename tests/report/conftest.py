"""A home with one workspace, a week of signals (and a quieter week before it), a report."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from pouls import pipeline
from pouls.config import Settings, load
from pouls.query.period import Period
from pouls.signals import Metrics, Sentiment
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal

CONFIG = """
[[workspaces]]
id = "acme"
name = "ACME Boulangeries"
identities = "named"
timezone = "Europe/Paris"

[[workspaces]]
id = "globex"

[[topics]]
name = "livraison"
workspace = "acme"
query = "livraison"
tags = ["share-of-voice"]
color = "#7d3c98"

[[topics]]
name = "croissant"
workspace = "acme"
query = "croissant"
tags = ["share-of-voice"]

[[reports]]
name = "hebdo"
workspace = "acme"
title = "La semaine d'ACME"
range = "7d"
lang = "fr"
"""

# T0 is 2026-10-01 08:00 UTC: the week reported is 1-7 October, local time in Paris.
WEEK = Period(
    since=datetime(2026, 9, 30, 22, 0, tzinfo=UTC), until=datetime(2026, 10, 7, 22, 0, tzinfo=UTC)
)
EMPTY = Period(
    since=datetime(2026, 11, 1, 0, 0, tzinfo=UTC), until=datetime(2026, 11, 8, 0, 0, tzinfo=UTC)
)
LABELS = ("positive", "neutral", "negative")
CHANNELS = ("mastodon", "rss", "bluesky", "instagram")


def write_home(home: Path, extra: str = "") -> Path:
    (home / "pouls.toml").write_text(CONFIG + extra, encoding="utf-8")
    return home


def fill(store: SQLiteStore) -> None:
    """240 signals over the week (a few very engaging), 60 the week before."""
    signals = []
    for i in range(240):
        signals.append(
            make_signal(
                i * 35,  # every 35 minutes from T0: 5.8 days
                f"Retard de livraison numéro {i} à Lyon" if i % 4 == 0 else f"Croissant {i}",
                channel=CHANNELS[i % 4],
                author=f"author-{i % 30}",
                author_handle=f"@client{i % 30}",
                sentiment=Sentiment(label=LABELS[i % 3], score=0.9),
                metrics=Metrics(likes=i % 5, shares=1000 if i == 17 else 0, followers=100),
            )
        )
    for i in range(60):
        signals.append(
            make_signal(-10_000 + i * 100, f"Semaine d'avant {i}", author=f"author-{i % 10}")
        )
    signals.append(make_signal(5, "secret de globex", workspace="globex"))
    store.put(signals)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return write_home(tmp_path)


@pytest.fixture
def store(home: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(home / "pouls.db")
    fill(s)
    pipeline.sync_topics(load(home, environ={}), s)
    s.topics.backfill("acme", "livraison")
    s.topics.backfill("acme", "croissant")
    yield s
    s.close()


@pytest.fixture
def settings(home: Path) -> Settings:
    return load(home, environ={})


def pdf_text(data: bytes) -> tuple[int, str]:
    """Page count and the text of every page of a PDF."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def pdf_drawing(data: bytes) -> str:
    """The content streams of a PDF's pages: its drawing operators."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(p.get_contents().get_data().decode("latin-1") for p in reader.pages)
