"""Store benchmarks: import throughput into SQLite with FTS, and full-text search latency.

(a) 200,000 demo-like signals through `FileSource` + `pipeline.run` + `SQLiteStore.put` with
enrichment off, and through `put` alone; (b) p50/p95 of 3-term searches over 1,000,000 stored
signals, newest first, 50 per page. Sizes: POULS_BENCH_IMPORT_N, POULS_BENCH_SEARCH_N.
Targets (issue 2): >= 25,000 signals/s on one core; p95 <= 50 ms. Writes bench/results/store.json.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec

from pouls import pipeline
from pouls.signals import Signal, signal_id
from pouls.sources.files import FileSource
from pouls.store.sqlite import SQLiteStore

RESULTS = Path(__file__).parent / "results" / "store.json"
WORKSPACE = "maison-fournil"
BATCH = 500
QUERIES = 300
SEED = 20261001


def _words(text: str) -> list[str]:
    return text.split()


# Function words first: a Zipf law puts them at the top ranks, as in real posts.
STOPWORDS = _words(
    """de la le et les des à en un une du est pour que qui dans pas ce il sur au
je on avec plus ne se mais par vous nous the a to and of is it in you for this that on my
with was are but have not be so at they all just me your our very"""
)
# Words of a bakery chain's social stream, French and English, roughly by frequency.
CONTENT = _words(
    """pain boutique merci commande livraison croissant service client retard baguette
équipe magasin accueil qualité prix café gâteau vendeuse attente colis rembourser horaires
Fournil maison Lyon Paris Marseille Nantes Lille Bordeaux Toulouse école boulangerie levain
farine brûlé sec frais délicieux excellent déçu nul génial super top bravo honte scandale
arnaque concours gagner cadeau lien cliquez promo réduction soldes fermé ouvert dimanche
matin soir midi week-end semaine hier aujourd'hui demain rapide lent poli impoli sourire
file queue caisse carte paiement appli application site internet message réponse réclamation
remboursement avis étoiles note recommande jamais toujours encore vraiment trop bien mal bon
mauvais meilleur pire goût odeur chaud froid tarte éclair brioche chocolat framboise citron
viennoiserie sandwich salade menu formule étudiant enfant famille anniversaire mariage fête
noël pâques galette rois bûche allergène sésame gluten vegan bio local producteur blé moulin
bread shop thanks order delivery late staff store quality price coffee cake waiting parcel
refund hours team bakery sourdough flour burnt fresh delicious amazing disappointed awful
great love hate scam contest win gift link click discount sale closed open sunday morning
evening fast slow rude friendly queue checkout card payment app website reply complaint
review stars recommend never always really too good bad best worst taste smell hot cold
tart chocolate raspberry lemon pastry lunch student kids family birthday wedding party
christmas easter allergy vegan organic local farmer wheat mill grève livreurs rappel lot
seigle traces emballage plastique recyclage déchets gaspillage invendus association dons"""
)
SYLLABLES = _words(
    "ba be bo bou ca ce co cha che da de di fa fe fi fou ga ge gi la le li lou ma me mi mo na ne ni pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi"
)
ENDINGS = ["", "s", "e", "es", "er", "é", "ée", "ment", "tion", "ing", "ed", "ette", "age", "ure"]
CHANNELS = [
    ("mastodon", "post", "public"),
    ("bluesky", "post", "public"),
    ("instagram", "comment", "public"),
    ("facebook", "comment", "public"),
    ("reviews", "review", "public"),
    ("messenger", "message", "private"),
    ("whatsapp", "message", "private"),
    ("rss", "article", "press"),
]
CHANNEL_WEIGHTS = [30, 20, 15, 15, 8, 5, 4, 3]
TOPIC_CUM = list(itertools.accumulate(1 / rank for rank in range(1, len(CONTENT) + 1)))


class Vocabulary:
    """Stopwords, content words and a synthetic long tail, drawn by a Zipf law (s = 1.07)."""

    def __init__(self, rng: random.Random, tail: int = 30_000) -> None:
        made: set[str] = set()
        while len(made) < tail:
            word = "".join(rng.choices(SYLLABLES, k=rng.choice((2, 3, 3, 4)))) + rng.choice(ENDINGS)
            made.add(word)
        self.content = CONTENT + sorted(made)
        self.words = STOPWORDS + self.content
        weights = [1 / (rank**1.07) for rank in range(1, len(self.words) + 1)]
        self.cum = list(itertools.accumulate(weights))
        self.content_set = frozenset(self.content)
        self.rng = rng

    def text(self) -> str:
        n = self.rng.randint(6, 40)
        words = self.rng.choices(self.words, cum_weights=self.cum, k=n)
        if self.rng.random() < 0.15:
            words.append("#" + self.rng.choice(CONTENT[:60]).lower().replace("'", ""))
        if self.rng.random() < 0.1:
            words.insert(0, "@fournil")
        return " ".join(words)


def records(n: int, seed: int = SEED) -> Iterator[dict[str, object]]:
    """`n` demo-like records as `pouls import` reads them, over six weeks, oldest first."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    step = timedelta(weeks=6) / max(n, 1)
    for i in range(n):
        channel, kind, visibility = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
        record: dict[str, object] = {
            "id": f"{channel}-{i}",
            "channel": channel,
            "kind": kind,
            "visibility": visibility,
            "created_at": (start + step * i).isoformat(),
            "text": vocab.text(),
            "author_handle": f"@user{int(rng.paretovariate(1.2)) % 50_000}",
            "lang": "fr" if rng.random() < 0.7 else "en",
        }
        if kind == "article":
            record["title"] = vocab.text()[:80]
            record["url"] = f"https://press{i % 40}.example.org/a/{i}"
        yield record


