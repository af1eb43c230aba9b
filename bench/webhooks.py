"""Webhook ingest under load: pouls beside a minimal FastAPI + SQLite endpoint, same machine, same run.

Real uvicorn servers on loopback, each in its own process: (a) `pouls up --no-sources` on a
fresh home with one generic webhook source (HMAC) and every enricher on; (b) a minimal FastAPI
app written here that checks the same HMAC and inserts the same rows (one INSERT per signal,
one commit per request, SQLite in WAL); (c) pouls again with `enrichers = []`, to tell what the
enrichers cost from what the rest of pouls costs. An asyncio + httpx load generator drives each
with 1, 8 and 32 concurrent senders, 1 and 100 signals per request, each signal new, for
POULS_BENCH_WEBHOOK_SECONDS (6) per configuration, the servers back to back; it records
requests/s, signals/s, p50/p99 latency of the 2xx answers, 503 answers (a sender then waits
`Retry-After`, at most 1 s), and, from process start, the time to the first 2xx, that first
request's own latency and the tenth's. pouls answers 2xx once a delivery is in its intake
journal and stores it just after: for each configuration the bench also records the backlog
left in the journal when the senders stop, the wall time until it is empty, and the drain
rate (signals accepted in the configuration / seconds from its start until its backlog is
stored: enriched and stored per second, end to end); the next configuration starts after that. Targets (issue 11): pouls >= 0.8x the minimal endpoint's requests/s at
1, 8 and 32 senders, p99 <= 200 ms at 8 senders, >= 5,000 signals/s with 100 per request.
The machine's load average is recorded: other work on the same cores moves every figure.
Writes bench/results/webhooks.json.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.enrich import GAZETTEER, texts

RESULTS = Path(__file__).parent / "results" / "webhooks.json"
SECONDS = float(os.environ.get("POULS_BENCH_WEBHOOK_SECONDS", "6"))
SENDERS = (1, 8, 32)
PER_REQUEST = (1, 100)
# e.g. "8x1,32x100": only these configurations (senders x signals per request), for a quick look.
ONLY = {c for c in os.environ.get("POULS_BENCH_WEBHOOK_ONLY", "").split(",") if c}
SECRET = "bench-webhook-secret"
TEXTS = texts(2000)
STARTUP_LIMIT = 120.0

POULS_TOML = f"""
[[workspaces]]
id = "acme"
name = "Bench"
gazetteer = {json.dumps(GAZETTEER, ensure_ascii=False).replace('":', '" =')}
ENRICHERS

[[sources]]
type = "webhook"
name = "bench"
workspace = "acme"
secret_env = "POULS_BENCH_WEBHOOK_SECRET"
"""

# The endpoint a developer would write in ten minutes: same signature check, same rows.
MINIMAL = """
import hashlib, hmac, json, os, sqlite3
from fastapi import FastAPI, HTTPException, Request

SECRET = os.environ["POULS_BENCH_WEBHOOK_SECRET"].encode()
db = sqlite3.connect(os.environ["MINIMAL_DB"], isolation_level=None, check_same_thread=False)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=NORMAL")
db.execute(
    "CREATE TABLE IF NOT EXISTS signals (id TEXT PRIMARY KEY, workspace TEXT, source TEXT,"
    " created_at TEXT, author_handle TEXT, text TEXT, raw TEXT)"
)
app = FastAPI()


@app.post("/ingest/{source}", status_code=202)
async def ingest(source: str, request: Request) -> dict:
    body = await request.body()
    given = request.headers.get("x-signature-256", "").removeprefix("sha256=")
    if not hmac.compare_digest(hmac.new(SECRET, body, hashlib.sha256).hexdigest(), given):
        raise HTTPException(401, "wrong signature")
    data = json.loads(body)
    ids = []
    db.execute("BEGIN")
    for entry in data if isinstance(data, list) else [data]:
        sid = hashlib.blake2b(f"acme/{source}/{entry['id']}".encode(), digest_size=16).hexdigest()
        db.execute(
            "INSERT OR REPLACE INTO signals VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sid, "acme", source, entry.get("created_at"), entry.get("author_handle"),
             entry.get("text"), json.dumps(entry)),
        )
        ids.append(sid)
    db.execute("COMMIT")
    return {"ids": ids}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _body(tag: str, n: int) -> bytes:
    """A delivery of `n` new signals (unique ids), as a JSON object or array."""
    entries = [
        {
            "id": f"{tag}-{j}",
            "created_at": "2026-12-01T10:00:00Z",
            "author_handle": f"@sender{j % 50}",
            "text": TEXTS[(hash(tag) + j) % len(TEXTS)],
        }
        for j in range(n)
    ]
    return json.dumps(entries[0] if n == 1 else entries).encode()


