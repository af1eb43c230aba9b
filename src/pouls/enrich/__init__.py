"""Enrichments: one module per kind (language, sentiment, entities, toxicity, scam, duplicates).

Models ship inside the package and run offline on a CPU. `build_enrichers` assembles them in the
order they depend on each other (language first: the others pick their models by it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from pouls.signals import Signal

ENRICHERS = ("language", "sentiment", "toxicity", "scam", "entities", "duplicates")


class Enricher(Protocol):
    """Adds one kind of enrichment to a batch; pure with respect to the store.

    Signals are frozen, so `enrich` returns the batch with new copies where it changed one.
    """

    name: str

    def enrich(self, batch: list[Signal]) -> list[Signal]: ...


def build_enrichers(
    names: Sequence[str] | None = None,
    gazetteers: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    *,
    spacy: bool = True,
    duplicate_capacity: int = 50_000,
    languages: Mapping[str, Sequence[str]] | None = None,
) -> list[Enricher]:
    """The enrichers called `names` (all of ENRICHERS when None), in dependency order.

    `gazetteers` maps a workspace id to its `gazetteer` setting ({type: [names]}); `spacy=False`
    keeps entities to the gazetteers (the fast mode); `languages` maps a workspace id to the
    languages it expects (its `languages` setting). Unknown names raise ValueError.
    """
    wanted = list(ENRICHERS if names is None else names)
    unknown = sorted(set(wanted) - set(ENRICHERS))
    if unknown:
        raise ValueError(f"unknown enrichers {unknown}; known: {', '.join(ENRICHERS)}")
    out: list[Enricher] = []
    for name in ENRICHERS:
        if name not in wanted:
            continue
        if name == "language":
            from pouls.enrich.language import LanguageEnricher

            out.append(LanguageEnricher(low_accuracy=True, fast=True, expected=languages))
        elif name == "sentiment":
            from pouls.enrich.sentiment import SentimentEnricher

            out.append(SentimentEnricher())
        elif name == "toxicity":
            from pouls.enrich.toxicity import ToxicityEnricher

            out.append(ToxicityEnricher())
        elif name == "scam":
            from pouls.enrich.scam import ScamEnricher

            out.append(ScamEnricher())
        elif name == "entities":
            from pouls.enrich.entities import EntityEnricher, Gazetteer

            books = {ws: Gazetteer.from_types(g) for ws, g in (gazetteers or {}).items()}
            out.append(EntityEnricher(books, use_spacy=spacy))
        else:
            from pouls.enrich.duplicates import DuplicateEnricher, DuplicateIndex

            out.append(DuplicateEnricher(DuplicateIndex(capacity=duplicate_capacity)))
    return out


def load_models(names: Sequence[str] | None = None) -> None:
    """Load the shipped models of the enrichers called `names` (all when None) now, side by side.

    Called where the stages are assembled, so a process pays for its models once, before its
    first batch or request, and builds each featurizer's wide matrix once for all its models
    (`linear.share`) instead of once more each time a model is first used.
    """
    from pouls.enrich import language, linear, scam, sentiment, toxicity

    wanted = set(ENRICHERS if names is None else names)
    models: list[linear.LinearModel] = []
    if "language" in wanted:
        models.append(language._fast())
    if "sentiment" in wanted:
        models += [m for lang in (None, *sentiment.LANGUAGES) if (m := sentiment._model(lang))]
    if "toxicity" in wanted:
        models += [
            toxicity._model(attribute, lang)
            for lang, attributes in toxicity.MODEL_ATTRIBUTES.items()
            for attribute in attributes
        ]
    if "scam" in wanted:
        models.append(scam._model())
    linear.share(models)


def enrich(batch: list[Signal], enrichers: Sequence[Enricher]) -> list[Signal]:
    """Run `enrichers` over a batch in order."""
    for enricher in enrichers:
        batch = enricher.enrich(batch)
    return batch
