"""Each workspace's corrections teach its enrichment: a small layer per workspace, after the models.

The shipped models are the same for everyone; a workspace's people know its words ("une
tuerie" is praise at a bakery, "trois semaines que j'attends" a complaint). This stage learns
from the workspace's corrections only, and changes only that workspace's signals:

- sentiment and toxicity: a linear layer over the words and word pairs of the corrected texts,
  added to the models' own answer (their label and score, the only thing the stage sees of
  them), fitted so that the corrected texts get the people's labels. It has no bias term: a
  text that shares no word with any corrected text keeps the models' answer exactly, and a
  label changes only when the words people corrected outweigh the models' confidence;
- language: a short text whose words are mostly those of a text people corrected takes its
  language ("Bien dormi" corrected to fr teaches "bien dormi ce soir");
- entities: a name people added is found in new texts; a name people removed (a word the
  models took for a name) is no longer given.

The layer is refitted when the workspace's corrections change (looked at every `refresh`
seconds) and kept in memory per workspace; nothing is shared between workspaces.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
from scipy import optimize, sparse

from pouls.corrections import SENTIMENTS, Example, norm
from pouls.signals import Signal
from pouls.signals.model import Entity, Sentiment

Examples = Callable[[str], Sequence[Example]]
Version = Callable[[str], object]

L2 = 0.05  # weight decay of the layer: small, the corrections are few and meant to be followed
FLOOR = 0.02  # probabilities read from a model's label and score are kept within [FLOOR, 1-FLOOR]
SAME_WORDS = 0.5  # share of shared words (Jaccard) at which a language correction is followed
MAX_EXAMPLES = 5000  # per field: the most recent corrections are learnt from
_WORD = re.compile(r"\w+")
_MARKS = re.compile("[\u0300-\u036f]")  # combining accents, once decomposed


def words(text: str) -> list[str]:
    """A text's words, case and accents folded: what the layer reads."""
    folded = text.casefold()
    if not folded.isascii():
        folded = _MARKS.sub("", unicodedata.normalize("NFKD", folded))
    return _WORD.findall(folded)


def features(text: str) -> list[str]:
    """Words and pairs of neighbouring words ("tuerie", "une tuerie")."""
    found = words(text)
    return found + [f"{a} {b}" for a, b in itertools.pairwise(found)]