def _headers(body: bytes) -> dict[str, str]:
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Signature-256": "sha256=" + signature, "Content-Type": "application/json"}


class Server:
    """One server process on loopback, and when it first answered a delivery."""

    def __init__(self, name: str, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.name = name
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/ingest/bench"
        self.log = (cwd / f"{name}.log").open("wb")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    async def first_answer(self, client: httpx.AsyncClient) -> dict[str, float]:
        """Post until the first 2xx: seconds from process start, that request's latency, and
        the latency of the tenth request (sent one after the other)."""
        n = 0
        while time.perf_counter() - self.started < STARTUP_LIMIT:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log.name}")
            body = _body(f"first-{n}", 1)
            n += 1
            sent = time.perf_counter()
            try:
                response = await client.post(self.url, content=body, headers=_headers(body))
            except httpx.TransportError:
                await asyncio.sleep(0.05)
                continue
            if response.is_success:
                done = time.perf_counter()
                return {
                    "start_to_first_2xx_s": round(done - self.started, 3),
                    "first_request_latency_ms": round((done - sent) * 1000, 1),
                    "tenth_request_latency_ms": await self._tenth(client),
                }
            raise RuntimeError(f"{self.name}: {response.status_code} {response.text[:200]}")
        raise RuntimeError(f"{self.name} did not answer in {STARTUP_LIMIT:.0f} s")

    async def _tenth(self, client: httpx.AsyncClient) -> float:
        for n in range(9):
            body = _body(f"tenth-{n}", 1)
            sent = time.perf_counter()
            response = await client.post(self.url, content=body, headers=_headers(body))
            response.raise_for_status()
        return round((time.perf_counter() - sent) * 1000, 1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


async def _load(
    client: httpx.AsyncClient, url: str, senders: int, per_request: int, tag: str
) -> dict[str, Any]:
    """`senders` loops posting new deliveries for SECONDS; what came back."""
    latencies: list[float] = []
    refused = 0
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + SECONDS

    async def sender(k: int) -> None:
        nonlocal refused
        i = 0
        while time.perf_counter() < deadline:
            body = _body(f"{tag}-{k}-{i}", per_request)
            i += 1
            sent = time.perf_counter()
            try:
                response = await client.post(url, content=body, headers=_headers(body))
            except httpx.HTTPError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            if response.is_success:
                latencies.append(time.perf_counter() - sent)
            elif response.status_code == 503:
                refused += 1
                wait = float(response.headers.get("retry-after", "1"))
                await asyncio.sleep(min(wait, 1.0))
            else:
                key = str(response.status_code)
                errors[key] = errors.get(key, 0) + 1

    started = time.perf_counter()
    await asyncio.gather(*(sender(k) for k in range(senders)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "senders": senders,
        "signals_per_request": per_request,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "signals_per_s": round(len(latencies) * per_request / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 1) if ordered else None,
        "refused_503": refused,
        "errors": errors,
    }


def _backlog(db: Path | None) -> int:
    """Entries in pouls' intake journal (accepted, not yet stored); 0 for the minimal endpoint."""
    if db is None:
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return int(
            conn.execute("SELECT coalesce(sum(signals), 0) FROM intake_journal").fetchone()[0]
        )
    finally:
        conn.close()


async def _drained(db: Path | None, run: dict[str, Any], per_request: int) -> None:
    """Wait until the journal is empty; add the backlog at the end of the load, the wall time
    to store it, and the drain rate over the whole configuration."""
    left = _backlog(db)
    waited = time.perf_counter()
    while _backlog(db):
        await asyncio.sleep(0.05)
    drain_s = time.perf_counter() - waited
    stored = run["requests"] * per_request
    run["backlog_at_end"] = left
    run["drain_after_end_s"] = round(drain_s, 2)
    run["drain_signals_per_s"] = round(stored / (run["seconds"] + drain_s), 1)


def _verdict(pouls: dict[str, Any], minimal: dict[str, Any]) -> dict[str, Any]:
    ratio = pouls["requests_per_s"] / max(minimal["requests_per_s"], 1e-9)
    return {"requests_per_s_ratio": round(ratio, 2), "ratio_target_met": ratio >= 0.8}


async def _run(home: Path) -> dict[str, Any]:
    env = dict(os.environ, POULS_BENCH_WEBHOOK_SECRET=SECRET, MINIMAL_DB=str(home / "minimal.db"))
    bare = home / "bare"
    bare.mkdir()
    (home / "pouls.toml").write_text(POULS_TOML.replace("ENRICHERS", ""), encoding="utf-8")
    (bare / "pouls.toml").write_text(POULS_TOML.replace("ENRICHERS", "enrichers = []"), "utf-8")
    (home / "minimal.py").write_text(MINIMAL, encoding="utf-8")
    pouls = str(Path(sys.executable).parent / "pouls")
    commands = {
        "minimal": [sys.executable, "-m", "uvicorn", "minimal:app", "--log-level", "warning"],
        "pouls": [pouls, "--home", str(home), "up", "--no-sources"],
        # The same intake with no enricher (privacy and topics only): what pouls itself costs.
        "pouls_no_enrichers": [pouls, "--home", str(bare), "up", "--no-sources"],
    }
    dbs = {"pouls": home / "pouls.db", "pouls_no_enrichers": bare / "pouls.db"}
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    results: dict[str, Any] = {"startup": {}, "runs": []}
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        servers: dict[str, Server] = {}
        for name, command in commands.items():
            servers[name] = Server(name, command, home, env)
            results["startup"][name] = await servers[name].first_answer(client)
            print(name, "first answer", results["startup"][name], flush=True)
        try:
            for per_request in PER_REQUEST:
                for senders in SENDERS:
                    if ONLY and f"{senders}x{per_request}" not in ONLY:
                        continue
                    row: dict[str, Any] = {"senders": senders, "signals_per_request": per_request}
                    for name, server in servers.items():
                        tag = f"{name}-{senders}-{per_request}"
                        row[name] = await _load(client, server.url, senders, per_request, tag)
                        await _drained(dbs.get(name), row[name], per_request)
                    row.update(_verdict(row["pouls"], row["minimal"]))
                    bare_ratio = _verdict(row["pouls_no_enrichers"], row["minimal"])
                    row["no_enrichers_requests_per_s_ratio"] = bare_ratio["requests_per_s_ratio"]
                    print(json.dumps(row), flush=True)
                    results["runs"].append(row)
        finally:
            for server in servers.values():
                server.stop()
    return results


def _targets(runs: list[dict[str, Any]]) -> dict[str, Any]:
    if ONLY:
        return {"partial": sorted(ONLY)}

    def find(senders: int, per: int) -> dict[str, Any]:
        return next(r for r in runs if (r["senders"], r["signals_per_request"]) == (senders, per))

    def ratios(per: int) -> list[float]:
        return [find(s, per)["requests_per_s_ratio"] for s in SENDERS]

    best_bulk = max(find(s, 100)["pouls"]["signals_per_s"] for s in SENDERS)
    p99 = find(8, 1)["pouls"]["p99_ms"]

    def bare(per: int) -> list[float]:
        return [find(s, per)["no_enrichers_requests_per_s_ratio"] for s in SENDERS]

    return {
        "no_enrichers_ratio_at_1_8_32_senders_1_signal": bare(1),
        "no_enrichers_ratio_at_1_8_32_senders_100_signals": bare(100),
        "ratio_at_1_8_32_senders_1_signal": ratios(1),
        "ratio_at_1_8_32_senders_100_signals": ratios(100),
        "ratio_target_0_8_met": all(r >= 0.8 for r in ratios(1) + ratios(100)),
        "p99_ms_at_8_senders_1_signal": p99,
        "p99_target_200_ms_met": p99 is not None and p99 <= 200,
        "best_signals_per_s_100_per_request": best_bulk,
        "best_drain_signals_per_s_100_per_request": max(
            find(s, 100)["pouls"]["drain_signals_per_s"] for s in SENDERS
        ),
        "best_drain_signals_per_s_1_per_request": max(
            find(s, 1)["pouls"]["drain_signals_per_s"] for s in SENDERS
        ),
        "signals_target_5000_met": best_bulk >= 5000,
    }


def main() -> None:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="pouls-bench-webhooks-") as folder:
        results = asyncio.run(_run(Path(folder)))
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "note": "load generator, both servers and other work share the same cores",
        },
        "seconds_per_configuration": SECONDS,
        **results,
        "targets": _targets(results["runs"]),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report["targets"], indent=1))


if __name__ == "__main__":
    main()
