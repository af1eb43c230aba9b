"""Score pouls' own detectors on the NAB corpora and refresh the figures in docs/detectors.md.

Run as `python -m scripts.nab_eval` from the repository root; the data are read from
`../shared/datasets/nab_other` (or the folder given as the first argument). Only the block
between the `nab:results` markers of docs/detectors.md is rewritten; `--dry-run` prints it.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path

from pouls.watch import nab
from pouls.watch.detectors import ContextDetector, MetricDetector, VolumeDetector
from pouls.watch.detectors_seasonal import SeasonalMedian

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "nab_other"
DOC = ROOT / "docs" / "detectors.md"
BEGIN = "<!-- nab:results:begin (written by python -m scripts.nab_eval) -->"
END = "<!-- nab:results:end -->"

Series = tuple[list[datetime], list[float]]
Detector = MetricDetector | VolumeDetector | ContextDetector
Results = dict[str, tuple[nab.Result, dict[str, nab.File]]]
# The seasonal view's constants tried: (days, surprise bar at sensitivity 0.5); None is the
# detector without the view. The shipped choice is (7, 3.0).
SEASONAL_GRID: list[tuple[int, float] | None] = [
    None,
    *[(days, bar) for days in (3, 7) for bar in (2.0, 2.5, 3.0, 3.5, 4.0)],
]


class Configured:
    """A picklable factory of `MetricDetector` with one of `SEASONAL_GRID`'s seasonal views."""

    def __init__(self, config: tuple[int, float] | None) -> None:
        self.config = config

    def __call__(self) -> MetricDetector:
        if self.config is None:
            return MetricDetector(seasonal=SeasonalMedian(surprise_bar=math.inf))
        days, bar = self.config
        return MetricDetector(seasonal=SeasonalMedian(surprise_bar=bar, days=days))


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


def detect(series: Series, make: Callable[[], Detector] = MetricDetector) -> list[float]:
    """Anomaly scores of one series, computed in one causal pass."""
    detector = make()
    return [detector.update(ts, v).anomaly_score for ts, v in zip(*series, strict=True)]


def _detect_file(args: tuple[Path, Callable[[], Detector]]) -> list[float]:
    path, make = args
    return detect(read_series(path), make)


def corpus_files(data: Path = DEFAULT_DATA) -> list[Path]:
    """The data files of the corpora, in a stable order."""
    return sorted((data / "data").glob("*/*.csv"))


def file_name(path: Path) -> str:
    """`corpus/file.csv`, the key of NAB's label files."""
    return f"{path.parent.name}/{path.name}"


def weigh_all(data: Path, scores: dict[str, list[float]]) -> Results:
    """For every profile: the corpus result at its optimal threshold and the weighed files."""
    windows = nab.load_windows(data / "labels" / "combined_windows.json")
    profiles = nab.load_profiles(data / "config" / "profiles.json")
    stamps = {file_name(p): read_series(p)[0] for p in corpus_files(data)}
    out = {}
    for pname, profile in profiles.items():
        files = {
            n: nab.weigh(stamps[n], s, windows.get(n, []), profile, n) for n, s in scores.items()
        }
        out[pname] = (nab.evaluate(list(files.values()), profile), files)
    return out


def score_corpus(
    data: Path = DEFAULT_DATA,
    make: Callable[[], Detector] = MetricDetector,
    workers: int = 2,
) -> Results:
    """Run a detector over every file, then weigh its scores for every profile."""
    paths = corpus_files(data)
    with ProcessPoolExecutor(workers) as pool:
        all_scores = list(pool.map(_detect_file, [(p, make) for p in paths]))
    return weigh_all(data, {file_name(p): s for p, s in zip(paths, all_scores, strict=True)})


def table(results: Results) -> list[list[str]]:
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


def leave_one_corpus_out(results: Results) -> dict[str, float]:
    """Per profile: each corpus scored at the threshold optimised on the other corpora only.

    NAB picks the threshold on the very files it scores; this says how much of the score
    survives when the threshold has not seen the corpus.
    """
    out = {}
    for pname, (result, files) in results.items():
        corpora = sorted({n.split("/")[0] for n in files})
        raw = 0.0
        for corpus in corpora:
            inside = [f for n, f in files.items() if n.startswith(corpus + "/")]
            others = [f for n, f in files.items() if not n.startswith(corpus + "/")]
            threshold = nab.evaluate(others, result.profile).threshold
            raw += sum(nab.score_file(f, threshold, result.profile) for f in inside)
        windows = sum(f.windows for f in files.values())
        out[pname] = nab.normalize(raw, windows, result.profile)
    return out


