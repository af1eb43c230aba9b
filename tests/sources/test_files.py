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
from pouls.sources.fingerprint import Fingerprint, Position, Resume
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


def _offset(store: SQLiteStore) -> int:
    cursor = store.cursor(WS, NAME)
    assert cursor is not None
    position = Position.decode(cursor)
    assert position is not None
    return position.offset


def _cursor_after(path: Path, lines: int) -> str:
    """The cursor a run killed after the first `lines` lines of the file left."""
    fp = Fingerprint()
    with path.open("rb") as f:
        for _ in range(lines):
            fp.feed(f.readline())
    return fp.position().encode()


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
    assert _offset(store) == path.stat().st_size


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
    assert _offset(store) == path.stat().st_size


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
    store.put([], cursors={(WS, NAME): _cursor_after(path, 4)})  # a run killed after 4 lines
    totals = await _import(store, path)
    assert (totals.read, totals.stored) == (6, 6)
    assert _stored_native_ids(store) == {f"m{n}" for n in range(5, 11)}
    assert _offset(store) == path.stat().st_size


async def test_jsonl_dead_letter_after_resume_names_the_true_line(
    tmp_path: Path, store: SQLiteStore
):
    lines = [_line(1), _line(2), "{oops", _line(4)]
    path = _jsonl(tmp_path / "r.jsonl", lines)
    store.put([], cursors={(WS, NAME): _cursor_after(path, 1)})
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
    store.put([], cursors={(WS, NAME): _cursor_after(path, 6)})  # the header and 5 rows
    totals = await _import(store, path)
    assert (totals.read, totals.stored) == (2, 2)
    assert _stored_native_ids(store) == {"r6", "r7"}
    assert _offset(store) == path.stat().st_size


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


async def test_csv_of_thousands_of_rows_with_progress_reports_is_read_whole(
    tmp_path: Path, store: SQLiteStore
):
    rows = "".join(f'r{n},"texte {n}, avec virgule"\n' for n in range(1, 3001))
    path = _csv(tmp_path / "big.csv", "id,text\n" + rows)
    done: list[int] = []
    source = FileSource(name=NAME, workspace=WS, path=path, on_progress=done.append)
    totals = await pipeline.run([source], store)
    assert (totals.read, totals.stored, totals.errors) == (3000, 3000, {})
    assert done[0] == 0 and done[-1] == path.stat().st_size and done == sorted(done)
    assert len(done) == 1 + 3000 // 500 + 1  # the start, every batch, then the end


def _week(n: int, rows: range) -> str:
    return "id,text\n" + "".join(f"w{n}-{r},semaine {n} message {r}\n" for r in rows)


async def _import_as(store: SQLiteStore, path: Path) -> tuple[pipeline.Totals, Resume | None]:
    source = _source(path)
    totals = await pipeline.run([source], store)
    return totals, source.resumed


async def test_a_different_file_under_the_same_name_is_read_from_its_start(
    tmp_path: Path, store: SQLiteStore
):
    path = _csv(tmp_path / "mentions.csv", _week(1, range(10)))
    assert (await _import_as(store, path))[1] is Resume.FIRST
    for week in (2, 3):  # each week's export is longer than the last: no size trick helps
        _csv(path, _week(week, range(10 + week)))
        totals, resumed = await _import_as(store, path)
        assert resumed is Resume.DIFFERENT
        assert (totals.read, totals.stored) == (10 + week, 10 + week)
    assert store.count(WS) == 10 + 12 + 13


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
async def test_an_appended_file_continues_where_the_last_run_stopped(
    tmp_path: Path, store: SQLiteStore, fmt: str
):
    if fmt == "csv":
        path = _csv(tmp_path / "grow.csv", _week(1, range(6)))
        more = "".join(f"w1-{r},semaine 1 message {r}\n" for r in range(6, 9))
    else:
        path = _jsonl(tmp_path / "grow.jsonl", [_line(n) for n in range(6)])
        more = "".join(_line(n) + "\n" for n in range(6, 9))
    await _import(store, path)
    with path.open("a", encoding="utf-8", newline="") as f:
        f.write(more)
    totals, resumed = await _import_as(store, path)
    assert resumed is Resume.APPENDED
    assert (totals.read, totals.stored, totals.duplicates) == (3, 3, 0)
    totals, resumed = await _import_as(store, path)
    assert resumed is Resume.UNCHANGED and totals.read == 0
    assert _offset(store) == path.stat().st_size


