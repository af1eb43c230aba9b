"""The dashboard in a real browser (Debian's Chromium through Playwright): every chart drawn with
no script error and no CSP violation, clicks that land on the filtered wall, tables in the
page language, at desktop and phone widths."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from pouls.store.sqlite import SQLiteStore
from pouls.store.topics import Topic
from pouls.web.live import Live
from tests.web.conftest import sign_in
from tests.web.test_dashboard import buzz_signals

pytestmark = pytest.mark.browser

PAGE = "/dashboard?ws=acme&since=2026-11-30&until=2026-12-06&sov=lumiere,tartes"
CHARTS = 15  # volume, sentiment x2, share of voice x2, seven tops, two mixes, the map


@pytest.fixture
def buzz(filled: SQLiteStore) -> SQLiteStore:
    filled.put(buzz_signals())
    for name, query in (("lumiere", "intoxication"), ("tartes", "tarte")):
        filled.topics.save(Topic(workspace="acme", name=name, query=query))
        filled.topics.backfill("acme", name)
    return filled


def open_dashboard(browser: object, base: str, lang: str, width: int) -> tuple[object, list[str]]:
    """A signed-in page on the dashboard in `lang` at `width`; the list collects script errors
    and CSP violations as they happen."""
    page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"error: {e}"))
    page.on(
        "console",
        lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
    )
    sign_in(page, base, "/")
    page.goto(f"{base}/lang?to={lang}&next=/")
    page.goto(base + PAGE)
    # Chromium reports a CSP violation on the console as an error ("Refused to ..."); one that
    # happens later (a chart's script) also reaches the page as an event.
    page.evaluate(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP ' + e.violatedDirective))"
    )
    return page, problems


def draw_every_chart(page: object) -> None:
    """Scroll each chart into view (they start lazily) and wait until it has drawn."""
    from playwright.sync_api import expect

    charts = page.locator(".dash-chart[data-chart]")  # type: ignore[attr-defined]
    expect(charts).to_have_count(CHARTS)
    for i in range(CHARTS):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_attribute("data-ready", "true")
        expect(chart.locator("canvas").first).to_be_visible()


@pytest.mark.parametrize(("lang", "width"), [("fr", 1280), ("en", 1280), ("fr", 390), ("en", 390)])
def test_every_chart_draws_without_errors(
    browser: object,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    buzz: SQLiteStore,
    lang: str,
    width: int,
) -> None:
    base = server[0]
    page, problems = open_dashboard(browser, base, lang, width)
    draw_every_chart(page)
    assert problems == []
    # nothing sticks out sideways on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # type: ignore[attr-defined]
    heading = page.locator("h1").inner_text()  # type: ignore[attr-defined]
    assert heading == ("Tableau de bord" if lang == "fr" else "Dashboard")


def test_tables_show_numbers_in_the_page_language(
    browser: object, server: tuple[str, Live, asyncio.AbstractEventLoop], buzz: SQLiteStore
) -> None:
    from playwright.sync_api import expect

    base = server[0]
    page, problems = open_dashboard(browser, base, "fr", 1280)
    details = page.locator('details[data-table="top-authors_reach"]')  # type: ignore[attr-defined]
    details.locator("summary").click()
    table = details.locator("table")
    expect(table.locator("th").nth(1)).to_have_text("Auteur")
    # followers 1 900 for the most followed (Client 4: 19 × 100), French digit grouping
    expect(table.locator("tbody tr").first).to_contain_text("1\u202f900")
    volume = page.locator('details[data-table="volume"]')  # type: ignore[attr-defined]
    volume.locator("summary").click()
    expect(volume.locator("tbody tr").first.locator("td").first).to_have_text(
        re.compile(r"^lun\. 30 nov\.$")
    )
    languages = page.locator('details[data-table="mix-lang"]')  # type: ignore[attr-defined]
    languages.locator("summary").click()
    expect(languages.locator("tbody td:first-child")).to_have_text(["français", "anglais"])
    page.locator('#volume button[data-mode="sentiment"]').click()  # type: ignore[attr-defined]
    expect(volume.locator("thead th")).to_have_text(
        ["Période", "neutre", "négatif", "Total", "Période précédente"]
    )
    assert problems == []


def test_a_click_on_a_chart_lands_on_the_wall_filtered_on_it(
    browser: object, server: tuple[str, Live, asyncio.AbstractEventLoop], buzz: SQLiteStore
) -> None:
    from playwright.sync_api import expect

    base = server[0]
    page, problems = open_dashboard(browser, base, "en", 1280)
    draw_every_chart(page)
    # the channel mix's slices: click the chart where ECharts drew the first (largest) slice
    chart = page.locator('.dash-chart[data-chart="mix-channel"]')  # type: ignore[attr-defined]
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    point = page.evaluate(  # type: ignore[attr-defined]
        """(el) => {
          const c = echarts.getInstanceByDom(el);
          const layout = c.getModel().getSeriesByIndex(0).getData().getItemLayout(0);
          const mid = (layout.startAngle + layout.endAngle) / 2;
          const r = (layout.r0 + layout.r) / 2;
          return [layout.cx + r * Math.cos(mid), layout.cy + r * Math.sin(mid)];
        }""",
        chart.element_handle(),
    )
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/\?"))  # type: ignore[attr-defined]
    query = parse_qs(urlsplit(page.url).query)  # type: ignore[attr-defined]
    assert query == {
        "ws": ["acme"],
        "channel": ["mastodon"],
        "own": ["false"],
        "since": ["2026-11-30"],
        "until": ["2026-12-06"],
    }
    expect(page.locator("#cards > li.card")).to_have_count(14)  # type: ignore[attr-defined]

    # a row of a table alternative is a link to the same wall
    page.goto(base + PAGE)  # type: ignore[attr-defined]
    details = page.locator('details[data-table="sov-total"]')  # type: ignore[attr-defined]
    details.locator("summary").click()
    details.get_by_role("link", name="lumiere").click()
    page.wait_for_url(re.compile(r"topic=lumiere"))  # type: ignore[attr-defined]
    expect(page.locator("#cards > li.card")).to_have_count(20)  # type: ignore[attr-defined]
    assert problems == []


def test_map_points_merge_into_clusters_as_one_zooms_out(
    browser: object, server: tuple[str, Live, asyncio.AbstractEventLoop], buzz: SQLiteStore
) -> None:
    from playwright.sync_api import expect

    base = server[0]
    page, problems = open_dashboard(browser, base, "fr", 1280)
    chart = page.locator('.dash-chart[data-chart="map"]')  # type: ignore[attr-defined]
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-ready", "true")
    shown = "(el) => echarts.getInstanceByDom(el).getOption().series[1].data.map(d => d.name)"
    # framed on the points: Lille and Paris apart
    assert sorted(chart.evaluate(shown)) == ["Lille", "Paris"]
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # type: ignore[attr-defined]
    for _ in range(60):  # zoom out to the world: 200 km become a few pixels
        page.mouse.wheel(0, 400)  # type: ignore[attr-defined]
        page.wait_for_timeout(20)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "(el) => echarts.getInstanceByDom(el).getOption().series[1].data.length === 1",
        arg=chart.element_handle(),
    )
    assert chart.evaluate(shown) == ["2 lieux"]
    # the places' table: French decimals, and each place a link to the wall on it
    details = page.locator('details[data-table="map"]')  # type: ignore[attr-defined]
    details.locator("summary").click()
    first = details.locator("table").first
    expect(first.locator("tbody tr")).to_have_count(2)
    expect(first).to_contain_text("50,63")
    expect(first.locator("a")).to_have_count(2)
    first.get_by_role("link", name="Paris").click()
    page.wait_for_url(re.compile(r"place=Paris"))  # type: ignore[attr-defined]
    expect(page.locator("#total")).to_have_text("10")  # type: ignore[attr-defined]
    assert problems == []


def test_a_click_on_a_map_point_lands_on_the_wall_of_that_place(
    browser: object, server: tuple[str, Live, asyncio.AbstractEventLoop], buzz: SQLiteStore
) -> None:
    from playwright.sync_api import expect

    page, problems = open_dashboard(browser, server[0], "en", 1280)
    chart = page.locator('.dash-chart[data-chart="map"]')  # type: ignore[attr-defined]
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_attribute("data-ready", "true")
    point = chart.evaluate(
        """(el) => {
          const c = echarts.getInstanceByDom(el);
          const d = c.getOption().series[1].data.find((d) => d.name === "Lille");
          return [c.convertToPixel({ seriesIndex: 1 }, d.value.slice(0, 2)), d.value[2]];
        }"""
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + point[0][0], box["y"] + point[0][1])  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"place=Lille"))  # type: ignore[attr-defined]
    query = parse_qs(urlsplit(page.url).query)  # type: ignore[attr-defined]
    assert query["place"] == ["Lille"] and query["own"] == ["false"]
    # the wall counts what the point counted
    expect(page.locator("#total")).to_have_text(str(point[1]))  # type: ignore[attr-defined]
    expect(page.locator("#place-filter")).to_contain_text("Lille")  # type: ignore[attr-defined]
    assert problems == []
