"""The webhook crash test: `pouls up` killed with SIGKILL while senders post, then started again.

A 2xx means "durably accepted" (pouls.web.intake): after the restart every entry that was
answered 2xx must be stored once, as sent, with its delivery's dead letter, and nothing else;
the intake journal must end empty. Set POULS_CRASH_SEED to replay a failing run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from pouls.signals import signal_id
from pouls.sources.webhook import sign

POULS = Path(sys.executable).with_name("pouls")
SECRET = "crash-test-secret"
PER_DELIVERY = 5  # and one entry without text: a dead letter at the parser
CONFIG = """
[[workspaces]]
id = "acme"
identities = "named"
enrichers = []

[[sources]]
type = "webhook"
name = "hook"
workspace = "acme"
secret_env = "POULS_CRASH_WEBHOOK_SECRET"

[pipeline]
batch_latency_ms = 300  # the kill mostly finds deliveries journaled and not yet stored
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(home: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POULS_")}
    env["POULS_CRASH_WEBHOOK_SECRET"] = SECRET
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [str(POULS), "--home", str(home), "up", "--no-sources", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "pouls up never answered /health"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.05)


def _journaled(home: Path) -> int:
    conn = sqlite3.connect(f"file:{home / 'pouls.db'}?mode=ro", uri=True, timeout=10)
    try:
        return int(
            conn.execute("SELECT coalesce(sum(signals), 0) FROM intake_journal").fetchone()[0]
        )
    finally:
        conn.close()


class Senders:
    """Threads posting deliveries of new entries; what was answered 2xx, by delivery."""

    def __init__(self, url: str, threads: int) -> None:
        self.url = url
        self.accepted: dict[str, list[dict[str, str]]] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.send, args=(k,)) for k in range(threads)]

    def send(self, k: int) -> None:
        with httpx.Client(timeout=10) as client:
            n = 0
            while not self.stop.is_set():
                tag = f"t{k}-d{n}"
                n += 1
                entries = [
                    {"id": f"{tag}-{j}", "text": f"livraison {tag} numéro {j}"}
                    for j in range(PER_DELIVERY)
                ]
                body = json.dumps([*entries, {"id": f"{tag}-bad"}]).encode()
                headers = {"X-Signature-256": sign(SECRET, body)}
                try:
                    answer = client.post(self.url, content=body, headers=headers)
                except httpx.TransportError:  # killed mid-request: not acknowledged
                    continue
                if answer.status_code == 202:
                    with self.lock:
                        self.accepted[tag] = entries

    def count(self) -> int:
        with self.lock:
            return len(self.accepted)


@pytest.mark.parametrize("moment", [0.1, 0.5, 0.9], ids=["early", "middle", "late"])
def test_pouls_up_killed_while_webhooks_arrive_loses_and_duplicates_nothing(
    tmp_path: Path, moment: float
) -> None:
    seed = int(os.environ.get("POULS_CRASH_SEED", random.randrange(2**32)))
    print(f"POULS_CRASH_SEED={seed}")
    rng = random.Random(seed)
    home, log = tmp_path / "home", tmp_path / "up.log"
    home.mkdir()
    (home / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    port = _port()
    server = _start(home, port, log)
    senders = Senders(f"http://127.0.0.1:{port}/ingest/hook", threads=4)
    for t in senders.threads:
        t.start()
    wanted = int(rng.uniform(moment * 0.8, moment) * 300) + 5
    deadline = time.monotonic() + 60
    while senders.count() < wanted:
        assert time.monotonic() < deadline, "the senders were never answered"
        time.sleep(0.002)
    time.sleep(rng.uniform(0, 0.03))
    os.kill(server.pid, signal.SIGKILL)
    assert server.wait(timeout=10) == -signal.SIGKILL
    senders.stop.set()
    for t in senders.threads:
        t.join(20)
    accepted = dict(senders.accepted)  # answered 2xx before the kill
    assert accepted

    print(f"journaled, not stored, at the kill: {_journaled(home)} entries")
    server = _start(home, port, log)  # drains what the journal kept
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0, log.read_text(errors="replace")

    conn = sqlite3.connect(home / "pouls.db")
    try:
        stored = dict(conn.execute("SELECT id, text FROM signals"))
        total = conn.execute("SELECT count(*) FROM signals").fetchone()[0]
        positions = [p for (p,) in conn.execute("SELECT position FROM dead_letters")]
        left = conn.execute("SELECT count(*) FROM intake_journal").fetchone()[0]
        conn.execute("INSERT INTO signals_fts (signals_fts) VALUES ('integrity-check')")
        indexed = conn.execute(
            "SELECT count(*) FROM signals_fts WHERE signals_fts MATCH 'livraison'"
        ).fetchone()[0]
    finally:
        conn.close()
    assert left == 0
    assert total == len(stored) == indexed
    for entries in accepted.values():  # every acknowledged entry, as sent
        for entry in entries:
            assert stored.get(signal_id("acme", "hook", entry["id"])) == entry["text"], entry
    sent_texts = {e["text"] for entries in accepted.values() for e in entries}
    # Only what was sent: an entry in flight at the kill may be there too, whole or not at all.
    assert all(text.startswith("livraison t") for text in stored.values())
    assert len(stored) >= len(sent_texts)
    assert len(positions) == len(set(positions))
    assert len(positions) == len(stored) // PER_DELIVERY and len(stored) % PER_DELIVERY == 0
