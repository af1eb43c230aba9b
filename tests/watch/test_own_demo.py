"""The demo's three symptoms of a pouls that did not know the brand's own accounts, before and
after its pouls.toml declares them (`own_accounts`): the stored history is re-marked, then the
scam-share alert, the crisis stories and the digest's rankings leave the brand out."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from pouls import demo, pipeline
from pouls.config import Settings, load
from pouls.enrich.scam import ScamEnricher
from pouls.signals import Signal
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore
from pouls.watch.crisis import escalations
from pouls.watch.digest import gather
from pouls.watch.replay import replay

# The end of the history when the symptoms were seen: the brand's night-time apologies then
# fall in hours of few other signals.
END = datetime(2026, 12, 7, 14, 45, tzinfo=UTC)
WS = "maison-lumiere"
BRAND = "Maison Lumière"  # the display name of every brand account in the demo


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's history stored with its scam scores, as before `own_accounts` existed."""
    home = tmp_path_factory.mktemp("own-demo")
    toml = resources.files("pouls.demo").joinpath("demo.toml").read_text(encoding="utf-8")
    (home / "pouls.toml").write_text(toml, encoding="utf-8")
    lines = (json.dumps(r, ensure_ascii=False) for r in demo.generate(END, seed=7))
    (home / "demo.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = load(home, environ={})
    privacy = [s for s in pipeline.stages_for(settings, enrich=False) if s.name == "privacy"]
    source = FileSource(name="demo-history", workspace=WS, path=home / "demo.jsonl")
    store = SQLiteStore(home / "pouls.db")
    asyncio.run(pipeline.run([source], store, stages=[*privacy, ScamEnricher()]))
    store.close()
    return home


@pytest.fixture
def home(stored: Path, tmp_path: Path) -> Iterator[tuple[Settings, SQLiteStore]]:
    """A copy of the stored demo, so that each test sees the history before and after."""
    shutil.copy(stored / "pouls.db", tmp_path / "pouls.db")
    for name in ("pouls.toml", "secret.key"):  # the key the authors were pseudonymised with
        shutil.copy(stored / name, tmp_path / name)
    store = SQLiteStore(tmp_path / "pouls.db")
    yield load(tmp_path, environ={}), store
    store.close()


def brand(s: Signal) -> bool:
    return s.author_name == BRAND


def test_the_scam_share_alert_no_longer_fires_on_the_brands_apologies(
    home: tuple[Settings, SQLiteStore],
) -> None:
    settings, store = home
    rule = next(r for r in settings.file.rules if r.name == "scam-wave")
    window = {"since": END - timedelta(days=42), "until": END}
    bad_buzz = (END - timedelta(days=14), END - timedelta(days=11))  # its public days

    def apologies() -> list[datetime]:
        found = [a.opened.at for a in replay(store, rule, **window)]  # type: ignore[arg-type]
        return [at for at in found if bad_buzz[0] <= at < bad_buzz[1]]

    assert apologies()  # before: the brand's answers, scored as lures, at night
    assert pipeline.sync_own(settings, store) > 1000
    assert apologies() == []
    after = [a.opened.at for a in replay(store, rule, **window)]  # type: ignore[arg-type]
    assert len(after) == 1  # the fake giveaway wave still alerts


def test_no_crisis_story_is_made_of_the_brands_canned_answers(
    home: tuple[Settings, SQLiteStore],
) -> None:
    settings, store = home

    def stories_of_the_brand() -> list[list[str]]:
        _, tracker = escalations(store, WS, END - timedelta(weeks=6), END)
        return [
            sorted(story.terms)
            for story in tracker.stories
            if any(brand(s) for v in story.seen.values() for s in v)
        ]

    assert stories_of_the_brand()  # before: « interet, rubrique », its answers to job seekers
    pipeline.sync_own(settings, store)
    assert stories_of_the_brand() == []
    found, _ = escalations(store, WS, END - timedelta(weeks=6), END)
    assert [(e.source, e.target) for e in found] == [("private", "public"), ("public", "press")]


def test_the_digests_most_engaging_are_not_the_brands_posts(
    home: tuple[Settings, SQLiteStore],
) -> None:
    settings, store = home

    def engaging_of_the_brand() -> int:
        d = gather(store, WS, "week", END, base_url="http://x")
        return sum(brand(s) for x in d.engaging if (s := store.get(WS, x.id)) is not None)

    assert engaging_of_the_brand() >= 1
    pipeline.sync_own(settings, store)
    assert engaging_of_the_brand() == 0
    assert gather(store, WS, "week", END, base_url="http://x").own > 100
