"""`python -m scripts.brand_set`: build datasets/brand/{fr,en}.jsonl from their hand-written
sources and print the counts and label balance.

The set is written by hand for pouls (datasets/brand/README.md). Its sources are one message a
line, `sector | sentiment | flags | tags | entities | text`, because a line is quicker to write
and to review than a JSON object; the JSON Lines files are what the evaluation reads.

- sentiment: `+`, `0` or `-`;
- flags: letters among T (toxic), H (hate), S (scam), W (highlight: worth showcasing),
  B (the brand's own reply), or `.`;
- tags: comma-separated, or `.`; the flags H, S and B add their tag (hate, scam, brand_reply);
- entities: `;`-separated names as written in the text, or `.`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

BRAND = Path(__file__).resolve().parents[1] / "datasets" / "brand"
SOURCES = BRAND / "sources"
LANGS = ("fr", "en")
SENTIMENTS = {"+": "positive", "0": "neutral", "-": "negative"}
FLAGS = frozenset("THSWB")
SECTORS = frozenset(
    {"food", "retail", "telecom", "transport", "energy", "banking", "travel", "delivery", "hotel"}
)
TAGS = frozenset(
    {
        "slang",
        "regional",
        "negation_idiom",
        "implicit_complaint",
        "safety",
        "question",
        "sarcasm",
        "emoji_only",
        "brand_reply",
        "praise",
        "complaint",
        "scam",
        "insult",
        "hate",
        "short",
        "mixed",
        "tip",
        "intensifier",
    }
)


class SourceError(ValueError):
    """A source line that does not follow the format."""


def parse(line: str, where: str) -> dict[str, object]:
    """One message of a source line (without id and lang)."""
    parts = [p.strip() for p in line.split(" | ", 5)]
    if len(parts) != 6 or not parts[5]:
        raise SourceError(f"{where}: expected 6 fields separated by ' | '")
    sector, mood, flags, tags, entities, text = parts
    if sector not in SECTORS:
        raise SourceError(f"{where}: unknown sector {sector!r}")
    if mood not in SENTIMENTS:
        raise SourceError(f"{where}: sentiment must be +, 0 or -, not {mood!r}")
    flag_set = set() if flags == "." else set(flags)
    if not flag_set <= FLAGS:
        raise SourceError(f"{where}: unknown flags {sorted(flag_set - FLAGS)}")
    tag_list = [] if tags == "." else [t.strip() for t in tags.split(",")]
    tag_list += [
        t for f, t in (("H", "hate"), ("S", "scam"), ("B", "brand_reply")) if f in flag_set
    ]
    unknown = set(tag_list) - TAGS
    if unknown:
        raise SourceError(f"{where}: unknown tags {sorted(unknown)}")
    names = [] if entities == "." else [e.strip() for e in entities.split(";")]
    missing = [n for n in names if n not in text]
    if missing:
        raise SourceError(f"{where}: entities not in the text: {missing}")
    return {
        "text": text,
        "sector": sector,
        "sentiment": SENTIMENTS[mood],
        "toxic": int("T" in flag_set or "H" in flag_set),
        "hate": int("H" in flag_set),
        "scam": int("S" in flag_set),
        "highlight": int("W" in flag_set),
        "entities": names,
        "brand_reply": int("B" in flag_set),
        "tags": sorted(set(tag_list)),
    }


def build(lang: str) -> list[dict[str, object]]:
    """The messages of one language, from every `sources/<lang>-*.txt`, with ids."""
    out: list[dict[str, object]] = []
    seen: set[str] = set()
    for path in sorted(SOURCES.glob(f"{lang}-*.txt")):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            row = parse(line, f"{path.name}:{n}")
            if row["text"] in seen:
                raise SourceError(f"{path.name}:{n}: duplicate text")
            seen.add(str(row["text"]))
            out.append({"id": f"{lang}-{len(out) + 1:04d}", "lang": lang, **row})
    return out


def dumps(rows: list[dict[str, object]]) -> str:
    """The JSON Lines text of `rows` (keys in a fixed order, UTF-8 kept readable)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def stats(rows: list[dict[str, object]]) -> dict[str, object]:
    """Counts of every label, for the card and for a look at the balance."""
    tags: Counter[str] = Counter(t for r in rows for t in r["tags"])  # type: ignore[attr-defined]
    return {
        "n": len(rows),
        "sentiment": dict(Counter(str(r["sentiment"]) for r in rows)),
        "sector": dict(Counter(str(r["sector"]) for r in rows)),
        **{k: sum(int(r[k]) for r in rows) for k in ("toxic", "hate", "scam", "highlight")},  # type: ignore[call-overload]
        "brand_reply": sum(int(r["brand_reply"]) for r in rows),  # type: ignore[call-overload]
        "with_entities": sum(bool(r["entities"]) for r in rows),
        "tags": dict(sorted(tags.items())),
    }


def main(check: bool = False) -> None:
    for lang in LANGS:
        rows = build(lang)
        path = BRAND / f"{lang}.jsonl"
        if check:
            if not path.exists() or path.read_text("utf-8") != dumps(rows):
                sys.exit(f"{path} is stale: run python -m scripts.brand_set")
        else:
            path.write_text(dumps(rows), "utf-8")
        print(lang, json.dumps(stats(rows), ensure_ascii=False))


if __name__ == "__main__":
    main(check="--check" in sys.argv[1:])
