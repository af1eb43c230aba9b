"""CSV as Excel opens it: BOM and accents, `;` with decimal commas, formulas defused, streamed."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.export import NAMES
from pouls.export.delimited import csv_chunks
from pouls.signals import Sentiment, Signal
from tests.conftest import make_signal

PARIS = ZoneInfo("Europe/Paris")


def rows(data: bytes, sep: str = ",") -> list[dict[str, str]]:
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))


def test_csv_starts_with_a_bom_and_keeps_accents_and_line_breaks() -> None:
    s = make_signal(1, 'Crème brûlée ratée…\nDeuxième ligne, « guillemets » "ici" 🥐')
    data = b"".join(csv_chunks([s], PARIS))
    assert data.startswith(b"\xef\xbb\xbfid,workspace,")
    assert "Crème brûlée".encode() in data
    [row] = rows(data)
    assert row["text"] == s.text
    assert row["local_time"] == "2026-10-01 10:01:00"
    assert row["created_at"] == "2026-10-01T08:01:00+00:00"
    assert data.count(b"\r\n") == 2  # header and row; the line break inside is quoted


def test_semicolon_csv_has_decimal_commas_for_french_excel() -> None:
    s = make_signal(1, "un, deux; trois", sentiment=Sentiment(label="negative", score=0.82))
    data = b"".join(csv_chunks([s], PARIS, sep=";"))
    assert data.decode("utf-8-sig").splitlines()[0] == ";".join(NAMES)
    [row] = rows(data, ";")
    assert row["text"] == "un, deux; trois"
    assert row["sentiment_score"] == "0,82" and row["own"] == "false"
    [comma] = rows(b"".join(csv_chunks([s], PARIS)))
    assert comma["sentiment_score"] == "0.82"


def test_any_other_separator_is_refused() -> None:
    with pytest.raises(ValueError, match="separator"):
        next(csv_chunks([], PARIS, sep="\t"))


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x.example","clic")', "+33 6 12", "-20 % ce soir", "@zoe", "\tx"]
)
def test_a_text_that_a_spreadsheet_would_run_is_written_as_text(text: str) -> None:
    s = make_signal(1, text, title=text, author_name=text)
    [row] = rows(b"".join(csv_chunks([s], PARIS)))
    assert row["text"] == row["title"] == row["author_name"] == "'" + text


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.text(max_size=40))
def test_every_text_reads_back_as_written_or_behind_one_quote(text: str) -> None:
    s = make_signal(1, text)
    [row] = rows(b"".join(csv_chunks([s], PARIS)))
    expected = "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
    assert row["text"] == expected


def test_rows_are_written_as_they_are_read_not_gathered_first() -> None:
    made = 0

    def endless() -> Iterator[Signal]:
        nonlocal made
        for n in itertools.count():
            made += 1
            yield make_signal(n, f"signal {n}")

    stream = csv_chunks(endless(), PARIS)
    first = next(stream)
    assert first.startswith(b"\xef\xbb\xbf") and b"signal 0" in first
    assert made <= 1000  # one chunk's worth, of an endless supply
