"""The export menu in a real browser (Debian's Chromium, headless), on a laptop and a phone, in
French and in English: the week's negative signals of a topic downloaded as CSV and XLSX."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from pouls.export import NAMES
from pouls.signals import Sentiment, utcnow
from pouls.store.sqlite import SQLiteStore
from pouls.web.live import Live
from tests.conftest import make_signal
from tests.web.conftest import sign_in

pytestmark = pytest.mark.browser

WORDS = {
    "en": {"7d": "Last 7 days", "export": "Export", "csv": "CSV ; (Excel in French)"},
    "fr": {"7d": "7 derniers jours", "export": "Exporter", "csv": "CSV ; (Excel en français)"},
}
XLSX = {"en": "Excel workbook (XLSX)", "fr": "Classeur Excel (XLSX)"}


def this_week(store: SQLiteStore) -> None:
    """Four deliveries signals this week: three negative (one of them of last month too)."""
    now = utcnow()
    fields = {"topics": ("livraison",), "sentiment": Sentiment(label="negative", score=0.9)}
    store.put(
        [
            make_signal(
                700,
                "Livraison en retard, colis abîmé",
                created_at=now - timedelta(hours=5),
                **fields,
            ),  # type: ignore[arg-type]
            make_signal(
                701, "=2+2 livreur injoignable", created_at=now - timedelta(days=2), **fields
            ),  # type: ignore[arg-type]
            make_signal(
                702, "Toujours pas livré, déçue", created_at=now - timedelta(days=6), **fields
            ),  # type: ignore[arg-type]
            make_signal(
                703,
                "Livraison parfaite, merci",
                created_at=now - timedelta(days=1),
                topics=("livraison",),
                sentiment=Sentiment(label="positive", score=0.9),
            ),
            make_signal(
                704,
                "Livraison ratée le mois dernier",
                created_at=now - timedelta(days=20),
                **fields,
            ),  # type: ignore[arg-type]
        ]
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_weeks_negative_signals_of_a_topic_download_as_csv_and_xlsx(
    page,
    server: tuple[str, Live, asyncio.AbstractEventLoop],
    filled: SQLiteStore,
    width: int,
    lang: str,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    this_week(filled)
    base, _, _ = server
    words = WORDS[lang]
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, base, "/")
    page.context.add_cookies([{"name": "pouls_lang", "value": lang, "url": base}])
    page.goto(base + "/")

    page.get_by_role("link", name=words["7d"]).click()
    page.locator('a[data-facet="topic"][data-value="livraison"]').click()
    page.locator('a[data-facet="sentiment"][data-value="negative"]').click()
    expect(page.locator("#cards > li.card")).to_have_count(3)

    menu = page.locator("details.export")
    menu.locator("summary").click()
    choices = menu.locator("ul")
    expect(choices).to_be_visible()
    shots = os.environ.get("POULS_SHOTS")  # a folder: where to save what the menu looks like
    if shots:
        page.screenshot(path=f"{shots}/export-{width}-{lang}.png")
    box = choices.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    with page.expect_download() as csv_download:
        menu.get_by_role("link", name=words["csv"]).click()
    download = csv_download.value
    assert re.fullmatch(
        r"pouls-acme-\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d\.csv", download.suggested_filename
    )
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [r["text"] for r in rows] == [
        "Livraison en retard, colis abîmé",
        "'=2+2 livreur injoignable",
        "Toujours pas livré, déçue",
    ]
    assert {r["sentiment"] for r in rows} == {"negative"} and {r["topics"] for r in rows} == {
        "livraison"
    }
    assert {r["sentiment_score"] for r in rows} == {"0,9"}

    if not menu.evaluate("d => d.open"):
        menu.locator("summary").click()
    with page.expect_download() as xlsx_download:
        menu.get_by_role("link", name=XLSX[lang]).click()
    saved = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(saved)
    table = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    assert table[0] == NAMES
    assert [r[NAMES.index("text")] for r in table[1:]] == [
        "Livraison en retard, colis abîmé",
        "=2+2 livreur injoignable",
        "Toujours pas livré, déçue",
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert problems == []
