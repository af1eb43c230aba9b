"""Quality tier cost: what a process pays to load the encoder and refine sentiment.

A fresh child process (so that start-up and memory are its own) imports
`pouls.enrich.quality`, loads the encoder and the heads, then refines the sentiment of
POULS_BENCH_QUALITY_TEXTS (200) mixed French/English texts from bench/enrich.py's templates,
one thread (OMP_NUM_THREADS=1, the second core is what the tier is meant to run on). Beside it,
in the same child, the fast tier on the same texts: the baseline. Reports texts per
CPU-second and per wall second (best of two runs), the load time, the child's peak resident
memory, and the load average. Needs the quality extra; without it the bench says so and writes
nothing. Writes bench/results/quality.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "quality.json"


def _child(count: int) -> dict[str, float]:
    import resource

    from bench.enrich import texts

    sample = texts(count)
    langs = ["fr" if i % 2 == 0 else "en" for i in range(count)]
    wall = time.perf_counter()
    from pouls.enrich import quality, sentiment

    quality.refine_sentiment(sample[:1], langs[:1])  # encoder, heads and fast models loaded
    load_s = time.perf_counter() - wall

    def timed(run: object) -> tuple[float, float]:
        best = (0.0, 0.0)
        for _ in range(2):
            cpu, wall = time.process_time(), time.perf_counter()
            run()  # type: ignore[operator]
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            best = max(best, (count / max(cpu, 1e-9), count / max(wall, 1e-9)))
        return best

    refined = timed(lambda: quality.refine_sentiment(sample, langs))
    fast = timed(lambda: sentiment.predict_proba(sample, langs))
    return {
        "texts": count,
        "load_s": round(load_s, 2),
        "refined_per_cpu_s": round(refined[0], 1),
        "refined_per_wall_s": round(refined[1], 1),
        "fast_per_cpu_s": round(fast[0], 1),
        "fast_per_wall_s": round(fast[1], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    from pouls.enrich import quality

    if not quality.available():
        print(quality.QualityUnavailable(quality.MISSING).message("en"))
        return
    count = int(os.environ.get("POULS_BENCH_QUALITY_TEXTS", "200"))
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "bench.quality", "--child", str(count)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = {
        **json.loads(out.stdout.strip().splitlines()[-1]),
        "omp_threads": 1,
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", "utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(_child(int(sys.argv[2]))))
    else:
        main()
