"""Score pouls' volume detector on the NAB corpora and write docs/detectors.md.

Run as `python -m scripts.nab_eval` from the repository root; the data are read from
`../shared/datasets/nab_other` (or the folder given as the first argument).
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

from pouls.watch import nab
from pouls.watch.detectors import VolumeDetector

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "nab_other"
DOC = ROOT / "docs" / "detectors.md"
PUBLISHED = [
    ("ARTime", 74.9),
    ("Numenta HTM", 70.5),
    ("CAD OSE", 69.9),
    ("KNN CAD", 58.0),
    ("Twitter ADVec", 47.1),
    ("Windowed Gaussian", 39.6),
]

Series = tuple[list[datetime], list[float]]


def read_series(path: Path) -> Series:
    """timestamps and values of one NAB csv file."""
    stamps: list[datetime] = []
    values: list[float] = []
    with path.open(newline="") as f:
        rows = csv.reader(f)
        next(rows)
        for ts, value in rows:
            stamps.append(datetime.fromisoformat(ts))
            values.append(float(value))
    return stamps, values


def detect(series: Series, make: Callable[[], VolumeDetector] = VolumeDetector) -> list[float]:
    """Anomaly scores of one series, computed in one causal pass."""
    detector = make()
    return [detector.update(ts, v).anomaly_score for ts, v in zip(*series, strict=True)]


def _detect_file(args: tuple[Path, Callable[[], VolumeDetector]]) -> list[float]:
    path, make = args
    return detect(read_series(path), make)


def score_corpus(
    data: Path = DEFAULT_DATA,
    make: Callable[[], VolumeDetector] = VolumeDetector,
    workers: int = 2,
) -> dict[str, tuple[nab.Result, dict[str, nab.File]]]:
    """For every profile: the corpus result at its optimal threshold and the weighed files."""
    windows = nab.load_windows(data / "labels" / "combined_windows.json")
    profiles = nab.load_profiles(data / "config" / "profiles.json")
    paths = sorted((data / "data").glob("*/*.csv"))
    names = [f"{p.parent.name}/{p.name}" for p in paths]
    with ProcessPoolExecutor(workers) as pool:
        all_scores = list(pool.map(_detect_file, [(p, make) for p in paths]))
    stamps = {n: read_series(p)[0] for n, p in zip(names, paths, strict=True)}
    out = {}
    for pname, profile in profiles.items():
        files = {
            n: nab.weigh(stamps[n], s, windows.get(n, []), profile, n)
            for n, s in zip(names, all_scores, strict=True)
        }
        out[pname] = (nab.evaluate(list(files.values()), profile), files)
    return out


def table(results: dict[str, tuple[nab.Result, dict[str, nab.File]]]) -> list[list[str]]:
    """Rows: corpus, windows, then the normalised score for each profile."""
    first = next(iter(results.values()))[1]
    corpora = sorted({n.split("/")[0] for n in first})
    rows = []
    for corpus in [*corpora, "all"]:
        cells = [corpus]
        for result, files in results.values():
            names = [n for n in files if corpus == "all" or n.startswith(corpus + "/")]
            _, count, score = result.subset(names, files)
            if len(cells) == 1:
                cells.append(str(count))
            cells.append("n/a (no windows)" if count == 0 else f"{score:.1f}")
        rows.append(cells)
    return rows


def render(results: dict[str, tuple[nab.Result, dict[str, nab.File]]], seconds: float) -> str:
    """docs/detectors.md, with the scores just computed."""
    rows = table(results)
    profiles = list(results)
    head = "| corpus | windows | " + " | ".join(profiles) + " |"
    rule = "|" + " --- |" * (len(profiles) + 2)
    body = "\n".join("| " + " | ".join(r) + " |" for r in rows)
    overall = rows[-1][2]
    thresholds = ", ".join(f"{p} {r.threshold:.4f}" for p, (r, _) in results.items())
    board = "\n".join(f"| {name} | {score} |" for name, score in PUBLISHED)
    return TEMPLATE.format(
        table="\n".join([head, rule, body]),
        overall=overall,
        thresholds=thresholds,
        board=board,
        seconds=f"{seconds:.0f}",
        rank=_rank(float(overall)),
    )


def _rank(score: float) -> str:
    above = [name for name, s in PUBLISHED if s < score]
    below = [name for name, s in PUBLISHED if s >= score]
    if not above:
        return "below every published entry"
    return f"below {below[-1]}, above {above[0]}, if the subset were comparable (next point)"


def main() -> None:
    """Score the corpora, print the table, and rewrite docs/detectors.md."""
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    started = time.perf_counter()
    results = score_corpus(data)
    elapsed = time.perf_counter() - started
    for row in table(results):
        print(" | ".join(row))
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(results, elapsed))
    print(f"wrote {DOC.relative_to(ROOT)} in {elapsed:.1f}s")


TEMPLATE = """\
# Detectors

`pouls.watch.detectors` holds streaming detectors. Each takes one `(timestamp, value)` at a
time, is causal (the score at time t uses nothing after t), keeps a small bounded state, and
answers `update(timestamp, value) -> Score(anomaly_score, alert, baseline, observed,
deviation)`.

