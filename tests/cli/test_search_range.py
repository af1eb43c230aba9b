"""`pouls search --since/--until`: the same ranges as the web app and API, refused clearly."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.cli.process import pouls


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One signal a day at 08:00 UTC (10:00 in Paris), 1 to 10 October 2026."""
    folder = tmp_path_factory.mktemp("range")
    data = folder / "jours.csv"
    with data.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "text", "created_at"])
        for day in range(1, 11):
            writer.writerow([f"d{day}", f"avis du jour {day}", f"2026-10-{day:02d}T08:00:00Z"])
    done = pouls(folder / "home", "import", str(data), "--no-enrich")
    assert done.returncode == 0, done.stderr
    return folder / "home"


def texts(home: Path, *args: str) -> list[str]:
    done = pouls(home, "search", "", "--limit", "0", "--format", "jsonl", *args)
    assert done.returncode == 0, done.stderr
    return [json.loads(line)["text"] for line in done.stdout.splitlines()]


def test_since_and_until_dates_include_both_days(home: Path) -> None:
    found = texts(home, "--since", "2026-10-03", "--until", "2026-10-05")
    assert found == ["avis du jour 5", "avis du jour 4", "avis du jour 3"]


def test_datetimes_are_read_on_the_workspace_clock_unless_they_say_otherwise(home: Path) -> None:
    # 10:00 in Paris is 08:00 UTC: the day's signal is at the start, included.
    assert texts(home, "--since", "2026-10-09T10:00") == ["avis du jour 10", "avis du jour 9"]
    assert texts(home, "--since", "2026-10-09T08:00:01Z") == ["avis du jour 10"]


def test_table_says_how_many_match_within_the_range(home: Path) -> None:
    done = pouls(home, "search", "avis", "--until", "2026-10-02")
    assert done.returncode == 0, done.stderr
    assert "2 signals match 'avis'" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "hier"), "since: hier is not a date"),
        (("--since", "2026-10-05", "--until", "2026-10-01"), "the range ends before it starts"),
        (("--since", "0d"), "0d is an empty span"),
        (("--until", "2026-13-01"), "until: 2026-13-01 is not a date"),
    ],
)
def test_a_range_that_cannot_be_read_exits_1_with_the_reason(
    home: Path, args: tuple[str, ...], message: str
) -> None:
    done = pouls(home, "search", "avis", *args)
    assert done.returncode == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
