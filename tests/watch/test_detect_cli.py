from __future__ import annotations

import csv
import subprocess
import sys
from datetime import UTC
from pathlib import Path

from tests.watch.synthetic import counts

RUN = "from pouls.cli.main import run; run()"


def pouls(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN, *args], capture_output=True, text=True, timeout=120
    )


def write_series(path: Path, rows) -> None:
    path.write_text("timestamp,value\n" + "".join(f"{t},{v}\n" for t, v in rows))


def read(path: Path) -> list[list[str]]:
    with path.open(newline="") as f:
        return list(csv.reader(f))


def nab_rows(n: int):
    from datetime import datetime

    series = counts(days=30, base=25, seed=21)[:n]
    series[400] = (series[400][0], 400)
    return [(datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S"), v) for t, v in series]


def test_detect_writes_one_row_per_input_row_and_flags_the_spike(tmp_path):
    rows = nab_rows(600)
    write_series(tmp_path / "in.csv", rows)
    done = pouls("detect", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv"))
    assert done.returncode == 0, done.stderr
    out = read(tmp_path / "o.csv")
    assert out[0] == ["timestamp", "value", "anomaly_score", "alert"]
    assert len(out) == 601
    assert [r[0] for r in out[1:]] == [t for t, _ in rows]
    assert all(0.0 <= float(r[2]) <= 1.0 and r[3] in ("0", "1") for r in out[1:])
    assert out[401][3] == "1"


def test_detect_is_causal_a_prefix_gives_the_same_first_rows(tmp_path):
    rows = nab_rows(600)
    write_series(tmp_path / "all.csv", rows)
    write_series(tmp_path / "head.csv", rows[:450])
    for name in ("all", "head"):
        done = pouls(
            "detect", "-i", str(tmp_path / f"{name}.csv"), "-o", str(tmp_path / f"{name}.out")
        )
        assert done.returncode == 0, done.stderr
    whole, head = read(tmp_path / "all.out"), read(tmp_path / "head.out")
    assert len(head) == 451
    assert head == whole[:451]


def test_detect_reads_iso_8601_timestamps_and_takes_a_sensitivity(tmp_path):
    write_series(
        tmp_path / "in.csv",
        [(f"2024-03-01T{h:02d}:00:00Z", 3) for h in range(24)] + [("2024-03-02T00:00:00+00:00", 4)],
    )
    done = pouls(
        "detect",
        "--input",
        str(tmp_path / "in.csv"),
        "--output",
        str(tmp_path / "o.csv"),
        "--sensitivity",
        "0.8",
    )
    assert done.returncode == 0, done.stderr
    assert len(read(tmp_path / "o.csv")) == 26


def test_detect_rejects_a_bad_row_with_its_line_number(tmp_path):
    (tmp_path / "in.csv").write_text(
        "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,oops\n"
    )
    done = pouls("detect", "--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv"))
    assert done.returncode == 1
    assert "in.csv:3" in done.stderr and "oops" in done.stderr
    assert not (tmp_path / "o.csv").exists()


def test_detect_rejects_a_bad_header_a_bad_timestamp_and_time_going_back(tmp_path):
    cases = {
        "time,value\n2014-04-01 00:00:00,1\n": ":1:",
        "timestamp,value\nyesterday,1\n": ":2:",
        "timestamp,value\n2014-04-01 00:05:00,1\n2014-04-01 00:00:00,2\n": ":3:",
        "timestamp,value\n2014-04-01 00:00:00,1,2\n": ":2:",
    }
    for text, where in cases.items():
        (tmp_path / "in.csv").write_text(text)
        done = pouls("detect", "-i", str(tmp_path / "in.csv"), "-o", str(tmp_path / "o.csv"))
        assert done.returncode == 1, text
        assert where in done.stderr, (text, done.stderr)


def test_detect_says_when_the_input_is_missing(tmp_path):
    done = pouls("detect", "-i", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o.csv"))
    assert done.returncode == 1
    assert "no such file" in done.stderr
