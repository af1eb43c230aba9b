"""Report benchmark: how long a report takes to gather, draw as HTML and lay out as a PDF.

The store holds bench/export.py's enriched demo-like signals over six weeks from 1 September
2026 (POULS_BENCH_REPORT_N, 200,000); the weekly report (every section) is made for the week
of 29 September and for the whole of September, each three times: the median is kept, and
the first gathering apart (it fills the dashboard's rollups for the period).
What a person waits for after clicking "Download the PDF". Writes bench/results/report.json.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.export import enriched
from bench.store import WORKSPACE, _batched, machine
from pouls.config import Report, Settings, load
from pouls.query.period import Period
from pouls.report.content import gather
from pouls.report.render import html, to_pdf
from pouls.store.sqlite import SQLiteStore

RESULTS = Path(__file__).parent / "results" / "report.json"
RUNS = 3
PERIODS = {
    "week": Period(
        since=datetime(2026, 9, 29, tzinfo=UTC), until=datetime(2026, 10, 6, tzinfo=UTC)
    ),
    "month": Period(
        since=datetime(2026, 9, 1, tzinfo=UTC), until=datetime(2026, 10, 1, tzinfo=UTC)
    ),
}


def _timed(fn: Callable[[], object]) -> tuple[list[float], object]:
    times, out = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return times, out


def _measure(store: SQLiteStore, settings: Settings, period: Period) -> dict[str, object]:
    report = Report(name="hebdo", workspace=WORKSPACE, title="Bench")
    gathering, content = _timed(lambda: gather(store, settings, report, period))
    drawing, page = _timed(lambda: html(content))  # type: ignore[arg-type]
    laying, pdf = _timed(lambda: to_pdf(page, "fr"))  # type: ignore[arg-type]
    gathered, drawn, laid = (statistics.median(t) for t in (gathering, drawing, laying))
    return {
        "signals": content.totals["volume"].value,  # type: ignore[attr-defined]
        # The first gathering of a period after an import also fills the dashboard's rollups.
        "first_gather_s": round(gathering[0], 3),
        "gather_s": round(gathered, 3),
        "html_s": round(drawn, 3),
        "pdf_s": round(laid, 3),
        "total_s": round(gathered + drawn + laid, 3),
        "html_bytes": len(page),  # type: ignore[arg-type]
        "pdf_bytes": len(pdf),  # type: ignore[arg-type]
    }


def main() -> None:
    n = int(os.environ.get("POULS_BENCH_REPORT_N", "200000"))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "pouls.toml").write_text(
            f'[[workspaces]]\nid = "{WORKSPACE}"\ntimezone = "Europe/Paris"\n', encoding="utf-8"
        )
        store = SQLiteStore(home / "pouls.db")
        for batch in _batched(enriched(n), 5000):
            store.put(batch)
        settings = load(home, environ={})
        results = {name: _measure(store, settings, p) for name, p in PERIODS.items()}
        store.close()
    out = {
        "stored": n,
        "runs": RUNS,
        "periods": results,
        "load_average_1min": round(os.getloadavg()[0], 2),  # 2 shared cores: read with it
        "machine": machine(),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out["periods"], indent=2))


if __name__ == "__main__":
    main()