def write_jsonl(path: Path, n: int) -> None:
    encoder = msgspec.json.Encoder()
    with path.open("wb") as f:
        for record in records(n):
            f.write(encoder.encode(record) + b"\n")


def signals(n: int, seed: int = SEED) -> Iterator[Signal]:
    """The same records as Signals, built directly (for `put` alone and the search corpus)."""
    for r in records(n, seed):
        created = datetime.fromisoformat(str(r["created_at"]))
        native = str(r["id"])
        yield Signal(
            id=signal_id(WORKSPACE, "bench", native),
            workspace=WORKSPACE,
            source="bench",
            channel=r["channel"],  # type: ignore[arg-type]
            kind=r["kind"],  # type: ignore[arg-type]
            visibility=r["visibility"],  # type: ignore[arg-type]
            native_id=native,
            created_at=created,
            observed_at=created + timedelta(seconds=30),
            text=str(r["text"]),
            title=r.get("title"),  # type: ignore[arg-type]
            url=r.get("url"),  # type: ignore[arg-type]
            author_handle=str(r["author_handle"]),
            lang=str(r["lang"]),
        )


def _batched(items: Iterator[Signal], size: int) -> Iterator[list[Signal]]:
    """itertools.batched, which Python 3.11 lacks."""
    while batch := list(itertools.islice(items, size)):
        yield batch


def _timed(fn, *args):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def bench_import(n: int, tmp: Path) -> dict[str, object]:
    """(a) file -> pipeline -> store, and `put` alone, into fresh databases."""
    path = tmp / "demo.jsonl"
    write_jsonl(path, n)
    store = SQLiteStore(tmp / "import.db")
    source = FileSource(name="demo", workspace=WORKSPACE, path=path, batch_size=BATCH)
    totals, wall, cpu = _timed(lambda: asyncio.run(pipeline.run([source], store)))
    assert totals.stored == n, totals
    store.close()

    batches = list(_batched(signals(n), BATCH))
    store = SQLiteStore(tmp / "put.db")
    _, put_wall, put_cpu = _timed(lambda: [store.put(b) for b in batches])
    store.close()
    return {
        "signals": n,
        "file_bytes": path.stat().st_size,
        "batch_size": BATCH,
        "pipeline": _rate(n, wall, cpu),
        "put_only": _rate(n, put_wall, put_cpu),
    }


def _rate(n: int, wall: float, cpu: float) -> dict[str, float]:
    return {
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 3),
        "signals_per_s": round(n / wall),
        "signals_per_cpu_s": round(n / cpu) if cpu else 0,
    }


