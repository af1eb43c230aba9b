"""`pouls import` run week after week on files that share a name, as a user does."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli.process import pouls


def _week(path: Path, week: int, rows: int) -> None:
    body = "".join(f"w{week}-{n},semaine {week}: mention {n}\n" for n in range(rows))
    path.write_text("id,text\n" + body, encoding="utf-8")


def _summary(done: subprocess.CompletedProcess[str]) -> tuple[int, str]:
    """The stored count of the summary table, and the sentence that follows it."""
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    [counts] = [line for line in lines if line.startswith("│")]
    stored = int(counts.split("│")[2].strip().replace(",", ""))
    return stored, lines[-1]


def test_weekly_exports_under_one_name_are_each_read_whole(tmp_path: Path) -> None:
    home, path = tmp_path / "home", tmp_path / "mentions.csv"
    _week(path, 1, 3000)  # several batches of the default 500, with the progress bar
    assert _summary(pouls(home, "import", str(path), "--no-enrich")) == (
        3000,
        "Read from the start.",
    )

    _week(path, 2, 3100)  # next week's export, same name, longer
    stored, said = _summary(pouls(home, "import", str(path), "--no-enrich"))
    assert stored == 3100 and said.startswith("A different file from the one last imported")

    with path.open("a", encoding="utf-8") as f:
        f.write("w2-late,une mention arrivée tard\n")
    stored, said = _summary(pouls(home, "import", str(path), "--no-enrich"))
    assert stored == 1 and said.startswith("The file grew since the last import")

    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2000]), encoding="utf-8")  # cut short
    stored, said = _summary(pouls(home, "import", str(path), "--no-enrich"))
    assert stored == 0 and said.startswith("This file changed before where the last import")

    stored, said = _summary(pouls(home, "import", str(path), "--no-enrich"))
    assert stored == 0 and said.startswith("Nothing new")

    found = pouls(home, "search", "mention", "--limit", "0", "--format", "jsonl")
    assert len(found.stdout.splitlines()) == 3000 + 3100 + 1
