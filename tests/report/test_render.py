"""A report rendered for real: a self-contained HTML page, and a PDF read back with pypdf."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import settings as examples
from hypothesis import strategies as st

from pouls.config import Settings
from pouls.report import NoData, ReportError
from pouls.report.content import Figure, gather
from pouls.report.render import filename, html, pdf, save
from pouls.store.reports import Reports
from pouls.store.sqlite import SQLiteStore
from tests.report.conftest import EMPTY, WEEK, pdf_drawing, pdf_text


def _hebdo(store: SQLiteStore, settings: Settings):  # type: ignore[no-untyped-def]
    book = Reports(store)
    book.sync(settings.file.reports, ["acme", "globex"])
    saved = book.get("acme", "hebdo")
    assert saved is not None
    return saved.report


def test_content_counts_the_week_against_the_week_before(
    store: SQLiteStore, settings: Settings
) -> None:
    content = gather(store, settings, _hebdo(store, settings), WEEK)
    volume = content.totals["volume"]
    assert (volume.value, volume.previous) == (240, 60)
    assert volume.change == pytest.approx(3.0)
    assert content.totals["authors"].value == 30
    assert sum(content.series) == 240 and len(content.series) == len(content.previous_series)
    assert content.sentiment == {"positive": 80, "neutral": 80, "negative": 80}
    assert content.top[0].engagement >= 2000  # the signal shared 1,000 times leads
    assert [c.key for c in content.channels][:1] and {c.count for c in content.channels} == {60}


def test_html_is_self_contained_and_escapes_the_summary(
    store: SQLiteStore, settings: Settings
) -> None:
    content = gather(
        store,
        settings,
        _hebdo(store, settings),
        WEEK,
        summary="Bonne semaine.\n\n<script>x</script>",
    )
    page = html(content)
    assert page.startswith("<!doctype html>")
    assert '<html lang="fr">' in page
    # Nothing is fetched: no script, stylesheet, image or font from anywhere.
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\((?!#)", page, re.I)
    assert not re.search(r"\ssrc=", page)
    # Links point to pouls (navigation, not resources); no other address appears.
    addresses = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert addresses and all(
        a.startswith(("http://127.0.0.1:8000/", "http://www.w3.org/")) for a in addresses
    ), addresses
    assert page.count("<svg") == 4  # volume, sentiment, share of voice, channels: inline
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<p>Bonne semaine.</p>" in page
    assert "Chiffres clés" in page and "Signaux marquants" in page and "+300" in page


def test_pdf_in_french_has_pages_text_and_charts(store: SQLiteStore, settings: Settings) -> None:
    content = gather(store, settings, _hebdo(store, settings), WEEK, summary="Semaine agitée.")
    data = pdf(content)
    assert data.startswith(b"%PDF-")
    pages, text = pdf_text(data)
    assert 1 <= pages <= 4
    for words in ("La semaine d'ACME", "Chiffres clés", "Signaux", "Semaine agitée.", "240"):
        assert words in text, words
    assert "1 octobre 2026" in text and "7 octobre 2026" in text
    # The charts are vectors: the legend and axis labels as text, the bars in their colours.
    assert "Cette période" in text and "Période précédente" in text
    drawing = pdf_drawing(data)
    assert "0.752941 0.223529 0.168627 rg" in drawing  # negative bars, #c0392b
    assert "0.117647 0.517647 0.286275 rg" in drawing  # positive bars, #1e8449
    assert "Part de voix" in text and "livraison" in text and "croissant" in text
    assert "0.490196 0.235294 0.596078 rg" in drawing  # the livraison topic's own colour
    assert drawing.count(" l\n") > 20  # the volume lines


def test_pdf_in_english(store: SQLiteStore, settings: Settings) -> None:
    content = gather(store, settings, _hebdo(store, settings), WEEK)
    pages, text = pdf_text(pdf(content, "en"))
    assert pages >= 1
    assert "Key numbers" in text and "Top signals" in text and "This period" in text
    assert "1 October 2026" in text and "Chiffres clés" not in text
    assert "No summary written for this report yet." in text


def test_a_period_without_signals_is_refused_in_the_report_language(
    store: SQLiteStore, settings: Settings
) -> None:
    report = _hebdo(store, settings)
    with pytest.raises(NoData) as french:
        gather(store, settings, report, EMPTY)
    assert "Aucun signal" in french.value.text("fr") and "1 novembre 2026" in french.value.text(
        "fr"
    )
    with pytest.raises(NoData) as english:
        gather(store, settings, report, EMPTY, lang="en")
    assert english.value.text("en").startswith("No signal matches")
    assert "1 November 2026" in english.value.text("en")


def test_a_selection_of_a_missing_topic_is_explained(
    store: SQLiteStore, settings: Settings
) -> None:
    report = msgspec.structs.replace(_hebdo(store, settings), topic="disparu")
    with pytest.raises(ReportError) as error:
        gather(store, settings, report, WEEK)
    assert error.value.text("fr") == "aucun sujet disparu dans cet espace de travail"


def test_sections_and_selection_shape_the_report(store: SQLiteStore, settings: Settings) -> None:
    report = msgspec.structs.replace(
        _hebdo(store, settings), topic="livraison", sections=["summary", "key_numbers"], lang="en"
    )
    content = gather(store, settings, report, WEEK, summary="Deliveries only.")
    assert content.totals["volume"].value == 60  # one signal in four mentions a delivery
    page = html(content)
    assert "<svg" not in page and "Top signals" not in page
    assert page.index("Deliveries only.") < page.index("Key numbers")


def test_an_engine_failure_leaves_no_file(
    store: SQLiteStore, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    content = gather(store, settings, _hebdo(store, settings), WEEK)

    def broken(self: object, *args: object, **kwargs: object) -> bytes:
        raise RuntimeError("cairo: out of memory")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)  # the engine failing, nothing else
    with pytest.raises(ReportError) as error:
        pdf(content)
    assert error.value.text("fr").startswith("Le PDF n'a pas pu être produit (RuntimeError")
    assert "no file was written" in error.value.text("en")
    assert list(tmp_path.glob("*.pdf")) == []


def test_save_writes_whole_files_only(tmp_path: Path) -> None:
    target = tmp_path / "hebdo.pdf"
    save(b"%PDF-first", target)
    with pytest.raises(TypeError):
        save("not bytes", target)  # type: ignore[arg-type]
    assert target.read_bytes() == b"%PDF-first"  # the old file is kept whole
    assert [p.name for p in tmp_path.iterdir()] == ["hebdo.pdf"]  # no temporary file left


def test_file_name_says_the_local_dates(store: SQLiteStore, settings: Settings) -> None:
    content = gather(store, settings, _hebdo(store, settings), WEEK)
    assert filename(content, "pdf") == "hebdo-2026-10-01-2026-10-07.pdf"


def test_a_missing_pango_names_the_debian_packages(
    store: SQLiteStore, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import cffi

    content = gather(store, settings, _hebdo(store, settings), WEEK)
    real = cffi.FFI.dlopen

    def without_pango(self: cffi.FFI, name: str, *args: object) -> object:
        if "pango" in str(name):  # as on a machine without Debian's libpango
            raise OSError(f"cannot load library '{name}': not found")
        return real(self, name, *args)

    monkeypatch.setattr(cffi.FFI, "dlopen", without_pango)
    for module in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
        monkeypatch.delitem(sys.modules, module)  # imported afresh, as in a new process
    with pytest.raises(ReportError) as error:
        pdf(content)
    assert "libpango-1.0-0 and libpangoft2-1.0-0" in error.value.text("en")
    assert error.value.text("fr").startswith("Les rapports PDF ont besoin de la bibliothèque Pango")
    assert html(content).startswith("<!doctype html>")  # the HTML report does not need it


@examples(max_examples=200, derandomize=True, deadline=None)
@given(st.text(max_size=80))
def test_a_title_in_the_page_footer_cannot_leave_its_css_string(title: str) -> None:
    from pouls.report.render import _css_string

    quoted = str(_css_string(title))
    inner = quoted[1:-1]
    assert quoted[0] == quoted[-1] == '"'
    assert '"' not in inner and "<" not in inner and "\n" not in inner
    # Every escape reads back as the character it stands for.
    decoded = re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)), inner)
    assert decoded == title


@examples(max_examples=200, derandomize=True, deadline=None)
@given(st.text(max_size=200))
def test_a_summary_is_text_whatever_it_holds(summary: str) -> None:
    from pouls.report.render import _paragraphs

    out = str(_paragraphs(summary))
    assert re.sub(r"</?p>|<br>", "", out).count("<") == 0  # only our own tags


def _key_numbers(page: str) -> str:
    return page[
        page.index('id="key-numbers"') : page.index("</section>", page.index("key-numbers"))
    ]


def test_shares_and_net_sentiment_read_as_on_the_dashboard(
    store: SQLiteStore, settings: Settings
) -> None:
    content = gather(store, settings, _hebdo(store, settings), WEEK)
    # the week before has no rated signal: no share to compare with, said in words
    assert content.totals["net_sentiment"].previous is None
    figures = _key_numbers(html(content, "fr"))
    assert "33\xa0%" in figures and "pas de période précédente" in figures
    assert re.search(r">\s*0\xa0%\s*<", figures)  # a net sentiment of 0: no sign, no "-0"
    assert "-0" not in figures and "0,0" not in figures
    totals = dict(content.totals)
    totals["net_sentiment"] = Figure(value=0.0015, previous=-0.0736, change=7.51)
    totals["negative_share"] = Figure(value=0.45, previous=0.0, change=45.0)
    shifted = msgspec.structs.replace(content, totals=totals)
    fr, en = _key_numbers(html(shifted, "fr")), _key_numbers(html(shifted, "en"))
    assert "+7\u202fpts" in fr and "+45\u202fpts" in fr and "45\xa0%" in fr
    assert "0\xa0%" in fr and "-0,07" not in fr and "+0,01" not in fr
    assert "+7 pts" in en and "+45 pts" in en
    totals["net_sentiment"] = Figure(value=-0.0736, previous=0.0015, change=-7.51)
    en = _key_numbers(html(msgspec.structs.replace(content, totals=totals), "en"))
    assert "\u22127%" in en and "\u22127 pts" in en and "-7" not in en


def test_emoji_no_font_draws_are_named_in_the_pdf_not_boxes(
    store: SQLiteStore, settings: Settings
) -> None:
    from pouls.report.glyphs import covered, printable

    summary = "Bof \U0001f644 mais on t aime \U0001f49b\ufe0f !"
    content = gather(store, settings, _hebdo(store, settings), WEEK, summary=summary)
    assert summary in html(content)  # the HTML keeps them: the reader's browser has fonts
    _, text = pdf_text(pdf(content))
    if covered() is not None and any(a <= 0x1F644 <= b for a, b in covered() or ()):
        pytest.skip("this machine has an emoji font: the PDF keeps the emoji")
    assert "\U0001f644" not in text and "\U0001f49b" not in text
    assert "[face with rolling eyes]" in text and "[yellow heart]" in text
    # without fontconfig to ask, pictographs are named and everything else is kept
    assert printable("é 日本 \u2014 \U0001f49b", spans=None) == "é 日本 \u2014 [yellow heart]"
