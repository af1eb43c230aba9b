"""Corrections benchmark: what a workspace's adaptation costs at enrichment.

For 0, 100 and 1,000 corrections (texts made here from a bakery's words), the time to learn the
layer (`Learned.from_examples`) and to apply it to a batch of 10,000 signals with a model
sentiment and toxicity, against the shipped sentiment model on the same batch measured in the
same run (the stage the adaptation follows). Medians of 3 runs; the load average is recorded,
the machine's 2 cores being shared. Writes bench/results/corrections.json.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import make_signal

from bench.store import machine
from pouls.corrections import Example
from pouls.corrections.adaptation import Learned
from pouls.enrich.sentiment import SentimentEnricher
from pouls.signals import Sentiment

RESULTS = Path(__file__).parent / "results" / "corrections.json"
RUNS = 3
BATCH = 10_000
THINGS = ["flan", "tarte", "baguette", "brioche", "commande", "livraison", "service", "caisse"]
SAYINGS = [
    "une tuerie",
    "de la frappe",
    "trois semaines que j'attends",
    "toujours pas reçu",
    "vous ouvrez dimanche ?",
    "rien à redire",
    "pas déçu",
    "plus jamais",
]
LABELS = ("negative", "neutral", "positive")


def _text(rng: random.Random) -> str:
    return f"{rng.choice(SAYINGS)} {rng.choice(THINGS)} {rng.choice(THINGS)} n{rng.randrange(500)}"


def _timed(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    rng = random.Random(19)
    batch = [
        make_signal(
            i,
            _text(rng),
            lang="fr",
            sentiment=Sentiment(rng.choice(LABELS), 0.5),  # type: ignore[arg-type]
            toxicity={"toxic": rng.random() * 0.6},
        )
        for i in range(BATCH)
    ]
    model = SentimentEnricher()
    model.enrich(batch[:10])  # loaded before timing
    # Each run on texts not seen before: the featurisation of a batch is kept for the next model.
    fresh = iter(
        [[make_signal(i, _text(rng) + f" r{run}") for i in range(BATCH)] for run in range(RUNS)]
    )
    out: dict[str, object] = {
        "machine": machine(),
        "load_average": os.getloadavg(),
        "batch": BATCH,
        "sentiment_model_s": round(_timed(lambda: model.enrich(next(fresh))), 3),
        "corrections": [],
    }
    for n in (0, 100, 1000):
        examples = [
            Example(
                _text(rng),
                "fr",
                "sentiment",
                rng.choice(LABELS),
                {"label": "neutral", "score": 0.5},
            )
            for _ in range(n * 3 // 4)
        ] + [Example(_text(rng), "fr", "toxicity", "none", {"toxic": 0.6}) for _ in range(n // 4)]
        fit = _timed(lambda: Learned.from_examples(examples))  # noqa: B023
        learned = Learned.from_examples(examples)
        apply = _timed(lambda: learned.apply(batch))  # noqa: B023
        out["corrections"].append(  # type: ignore[attr-defined]
            {
                "corrections": n,
                "learn_s": round(fit, 3),
                "apply_s": round(apply, 3),
                "signals_per_s": round(BATCH / apply),
            }
        )
    out["load_average_after"] = os.getloadavg()
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
