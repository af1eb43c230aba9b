"""`pouls search` as a user runs it: any number of matches, as a table, or exported as JSON
lines, CSV or XLSX on standard output or to a file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pouls.export import NAMES
from pouls.export.reading import PAGE
from tests.cli.process import POULS, pouls

ROWS = PAGE * 2 + 100  # past two pages of the store


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with ROWS signals; every third one is spam."""
    folder = tmp_path_factory.mktemp("search")
    data = folder / "offres.csv"
    with data.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "created_at"])
        for n in range(ROWS):
            text = f"spam offre {n}" if n % 3 == 0 else f"offre spéciale, {n}"
            writer.writerow([f"r{n}", text, f"2026-10-{1 + n % 28:02d}T08:00:00Z"])
    done = pouls(folder / "home", "import", str(data), "--no-enrich")
    assert done.returncode == 0, done.stderr
    return folder / "home"


def test_a_query_beginning_with_a_minus_is_a_query_not_an_option(home: Path) -> None:
    done = pouls(home, "search", "-spam offre", "--limit", "0", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    texts = [json.loads(line)["text"] for line in done.stdout.splitlines()]
    assert len(texts) == ROWS - (ROWS + 2) // 3
    assert not any("spam" in t for t in texts)
    alone = pouls(home, "search", "-spam", "--limit", "5", "--format", "jsonl")
    assert alone.returncode == 0, alone.stderr
    assert len(alone.stdout.splitlines()) == 5


def test_limit_0_returns_every_match_in_csv_with_a_header(home: Path) -> None:
    done = pouls(home, "search", "offre", "--limit", "0", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("\ufeffid,")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(done.stdout.removeprefix("\ufeff"), newline="")))
    assert tuple(rows[0]) == NAMES
    assert len(rows) == 1 + ROWS
    by_column = [dict(zip(NAMES, row, strict=True)) for row in rows[1:]]
    assert len({r["id"] for r in by_column}) == ROWS  # every match once across the pages
    assert {r["source"] for r in by_column} == {"offres"}
    assert "offre spéciale, 1" in {r["text"] for r in by_column}


def test_csv_with_semicolons_to_a_file(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "offres.csv"
    done = pouls(
        home, "search", "spam", "--limit", "0", "--format", "csv", "--sep", ";", "-o", str(target)
    )
    assert done.returncode == 0, done.stderr
    assert f"{(ROWS + 2) // 3:,} signals exported to {target}" in " ".join(done.stderr.split())
    assert done.stdout == ""
    text = io.StringIO(target.read_text(encoding="utf-8-sig"), newline="")
    rows = list(csv.DictReader(text, delimiter=";"))
    assert len(rows) == (ROWS + 2) // 3 and rows[0]["text"].startswith("spam offre")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offres.csv"]


def test_xlsx_needs_a_file_and_is_whole_there(home: Path, tmp_path: Path) -> None:
    refused = pouls(home, "search", "offre", "--format", "xlsx")
    assert refused.returncode == 2 and "-o FILE.xlsx" in refused.stderr
    target = tmp_path / "offres.xlsx"
    done = pouls(home, "search", "offre", "--limit", "0", "--format", "xlsx", "-o", str(target))
    assert done.returncode == 0, done.stderr
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == NAMES and len(rows) == 1 + ROWS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offres.xlsx"]


def test_nothing_to_export_is_an_error_and_writes_nothing(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "vide.xlsx"
    done = pouls(home, "search", "introuvable", "--format", "xlsx", "-o", str(target))
    assert done.returncode == 1
    assert "Nothing to export: no signal matches 'introuvable'" in done.stderr
    assert list(tmp_path.iterdir()) == []
    on_stdout = pouls(home, "search", "introuvable", "--format", "csv")
    assert on_stdout.returncode == 1 and on_stdout.stdout == ""


def test_a_file_in_a_missing_folder_is_refused_clearly(home: Path, tmp_path: Path) -> None:
    done = pouls(home, "search", "offre", "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"))
    assert done.returncode == 1 and "no folder" in done.stderr and "Traceback" not in done.stderr


def test_a_limit_between_pages_is_kept_and_the_table_says_how_many_match(home: Path) -> None:
    done = pouls(home, "search", "offre", "--limit", str(PAGE + 7), "--format", "jsonl")
    assert len(done.stdout.splitlines()) == PAGE + 7
    table = pouls(home, "search", "spam", "--limit", "3")
    assert table.returncode == 0, table.stderr
    assert f"{(ROWS + 2) // 3:,} signals match 'spam', the newest 3 shown" in table.stdout


def test_jsonl_lines_have_the_export_columns(home: Path) -> None:
    done = pouls(home, "search", "spam", "--limit", "2", "--format", "jsonl")
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 2 and all(tuple(line) == NAMES for line in lines)


def test_standard_output_that_fills_or_closes_early_is_no_trace(home: Path) -> None:
    command = [POULS, "--home", str(home), "search", "offre", "--limit", "0", "--format", "csv"]
    with open("/dev/full", "wb") as full:
        done = subprocess.run(command, stdout=full, stderr=subprocess.PIPE, text=True, timeout=180)
    assert done.returncode == 1 and "No space left on device" in done.stderr
    assert "bug" not in done.stderr
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as reader:
        assert reader.stdout is not None and reader.stderr is not None
        assert reader.stdout.readline().startswith(b"\xef\xbb\xbfid,")
        reader.stdout.close()  # as `| head -1` does
        assert reader.wait(timeout=180) == 0
        assert reader.stderr.read() == b""


def test_facet_options_select_as_the_wall_filters_do(home: Path) -> None:
    every = ("--source", "offres", "--kind", "post", "--visibility", "public", "--others")
    done = pouls(home, "search", "offre", "--limit", "0", "--format", "jsonl", *every)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == ROWS
    private = pouls(home, "search", "offre", "--format", "csv", "--visibility", "private")
    assert private.returncode == 1 and "Nothing to export" in private.stderr
    assert pouls(home, "search", "offre", "--own", "--format", "jsonl").returncode == 1
    wrong = pouls(home, "search", "offre", "--sentiment", "furieux")
    assert wrong.returncode == 2 and "'negative', 'neutral', 'positive'" in wrong.stderr
