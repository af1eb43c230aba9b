"""Topic matching speed: 10,000 brand topics against 100,000 French/English signals.

Reports compile time and signals per CPU-second (one core; wall time too) for the streaming
matcher (full boolean evaluation), against one compiled regular expression per topic and a
flashtext keyword scan of the same texts with the same keywords (no boolean logic), and the time
to backfill one topic from SQLite. Speeds are the best of RUNS passes over the same signals (a
running matcher has seen its vocabulary before); the matcher's first pass is reported too.
Sizes: POULS_BENCH_TOPICS (10000), POULS_BENCH_SIGNALS (100000), POULS_BENCH_BACKFILL
(1000000 stored signals; 0 skips it). Target (issue 4): >= 50,000 signals/s per core.
Writes bench/results/query.json.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from pouls.query import Matcher, Node, Phrase, Word, compile_sqlite, parse, words
from pouls.query.nodes import leaves as leaves_of

RESULTS = Path(__file__).parent / "results" / "query.json"
RUNS = 3

COMMON_FR = (  # noqa: SIM905 - a sentence reads better than a list
    "le la les un une des de du et à en pour avec sur dans par pas plus ce cette qui que il elle "
    "nous vous ils on est sont été être avoir fait faire très bien aussi mais ou donc car comme "
    "tout tous aujourd'hui hier demain service client commande livraison produit prix magasin "
    "achat avis problème panne retard remboursement qualité nouveau nouvelle école grève rentrée "
    "été café merci bonjour vraiment encore toujours jamais déjà trop peu beaucoup vite lent "
    "équipe réponse appel attente semaine mois année Paris Lyon Marseille ville gare train métro "
    "météo soleil pluie match équipe victoire défaite musique film série offre emploi job"
).split()
COMMON_EN = (  # noqa: SIM905
    "the a an of and to in for with on at by not more this that who it is are was be have do "
    "very well also but or so because like all today yesterday tomorrow customer service order "
    "delivery product price store purchase review problem broken late refund quality new school "
    "strike summer coffee thanks hello really still always never already too few many fast slow "
    "team answer call waiting week month year city station train weather sun rain game win loss "
    "music movie show offer job hiring love hate great awful support app update bug crash"
).split()
ELIDED = ["l'", "d'", "qu'", "j'", "l’", "d’", "n'", "c'"]
PRODUCTS = ["max", "pro", "air", "one", "plus", "mini", "ultra", "lite", "go", "x", "sport"]
NEGATIVES = ["job", "emploi", "recrutement", "hiring", "promo", "giveaway", "concours", "stage"]
CONTEXT = ["avis", "review", "problème", "panne", "bug", "broken", "service", "remboursement"]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "ve",
    "to",
    "zu",
    "ni",
    "sa",
    "po",
    "lu",
    "ré",
    "do",
    "xi",
    "bo",
    "te",
    "va",
    "qui",
    "no",
    "fé",
    "ar",
    "on",
    "el",
    "is",
    "um",
    "ax",
    "or",
    "in",
]


def _brands(rng: random.Random, n: int) -> list[str]:
    found: set[str] = set()
    while len(found) < n:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if len(name) >= 4:
            found.add(name)
    return sorted(found)


def make_topics(rng: random.Random, brands: list[str], n: int) -> dict[str, str]:
    """Realistic brand queries: words, phrases, wildcards, NOT clauses, some proximity."""
    topics: dict[str, str] = {}
    for i in range(n):
        b, b2 = rng.choice(brands), rng.choice(brands)
        p = rng.choice(PRODUCTS)
        neg = " OR ".join(rng.sample(NEGATIVES, rng.randint(1, 3)))
        ctx = " OR ".join(rng.sample(CONTEXT, rng.randint(2, 3)))
        template = i % 10
        topics[f"t{i}"] = [
            f"{b}",
            f'{b} OR "{b} {p}"',
            f"({b} OR {b2}) -({neg})",
            f'"{b} {p}" NOT promo*',
            f"{b[:4]}* ({ctx})",
            f"{b} NEAR/5 ({ctx})",
            f"({b} OR #{b}) lang:fr",
            f'"{b} service client"~3',
            f"({b} OR @{b} OR #{b}) -({neg}) -channel:rss",
            f'({b} OR "{b2} {p}") ({ctx})',
        ][template]
    return topics


def make_signals(rng: random.Random, brands: list[str], n: int) -> list[dict[str, Any]]:
    """Mixed French/English posts; about one in ten names a brand."""
    out = []
    for i in range(n):
        vocab = COMMON_FR if i % 2 else COMMON_EN
        parts = []
        for _ in range(rng.randint(12, 40)):
            word = rng.choice(vocab)
            if vocab is COMMON_FR and rng.random() < 0.08:
                word = rng.choice(ELIDED) + word
            parts.append(word.capitalize() if rng.random() < 0.1 else word)
        if rng.random() < 0.1:
            brand = rng.choice(brands)
            form = rng.choice(
                [brand, brand.upper(), f"#{brand}", f"@{brand}", f"{brand} {rng.choice(PRODUCTS)}"]
            )
            parts.insert(rng.randrange(len(parts) + 1), form)
        if rng.random() < 0.05:
            parts.append(rng.choice(["👍", "😡", "🙏", "❤️"]))
        signal = {
            "text": " ".join(parts) + rng.choice([".", " !", " ?", ""]),
            "lang": "fr" if vocab is COMMON_FR else "en",
            "channel": rng.choice(["mastodon", "bluesky", "rss"]),
        }
        if rng.random() < 0.2:
            signal["title"] = " ".join(rng.choice(vocab) for _ in range(6))
        out.append(signal)
    return out


def _regex_for(node: Node) -> re.Pattern[str]:
    terms = []
    for leaf in leaves_of(node):
        text = (
            getattr(leaf, "text", None) or getattr(leaf, "stem", None) or getattr(leaf, "tag", None)
        )
        if text is None and hasattr(leaf, "words"):
            text = " ".join(leaf.words)
        if text is None:
            continue
        terms.append(re.escape(text) + (r"\w*" if hasattr(leaf, "stem") else ""))
    return re.compile(r"\b(?:" + "|".join(terms) + r")\b")


def bench_regex(nodes: list[Node], signals: list[dict[str, Any]]) -> dict[str, float]:
    """One compiled regex per topic (its positive and negative terms), run over folded text."""
    t0 = time.perf_counter()
    regexes = [_regex_for(node) for node in nodes]
    compile_s = time.perf_counter() - t0
    t0 = time.process_time()
    for s in signals:
        text = " ".join(words(f"{s.get('title') or ''} {s['text']}"))
        for rx in regexes:
            rx.search(text)
    elapsed = time.process_time() - t0
    return {
        "compile_s": round(compile_s, 3),
        "signals": len(signals),
        "signals_per_cpu_s": round(len(signals) / elapsed, 1),
    }


def _keyword(leaf: Node) -> str | None:
    """What flashtext is given for a leaf: the word, phrase, tag, handle, emoji or stem."""
    if isinstance(leaf, Phrase):
        return " ".join(leaf.words)
    if isinstance(leaf, Word):
        return leaf.text
    return (
        getattr(leaf, "stem", None)
        or getattr(leaf, "tag", None)
        or getattr(leaf, "handle", None)
        or getattr(leaf, "char", None)
    )


def bench_flashtext(nodes: list[Node], signals: list[dict[str, Any]]) -> dict[str, Any]:
    """flashtext's keyword scan of the same texts with the same keywords (no boolean logic).

    flashtext matches whole words only and folds case, not accents: a stem is looked for as a
    word, and nothing is evaluated after the scan.
    """
    try:
        from flashtext import KeywordProcessor
    except ImportError:
        return {"skipped": "flashtext is not installed (pip install -e '.[dev]')"}
    t0 = time.perf_counter()
    kp = KeywordProcessor(case_sensitive=False)
    for node in nodes:
        for leaf in leaves_of(node):
            keyword = _keyword(leaf)
            if keyword:
                kp.add_keyword(keyword)
    compile_s = time.perf_counter() - t0
    texts = [f"{s.get('title') or ''}\n{s['text']}" for s in signals]
    best = float("inf")
    for _ in range(RUNS):
        t0 = time.process_time()
        for text in texts:
            kp.extract_keywords(text)
        best = min(best, time.process_time() - t0)
    return {
        "compile_s": round(compile_s, 3),
        "keywords": len(kp),
        "signals": len(signals),
        "signals_per_cpu_s": round(len(signals) / best, 1),
    }


def bench_backfill(query: str, signals: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """Store `total` signals (the generated ones, repeated) in SQLite, then select one topic."""
    migrations = sorted((Path(__file__).parents[1] / "src/pouls/store/migrations").glob("*.sql"))
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "bench.db")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = OFF")
        for migration in migrations:
            db.executescript(migration.read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        rows = (
            (
                i,
                f"s{i}",
                "w",
                "src",
                s["channel"],
                "post",
                "public",
                s["lang"],
                s.get("title"),
                s["text"],
                json.dumps(s).encode(),
            )
            for i, s in ((i, signals[i % len(signals)]) for i in range(1, total + 1))
        )
        db.executemany(
            "INSERT INTO signals (seq, id, workspace, source, channel, kind, visibility, lang,"
            " created_at, observed_at, title, text, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)",
            rows,
        )
        # As SQLiteStore.put does since migration 006: the index is filled in one statement.
        db.execute(
            "INSERT INTO signals_fts (rowid, title, text) SELECT seq, title, text FROM signals"
        )
        db.commit()
        load_s = time.perf_counter() - t0
        node = parse(query)
        plan = compile_sqlite(node)
        t0 = time.perf_counter()
        condition, params = plan.condition()
        found = db.execute(
            f"SELECT seq, title, text, lang, channel FROM signals WHERE {condition}", params
        ).fetchall()
        if not plan.exact:
            matcher = Matcher({"q": node})
            found = [
                r
                for r in found
                if matcher.match({"title": r[1], "text": r[2], "lang": r[3], "channel": r[4]})
            ]
        backfill_s = time.perf_counter() - t0
        db.close()
    return {
        "stored": total,
        "query": query,
        "exact_in_sql": plan.exact,
        "matches": len(found),
        "load_s": round(load_s, 1),
        "backfill_s": round(backfill_s, 3),
    }


def main() -> None:
    n_topics = int(os.environ.get("POULS_BENCH_TOPICS", "10000"))
    n_signals = int(os.environ.get("POULS_BENCH_SIGNALS", "100000"))
    n_backfill = int(os.environ.get("POULS_BENCH_BACKFILL", "1000000"))
    rng = random.Random(4)
    brands = _brands(rng, max(50, n_topics // 2))
    topics = make_topics(rng, brands, n_topics)
    signals = make_signals(rng, brands, n_signals)

    t0, c0 = time.perf_counter(), time.process_time()
    matcher = Matcher(topics)
    matcher.match({"text": ""})  # chooses the triggers
    compile_s, compile_cpu = time.perf_counter() - t0, time.process_time() - c0
    runs = []
    for _ in range(RUNS):
        t0, c0 = time.perf_counter(), time.process_time()
        matched = matcher.match_batch(signals)
        runs.append((time.process_time() - c0, time.perf_counter() - t0))
    cpu, elapsed = min(runs)
    t0 = time.perf_counter()
    matcher.update("t0", "kalomi OR rave")
    matcher.match({"text": ""})
    update_s = time.perf_counter() - t0

    texts = [s["text"] for s in signals]
    tokenise = []
    for _ in range(RUNS):
        c0 = time.process_time()
        for text in texts:
            words(text)
        tokenise.append(time.process_time() - c0)

    nodes = [parse(q) for q in topics.values()]
    sample = signals[: max(1, min(len(signals), 2_000_000 // max(n_topics, 1)))]
    result = {
        "topics": n_topics,
        "signals": n_signals,
        "matcher": {
            "compile_s": round(compile_s, 3),
            "compile_cpu_s": round(compile_cpu, 3),
            "update_one_topic_s": round(update_s, 4),
            "signals_per_cpu_s": round(n_signals / cpu, 1),
            "signals_per_wall_s": round(n_signals / elapsed, 1),
            "first_pass_signals_per_cpu_s": round(n_signals / runs[0][0], 1),
            "words_us_per_signal": round(min(tokenise) / n_signals * 1e6, 2),
            "signals_with_a_topic": sum(1 for m in matched if m),
            "topic_matches": sum(len(m) for m in matched),
        },
        "regex_per_topic": bench_regex(nodes, sample),
        "flashtext_keywords_only": bench_flashtext(nodes, signals),
        "target_signals_per_s": 50_000,
    }
    if n_backfill:
        result["backfill"] = bench_backfill(next(iter(topics.values())), signals, n_backfill)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
