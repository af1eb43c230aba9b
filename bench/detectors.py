"""Detector throughput for 10,000 topics: series updates and detector steps per second."""

from __future__ import annotations

import json
import random
import time
import tracemalloc
from pathlib import Path

from pouls.watch.detectors import (
    LevelShiftDetector,
    MetricDetector,
    ShareDetector,
    VolumeDetector,
)

TOPICS = 10_000
STEPS = 30  # hourly buckets fed to every topic after a warm-up of the same length
RESULTS = Path(__file__).resolve().parent / "results" / "detectors.json"


def _feed(detectors: list, steps: int, start: int, rng: random.Random) -> float:
    began = time.perf_counter()
    for step in range(start, start + steps):
        ts = 1_700_000_000.0 + step * 3600.0
        for d in detectors:
            d.update(ts, rng.randrange(0, 40))
    return time.perf_counter() - began


def _memory(make, rng: random.Random) -> float:
    # Traced on a tenth of the topics (tracing is slow), then scaled.
    tracemalloc.start()
    detectors = [make() for _ in range(TOPICS // 10)]
    _feed(detectors, STEPS, 0, rng)
    memory, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return memory * 10


def _bench(make, rng: random.Random) -> dict[str, float]:
    memory = _memory(make, rng)
    detectors = [make() for _ in range(TOPICS)]
    _feed(detectors, STEPS, 0, rng)
    elapsed = _feed(detectors, STEPS, STEPS, rng)
    return {
        "steps_per_second": round(TOPICS * STEPS / elapsed),
        "seconds_per_bucket_for_all_topics": round(elapsed / STEPS, 4),
        "memory_mb": round(memory / 1e6, 1),
    }


def _bench_series(rng: random.Random) -> dict[str, float]:
    # What feeds the detectors: counting stored signals into each topic's current bucket.
    buckets = [0] * TOPICS
    hits = [rng.randrange(TOPICS) for _ in range(1_000_000)]
    began = time.perf_counter()
    for topic in hits:
        buckets[topic] += 1
    elapsed = time.perf_counter() - began
    return {"updates_per_second": round(len(hits) / elapsed)}


def _bench_share(rng: random.Random) -> dict[str, float]:
    detectors = [ShareDetector() for _ in range(TOPICS)]
    began = time.perf_counter()
    for step in range(STEPS):
        ts = 1_700_000_000.0 + step * 3600.0
        for d in detectors:
            total = rng.randrange(0, 30)
            d.update(ts, rng.randrange(0, total + 1), total)
    elapsed = time.perf_counter() - began
    return {"steps_per_second": round(TOPICS * STEPS / elapsed)}


def main() -> None:
    """Run the benchmark and write bench/results/detectors.json."""
    rng = random.Random(0)
    results = {
        "topics": TOPICS,
        "steps_per_topic": STEPS,
        "series": _bench_series(rng),
        "volume": _bench(VolumeDetector, rng),
        "metric": _bench(MetricDetector, rng),
        "level_shift": _bench(LevelShiftDetector, rng),
        "share": _bench_share(rng),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
