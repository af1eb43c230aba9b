"""Text features and the linear model format shared by the shipped classifiers.

Training (scripts/models) and inference use the same `Featurizer`, so a model is only its
settings, its idf weights and its coefficients, saved as plain arrays in one `.npz` (no pickle:
loading a model never runs code and scikit-learn is needed only to train).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from pouls.signals import Signal

MODELS_DIR = Path(__file__).parent / "models"

_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_URL = re.compile(r"(?:https?://|www\.)\S+|\bhttp\b", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{3,}")
_WORD = re.compile(r"#?\w+(?:'\w+)?|[^\w\s]", re.UNICODE)
_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "nothing",
        "nobody",
        "none",
        "nor",
        "neither",
        "cannot",
        "can't",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "won't",
        "wouldn't",
        "shouldn't",
        "couldn't",
        "ain't",
        "n't",
        "ne",
        "n'",
        "pas",
        "jamais",
        "rien",
        "aucun",
        "aucune",
        "personne",
        "plus",
        "guère",
        "sans",
        "ni",
        "non",
        "nunca",
        "nada",
        "nicht",
        "kein",
        "keine",
        "nie",
        "niemals",
        "niet",
        "geen",
        "nooit",
        "não",
        "nem",
    ]
)
_CLAUSE_END = frozenset('.,;:!?()[]"')


@functools.cache
def _lexicon() -> dict[str, float]:
    """Word valences (VADER's English lexicon and its French port, both MIT-licensed)."""
    lex: dict[str, float] = {}
    with (MODELS_DIR / "lexicon.txt").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            word, _, value = line.rstrip("\n").partition("\t")
            lex[word] = float(value)
    return lex


def polarity(tokens: Sequence[str]) -> list[str]:
    """Pseudo-tokens for lexicon words: sign, strength, and whether a negator governs them."""
    lex = _lexicon()
    out: list[str] = []
    for token in tokens:
        negated = token.endswith("_neg")
        value = lex.get(token[:-4] if negated else token)
        if value is None:
            continue
        sign = "pos" if value > 0 else "neg"
        strength = 2 if abs(value) >= 2 else 1
        out.append(f"__lex_{sign}{strength}{'_negated' if negated else ''}__")
    return out


def normalize(text: str) -> str:
    """Lower-case, decode literal \\uXXXX escapes, fold URLs and mentions, cap repeated letters."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = _URL.sub(" http ", text)
    text = _MENTION.sub("@user", text)
    text = _REPEAT.sub(r"\1\1\1", text)
    return unicodedata.normalize("NFC", text).lower()


def words(text: str, negation: bool = False) -> list[str]:
    """Word, hashtag, punctuation and emoji tokens of a normalised text.

    With `negation`, tokens after a negator until the end of the clause get a `_neg` copy,
    so "pas bon" and "bon" weigh differently.
    """
    tokens = _WORD.findall(text)
    if not negation:
        return tokens
    out: list[str] = []
    negated = False
    for token in tokens:
        if token in _CLAUSE_END:
            negated = False
        elif negated:
            out.append(token + "_neg")
        if token in _NEGATORS or token.endswith("n't"):
            negated = True
        out.append(token)
    return out


_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: np.ndarray) -> np.ndarray:
    """A cheap 64-bit finaliser (xor-shift-multiply) so nearby hashes spread over buckets."""
    h = h ^ (h >> np.uint64(31))
    h = h * _MIX
    return h ^ (h >> np.uint64(29))


@dataclass(frozen=True)
class Featurizer:
    """Hashed word n-grams plus character n-grams, both counted into one sparse row per text.

    Character n-grams are hashed for the whole batch at once with numpy rolling hashes, words
    with crc32: no per-n-gram Python string is built, which keeps featurising at tens of
    thousands of texts per second per core.
    """

    n_features: int = 2**20
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    negation: bool = True
    sublinear_tf: bool = True
    markers: bool = False
    lexicon: bool = False

    def counts(self, texts: Iterable[str]) -> sparse.csr_matrix:
        """Term counts (log-scaled if `sublinear_tf`) of texts, before idf weighting."""
        raw = list(texts)
        normed = [normalize(t) for t in raw]
        rows_w, cols_w = self._word_hashes(normed, raw)
        rows_c, cols_c = self._char_hashes(normed)
        rows = np.concatenate([rows_w, rows_c])
        cols = np.concatenate([cols_w, cols_c])
        x = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(len(normed), self.n_features),
        )
        x.sum_duplicates()
        if self.sublinear_tf:
            x.data = np.log1p(x.data)
        return x

    def _word_hashes(self, normed: list[str], raw: list[str]) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.word_ngrams
        per_doc: list[int] = []
        ids: list[int] = []
        for i, text in enumerate(normed):
            tokens = words(text, self.negation)
            if self.lexicon:
                tokens.extend(polarity(tokens))
            if self.markers:
                tokens.extend(markers(raw[i]))
            ids.extend(zlib.crc32(t.encode()) for t in tokens)
            per_doc.append(len(tokens))
        unigrams = np.asarray(ids, dtype=np.uint64) + np.uint64(1)
        doc = np.repeat(np.arange(len(normed), dtype=np.int64), per_doc)
        return _ngrams(unigrams, doc, lo, hi, self.n_features, _word_salt)

    def _char_hashes(self, normed: list[str]) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.char_ngrams
        padded = [" " + " ".join(t.split()) + " " for t in normed]
        lengths = np.fromiter((len(t) for t in padded), dtype=np.int64, count=len(padded))
        if lengths.sum() == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        codes = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32)
        codes = codes.astype(np.uint64)
        doc = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
        return _ngrams(codes, doc, lo, hi, self.n_features, _char_salt)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Featurizer:
        raw = json.loads(text)
        for key in ("word_ngrams", "char_ngrams"):
            raw[key] = tuple(raw[key])
        return cls(**raw)


def l2_normalize(x: sparse.csr_matrix) -> sparse.csr_matrix:
    """Rows scaled to unit Euclidean length (empty rows stay empty)."""
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms).dot(x).tocsr()


def tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """`l2_normalize(counts * idf)` computed on the stored values only (the hot path)."""
    data = counts.data * idf[counts.indices]
    lengths = np.diff(counts.indptr)
    filled = lengths > 0
    norms = np.ones(counts.shape[0], dtype=np.float32)
    if filled.any():
        norms[filled] = np.sqrt(np.add.reduceat(data * data, counts.indptr[:-1][filled]))
    norms[norms == 0] = 1.0
    data = data / np.repeat(norms, lengths)
    return sparse.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape)


class LinearModel:
    """A linear classifier over tf-idf `Featurizer` features.

    `link` turns scores into probabilities: "softmax" (multinomial), "sigmoid" (independent
    labels) or "ovr" (one-vs-rest sigmoids rescaled to sum to one).
    """

    def __init__(
        self,
        featurizer: Featurizer,
        idf: np.ndarray,
        coef: sparse.csr_matrix,
        intercept: np.ndarray,
        classes: Sequence[str],
        link: str = "softmax",
        meta: dict[str, object] | None = None,
    ) -> None:
        self.featurizer = featurizer
        self.idf = idf.astype(np.float32)
        self.coef_t = coef.T.tocsr().astype(np.float32)
        self.intercept = intercept.astype(np.float32)
        self.classes = tuple(classes)
        self.link = link
        self.meta = meta or {}

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities, one row per text, one column per class (`self.classes`)."""
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        return self.proba_from_counts(shared_counts(self.featurizer, list(texts)))

    def proba_from_counts(self, counts: sparse.csr_matrix) -> np.ndarray:
        """Probabilities from `self.featurizer.counts(texts)` computed once for several models."""
        z = (tfidf(counts, self.idf) @ self.coef_t).toarray() + self.intercept
        if self.link in ("sigmoid", "ovr"):
            p = 1.0 / (1.0 + np.exp(-z))
            return p / p.sum(axis=1, keepdims=True) if self.link == "ovr" else p
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, path: Path) -> None:
        """Write the model as one compressed .npz of plain arrays."""
        coef = self.coef_t.T.tocsr()
        used = np.unique(coef.indices)
        np.savez_compressed(
            path,
            featurizer=np.array(self.featurizer.to_json()),
            idf_index=used.astype(np.int32),
            idf_value=self.idf[used].astype(np.float16),
            coef_data=coef.data.astype(np.float16),
            coef_indices=coef.indices.astype(np.int32),
            coef_indptr=coef.indptr.astype(np.int32),
            intercept=self.intercept,
            classes=np.array(self.classes),
            link=np.array(self.link),
            meta=np.array(json.dumps(self.meta)),
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        """Read a model written by `save` (allow_pickle stays off)."""
        with np.load(path, allow_pickle=False) as z:
            featurizer = Featurizer.from_json(str(z["featurizer"]))
            idf = np.zeros(featurizer.n_features, dtype=np.float32)
            idf[z["idf_index"]] = z["idf_value"].astype(np.float32)
            n_classes = len(z["classes"])
            coef = sparse.csr_matrix(
                (z["coef_data"].astype(np.float32), z["coef_indices"], z["coef_indptr"]),
                shape=(n_classes, featurizer.n_features),
            )
            return cls(
                featurizer,
                idf,
                coef,
                z["intercept"],
                [str(c) for c in z["classes"]],
                str(z["link"]),
                json.loads(str(z["meta"])),
            )


_RAW_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+\.(?:ly|gl|gd|io|co|me|link|xyz|top|click|site|online|info|biz|ru|tk|ml)\b(?:/\S*)?",
    re.IGNORECASE,
)
_SHORTENERS = frozenset(
    [
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "cutt.ly",
        "rb.gy",
        "shorturl.at",
        "tiny.cc",
        "rebrand.ly",
        "t.ly",
        "s.id",
        "lnkd.in",
        "bl.ink",
        "v.gd",
        "qr.co",
        "linktr.ee",
    ]
)
_BRANDS = (
    "paypal",
    "amazon",
    "netflix",
    "apple",
    "microsoft",
    "binance",
    "coinbase",
    "ameli",
    "impots",
    "laposte",
    "chronopost",
    "colissimo",
    "orange",
    "free",
    "sfr",
    "bnp",
    "creditagricole",
    "societegenerale",
    "caf",
    "antai",
    "whatsapp",
    "instagram",
    "facebook",
    "metamask",
    "dhl",
    "fedex",
    "ups",
    "bouygues",
    "google",
)
_PHONE = re.compile(r"(?<!\w)(?:\+|00)?\d(?:[\s.\-]?\d){8,13}(?!\w)")
_MONEY = re.compile(
    r"(?:[$€£]\s?\d[\d\s.,]*\d?|\d[\d\s.,]*\s?(?:[$€£]|eur(?:os?)?\b|usd\b|dollars?\b|k\b|"
    r"btc\b|eth\b|usdt\b))",
    re.IGNORECASE,
)
_LURES = {
    "crypto": r"\b(?:crypto\w*|bitcoin|btc|eth(?:ereum)?|usdt|airdrop|nft|token|wallet|"
    r"portefeuille|binance|metamask|seed phrase)\b",
    "giveaway": r"\b(?:giveaway|free|gratuit\w*|offert\w*|gagn\w*|win(?:ner)?|won|prize|lot|"
    r"cadeau\w*|concours|jackpot|bonus|claim|réclam\w*|reward|récompense\w*)\b",
    "redirect": r"\b(?:dm|mp|inbox|pm|whatsapp|telegram|signal|wa\.me|t\.me|écri(?:s|vez)[- ]moi|"
    r"contact(?:ez)?[- ]moi|text me|message me|ajoute[sz]?[- ]moi|add me)\b",
    "urgency": r"\b(?:urgent|now|maintenant|immédiatement|vite|limited|limité\w*|expire\w*|"
    r"today|aujourd'hui|last chance|dernière chance|act now|24h|48h)\b",
    "invest": r"\b(?:invest\w*|profit\w*|rendement\w*|trading|trader|forex|returns?|roi|"
    r"double[rz]? (?:your|votre)|x10|x100|passive income|revenu passif)\b",
    "account": r"\b(?:verify|vérifi\w*|account|compte|password|mot de passe|suspend\w*|"
    r"bloqu\w*|locked|login|identifiant\w*|confirm\w*|colis|parcel|delivery|livraison)\b",
}
_LURE_RE = re.compile("|".join(f"(?P<{k}>{v})" for k, v in _LURES.items()), re.IGNORECASE)
_UPPER = re.compile(r"[A-ZÀ-ÖØ-Þ]")
_LETTER = re.compile(r"[^\W\d_]")


