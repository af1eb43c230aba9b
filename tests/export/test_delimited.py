"""CSV as Excel opens it: BOM and accents, `;` with decimal commas, formulas defused, streamed."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.export import COLUMNS, NAMES
from pouls.export.columns import values
from pouls.export.delimited import BOM, csv_chunks
from pouls.signals import Geo, Metrics, Sentiment, Signal
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


def written_by_the_csv_module(signals: list[Signal], tz: tzinfo, sep: str) -> bytes:
    """The export as `csv.writer` writes the cells of `columns.values`: the reference the fast
    line maker must equal byte for byte (it was the export's own code before issue 12)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(NAMES)
    kinds = [c.kind for c in COLUMNS]
    for s in signals:
        row: list[object] = []
        for value, kind in zip(values(s, tz), kinds, strict=True):
            if kind == "text" and value and str(value)[0] in "=+-@\t\r":
                value = "'" + str(value)
            elif kind == "time":
                assert isinstance(value, datetime)
                value = value.isoformat() if value.tzinfo else value.isoformat(" ")
            elif kind == "flag":
                value = "true" if value else "false"
            elif kind == "number" and sep == ";" and isinstance(value, float):
                value = repr(value).replace(".", ",")
            row.append(value)
        writer.writerow(row)
    return buffer.getvalue().encode()


class HalfPastChange(tzinfo):
    """A zone going from UTC+1 to UTC+2 at 10:30 UTC on 1 June 2026: a clock change that is
    not on the hour, with whole-hour offsets on both sides."""

    CHANGE = datetime(2026, 6, 1, 10, 30)

    def fromutc(self, dt: datetime) -> datetime:  # type: ignore[override]
        naive = dt.replace(tzinfo=None)
        return (naive + timedelta(hours=2 if naive >= self.CHANGE else 1)).replace(tzinfo=self)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        after = dt is not None and dt.replace(tzinfo=None) >= self.CHANGE + timedelta(hours=2)
        return timedelta(hours=2 if after else 1)

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


ZONES = [ZoneInfo(z) for z in ("Europe/Paris", "UTC", "Asia/Kolkata", "Australia/Lord_Howe")] + [
    HalfPastChange()
]
cell = st.text(max_size=12) | st.sampled_from(
    ["", "=1", "a,b", 'x"y', "l\r\nm", "a\rb", "c\nd", "é;🥐", "-"]
)
maybe = st.none() | cell
number = st.floats(allow_nan=False) | st.sampled_from([1e-05, 0.1 + 0.2, 1.0])
score = st.none() | number


@st.composite
def exported_signals(draw: st.DrawFn) -> Signal:
    created = draw(
        st.datetimes(
            min_value=datetime(1890, 1, 1),
            max_value=datetime(2100, 1, 1),
            timezones=st.just(UTC),
        )
        | st.sampled_from(  # both sides of clock changes, to the microsecond
            [
                datetime(2026, 10, 25, 0, 59, 59, 999_999, tzinfo=UTC),
                datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
                datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
                datetime(2026, 4, 4, 15, 0, 0, 1, tzinfo=UTC),
                datetime(2026, 6, 1, 10, 15, tzinfo=UTC),
                datetime(2026, 6, 1, 10, 45, 1, tzinfo=UTC),
                datetime(2026, 6, 1, 12, 45, 1, tzinfo=timezone(timedelta(hours=2))),
            ]
        )
    )
    sentiment = draw(st.none() | st.builds(Sentiment, st.sampled_from(["negative"]), number))
    return make_signal(
        draw(st.integers(0, 10**6)),
        draw(cell),
        workspace=draw(st.sampled_from(["acme", "=ws", "a,b"])),
        source=draw(cell),
        created_at=created,
        lang=draw(maybe),
        author=draw(maybe),
        author_handle=draw(maybe),
        author_name=draw(maybe),
        title=draw(maybe),
        url=draw(maybe),
        sentiment=sentiment,
        toxicity=draw(st.none() | st.dictionaries(cell, st.floats(0, 1), max_size=2)),
        scam=draw(score),
        topics=tuple(draw(st.lists(cell, max_size=2))),
        metrics=draw(st.none() | st.builds(Metrics, *[st.none() | st.integers()] * 4)),
        geo=draw(st.none() | st.builds(Geo, country=maybe, place=maybe)),
        own=draw(st.booleans()),
        conversation_id=draw(maybe),
        parent_id=draw(maybe),
    )


@settings(max_examples=200, derandomize=True, deadline=None)
@given(
    st.lists(exported_signals(), max_size=6),
    st.sampled_from(ZONES),
    st.sampled_from([",", ";"]),
)
def test_every_line_is_the_one_the_csv_module_writes(
    signals: list[Signal], tz: tzinfo, sep: str
) -> None:
    made = b"".join(csv_chunks(signals, tz, sep))
    assert made == written_by_the_csv_module(signals, tz, sep)


def test_a_lone_surrogate_is_written_as_a_replacement_character() -> None:
    s = make_signal(1, "cassé \ud83d ici", title="=\udc00")
    [row] = rows(b"".join(csv_chunks([s], PARIS)))
    assert row["text"] == "cassé \ufffd ici" and row["title"] == "'=\ufffd"