| class | watches | notes |
| --- | --- | --- |
| `VolumeDetector` | spikes and dips of a volume or any metric | the main one; `pouls detect` |
| `LevelShiftDetector` | a lasting move of the level | two-sided CUSUM on a slow baseline |
| `ShareDetector` | a sudden rise of a share (negative, toxic, scam) | `update(t, hits, total)` |
| `Cooldown` | groups alert-worthy scores into episodes | opened, updated, closed |

## Method of the volume detector

1. **Seasonal baseline** (`detectors_baseline.Baseline`). Three additive models run side by
   side: a flat level, a level plus a daily profile (at most 288 slots) and a level plus a
   weekly profile (at most 336 slots), i.e. Holt-Winters without trend (level smoothing 0.1,
   seasonal smoothing 0.25, faster during the first cycles). Each tracks its recent absolute
   error (about the last 50 steps); the forecast comes from the one that has lately been the
   most accurate, so a series without seasonality is not forced into one. The step is read
   from the timestamps; irregular steps are fine. Residuals beyond 4 typical errors teach the
   models as if they were 4, so a spike does not become the new normal; a run of deviations
   averaging 3 errors (exponential average, weight 0.3) re-bases the level.
2. **Deviation**: the signed distance from the forecast in typical errors (1.25 times the
   mean absolute error, floored at 0.1% of the level). For counts (non-negative integers)
   with an expected value under 50, the milder of that and a Poisson reading (Anscombe's
   transform, `2(sqrt(x + 3/8) - sqrt(mu + 1/8))`) is kept: at low volumes 1 then 7 is
   noise, not news.
3. **Rarity** (`detectors_baseline.Rarity`). Two distances are judged by how rare they have
   been *in this series*, with a forgetting log-scale histogram (56 bins, half-life about
   2,000 steps): the distance from the forecast, and the distance from the long-run level
   (exponential mean and variance, weight 0.001). The surprise is `-log10` of the larger tail
   probability. This makes one threshold fit series whose noise differs in shape, not only in
   size: a series that often jumps learns that jumps are usual.
4. **Score**: `surprise / (surprise + 5 (1 - sensitivity))`, scaled down when the distance
   from the forecast is below `9 (1 - sensitivity)` errors. At the default sensitivity 0.5 an
   alert needs a deviation of at least 4.5 errors that is rarer than about 1 in 300.
5. **Cool-down**: after an alert, scores are damped (times 0.1) for 150 steps and no new alert
   starts, so one event gives one alert. `Cooldown` does the same for delivery, in seconds.

State per series: about 750 floats (the two seasonal profiles and two 56-bin histograms) in
`array('d')`: 10,000 hourly series take about 43 MB, and one core scores about 40,000 steps
per second in pure Python (`bench/detectors.py`, `bench/results/detectors.json`).

One configuration is used for every file: sensitivity 0.5, cool-down 150 steps, warm-up 24
steps, both directions. It was chosen on these NAB corpora and on synthetic series (seasonal
Poisson counts, low counts, spikes, steps; see `tests/watch/`), not per file.

## NAB scores

Numenta Anomaly Benchmark v1.1 scoring, implemented in `pouls.watch.nab` after the upstream
sweeper: the first 15% of each file (at most 750 rows) is not scored; in each labelled window
only the earliest detection counts, weighted by the scaled sigmoid of its position; a window
with no detection costs the profile's `fnWeight`; a detection outside every window costs
`fpWeight`, less when it comes soon after a window; one threshold per profile is chosen over
the whole corpus to maximise the raw score (NAB's threshold optimisation); scores are
normalised as `100 (S - S_null) / (S_perfect - S_null)` with `S_null = -fnWeight * windows`
and `S_perfect = tpWeight * windows`. Per-corpus rows use the corpus-wide threshold and
normalise with their own windows.

Run `python -m scripts.nab_eval` to recompute this table (it took {seconds} s on 2 cores).

{table}

<!-- nab:standard:all={overall} -->

Optimal thresholds on the anomaly score: {thresholds}.

Published whole-NAB scoreboard, standard profile (all seven corpora, realTweets included):

| detector | standard |
| --- | --- |
{board}

## Caveats

- **We are below the best published detectors**: {overall} on the standard profile against
  ARTime 74.9, Numenta HTM 70.5 and CAD OSE 69.9; {rank}. The aim of beating the best is
  not met.
- **A subset**: our corpora are NAB without realTweets (48 of the 58 files, 83 windows); the published figures cover the whole benchmark, so the rows are indicative, not a
  ranking.
- **Tuned on the test data**: the few constants (cool-down, rarity horizon, thresholds) were
  chosen on these same corpora, with one configuration for all files; expect lower scores on
  unseen series. NAB also optimises the threshold on the data it scores, for every detector.
- **The low-FP profile** penalises our false positives on the artificial corpus heavily;
  the seasonal models need one to two days of 5-minute data to learn a daily shape and about
  three weeks for a weekly one, and alerts before that are more likely to be false.
- **Generic metrics, social volumes**: NAB series are machine metrics (CPU, latency,
  traffic), where drops matter as much as rises; for social volumes use `direction=1`.
"""

if __name__ == "__main__":
    main()
