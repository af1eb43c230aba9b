"""The real cost of enrichment, measured as whole processes (issue 13, item 7).

Three figures, each a `pouls` process started from nothing, as a user runs it: (1) `pouls
import` of POULS_BENCH_COST_LINES (20,000) JSONL lines on a fresh home with the default
enrichment, start-up (interpreter, imports, models) included, beside the same import with
`--no-enrich` in the same run, and the first import that prepares the models' arrays
(`pouls.enrich.prepared`): wall seconds, CPU seconds and peak resident memory; (2) `pouls
up` on the demo: resident memory sampled every second for POULS_BENCH_COST_UP_SECONDS (90),
while it imports the demo's history, replays its live stream and runs NER in the background
(the server's process, and apart the NER worker's process with its helper);
(3) a webhook source: the first delivery's latency after start and the tenth's
(`bench.webhooks.Server`). Texts come from `bench.enrich`. The machine's load average is
recorded: other work on the same two cores moves every figure. Targets: import >= 5,000
signals/s wall, first webhook as fast as the tenth, `pouls up` <= 400 MB.
Writes bench/results/cost.json.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import httpx

from bench.enrich import texts
from bench.webhooks import POULS_TOML, SECRET, Server, _free_port

RESULTS = Path(__file__).parent / "results" / "cost.json"
LINES = int(os.environ.get("POULS_BENCH_COST_LINES", "20000"))
UP_SECONDS = float(os.environ.get("POULS_BENCH_COST_UP_SECONDS", "90"))
POULS = [str(Path(sys.executable).parent / "pouls")]


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU seconds and peak RSS (MB) of one child process, run to its end."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        error = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{' '.join(command)} failed: {error[-500:]}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def _import(root: Path) -> dict[str, Any]:
    source = root / "signals.jsonl"
    with source.open("w", encoding="utf-8") as f:
        for i, text in enumerate(texts(LINES)):
            f.write(json.dumps({"id": str(i), "text": text, "created_at": "2026-01-01T00:00:00Z"}))
            f.write("\n")
    out: dict[str, Any] = {"lines": LINES}
    # The models' prepared arrays (pouls.enrich.prepared) in a cache of this run's own: the
    # first import with enrichment writes them (as the first run after an install or a
    # retraining does), the second maps them (as every later run does).
    cache = {"POULS_MODEL_CACHE": str(root / "model-cache")}
    runs = (
        ("no_enrich", ["--no-enrich"]),
        ("default_enrichment_first_run", []),
        ("default_enrichment", []),
    )
    for name, extra in runs:
        home = root / name
        command = [*POULS, "--home", str(home), "import", *extra, str(source)]
        figures = _timed(command, root, cache)
        figures["signals_per_wall_s"] = round(LINES / figures["wall_s"], 1)
        figures["signals_per_cpu_s"] = round(LINES / figures["cpu_s"], 1)
        out[name] = figures
    return out


def _status(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            fields[key] = int(value.split()[0]) // 1024
    return fields


def _children_rss(pid: int) -> int:
    """MB resident in the child processes (the NER worker and its multiprocessing helper)."""
    total = 0
    tasks = Path(f"/proc/{pid}/task").glob("*/children")  # a child is listed under its thread
    for child in {c for task in tasks for c in task.read_text().split()}:
        with contextlib.suppress(OSError):  # ended meanwhile
            total += _status(int(child)).get("VmRSS", 0)
    return total


def _up(root: Path) -> dict[str, Any]:
    home = root / "demo"
    subprocess.run([*POULS, "--home", str(home), "demo"], check=True, capture_output=True)
    port = _free_port()
    log = (root / "up.log").open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(
        [*POULS, "--home", str(home), "up", "--port", str(port)],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    samples: list[dict[str, Any]] = []
    listening = None
    try:
        while time.perf_counter() - started < UP_SECONDS:
            time.sleep(1.0)
            if process.poll() is not None:
                raise RuntimeError(f"pouls up exited: see {log.name}")
            if listening is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                        listening = round(time.perf_counter() - started, 2)
                except OSError:
                    pass
            sample = {"t": round(time.perf_counter() - started, 1), **_status(process.pid)}
            sample["children_rss"] = _children_rss(process.pid)
            samples.append(sample)
    finally:
        process.terminate()
        process.wait(60)
        log.close()
    last = samples[-1]
    return {
        "seconds_sampled": UP_SECONDS,
        "start_to_listening_s": listening,
        "rss_mb_at_end": last["VmRSS"],
        "rss_mb_peak": last["VmHWM"],
        "ner_worker_rss_mb_at_end": last["children_rss"],
        "with_worker_rss_mb_at_end": last["VmRSS"] + last["children_rss"],
        "anon_mb_at_end": last.get("RssAnon"),
        "file_mb_at_end": last.get("RssFile"),
        "samples_every_10": samples[::10],
    }


async def _webhook(root: Path) -> dict[str, Any]:
    home = root / "hooks"
    home.mkdir()
    (home / "pouls.toml").write_text(POULS_TOML.replace("ENRICHERS", ""), encoding="utf-8")
    env = {**os.environ, "POULS_BENCH_WEBHOOK_SECRET": SECRET}
    server = Server("pouls", [*POULS, "--home", str(home), "up", "--no-sources"], home, env)
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            return await server.first_answer(client)
    finally:
        server.stop()


def main() -> None:
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="pouls-bench-cost-") as tmp:
        root = Path(tmp)
        found = {
            "import": _import(root),
            "webhook_after_start": asyncio.run(_webhook(root)),
            "up_demo_memory": _up(root),
        }
    result = {
        **found,
        "targets": {
            "import_signals_per_wall_s": 5000,
            "first_webhook_as_fast_as_tenth": True,
            "up_demo_rss_mb": 400,
        },
        "load_average_before": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs (shared with other work)",
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "up_demo_memory"}, indent=1))
    print(json.dumps({k: v for k, v in found["up_demo_memory"].items() if "samples" not in k}))


if __name__ == "__main__":
    main()
