"""`pouls search` as a user runs it: any number of matches, as a table, JSON lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pouls.cli.search import CSV_COLUMNS, PAGE
from tests.cli.process import pouls

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
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + ROWS
    by_column = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert len({r["id"] for r in by_column}) == ROWS  # every match once across the pages
    assert {r["source"] for r in by_column} == {"offres"}
    assert "offre spéciale, 1" in {r["text"] for r in by_column}


def test_a_limit_between_pages_is_kept_and_the_table_says_how_many_match(home: Path) -> None:
    done = pouls(home, "search", "offre", "--limit", str(PAGE + 7), "--format", "jsonl")
    assert len(done.stdout.splitlines()) == PAGE + 7
    table = pouls(home, "search", "spam", "--limit", "3")
    assert table.returncode == 0, table.stderr
    assert f"{(ROWS + 2) // 3:,} signals match 'spam', the newest 3 shown" in table.stdout


def test_the_csv_columns_are_documented_in_their_order() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "query-language.md").read_text(encoding="utf-8")
    listed = " ".join(doc.split()).split("then the columns ")[1].split(")")[0]
    assert listed == ", ".join(f"`{c}`" for c in CSV_COLUMNS)
