"""The `place` filter: a map point of the dashboard opens the wall on its place, and the wall,
the API, the export and the CLI count exactly the signals the point counted."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pouls.signals import Geo
from pouls.store import Filters
from pouls.store.search import count_sql, facet_sql, page_sql, select
from pouls.store.sqlite import SQLiteStore
from tests.cli.process import pouls
from tests.conftest import T0, make_signal
from tests.web.test_dashboard import WEEK, buzz, island  # noqa: F401


def test_every_named_map_point_opens_the_wall_on_as_many_signals(
    client: TestClient,
    buzz: SQLiteStore,  # noqa: F811
) -> None:
    figures = island(client.get("/dashboard", params={"ws": "acme", **WEEK}).text)
    points = figures["figures"]["map"]["points"]
    assert {p["label"]: p["count"] for p in points} == {"Lille": 10, "Paris": 10}
    for point in points:
        assert point["wall"] == {"place": point["label"]}
        # the page merges the point's selection with its own, as dashboard.js does
        params = {**figures["wall"], **point["wall"]}
        wall = client.get("/", params=params)
        assert wall.status_code == 200
        assert f'<strong id="total">{point["count"]}</strong>' in wall.text
        # the active filter shows as a chip that removes it, and the search form keeps it
        assert 'id="place-filter"' in wall.text
        assert f'<input type="hidden" name="place" value="{point["label"]}">' in wall.text
        api = client.get("/api/v1/signals", params={**params, "limit": 500}).json()
        assert api["total"] == point["count"]
        assert {s["geo"]["place"] for s in api["signals"]} == {point["label"]}
        export = client.get("/export", params={**params, "format": "csv"})
        assert export.status_code == 200, export.text
        rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
        assert len(rows) == point["count"] and {r["place"] for r in rows} == {point["label"]}


def test_links_on_the_wall_keep_the_place_and_the_chip_drops_it(
    client: TestClient,
    buzz: SQLiteStore,  # noqa: F811
) -> None:
    html = client.get("/", params={"ws": "acme", "place": "Lille", **WEEK}).text
    # a facet link keeps the place; the chip's "× all" link is the only one without it
    facet = html.split('data-facet="channel"')[0].rsplit('href="/?', 1)[1].split('"')[0]
    assert parse_qs(facet.replace("&amp;", "&"))["place"] == ["Lille"]
    chip = html.split('id="place-filter"')[1].split('href="/?', 1)[1].split('"')[0]
    assert "place" not in parse_qs(chip.replace("&amp;", "&"))


def test_an_unknown_place_is_an_empty_wall_not_another_place(
    client: TestClient,
    buzz: SQLiteStore,  # noqa: F811
) -> None:
    for place in ("lille", "Lill", "Lille ", "%"):
        api = client.get("/api/v1/signals", params={"ws": "acme", "place": place})
        assert api.status_code == 200 and api.json()["total"] == 0, place
    long = client.get("/api/v1/signals", params={"ws": "acme", "place": "x" * 1001})
    assert long.status_code == 422


@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(place=st.text(max_size=60))
def test_any_place_text_is_answered_never_a_server_error(
    client: TestClient,
    buzz: SQLiteStore,  # noqa: F811
    place: str,
) -> None:
    for path in ("/", "/api/v1/signals", "/dashboard"):
        r = client.get(path, params={"ws": "acme", "place": place, **WEEK})
        assert r.status_code < 500, (path, place, r.text[:300])


PLACE_INDEX = "signals_place (workspace=? AND <expr>=?"


def test_a_place_reads_its_own_rows_through_the_place_index(store: SQLiteStore) -> None:
    store.put(
        [
            make_signal(i, geo=Geo(lat=50.63, lon=3.06, place=("Lille", "Paris")[i % 2]))
            for i in range(300)
        ]
    )
    ranged = Filters(place="Lille", since=T0, until=T0.replace(hour=T0.hour + 1))
    for filters in (ranged, Filters(place="Lille"), Filters(place="Lille", channel="rss")):
        sel = select("acme", None, filters)
        queries = [page_sql(sel, after=None, limit=51), count_sql(sel)]
        queries += [facet_sql(sel, column) for column in ("channel", "topic", "flag", "own")]
        for sql, params in queries:
            plan = [row[3] for row in store._reader().execute("EXPLAIN QUERY PLAN " + sql, params)]
            assert any(PLACE_INDEX in step for step in plan), (sql, plan)
            assert not any(step.split()[:2] == ["SCAN", "signals"] for step in plan), plan
    assert store.search("acme", None, ranged, count=True).total == 30
    assert store.search("acme", None, Filters(place="Lille"), count=True).total == 150


PLACES = st.one_of(
    st.none(), st.sampled_from(["Lille", "lille", "Lille ", "Paris", "", "Saint-Étienne"])
)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(places=st.lists(PLACES, min_size=1, max_size=12), wanted=PLACES.filter(bool))
def test_the_live_wall_and_the_stored_wall_agree_on_every_place(
    tmp_path_factory: pytest.TempPathFactory, places: list[str | None], wanted: str
) -> None:
    from pouls.web.params import Selection as Shown
    from pouls.web.routes.stream import selected

    store = SQLiteStore(tmp_path_factory.mktemp("places") / "pouls.db")
    signals = [
        make_signal(i, geo=None if p is None else Geo(lat=1.0, lon=2.0, place=p))
        for i, p in enumerate(places)
    ]
    store.put(signals)
    shown = Shown(workspace="acme", filters=Filters(place=wanted))
    live = {s.id for s in signals if selected(s, shown)}
    page = store.search("acme", None, Filters(place=wanted), limit=50, count=True)
    assert {s.id for s in page.signals} == live and page.total == len(live)
    store.close()


def test_the_cli_searches_one_place(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "pouls.toml").write_text('[[workspaces]]\nid = "acme"\n', encoding="utf-8")
    store = SQLiteStore(home / "pouls.db")
    store.put(
        [
            make_signal(
                i, f"avis {i}", geo=Geo(lat=50.63, lon=3.06, place=("Lille", "Paris")[i % 3 == 0])
            )
            for i in range(9)
        ]
    )
    store.close()
    done = pouls(home, "search", "", "--place", "Paris", "--limit", "0", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["text"] for line in done.stdout.splitlines()] == [
        "avis 6",
        "avis 3",
        "avis 0",
    ]


def test_the_live_wall_of_a_place_lets_only_that_place_in() -> None:
    from pouls.web.params import Selection
    from pouls.web.routes.stream import selected

    sel = Selection(workspace="acme", filters=Filters(place="Lille"))
    assert selected(make_signal(1, geo=Geo(lat=50.63, lon=3.06, place="Lille")), sel)
    assert not selected(make_signal(2, geo=Geo(lat=48.85, lon=2.35, place="Paris")), sel)
    assert not selected(make_signal(3), sel)  # no geo at all
