"""XLSX read back with openpyxl: typed cells, text never a formula, sheets past the row limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from pouls.export import NAMES
from pouls.export.workbook import CELL_CHARS, write_xlsx
from pouls.signals import Metrics, Sentiment, Signal
from tests.conftest import make_signal

PARIS = ZoneInfo("Europe/Paris")


def sheet_rows(path: Path, sheet: int = 0) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path)
    cells = list(book.worksheets[sheet].iter_rows(values_only=True))
    assert list(cells[0]) == list(NAMES)
    return [dict(zip(NAMES, row, strict=True)) for row in cells[1:]]


def test_a_workbook_reads_back_with_accents_dates_numbers_and_flags(tmp_path: Path) -> None:
    s = make_signal(
        1,
        "Crème brûlée ratée 🥐",
        sentiment=Sentiment(label="negative", score=0.82),
        metrics=Metrics(likes=12),
        own=True,
    )
    assert write_xlsx([s], PARIS, tmp_path / "a.xlsx") == 1
    [row] = sheet_rows(tmp_path / "a.xlsx")
    assert row["text"] == "Crème brûlée ratée 🥐"
    assert row["created_at"] == datetime(2026, 10, 1, 8, 1)
    assert row["local_time"] == datetime(2026, 10, 1, 10, 1)
    assert row["sentiment_score"] == 0.82 and row["likes"] == 12 and row["own"] is True
    assert row["url"] is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]  # no row files left


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.example","clic")', "+1", "-2", "@zoe"])
def test_a_formula_like_text_is_a_string_cell_with_a_quote_prefix(
    tmp_path: Path, text: str
) -> None:
    write_xlsx([make_signal(1, text)], PARIS, tmp_path / "f.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "f.xlsx").active.cell(2, NAMES.index("text") + 1)
    assert cell.data_type == "s" and cell.value == text
    assert cell.quotePrefix


def test_text_shaped_like_workbook_markup_is_written_as_it_is(tmp_path: Path) -> None:
    crafted = '<r><t>a</t></r></is></c><c r="Z9" t="str"><f>1+1</f></c><is><r><t>b</t></r>'
    write_xlsx([make_signal(1, crafted), make_signal(2, "<r>&</r>")], PARIS, tmp_path / "x.xlsx")
    texts = [r["text"] for r in sheet_rows(tmp_path / "x.xlsx")]
    assert texts == [crafted, "<r>&</r>"]


NASTY = [
    "<r>",
    "</r>",
    "<r>x</r>",
    "<r> x </r>",
    "a<r>b</r>c",
    "<r><t>a</t></r>",
    "<r>&</r>",
    "<r>_x0041_ _x</r>",
    "&",
    "<",
    "a & b < c > d &amp;",
    "\x00\x01\x07 contrôle \x1f\x7f",
    "tab\tline\ncarriage\r",
    "_x0041_ is not A",
    "\ufffe\uffff",
    "  spaces around  ",
]


@pytest.mark.parametrize("text", NASTY)
def test_markup_escapes_and_control_characters_read_back_as_written(
    tmp_path: Path, text: str
) -> None:
    write_xlsx([make_signal(1, text, title=text, author_name=text)], PARIS, tmp_path / "n.xlsx")
    [row] = sheet_rows(tmp_path / "n.xlsx")
    # Control characters travel as OOXML `_xHHHH_` escapes (XML cannot hold them), which Excel
    # and openpyxl's `unescape` turn back into the characters. A `<r>…</r>` text is written in
    # runs, each read by Excel on its own: openpyxl joins them as they are.
    rich = text.startswith("<r>") and text.endswith("</r>")
    read = [str(row[c]) for c in ("text", "title", "author_name")]
    assert [r if rich else unescape(r) for r in read] == [text] * 3


def test_controls_in_a_text_shaped_like_rich_markup_become_replacement_characters(
    tmp_path: Path,
) -> None:
    # XlsxWriter escapes rich strings twice: these characters cannot travel there.
    write_xlsx([make_signal(1, "<r>\x01a\rb\ufffe</r>")], PARIS, tmp_path / "c.xlsx")
    [row] = sheet_rows(tmp_path / "c.xlsx")
    assert row["text"] == "<r>\ufffda\ufffdb\ufffd</r>"


def test_a_lone_surrogate_becomes_a_replacement_character(tmp_path: Path) -> None:
    signals = [make_signal(1, "cassé \ud83d ici", title="\udc00"), make_signal(2, "deux")]
    assert write_xlsx(signals, PARIS, tmp_path / "s.xlsx") == 2
    rows = sheet_rows(tmp_path / "s.xlsx")
    assert [r["text"] for r in rows] == ["cassé \ufffd ici", "deux"]
    assert rows[0]["title"] == "\ufffd"


def test_a_text_longer_than_a_cell_is_cut_with_an_ellipsis(tmp_path: Path) -> None:
    write_xlsx([make_signal(1, "é" * 40_000)], PARIS, tmp_path / "long.xlsx")
    [row] = sheet_rows(tmp_path / "long.xlsx")
    text = str(row["text"])
    assert len(text) == CELL_CHARS and text.endswith("…") and text.startswith("ééé")


def test_rows_past_a_sheet_go_on_in_the_next_sheet(tmp_path: Path) -> None:
    signals = [make_signal(n, f"s{n}") for n in range(7)]
    assert write_xlsx(signals, PARIS, tmp_path / "m.xlsx", sheet_rows=4) == 7
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    assert book.sheetnames == ["signals", "signals 2", "signals 3"]
    texts = [r["text"] for i in range(3) for r in sheet_rows(tmp_path / "m.xlsx", i)]
    assert texts == [f"s{n}" for n in range(7)]


def test_a_failure_while_writing_leaves_no_file(tmp_path: Path) -> None:
    def failing() -> Iterator[Signal]:
        yield make_signal(1)
        raise OSError("disque plein")

    with pytest.raises(OSError, match="disque plein"):
        write_xlsx(failing(), PARIS, tmp_path / "never.xlsx")
    assert list(tmp_path.iterdir()) == []