def bench_search(n: int, tmp: Path) -> dict[str, object]:
    """(b) 3-term searches over `n` stored signals, newest first, 50 per page."""
    store = SQLiteStore(tmp / "search.db")
    fill = time.perf_counter()
    texts: list[str] = []
    rng = random.Random(SEED + 1)
    for batch in _batched(signals(n, SEED + 2), BATCH):
        store.put(batch)
        if len(texts) < QUERIES * 4:
            texts.extend(s.text for s in batch if rng.random() < 0.01)
    fill = time.perf_counter() - fill
    vocab = Vocabulary(random.Random(SEED + 2))
    needles = [q for q in (_needle(rng, t, vocab.content_set) for t in texts) if q]
    queries = {
        "topic": [_topic(rng) for _ in range(QUERIES // 2)],
        "needle": needles[: QUERIES // 2],
    }
    for q in queries["topic"][:20]:  # warm the page cache as a running server would be
        store.search(WORKSPACE, q, limit=50)
    measured: dict[str, list[tuple[float, int, str]]] = {}
    for kind, qs in queries.items():
        measured[kind] = []
        for q in qs:
            t = time.perf_counter()
            page = store.search(WORKSPACE, q, limit=50)
            measured[kind].append(((time.perf_counter() - t) * 1000, len(page.signals), q))
    store.close()
    everything = [m for ms in measured.values() for m in ms]
    return {
        "signals": n,
        "fill_seconds": round(fill, 1),
        "fill_signals_per_s": round(n / fill),
        "db_bytes": (tmp / "search.db").stat().st_size,
        "limit": 50,
        **_latency(everything),
        "by_kind": {kind: _latency(ms) for kind, ms in measured.items()},
        "slowest": [
            {"ms": round(ms, 1), "hits": h, "query": q}
            for ms, h, q in sorted(everything, reverse=True)[:5]
        ],
    }


def _latency(measured: list[tuple[float, int, str]]) -> dict[str, object]:
    ms = [m for m, _, _ in measured]
    q = statistics.quantiles(ms, n=100)
    return {
        "queries": len(ms),
        "p50_ms": round(q[49], 2),
        "p95_ms": round(q[94], 2),
        "p99_ms": round(q[98], 2),
        "max_ms": round(max(ms), 2),
        "mean_hits": round(statistics.mean(h for _, h, _ in measured), 1),
        "examples": [query for _, _, query in measured[:3]],
    }


def _topic(rng: random.Random) -> str:
    """Three words of the brand's vocabulary, common ones more often: a listening query."""
    words: list[str] = []
    while len(words) < 3:
        word = rng.choices(CONTENT, cum_weights=TOPIC_CUM)[0]
        if word not in words:
            words.append(word)
    return " ".join(words)


def _needle(rng: random.Random, text: str, vocab: frozenset[str]) -> str | None:
    """Three distinct words of one stored text, rare ones included: looking for that signal."""
    words = sorted({w for w in text.split() if w in vocab})
    return " ".join(rng.sample(words, 3)) if len(words) >= 3 else None


def machine() -> dict[str, object]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "msgspec": msgspec.__version__,
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def main() -> None:
    import_n = int(os.environ.get("POULS_BENCH_IMPORT_N", 200_000))
    search_n = int(os.environ.get("POULS_BENCH_SEARCH_N", 1_000_000))
    with tempfile.TemporaryDirectory(prefix="pouls-bench-") as tmp:
        imported = bench_import(import_n, Path(tmp))
        print(json.dumps(imported, indent=2), flush=True)
        searched = bench_search(search_n, Path(tmp))
        print(json.dumps(searched, indent=2), flush=True)
    result = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "targets": {"import_signals_per_s": 25_000, "search_p95_ms": 50},
        "import": imported,
        "search": searched,
        "notes": (
            "import: wall time of one process (the pipeline is asyncio, put runs in a worker"
            " thread), FTS5 index and triggers on, enrichment off, WAL with synchronous=NORMAL."
            " put_only: prebuilt Signals, batches of 500. search: SQLiteStore.search(workspace,"
            " 3 words, limit=50), newest first, words sampled from stored texts."
        ),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