class Layer:
    """A linear layer over the corrected texts' words, added to a model's log-probabilities."""

    def __init__(self, classes: int, texts: Sequence[str], prior: np.ndarray, target: np.ndarray):
        vocabulary: dict[str, int] = {}
        for text in texts:
            for f in features(text):
                vocabulary.setdefault(f, len(vocabulary))
        self.vocabulary = vocabulary
        self.classes = classes
        x = self.design(texts)
        self.weights = _fit(x, np.log(prior), target, classes)

    def design(self, texts: Sequence[str]) -> sparse.csr_matrix:
        rows, cols = [], []
        for i, text in enumerate(texts):
            seen = {self.vocabulary[f] for f in features(text) if f in self.vocabulary}
            rows += [i] * len(seen)
            cols += sorted(seen)
        x = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(self.vocabulary))
        )
        norms = np.sqrt(np.asarray(x.sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(x.multiply(1.0 / norms[:, None]))

    def adjust(self, texts: Sequence[str], prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities after the layer, and which texts it could read at all (a known word)."""
        x = self.design(texts)
        z = np.log(prior) + x @ self.weights
        return _softmax(z), np.diff(x.indptr) > 0


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _fit(x: sparse.csr_matrix, offset: np.ndarray, target: np.ndarray, k: int) -> np.ndarray:
    """Multinomial logistic regression with a fixed offset and no bias (L-BFGS)."""
    n, d = x.shape
    y = np.zeros((n, k))
    y[np.arange(n), target] = 1.0

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = flat.reshape(d, k)
        p = _softmax(offset + x @ w)
        value = -float(np.sum(y * np.log(np.clip(p, 1e-12, None)))) / n
        grad = (x.T @ (p - y)) / n + L2 * w
        return value + 0.5 * L2 * float(np.sum(w * w)), np.asarray(grad).ravel()

    found = optimize.minimize(
        loss, np.zeros(d * k), jac=True, method="L-BFGS-B", options={"maxiter": 300}
    )
    return np.asarray(found.x).reshape(d, k)


def sentiment_priors(found: Sequence[Sentiment | dict[str, Any] | None]) -> np.ndarray:
    """Probabilities (negative, neutral, positive) read from models' labels and scores, one
    row each: the label gets its score, the two others share the rest."""
    labels = np.zeros(len(found), dtype=np.intp)
    scores = np.full(len(found), 1 / 3)
    for i, s in enumerate(found):
        if s is None:
            continue
        label, score = (s["label"], s["score"]) if isinstance(s, dict) else (s.label, s.score)
        labels[i], scores[i] = SENTIMENTS.index(label), score
    scores = np.clip(scores, 1 / 3, 1 - FLOOR)
    out = np.repeat(((1 - scores) / 2)[:, None], 3, axis=1)
    out[np.arange(len(found)), labels] = scores
    return np.clip(out, FLOOR / 2, 1.0)  # type: ignore[no-any-return]


def toxic_prior(scores: dict[str, float] | None) -> np.ndarray:
    """Probabilities (not toxic, toxic) read from a model's highest toxicity score."""
    top = max((scores or {}).values(), default=0.0)
    top = min(max(float(top), FLOOR), 1 - FLOOR)
    return np.array([1 - top, top])


@dataclass
class Learned:
    """What one workspace's corrections taught."""

    sentiment: Layer | None = None
    toxicity: Layer | None = None
    languages: list[tuple[frozenset[str], str]] = field(default_factory=list)
    added: dict[str, Entity] = field(default_factory=dict)  # folded name -> entity
    removed: set[str] = field(default_factory=set)  # norms people took away

    @classmethod
    def from_examples(cls, examples: Sequence[Example]) -> Learned:
        by: dict[str, list[Example]] = {}
        for e in examples:
            if e.text.strip():
                by.setdefault(e.field, []).append(e)
        out = cls()
        sentiments = by.get("sentiment", [])[-MAX_EXAMPLES:]
        if sentiments:
            out.sentiment = Layer(
                3,
                [e.text for e in sentiments],
                sentiment_priors([e.model for e in sentiments]),
                np.array([SENTIMENTS.index(e.value) for e in sentiments]),
            )
        toxic = by.get("toxicity", [])[-MAX_EXAMPLES:]
        if toxic:
            out.toxicity = Layer(
                2,
                [e.text for e in toxic],
                np.array([toxic_prior(e.model) for e in toxic]),
                np.array([int(e.value != "none") for e in toxic]),
            )
        for e in by.get("lang", [])[-MAX_EXAMPLES:]:
            seen = frozenset(words(e.text))
            if seen:
                out.languages.append((seen, e.value))
        for e in by.get("entities", [])[-MAX_EXAMPLES:]:
            given = {norm(x["text"]): x for x in e.value}
            said = {x.get("norm") for x in (e.model or [])}
            out.removed |= {n for n in said if n and n not in given}
            for n, x in given.items():
                if n not in said:
                    out.added[" ".join(words(x["text"]))] = Entity(x["type"], x["text"], n)
        out.removed -= {e.norm for e in out.added.values()}
        return out

    def apply(self, batch: list[Signal]) -> list[Signal]:
        """The batch with this workspace's lessons applied."""
        out = list(batch)
        self._sentiment(out)
        self._toxicity(out)
        for i, s in enumerate(out):
            changes: dict[str, Any] = {}
            lang = self._language(s)
            if lang is not None and lang != s.lang:
                changes["lang"] = lang
            entities = self._entities(s)
            if entities != s.entities:
                changes["entities"] = entities
            if changes:
                out[i] = msgspec.structs.replace(s, **changes)
        return out

    def _sentiment(self, out: list[Signal]) -> None:
        rows = [i for i, s in enumerate(out) if s.sentiment is not None and s.text]
        if self.sentiment is None or not rows:
            return
        prior = sentiment_priors([out[i].sentiment for i in rows])
        proba, read = self.sentiment.adjust([out[i].text for i in rows], prior)
        for k, i in enumerate(rows):
            best = int(proba[k].argmax())
            label = SENTIMENTS[best]
            if read[k] and out[i].sentiment.label != label:  # type: ignore[union-attr]
                found = Sentiment(label=label, score=round(float(proba[k, best]), 4))  # type: ignore[arg-type]
                out[i] = msgspec.structs.replace(out[i], sentiment=found)

    def _toxicity(self, out: list[Signal]) -> None:
        rows = [i for i, s in enumerate(out) if s.toxicity is not None and s.text]
        if self.toxicity is None or not rows:
            return
        prior = np.array([toxic_prior(out[i].toxicity) for i in rows])
        proba, read = self.toxicity.adjust([out[i].text for i in rows], prior)
        for k, i in enumerate(rows):
            scores = dict(out[i].toxicity or {})
            top = max(scores.values(), default=0.0)
            p = round(float(proba[k, 1]), 4)
            if not read[k] or (p >= 0.5) == (top >= 0.5):
                continue
            if p < 0.5:  # people said such texts are not toxic: every attribute below the bar
                scores = {a: min(v, p) for a, v in scores.items()}
            else:
                scores["toxic"] = p
            out[i] = msgspec.structs.replace(out[i], toxicity=scores)

    def _language(self, s: Signal) -> str | None:
        if not self.languages or not s.text:
            return None
        seen = frozenset(words(s.text))
        if not seen:
            return None
        best, lang = 0.0, None
        for known, code in self.languages:
            share = len(seen & known) / len(seen | known)
            if share > best:
                best, lang = share, code
        return lang if best >= SAME_WORDS else None

    def _entities(self, s: Signal) -> tuple[Entity, ...]:
        if not (self.added or self.removed) or not s.text:
            return s.entities
        kept = [e for e in s.entities if e.norm not in self.removed]
        have = {e.norm for e in kept}
        text = " " + " ".join(words(s.text)) + " "
        for name, entity in self.added.items():
            if entity.norm not in have and f" {name} " in text:
                kept.append(entity)
                have.add(entity.norm)
        return tuple(kept)


class Adaptation:
    """Enricher: the models' answers adjusted by each workspace's own corrections."""

    name = "adaptation"

    def __init__(self, examples: Examples, version: Version, *, refresh: float = 5.0) -> None:
        self._examples = examples
        self._version = version
        self._refresh = refresh
        self._learned: dict[str, tuple[object, float, Learned | None]] = {}
        self._lock = threading.Lock()

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        by: dict[str, list[int]] = {}
        for i, s in enumerate(batch):
            by.setdefault(s.workspace, []).append(i)
        out = list(batch)
        for workspace, rows in by.items():
            learned = self.learned(workspace)
            if learned is None:
                continue
            done = learned.apply([batch[i] for i in rows])
            for i, signal in zip(rows, done, strict=True):
                out[i] = signal
        return out

    def learned(self, workspace: str) -> Learned | None:
        """What the workspace's corrections teach now (None: it has none)."""
        now = time.monotonic()
        with self._lock:
            cached = self._learned.get(workspace)
            if cached is not None and now - cached[1] < self._refresh:
                return cached[2]
            version = self._version(workspace)
            if cached is not None and cached[0] == version:
                self._learned[workspace] = (version, now, cached[2])
                return cached[2]
            examples = self._examples(workspace)
            learned = Learned.from_examples(examples) if examples else None
            self._learned[workspace] = (version, now, learned)
            return learned
