"""File import (JSONL, CSV) through the real pipeline into a real SQLite store.

Every malformed input ends in a dead letter with a reason naming the problem, and the valid
lines around it are stored; cursors make a second run read only what is left.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pouls import pipeline
from pouls.signals import signal_id
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore

WS, NAME = "acme", "upload"


def _line(n: int, text: str | None = None, **fields: object) -> str:
    record = {
        "id": f"m{n}",
        "text": text or f"message {n} sur la boulangerie",
        "created_at": f"2026-10-01T08:{n:02d}:00+00:00",
        **fields,
    }
    return json.dumps(record, ensure_ascii=False)


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _source(path: Path, **options: object) -> FileSource:
    return FileSource(name=NAME, workspace=WS, path=path, batch_size=4, **options)  # type: ignore[arg-type]


async def _import(store: SQLiteStore, path: Path, **options: object) -> pipeline.Totals:
    return await pipeline.run([_source(path, **options)], store)


def _stored_native_ids(store: SQLiteStore) -> set[str | None]:
    return {s.native_id for s in store.search(WS, limit=1000).signals}


def _reasons(store: SQLiteStore) -> list[str]:
    return [d.reason for d in reversed(store.dead_letters(WS, limit=1000))]


async def test_jsonl_import_stores_every_line_with_its_fields(tmp_path: Path, store: SQLiteStore):
    path = _jsonl(
        tmp_path / "posts.jsonl",
        [_line(1, "Très bon pain", lang="fr", channel="mastodon"), _line(2, title="Press")],
    )
    totals = await _import(store, path)
    assert (totals.read, totals.stored, totals.duplicates, totals.dead_letters) == (2, 2, 0, 0)
    first = store.get(WS, signal_id(WS, NAME, "m1"))
    assert first is not None
    assert (first.text, first.lang, first.channel, first.source) == (
        "Très bon pain",
        "fr",
        "mastodon",
        NAME,
    )
    assert first.created_at.isoformat() == "2026-10-01T08:01:00+00:00"
    assert store.cursor(WS, NAME) == str(path.stat().st_size)


async def test_jsonl_truncated_line_goes_to_dead_letters_and_neighbours_are_stored(
    tmp_path: Path, store: SQLiteStore
):
    truncated = _line(2)[:25]
    path = _jsonl(tmp_path / "cut.jsonl", [_line(1), truncated, _line(3)])
    totals = await _import(store, path)
    assert (totals.stored, totals.dead_letters) == (2, 1)
    assert _stored_native_ids(store) == {"m1", "m3"}
    [dead] = store.dead_letters(WS)
    assert dead.reason.startswith("line 2: not valid JSON")
    assert dead.raw == truncated
    assert dead.position == "cut.jsonl:2"


@pytest.mark.parametrize(
    ("line", "kind"), [("[1, 2, 3]", "list"), ('"bonjour"', "str"), ("42", "int")]
)
async def test_jsonl_line_that_is_not_an_object_goes_to_dead_letters(
    tmp_path: Path, store: SQLiteStore, line: str, kind: str
):
    path = _jsonl(tmp_path / "odd.jsonl", [_line(1), line, _line(3)])
    await _import(store, path)
    assert _stored_native_ids(store) == {"m1", "m3"}
    assert _reasons(store) == [f"line 2: expected a JSON object, got {kind}"]


async def test_jsonl_invalid_date_goes_to_dead_letters_naming_the_field(
    tmp_path: Path, store: SQLiteStore
):
    path = _jsonl(
        tmp_path / "dates.jsonl",
        [_line(1), _line(2, created_at="mardi dernier"), _line(3, created_at="2026-02-30")],
    )
    await _import(store, path)
    assert _stored_native_ids(store) == {"m1"}
    reasons = _reasons(store)
    assert len(reasons) == 2
    assert reasons[0].startswith("line 2: created_at: 'mardi dernier' is not a date")
    assert "ISO 8601" in reasons[0]
    assert reasons[1].startswith("line 3: created_at: '2026-02-30' is not a date")


async def test_jsonl_accepts_plain_iso_dates_msgspec_alone_refuses(
    tmp_path: Path, store: SQLiteStore
):
    path = _jsonl(tmp_path / "d.jsonl", [_line(1, created_at="2026-05-01 10:30")])
    await _import(store, path)
    [signal] = store.search(WS).signals
    assert signal.created_at.isoformat() == "2026-05-01T10:30:00+00:00"


async def test_jsonl_wrong_field_type_and_empty_record_go_to_dead_letters(
    tmp_path: Path, store: SQLiteStore
):
    path = _jsonl(
        tmp_path / "types.jsonl", [_line(1), '{"id": "m2", "text": 7}', '{"id": "m3"}', _line(4)]
    )
    await _import(store, path)
    assert _stored_native_ids(store) == {"m1", "m4"}
    assert _reasons(store) == [
        "line 2: text: expected `str`, got `int`",
        "line 3: no text, title or value: nothing to store",
    ]


async def test_jsonl_non_utf8_bytes_go_to_dead_letters_and_neighbours_are_stored(
    tmp_path: Path, store: SQLiteStore
):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        _line(1).encode()
        + b'\n{"id": "m2", "text": "caf\xe9 cr\xe8me"}\n'
        + _line(3).encode()
        + b"\n"
    )
    totals = await _import(store, path)
    assert (totals.stored, totals.dead_letters) == (2, 1)
    assert _stored_native_ids(store) == {"m1", "m3"}
    [dead] = store.dead_letters(WS)
    assert dead.reason == (
        "line 2: not UTF-8 (byte 0xe9 at position 25); re-save the file as UTF-8"
    )
    assert "caf\\xe9" in dead.raw  # the bad byte is kept, visibly


def _csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


async def test_csv_import_stores_rows_and_treats_empty_cells_as_absent(
    tmp_path: Path, store: SQLiteStore
):
    path = _csv(
        tmp_path / "avis.csv",
        "id,text,created_at,lang\n"
        'r1,"Service lent, pain excellent",2026-10-01T09:00:00Z,fr\n'
        "r2,Great croissants,,en\n",
    )
    totals = await _import(store, path)
    assert (totals.read, totals.stored) == (2, 2)
    r1 = store.get(WS, signal_id(WS, NAME, "r1"))
    r2 = store.get(WS, signal_id(WS, NAME, "r2"))
    assert r1 is not None and r2 is not None
    assert (r1.text, r1.lang) == ("Service lent, pain excellent", "fr")
    assert r1.created_at.isoformat() == "2026-10-01T09:00:00+00:00"
    assert r2.created_at == r2.observed_at  # no date given: observed now
    assert store.cursor(WS, NAME) == "2"


async def test_csv_wrong_column_counts_go_to_dead_letters_and_neighbours_are_stored(
    tmp_path: Path, store: SQLiteStore
):
    path = _csv(
        tmp_path / "cols.csv",
        "id,text,lang\nr1,bonjour,fr\nr2,trop,de,colonnes\nr3\nr4,hello,en\n",
    )
    totals = await _import(store, path)
    assert (totals.stored, totals.dead_letters) == (2, 2)
    assert _stored_native_ids(store) == {"r1", "r4"}
    assert _reasons(store) == [
        "row at line 3: 4 columns where the header has 3",
        "row at line 4: 1 columns where the header has 3",
    ]
    assert [d.raw for d in reversed(store.dead_letters(WS))] == ["r2,trop,de,colonnes", "r3"]


async def test_csv_invalid_date_goes_to_dead_letters(tmp_path: Path, store: SQLiteStore):
    path = _csv(
        tmp_path / "dates.csv",
        "id,text,created_at\nr1,ok,2026-10-01\nr2,pas ok,01/10/2026\nr3,ok aussi,1790000000\n",
    )
    await _import(store, path)
    assert _stored_native_ids(store) == {"r1", "r3"}
    [reason] = _reasons(store)
    assert reason.startswith("row at line 3: created_at: '01/10/2026' is not a date")


async def test_csv_non_utf8_bytes_go_to_dead_letters_naming_the_column(
    tmp_path: Path, store: SQLiteStore
):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"id,text\nr1,caf\xc3\xa9\nr2,caf\xe9\nr3,th\xc3\xa9\n")
    totals = await _import(store, path)
    assert (totals.stored, totals.dead_letters) == (2, 1)
    assert {s.text for s in store.search(WS).signals} == {"café", "thé"}
    [dead] = store.dead_letters(WS)
    assert dead.reason == "row at line 3: column 'text' is not UTF-8; re-save the file as UTF-8"
    assert dead.raw == "r2,caf\\xe9"


async def test_csv_without_text_column_fails_with_an_error_naming_its_columns(
    tmp_path: Path, store: SQLiteStore
):
    path = _csv(tmp_path / "nums.csv", "id,date,score\n1,2026-10-01,4\n")
    totals = await _import(store, path)
    assert totals.stored == 0
    [error] = totals.errors.values()
    assert "nums.csv: no text column; its columns are id, date, score" in error
    assert "--map text=COLUMN" in error
    [state] = store.sources(WS)
    assert state.last_error is not None and "no text column" in state.last_error
    assert state.cursor is None


async def test_csv_mapping_renames_columns_to_signal_fields(tmp_path: Path, store: SQLiteStore):
    path = _csv(
        tmp_path / "export.csv",
        "ref,corps,date,auteur,langue\n"
        "x1,Livraison en retard,2026-10-02T10:00:00+02:00,@marie,fr\n",
    )
    mapping = {
        "native_id": "ref",
        "text": "corps",
        "created_at": "date",
        "author_handle": "auteur",
        "lang": "langue",
    }
    await _import(store, path, mapping=mapping, channel="reviews", kind="review")
    signal = store.get(WS, signal_id(WS, NAME, "x1"))
    assert signal is not None
    assert (signal.text, signal.author_handle, signal.lang) == (
        "Livraison en retard",
        "@marie",
        "fr",
    )
    assert (signal.channel, signal.kind) == ("reviews", "review")
    assert signal.created_at == datetime(2026, 10, 2, 8, 0, tzinfo=UTC)


async def test_jsonl_mapping_reads_nested_keys(tmp_path: Path, store: SQLiteStore):
    record = {"post": {"id": 9, "body": "Nouvelle boutique à Lyon"}, "ts": "2026-10-03T12:00:00Z"}
    path = _jsonl(tmp_path / "nested.jsonl", [json.dumps(record), "[]"])
    mapping = {"native_id": "post.id", "text": "post.body", "created_at": "ts"}
    await _import(store, path, mapping=mapping)
    signal = store.get(WS, signal_id(WS, NAME, "9"))
    assert signal is not None and signal.text == "Nouvelle boutique à Lyon"
    assert _reasons(store) == ["line 2: expected a JSON object, got list"]


async def test_jsonl_resumes_from_saved_cursor_and_reads_only_the_rest(
    tmp_path: Path, store: SQLiteStore
):
    lines = [_line(n) for n in range(1, 11)]
    path = _jsonl(tmp_path / "big.jsonl", lines)
    after_four = sum(len(line.encode()) + 1 for line in lines[:4])
    store.put([], cursors={(WS, NAME): str(after_four)})  # as a run killed after 4 lines left it
    totals = await _import(store, path)
    assert (totals.read, totals.stored) == (6, 6)
    assert _stored_native_ids(store) == {f"m{n}" for n in range(5, 11)}
    assert store.cursor(WS, NAME) == str(path.stat().st_size)


async def test_jsonl_dead_letter_after_resume_names_the_true_line(
    tmp_path: Path, store: SQLiteStore
):
    lines = [_line(1), _line(2), "{oops", _line(4)]
    path = _jsonl(tmp_path / "r.jsonl", lines)
    store.put([], cursors={(WS, NAME): str(len(lines[0].encode()) + 1)})
    await _import(store, path)
    [dead] = store.dead_letters(WS)
    assert dead.position == "r.jsonl:3" and dead.reason.startswith("line 3:")


async def test_jsonl_appended_lines_are_read_by_the_next_run(tmp_path: Path, store: SQLiteStore):
    path = _jsonl(tmp_path / "grow.jsonl", [_line(1), _line(2)])
    await _import(store, path)
    with path.open("a", encoding="utf-8") as f:
        f.write(_line(3) + "\n")
    totals = await _import(store, path)
    assert (totals.read, totals.stored) == (1, 1)
    assert store.count(WS) == 3


async def test_csv_resumes_from_saved_row_cursor(tmp_path: Path, store: SQLiteStore):
    rows = "".join(f"r{n},texte {n}\n" for n in range(1, 8))
    path = _csv(tmp_path / "rows.csv", "id,text\n" + rows)
    store.put([], cursors={(WS, NAME): "5"})
    totals = await _import(store, path)
    assert (totals.read, totals.stored) == (2, 2)
    assert _stored_native_ids(store) == {"r6", "r7"}
    assert store.cursor(WS, NAME) == "7"


async def test_file_read_to_its_end_reads_nothing_on_the_next_run(
    tmp_path: Path, store: SQLiteStore
):
    path = _jsonl(tmp_path / "done.jsonl", [_line(1), _line(2)])
    await _import(store, path)
    totals = await _import(store, path)
    assert (totals.read, totals.stored) == (0, 0)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_reimport_from_the_start_counts_duplicates_and_stores_nothing_twice(
    tmp_path: Path, store: SQLiteStore, fmt: str
):
    if fmt == "jsonl":
        path = _jsonl(tmp_path / "again.jsonl", [_line(n) for n in range(1, 10)] + ["{bad"])
    else:
        rows = "".join(f"m{n},texte {n}\n" for n in range(1, 10)) + "bad,row,extra\n"
        path = _csv(tmp_path / "again.csv", "id,text\n" + rows)
    first = await _import(store, path)
    assert (first.stored, first.duplicates, first.dead_letters) == (9, 0, 1)
    store.put([], cursors={(WS, NAME): None})  # what `pouls import --restart` does
    second = await _import(store, path)
    assert (second.read, second.stored, second.duplicates) == (10, 0, 9)
    assert store.count(WS) == 9
    assert len(store.search(WS, "texte" if fmt == "csv" else "boulangerie", limit=100).signals) == 9
    assert len(store.dead_letters(WS)) == 1  # the replayed dead letter is recorded once


async def test_duplicate_native_ids_in_one_file_are_one_signal_and_the_last_wins(
    tmp_path: Path, store: SQLiteStore
):
    path = _jsonl(tmp_path / "dups.jsonl", [_line(1, "v1"), _line(2), _line(1, "v2 corrigée")])
    totals = await _import(store, path)
    assert (totals.read, totals.stored, totals.duplicates) == (3, 2, 1)
    assert store.count(WS) == 2
    signal = store.get(WS, signal_id(WS, NAME, "m1"))
    assert signal is not None and signal.text == "v2 corrigée"
    assert [s.native_id for s in store.search(WS, "corrigee").signals] == ["m1"]
    assert store.search(WS, "v1").signals == []


def test_times_with_an_offset_are_stored_in_utc() -> None:
    from datetime import UTC, datetime

    from pouls.sources.records import Defaults, decode_json, to_signal

    record = decode_json(
        b'{"native_id": "1", "text": "x", "created_at": "2026-05-01T09:30:00+02:00"}'
    )
    signal = to_signal(
        record, Defaults(workspace="w", source="s"), datetime(2026, 5, 2, tzinfo=UTC)
    )
    assert signal.created_at == datetime(2026, 5, 1, 7, 30, tzinfo=UTC)
    assert signal.created_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
