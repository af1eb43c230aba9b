"""`python -m scripts.models` (`make models`): retrain every shipped model and rewrite its card.

Reads ../shared/datasets (train splits to fit, val splits to report), writes the artefacts into
src/pouls/enrich/models/ and the cards into docs/models/, then measures every model on the brand
set beside the val splits (`scripts.models.brand`) into the same cards. Seeds are fixed: a
rerun gives the same models. `python -m scripts.models quality` trains the quality tier's heads
(needs the quality extra; see scripts/models/quality.py).
"""

from __future__ import annotations

import sys

from scripts.models import brand, cards, data, language, lexicon, sentiment, spam, toxicity


def main(tasks: list[str]) -> None:
    if not data.DATASETS.is_dir():
        sys.exit(f"no data sets at {data.DATASETS}: make models needs ../shared/datasets")
    tasks = tasks or ["sentiment", "toxicity", "spam", "language"]
    if "sentiment" in tasks or "toxicity" in tasks:
        print("lexicon entries:", lexicon.build(), flush=True)
    for task in tasks:
        print(f"training {task}...", flush=True)
        if task == "sentiment":
            cards.sentiment(sentiment.train())
        elif task == "toxicity":
            cards.toxicity(toxicity.train())
        elif task == "spam":
            cards.spam(spam.train())
        elif task == "language":
            cards.language(language.train())
        elif task == "quality":  # needs the quality extra; not in the default list
            from scripts.models import quality

            quality.main()
        else:
            sys.exit(f"unknown task {task!r}")
        print(f"  wrote docs/models/{task}.md", flush=True)
    print("measuring on the brand set...", flush=True)
    brand.main([])


if __name__ == "__main__":
    main(sys.argv[1:])