@pytest.mark.parametrize("change", ["truncated", "rewritten"])
async def test_a_file_changed_before_the_saved_position_starts_over(
    tmp_path: Path, store: SQLiteStore, change: str
):
    lines = [_line(n, f"message {n} " + "x" * 300) for n in range(1, 41)]  # past HEAD bytes
    path = _jsonl(tmp_path / "edit.jsonl", lines)
    await _import(store, path)
    if change == "truncated":
        _jsonl(path, lines[:30])
    else:  # same length and beginning, a line near the end corrected in place
        _jsonl(path, [*lines[:35], lines[35].replace("message", "massage"), *lines[36:]])
    totals, resumed = await _import_as(store, path)
    assert resumed is Resume.CHANGED
    expected = 30 if change == "truncated" else 40
    assert totals.read == expected and totals.stored + totals.duplicates == expected
    assert store.count(WS) == 40
    assert _offset(store) == path.stat().st_size


async def test_a_cursor_without_fingerprint_reads_the_file_again_and_stores_nothing_twice(
    tmp_path: Path, store: SQLiteStore
):
    path = _jsonl(tmp_path / "old.jsonl", [_line(n) for n in range(1, 6)])
    await _import(store, path)
    store.put([], cursors={(WS, NAME): "120"})  # as pouls saved it before fingerprints
    totals, resumed = await _import_as(store, path)
    assert resumed is Resume.UNVERIFIED
    assert (totals.read, totals.stored, totals.duplicates) == (5, 0, 5)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semi.csv", '\ufeffid;text;lang\nr1;Pain, beurre;fr\nr2;"Dit « oui; non »";fr\n'),
        ("tabs.tsv", "id\ttext\tlang\nr1\tPain, beurre\tfr\nr2\tDit « oui; non »\tfr\n"),
        ("bom.csv", '\ufeffid,text,lang\nr1,"Pain, beurre",fr\nr2,Dit « oui; non »,fr\n'),
    ],
)
async def test_csv_delimiter_and_byte_order_mark_are_recognised(
    tmp_path: Path, store: SQLiteStore, name: str, text: str
):
    path = _csv(tmp_path / name, text)
    totals = await _import(store, path)
    assert (totals.stored, totals.dead_letters) == (2, 0)
    assert {s.native_id: s.text for s in store.search(WS).signals} == {
        "r1": "Pain, beurre",
        "r2": "Dit « oui; non »",
    }


async def test_jsonl_byte_order_mark_is_not_part_of_the_first_line(
    tmp_path: Path, store: SQLiteStore
):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (_line(1) + "\n" + _line(2) + "\n").encode())
    totals = await _import(store, path)
    assert (totals.stored, totals.dead_letters) == (2, 0)


async def test_csv_row_the_csv_reader_refuses_is_a_dead_letter_with_its_lines(
    tmp_path: Path, store: SQLiteStore
):
    huge = "x" * 200_000  # past the csv module's field size limit
    path = _csv(
        tmp_path / "odd.csv",
        f'id,text\nr1,ok\nr2,"{huge}"\nr3,"deux\nlignes"\nr4,trop,de\nr5,fin\n',
    )
    totals = await _import(store, path)
    assert (totals.read, totals.stored, totals.dead_letters) == (5, 3, 2)
    assert {s.native_id for s in store.search(WS).signals} == {"r1", "r3", "r5"}
    dead = list(reversed(store.dead_letters(WS)))
    assert dead[0].reason.startswith("row at line 3: field larger than field limit")
    assert dead[0].raw.startswith('r2,"xxx')
    assert (dead[1].reason, dead[1].raw) == (
        "row at line 6: 3 columns where the header has 2",
        "r4,trop,de",
    )


@pytest.mark.parametrize("mapping", [None, {"text": "body"}])
async def test_jsonl_lone_surrogate_is_mended_and_the_line_stored(
    tmp_path: Path, store: SQLiteStore, mapping: dict[str, str] | None
):
    # A cut-off emoji in an export: JSON all the same, which msgspec's reader refuses.
    key = "body" if mapping else "text"
    line = json.dumps({"id": "s1", key: "surrogate \ud800 deux"})
    path = _jsonl(tmp_path / "cut-emoji.jsonl", [line, _line(2)])
    totals = await _import(store, path, mapping=mapping)
    assert (totals.stored, totals.dead_letters) == (2, 0)
    signal = store.get(WS, signal_id(WS, NAME, "s1"))
    assert signal is not None and signal.text == "surrogate \ufffd deux"
