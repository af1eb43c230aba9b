"""`pouls import` fuzzed: JSONL and CSV files with odd bytes and values, read into a real store.

Whatever a file holds, no exception escapes and every line (JSONL) or row (CSV) is accounted
for: a stored signal (or an update of one, for a repeated id) or a dead letter with its reason
and its line.
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pouls import pipeline
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore
from tests.fuzz.poison import FUZZ, ODD_NUMBERS, ODD_TEXTS, dumps, poison

WS = "acme"
BOM = b"\xef\xbb\xbf"
_names = itertools.count()

RECORD = {
    "id": "n1",
    "text": "Croissants brûlés à Lyon",
    "title": "Avis",
    "created_at": "2026-10-01T08:00:00Z",
    "channel": "reviews",
    "kind": "review",
    "lang": "fr",
    "author_handle": "@marie",
    "url": "https://example.org/avis/1",
    "metrics": {"likes": 3, "shares": 1},
    "geo": {"lat": 45.76, "lon": 4.83, "country": "fr"},
    "conversation_id": "c1",
}


@st.composite
def odd_record(draw: st.DrawFn) -> bytes:
    """RECORD with a few of its values replaced by poison, or left out."""
    doc: dict[str, Any] = dict(RECORD)
    for key in draw(st.lists(st.sampled_from(sorted(RECORD)), max_size=3, unique=True)):
        if draw(st.integers(0, 3)) == 0:
            del doc[key]
        else:
            doc[key] = draw(poison)
    return dumps(doc).encode()


odd_line: st.SearchStrategy[bytes] = st.one_of(
    odd_record(),
    st.binary(max_size=40),
    st.sampled_from(
        [
            b'{"id": "latin", "text": "caf\xe9 cr\xe8me"}',
            b'{"id": "big", "text": "x", "created_at": 99999999999999999999}',
            b'{"id": 1e400, "text": "x"}',
            b'{"id": "s", "text": "\\ud800 seul"}',
            b'{"id": "t", "text": {"a": 1}}',
            b'{"id": "u", "text": "ok", "metrics": {"likes": 1e30}}',
            b'{"id": "v", "text": "ok", "geo": {"lat": "nord"}}',
            b"[1, 2]",
            b'"\\udcff"',
            b"{",
            b"\x00\x00",
            BOM + b'{"text": "BOM au milieu"}',
        ]
    ),
).map(lambda line: line.replace(b"\n", b" "))


def _import(store: SQLiteStore, path: Path) -> pipeline.Totals:
    source = FileSource(name=f"f{next(_names)}", workspace=WS, path=path, batch_size=3)
    return asyncio.run(pipeline.run([source], store))


def _assert_accounted(store: SQLiteStore, totals: pipeline.Totals, records: int, name: str) -> None:
    assert totals.errors == {}, totals.errors
    assert totals.read == records
    assert totals.stored + totals.duplicates + totals.dead_letters == records
    dead = [d for d in store.dead_letters(WS, limit=10_000) if d.position]
    mine = [d for d in dead if d.position and d.position.startswith(f"{name}:")]
    assert len(mine) == totals.dead_letters
    assert len({d.position for d in mine}) == len(mine)  # one dead letter per line or row
    assert all(d.reason.strip() for d in mine)


@FUZZ
@given(
    lines=st.lists(odd_line, min_size=1, max_size=8),
    bom=st.booleans(),
    crlf=st.booleans(),
)
def test_every_line_of_a_fuzzed_jsonl_file_is_stored_or_a_dead_letter(
    store: SQLiteStore, tmp_path: Path, lines: list[bytes], bom: bool, crlf: bool
) -> None:
    path = tmp_path / f"fuzz{next(_names)}.jsonl"
    end = b"\r\n" if crlf else b"\n"
    data = (BOM if bom else b"") + b"".join(line + end for line in lines)
    path.write_bytes(data)
    # One BOM at the very start belongs to the file, not to its first line.
    records = sum(1 for line in data.removeprefix(BOM).split(b"\n") if line.strip())
    _assert_accounted(store, _import(store, path), records, path.name)


odd_cell: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(ODD_TEXTS),
    st.sampled_from([str(n) for n in ODD_NUMBERS]),
    st.sampled_from(['"', '""', "a,b", "a;b", "a\tb", "ligne\nsuivante", "\r", "'", "=1+1"]),
    st.text(max_size=15),
    poison.map(str),
)


@st.composite
def csv_file(draw: st.DrawFn) -> tuple[bytes, int]:
    """A CSV file with a header, `;` or `,`, maybe a BOM, rows of odd cells, some ragged."""
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    header = ["id", "text", "created_at", *draw(st.sampled_from([[], ["lang"], ["channel"]]))]
    rows: list[list[str]] = []
    for n in range(draw(st.integers(1, 8))):
        row = [
            f"r{n}",
            *draw(st.lists(odd_cell, min_size=len(header) - 1, max_size=len(header) - 1)),
        ]
        ragged = draw(st.integers(0, 5))
        if ragged == 0:
            row.append("de trop")
        elif ragged == 1:
            row = row[:-1]
        rows.append(row)
    out = io.StringIO(newline="")
    # The csv module quotes a lone \r only when it ends lines with \r\n: quote all otherwise.
    end = draw(st.sampled_from(["\n", "\r\n"]))
    quoting = csv.QUOTE_ALL if end == "\n" else csv.QUOTE_MINIMAL
    writer = csv.writer(out, delimiter=delimiter, lineterminator=end, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8", "surrogatepass")  # lone surrogates: not UTF-8
    if draw(st.booleans()):
        data = data.replace(b"r0", b"r\xe90", 1)  # a Latin-1 byte in a row
    return (BOM if draw(st.booleans()) else b"") + data, len(rows)


@FUZZ
@given(file=csv_file())
def test_every_row_of_a_fuzzed_csv_file_is_stored_or_a_dead_letter(
    store: SQLiteStore, tmp_path: Path, file: tuple[bytes, int]
) -> None:
    data, rows = file
    path = tmp_path / f"fuzz{next(_names)}.csv"
    path.write_bytes(data)
    _assert_accounted(store, _import(store, path), rows, path.name)


@FUZZ
@given(body=st.binary(max_size=300), delimiter=st.sampled_from([b",", b";"]))
def test_a_csv_body_of_random_bytes_never_stops_the_import(
    store: SQLiteStore, tmp_path: Path, body: bytes, delimiter: bytes
) -> None:
    path = tmp_path / f"bytes{next(_names)}.csv"
    path.write_bytes(delimiter.join([b"id", b"text"]) + b"\n" + body)
    totals = _import(store, path)
    assert totals.errors == {}, totals.errors
    assert totals.stored + totals.duplicates + totals.dead_letters == totals.read
