"""`pouls report` as a user runs it: a real process writing a real PDF or HTML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pouls.store.sqlite import SQLiteStore
from tests.cli.process import pouls
from tests.report.conftest import fill, pdf_text, write_home


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_home(tmp_path)
    store = SQLiteStore(tmp_path / "pouls.db")
    fill(store)
    store.close()
    return tmp_path


def test_report_writes_a_pdf_of_the_period(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "hebdo.pdf"
    target.parent.mkdir()
    done = pouls(
        home, "report", "hebdo", "--since", "2026-10-01", "--until", "2026-10-07", "-o", str(target)
    )
    assert done.returncode == 0, done.stderr
    assert f"written to {target}" in done.stderr
    pages, text = pdf_text(target.read_bytes())
    assert pages >= 1 and "Chiffres clés" in text and "1 octobre 2026" in text
    assert [p.name for p in target.parent.iterdir()] == ["hebdo.pdf"]


def test_report_writes_html_in_english_named_after_its_dates(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    done = pouls(
        home, "report", "hebdo", "--since", "2026-10-01", "--until", "2026-10-07",
        "--format", "html", "--lang", "en", "-o", str(folder),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [page] = folder.iterdir()
    assert page.name == "hebdo-2026-10-01-2026-10-07.html"
    assert '<html lang="en">' in page.read_text(encoding="utf-8")


def test_no_signal_in_the_period_is_exit_1_and_no_file(home: Path, tmp_path: Path) -> None:
    target = tmp_path / "vide.pdf"
    done = pouls(
        home, "report", "hebdo", "--since", "2026-11-01", "--until", "2026-11-07", "-o", str(target)
    )
    assert done.returncode == 1
    assert "Aucun signal ne correspond" in done.stderr and "1 novembre 2026" in done.stderr
    assert not target.exists()
    english = pouls(
        home, "report", "hebdo", "--since", "2026-11-01", "--lang", "en", "-o", str(target)
    )
    assert english.returncode == 1 and "No signal matches" in english.stderr


def test_bad_range_unknown_report_and_missing_folder_are_explained(
    home: Path, tmp_path: Path
) -> None:
    bad = pouls(home, "report", "hebdo", "--since", "hier", "-o", str(tmp_path / "x.pdf"))
    assert bad.returncode == 1 and "since: hier is not a date" in bad.stderr
    unknown = pouls(home, "report", "mensuel")
    assert unknown.returncode == 1 and "no report 'mensuel'" in unknown.stderr
    assert "reports: hebdo" in unknown.stderr
    nowhere = pouls(
        home, "report", "hebdo", "--since", "2026-10-01", "-o", str(tmp_path / "no" / "x.pdf")
    )
    assert nowhere.returncode == 1 and "no folder" in nowhere.stderr
    assert not list(tmp_path.glob("**/*.pdf"))


def test_report_alone_lists_the_reports(home: Path) -> None:
    done = pouls(home, "report")
    assert done.returncode == 0, done.stderr
    assert "hebdo" in done.stdout and "La semaine d'ACME" in done.stdout and "config" in done.stdout
