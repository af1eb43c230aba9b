"""What a new user saw wrong in the dashboard's charts, checked in a real browser: eleven
channels in eleven colours, donuts whose names and shares cannot overlap, a map framed no closer
than a region, and a tile with no change that has no missing glyph."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import pytest

from pouls.signals import Geo, Sentiment
from pouls.signals.colours import CHANNEL_COLOURS
from pouls.store.sqlite import SQLiteStore
from pouls.web.live import Live
from tests.conftest import make_signal
from tests.web.test_dashboard import MONDAY
from tests.web.test_dashboard_browser import buzz, open_dashboard  # noqa: F401

pytestmark = pytest.mark.browser

CHANNELS = [
    "mastodon", "bluesky", "rss", "telegram", "whatsapp", "messenger",
    "instagram", "facebook", "email", "reddit", "reviews",
]  # fmt: skip
SHOTS = os.environ.get("POULS_SHOTS")  # a folder: screenshots to look at, else none taken


@pytest.fixture
def many(buzz: SQLiteStore) -> SQLiteStore:  # noqa: F811
    """The bad-buzz week plus one to thirty signals in each of eleven channels, all at one
    place (as a one-shop week is)."""
    buzz.put(
        [
            make_signal(
                5000 + 100 * c + i,
                f"avis {i}",
                created_at=MONDAY + timedelta(hours=c, minutes=i),
                channel=channel,
                sentiment=Sentiment(label=("positive", "neutral", "negative")[i % 3], score=0.9),
                geo=Geo(lat=50.634 + (i % 2) / 100, lon=3.06, place="Lille rue de Béthune"),
            )
            for c, channel in enumerate(CHANNELS)
            for i in range(1 + 3 * c)
        ]
    )
    return buzz


def option(page: object, chart: str, path: str) -> object:
    """A value of a drawn chart's ECharts option (the chart scrolled into view first)."""
    from playwright.sync_api import expect

    el = page.locator(f'.dash-chart[data-chart="{chart}"]')  # type: ignore[attr-defined]
    el.scroll_into_view_if_needed()
    expect(el).to_have_attribute("data-ready", "true")
    return el.evaluate(
        f"(el) => {{ const o = echarts.getInstanceByDom(el).getOption(); return {path}; }}"
    )


def shoot(page: object, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(1000)  # type: ignore[attr-defined]  # let the donuts finish growing
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("lang", "width"), [("fr", 1280), ("en", 390), ("en", 1280), ("fr", 390)])
def test_channels_keep_one_colour_each_and_donuts_have_no_labels_to_overlap(
    browser: object,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    many: SQLiteStore,
    lang: str,
    width: int,
) -> None:
    page, problems = open_dashboard(browser, server[0], lang, width)
    page.click('button[data-mode="channel"]')  # type: ignore[attr-defined]
    stacked = option(page, "volume", "o.series.filter(s => s.type === 'bar').map(s => s.color)")
    assert isinstance(stacked, list) and len(stacked) == len(CHANNELS)
    assert len(set(stacked)) == len(CHANNELS), stacked  # no two channels alike
    assert set(stacked) <= set(CHANNEL_COLOURS.values())
    mix = option(page, "mix-channel", "o.series[0].data.map(d => [d.name, d.itemStyle.color])")
    names = {"Presse / RSS" if lang == "fr" else "Press / RSS": "rss"}
    for name, colour in mix:  # type: ignore[union-attr]
        key = names.get(name, name.lower().replace("-", ""))
        assert colour == CHANNEL_COLOURS.get(key, colour), (name, colour)
    # the same channel, the same colour in both charts
    assert option(page, "mix-channel", "o.series[0].data.length") == len(CHANNELS)
    for chart in ("sentiment-split", "sov-total", "mix-channel"):
        label = option(page, chart, "[o.series[0].label.show, o.series[0].labelLine.show]")
        assert label == [False, False], chart
        legend = option(page, chart, "o.legend[0].formatter !== undefined")
        assert legend is True, chart
    text = page.locator('.dash-chart[data-chart="sentiment-split"]')  # type: ignore[attr-defined]
    assert text.get_attribute("aria-label")
    shoot(page, f"dashboard-{lang}-{width}")
    assert problems == []


def test_a_one_place_week_is_framed_on_a_region_not_a_street(
    browser: object,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    many: SQLiteStore,
) -> None:
    page, problems = open_dashboard(browser, server[0], "fr", 1280)
    page.goto(  # type: ignore[attr-defined]
        server[0] + "/dashboard?ws=acme&since=2026-11-30&until=2026-12-06&q=avis"
    )
    zoom = option(page, "map", "o.geo[0].zoom")
    assert 1 <= zoom <= 24  # type: ignore[operator]
    places = option(page, "map", "o.series[1].data.map(d => d.name)")
    assert places == ["Lille rue de Béthune"]  # one place, not one per rounded cell
    assert "＝" not in page.content()  # type: ignore[attr-defined]
    shoot(page, "map-one-place-fr-1280")
    assert problems == []


@pytest.mark.parametrize("width", [1280, 390])
def test_tiles_of_a_week_after_an_empty_one_and_a_bad_range_at_any_width(
    browser: object,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    many: SQLiteStore,
    width: int,
) -> None:
    page, problems = open_dashboard(browser, server[0], "fr", width)
    page.goto(server[0] + "/dashboard?ws=acme&since=2026-11-23&until=2026-11-29")  # type: ignore[attr-defined]
    net = page.locator('[data-tile="net_sentiment"]')  # type: ignore[attr-defined]
    assert "avant : —" in net.inner_text() and "▲" not in net.inner_text()
    reach = page.locator('[data-tile="reach"]')  # type: ignore[attr-defined]
    assert "pas de changement" in reach.inner_text()
    shoot(page, f"tiles-empty-before-fr-{width}")
    page.goto(server[0] + "/dashboard?ws=acme&since=&until=2026-12-06")  # type: ignore[attr-defined]
    problem = page.locator("#dash-problem")  # type: ignore[attr-defined]
    assert "premier jour" in problem.inner_text()
    assert page.locator('.range-custom input[name="since"]').is_visible()  # type: ignore[attr-defined]
    shoot(page, f"bad-range-fr-{width}")
    # the page's own 400 is the only thing the console reports
    assert [p for p in problems if "status of 400" not in p] == []
