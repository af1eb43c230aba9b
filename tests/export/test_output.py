"""Files appear whole or not at all; streams and names of exports."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from pouls.export import Format, chunks, filename, save
from pouls.signals import Signal
from tests.conftest import make_signal

PARIS = ZoneInfo("Europe/Paris")


def failing_after(n: int) -> Iterator[Signal]:
    for i in range(n):
        yield make_signal(i, f"signal {i}")
    raise RuntimeError("the store went away")


@pytest.mark.parametrize("format", list(Format))
def test_a_failed_export_leaves_the_old_file_and_no_part(tmp_path: Path, format: Format) -> None:
    target = tmp_path / f"export.{format.value}"
    target.write_bytes(b"the previous export")
    with pytest.raises(RuntimeError):
        save(format, failing_after(1200), PARIS, target)
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_save_replaces_the_file_once_whole(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    target.write_text("old", encoding="utf-8")
    save(Format.csv, [make_signal(1, "neuf")], PARIS, target, sep=";")
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid;workspace")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv"]


def test_a_streamed_workbook_is_a_whole_workbook_and_its_temp_file_goes() -> None:
    stream = chunks(Format.xlsx, [make_signal(1, "un"), make_signal(2, "deux")], PARIS)
    data = b"".join(stream)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [r[13] for r in book.active.iter_rows(min_row=2, values_only=True)] == ["un", "deux"]


def test_file_names_carry_the_workspace_and_the_local_days() -> None:
    week = (datetime(2026, 11, 29, 23, 0, tzinfo=UTC), datetime(2026, 12, 6, 23, 0, tzinfo=UTC))
    today = date(2026, 12, 7)
    assert filename("acme", Format.csv, *week, PARIS, today) == (
        "pouls-acme-2026-11-30_2026-12-06.csv"
    )
    assert filename("acme", Format.xlsx, None, None, PARIS, today) == "pouls-acme-2026-12-07.xlsx"
    since = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert filename("Café ü", Format.jsonl, since, None, PARIS, today) == (
        "pouls-Caf----2026-11-30_2026-12-07.jsonl"
    )
