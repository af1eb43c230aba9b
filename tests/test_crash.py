"""The crash test: `pouls import` killed with SIGKILL at a random moment, then run again.

The store must then hold exactly the file's distinct signals, each as its last line says, and
exactly one dead letter per bad line: nothing lost, nothing duplicated. Set POULS_CRASH_SEED
to replay a failing run; the seed is printed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pouls.signals import signal_id
from pouls.sources.fingerprint import Position

LINES = 40_000
DISTINCT = 36_000  # native ids repeat: a line may update a signal read thousands of lines earlier
WORKSPACE, SOURCE = "default", "signals"  # `pouls import signals.jsonl` names its source so
POULS = Path(sys.executable).with_name("pouls")


def _bad_line(n: int) -> bytes | None:
    """Every 997th line is broken, in one of four ways the import must survive."""
    if n % 997 != 0:
        return None
    return [
        b'{"id": "cut", "text": "tronqu',
        b'["not", "an", "object"]',
        b'{"id": "when", "text": "rendez-vous", "created_at": "jeudi 14h"}',
        b'{"id": "latin1", "text": "caf\xe9"}',
    ][(n // 997) % 4]


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], set[str]]:
    """The file, the text each distinct signal id must end with, and the expected dead letters."""
    path = tmp_path_factory.mktemp("crash") / f"{SOURCE}.jsonl"
    rng = random.Random(7)
    words = ["pain", "boutique", "livraison", "merci", "retard", "croissant", "great", "service"]
    expected: dict[str, str] = {}
    dead: set[str] = set()
    with path.open("wb") as f:
        for n in range(1, LINES + 1):
            bad = _bad_line(n)
            if bad is not None:
                f.write(bad + b"\n")
                dead.add(f"{path.name}:{n}")
                continue
            native = f"n{rng.randrange(DISTINCT)}"
            text = f"{' '.join(rng.choices(words, k=6))} ligne {n}"
            record = {"id": native, "text": text, "created_at": f"2026-10-01T08:00:{n % 60:02d}Z"}
            f.write(json.dumps(record).encode() + b"\n")
            expected[signal_id(WORKSPACE, SOURCE, native)] = text  # the last line wins
    return path, expected, dead


def _import(home: Path, path: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POULS_")}
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(POULS), "--home", str(home), "import", str(path), "--no-enrich"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def _rows(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM signals").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created yet, or migrations still running
        return 0


def _kill_after(proc: subprocess.Popen[bytes], db: Path, rows: int, delay: float) -> int:
    """SIGKILL once `rows` signals are committed, `delay` seconds later; returns rows seen."""
    deadline = time.monotonic() + 60
    while (seen := _rows(db)) < rows:
        assert proc.poll() is None, "the import ended before the moment chosen to kill it"
        assert time.monotonic() < deadline, "the import never committed enough rows"
        time.sleep(0.005)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=10) == -signal.SIGKILL
    return seen


@pytest.mark.parametrize("moment", [0.02, 0.45, 0.85], ids=["early", "middle", "late"])
def test_import_killed_at_a_random_moment_then_rerun_loses_and_duplicates_nothing(
    tmp_path: Path, large_file: tuple[Path, dict[str, str], set[str]], moment: float
):
    path, expected, dead = large_file
    seed = int(os.environ.get("POULS_CRASH_SEED", random.randrange(2**32)))
    print(f"POULS_CRASH_SEED={seed}")
    rng = random.Random(seed)
    home, log = tmp_path / "home", tmp_path / "import.log"
    db = home / "pouls.db"
    rows = max(1, int(len(expected) * rng.uniform(moment * 0.8, moment)))

    seen = _kill_after(_import(home, path, log), db, rows, delay=rng.uniform(0, 0.05))
    assert 0 < _rows(db) < len(expected), f"killed after {seen} rows: nothing left to resume"

    rerun = _import(home, path, log)
    assert rerun.wait(timeout=120) == 0, log.read_text(errors="replace")

    conn = sqlite3.connect(db)
    try:
        stored = dict(conn.execute("SELECT id, text FROM signals"))
        total = conn.execute("SELECT count(*) FROM signals").fetchone()[0]
        positions = [p for (p,) in conn.execute("SELECT position FROM dead_letters")]
        cursor = conn.execute("SELECT cursor FROM cursors WHERE source = ?", (SOURCE,)).fetchone()
        conn.execute("INSERT INTO signals_fts (signals_fts) VALUES ('integrity-check')")
        ligne = conn.execute(
            "SELECT count(*) FROM signals_fts WHERE signals_fts MATCH 'ligne'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert total == len(stored) == len(expected)
    assert stored == expected  # every distinct signal, as its last line in the file says
    assert sorted(positions) == sorted(dead)  # each bad line recorded exactly once
    position = Position.decode(cursor[0])
    assert position is not None and position.offset == path.stat().st_size
    assert ligne == len(expected)  # the full-text index survived the kill too