def nested_selection(
    data: Path, grid: list[tuple[int, float] | None]
) -> tuple[dict[str, float], dict[str, dict[str, str]]]:
    """Held-out scores when the seasonal view's constants are chosen without the corpus too.

    For each corpus and profile, the configuration of `grid` and the threshold that score best
    on the other corpora are applied to it; returns the normalised totals and the picks.
    """
    scored = {str(c): score_corpus(data, Configured(c)) for c in grid}
    totals: dict[str, float] = {}
    picks: dict[str, dict[str, str]] = {}
    first = next(iter(scored.values()))
    for pname, (result, files) in first.items():
        corpora = sorted({n.split("/")[0] for n in files})
        raw = 0.0
        picks[pname] = {}
        for corpus in corpora:
            best: tuple[float, str, float] | None = None
            for key, results in scored.items():
                others = [f for n, f in results[pname][1].items() if not n.startswith(corpus + "/")]
                fit = nab.evaluate(others, result.profile)
                if best is None or fit.normalized > best[0]:
                    best = (fit.normalized, key, fit.threshold)
            assert best is not None
            _, key, threshold = best
            picks[pname][corpus] = key
            inside = [f for n, f in scored[key][pname][1].items() if n.startswith(corpus + "/")]
            raw += sum(nab.score_file(f, threshold, result.profile) for f in inside)
        totals[pname] = nab.normalize(raw, sum(f.windows for f in files.values()), result.profile)
    return totals, picks


def markdown(results: Results) -> str:
    """The per-corpus table of `table`, as Markdown."""
    profiles = list(results)
    head = "| corpus | windows | " + " | ".join(profiles) + " |"
    rule = "|" + " --- |" * (len(profiles) + 2)
    body = "\n".join("| " + " | ".join(r) + " |" for r in table(results))
    return "\n".join([head, rule, body])


def render(metric: Results, volume: Results, seconds: float, selection: str = "") -> str:
    """The generated block of docs/detectors.md: both tables, thresholds, held-out scores."""
    overall = table(metric)[-1][2]
    thresholds = ", ".join(f"{p} {r.threshold:.4f}" for p, (r, _) in metric.items())
    held_out = " / ".join(f"{v:.1f}" for v in leave_one_corpus_out(metric).values())
    volume_held_out = " / ".join(f"{v:.1f}" for v in leave_one_corpus_out(volume).values())
    return f"""{BEGIN}
Scores of `MetricDetector` (what `pouls detect` runs), computed in {seconds:.0f} s on 2 cores:

{markdown(metric)}

<!-- nab:standard:all={overall} -->

Optimal thresholds on the anomaly score: {thresholds}.

Leave-one-corpus-out, all corpora, standard / low-FP / low-FN: **{held_out}**. Each corpus is
scored at the threshold optimised on the other five.
{selection}
Scores of `VolumeDetector` alone, the volume detector of alert rules (tuned for social
volumes, not for NAB's machine metrics; leave-one-corpus-out {volume_held_out}):

{markdown(volume)}
{END}"""


def splice(doc: str, block: str) -> str:
    """The doc with its generated block replaced by `block`."""
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(doc):
        raise SystemExit(f"{DOC.name} lacks the markers {BEGIN!r} ... {END!r}")
    return pattern.sub(lambda _: block, doc)


def main() -> None:
    """Score the corpora, print the tables, and refresh docs/detectors.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--dry-run", action="store_true", help="print, do not write the doc")
    parser.add_argument(
        "--select",
        action="store_true",
        help="also choose the seasonal view's constants per held-out corpus (minutes)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    metric = score_corpus(args.data)
    elapsed = time.perf_counter() - started
    volume = score_corpus(args.data, VolumeDetector)
    selection = ""
    if args.select:
        totals, picks = nested_selection(args.data, SEASONAL_GRID)
        chosen = sorted({key for p in picks.values() for key in p.values()})
        selection = (
            "\nNested leave-one-corpus-out (`--select`): for each corpus, the seasonal view's "
            f"constants (among {len(SEASONAL_GRID)} configurations, its absence included) and "
            "the threshold are chosen on the other five corpora only, standard / low-FP / "
            f"low-FN: **{' / '.join(f'{v:.1f}' for v in totals.values())}** (configurations "
            f"picked: {', '.join(chosen)}).\n"
        )
    block = render(metric, volume, elapsed, selection)
    print(block)
    if not args.dry_run:
        DOC.write_text(splice(DOC.read_text(), block))
        print(f"refreshed {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