def _domain(url: str) -> str:
    url = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower())
    return url.split("/", 1)[0].split("?", 1)[0]


def markers(text: str) -> list[str]:
    """Pseudo-tokens for cues that generalise across channels: links, phones, money, lures."""
    return list(_markers(text))


@functools.lru_cache(maxsize=8192)
def _markers(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for url in _RAW_URL.findall(text):
        domain = _domain(url)
        out.append("__url__")
        if domain in _SHORTENERS:
            out.append("__short_url__")
        bare = re.sub(r"[^a-z]", "", domain.rsplit(".", 1)[0])
        if any(b in bare and bare != b for b in _BRANDS) or re.search(r"\d", domain.split(".")[0]):
            out.append("__lookalike_url__")
    if _PHONE.search(text):
        out.append("__phone__")
    if _MONEY.search(text):
        out.append("__money__")
    found = {m.lastgroup for m in _LURE_RE.finditer(text)}
    out.extend(f"__{name}__" for name in _LURES if name in found)
    if len(_UPPER.findall(text)) > 0.3 * max(1, len(_LETTER.findall(text))):
        out.append("__shouting__")
    return tuple(out)


_last: tuple[Featurizer, list[str], sparse.csr_matrix] | None = None


def shared_counts(featurizer: Featurizer, texts: list[str]) -> sparse.csr_matrix:
    """`featurizer.counts(texts)`, reusing the previous result for the same texts and settings.

    Sentiment and toxicity featurise a batch the same way: this halves the enrich stage's cost.
    """
    global _last
    if _last is not None and _last[0] == featurizer and _last[1] == texts:
        return _last[2]
    x = featurizer.counts(texts)
    _last = (featurizer, list(texts), x)
    return x


def text_of(signal: Signal) -> str:
    """What the models read: the text, or the title where a signal has no text."""
    return (signal.text or signal.title or "").strip()


def _word_salt(h: np.ndarray, n: int) -> np.ndarray:
    return _mix(h ^ (np.uint64(n) << np.uint64(56)))


def _char_salt(h: np.ndarray, n: int) -> np.ndarray:
    return _mix(h + np.uint64(n) * _MIX)


def _ngrams(
    symbols: np.ndarray,
    doc: np.ndarray,
    lo: int,
    hi: int,
    n_features: int,
    salt: Callable[[np.ndarray, int], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every hashed n-gram, lo <= n <= hi, that stays within one document.

    A rolling polynomial hash over `symbols` (word or character codes), salted by n so that
    n-grams of different lengths land apart; `doc` gives each symbol's document.
    """
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    h = np.zeros(len(symbols), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, hi + 1):
            width = len(symbols) - n + 1
            if width <= 0:
                break
            h = h[:width] * _PRIME + symbols[n - 1 :]
            if n < lo:
                continue
            same_doc = doc[:width] == doc[n - 1 :]
            rows.append(doc[:width][same_doc])
            cols.append((salt(h[same_doc], n) % np.uint64(n_features)).astype(np.int64))
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)
