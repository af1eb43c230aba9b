"""Build the shipped polarity lexicon from VADER (English) and vaderSentiment-fr (French).

Both packages are MIT-licensed (C.J. Hutto 2016; French port by its authors); they are dev
dependencies only: the runtime reads the resulting `lexicon.txt`.
"""

from __future__ import annotations

from importlib.resources import files

from pouls.enrich.features import MODELS_DIR

HEADER = (
    "# word<TAB>valence in [-4, 4]. From vaderSentiment 3.3.2 (MIT, C.J. Hutto) and\n"
    "# vadersentiment-fr 1.3.4 (MIT, French port of VADER); English entries win on clashes.\n"
)


def build() -> int:
    """Write models/lexicon.txt; returns the number of entries."""
    lex: dict[str, float] = {}
    english = files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")
    for line in english.splitlines():
        word, value = line.split("\t")[:2]
        lex[word.lower()] = float(value)
    french = files("vaderSentiment_fr").joinpath("fr_lexicon.txt").read_text(encoding="utf-8")
    for line in french.splitlines():
        word, _, value = line.strip().rpartition("->")
        if word:
            lex.setdefault(word.lower(), float(value))
    lines = [f"{w}\t{v:g}\n" for w, v in sorted(lex.items()) if "\t" not in w and w.strip()]
    (MODELS_DIR / "lexicon.txt").write_text(HEADER + "".join(lines), encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    print(build())
