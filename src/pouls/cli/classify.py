"""`pouls classify`: run one shipped model over JSONL on stdin, for evaluation and scripting."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any, TextIO

import msgspec
import typer

from pouls.cli.context import say, say_plural

BATCH = 512


class Task(StrEnum):
    language = "language"
    sentiment = "sentiment"
    toxicity = "toxicity"
    hate = "hate"
    offensive = "offensive"
    spam = "spam"


def _language(texts: list[str], lang: str | None) -> list[dict[str, Any]]:
    from pouls.enrich import language

    return [{"label": code, "score": score} for code, score in language.detect(texts)]


def _langs(texts: list[str], lang: str | None) -> list[str | None]:
    from pouls.enrich import language

    return [lang] * len(texts) if lang else [code for code, _ in language.detect(texts)]


def _sentiment(texts: list[str], lang: str | None) -> list[dict[str, Any]]:
    from pouls.enrich import sentiment

    langs = _langs(texts, lang)
    return [{"label": s.label, "score": s.score} for s in sentiment.classify(texts, langs)]


def _toxicity(texts: list[str], lang: str | None) -> list[dict[str, Any]]:
    from pouls.enrich import toxicity

    out = []
    langs = _langs(texts, lang)
    for scores, code in zip(toxicity.score(texts, langs), langs, strict=True):
        present = {a: p for a, p in scores.items() if p >= toxicity.threshold(a, code)}
        top = max(present, key=present.__getitem__) if present else "none"
        best = present[top] if present else max(scores.values())
        out.append({"label": top, "score": best, "scores": scores})
    return out


def _binary(attribute: str):  # type: ignore[no-untyped-def]
    def run(texts: list[str], lang: str | None) -> list[dict[str, Any]]:
        from pouls.enrich import toxicity

        langs = _langs(texts, lang)
        found = toxicity.score(texts, langs)
        return [
            {
                "label": int(s[attribute] >= toxicity.threshold(attribute, code)),
                "score": s[attribute],
            }
            for s, code in zip(found, langs, strict=True)
        ]

    return run


def _spam(texts: list[str], lang: str | None) -> list[dict[str, Any]]:
    from pouls.enrich import scam

    cut = scam.threshold()
    return [{"label": "spam" if p >= cut else "ham", "score": p} for p in scam.score(texts)]


RUNNERS = {
    Task.language: _language,
    Task.sentiment: _sentiment,
    Task.toxicity: _toxicity,
    Task.hate: _binary("hate"),
    Task.offensive: _binary("offensive"),
    Task.spam: _spam,
}


class _Line(msgspec.Struct):
    text: str
    id: Any = None


_decoder = msgspec.json.Decoder(_Line)
_encoder = msgspec.json.Encoder()


def _parse(line: str, number: int) -> tuple[Any, str | None, str | None]:
    """(id, text, error) for one input line."""
    try:
        item = _decoder.decode(line)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        ident = None
        try:
            raw = msgspec.json.decode(line)
            ident = raw.get("id") if isinstance(raw, dict) else None
        except msgspec.DecodeError:
            pass
        return ident, None, f"line {number}: {exc}"
    return item.id, item.text, None


def classify_stream(task: Task, lang: str | None, lines: TextIO, out: TextIO, err: TextIO) -> int:
    """Classify every JSONL line of `lines` onto `out` in order; returns the number of errors."""
    runner = RUNNERS[task]
    errors = 0
    for chunk in _chunks(lines):
        parsed = [_parse(line, number) for number, line in chunk]
        texts = [text for _, text, error in parsed if error is None]
        results = iter(runner(texts, lang)) if texts else iter(())
        for ident, _, error in parsed:
            if error is not None:
                errors += 1
                err.write(f"pouls classify: {error}\n")
                record: dict[str, Any] = {"id": ident, "error": error}
            else:
                record = {"id": ident, **next(results)}
            out.write(_encoder.encode(record).decode() + "\n")
        out.flush()
    return errors


def _chunks(lines: TextIO) -> Iterator[list[tuple[int, str]]]:
    chunk: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        chunk.append((number, line))
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def register(app: typer.Typer) -> None:
    @app.command()
    def classify(
        task: Annotated[Task, typer.Option("--task", help="Which model to run.")],
        lang: Annotated[
            str | None,
            typer.Option(
                "--lang",
                help="ISO 639-1 code of every input (sentiment picks its model by it); "
                "detected per text when absent.",
            ),
        ] = None,
    ) -> None:
        """Read JSONL {"id", "text"} on stdin; write {"id", "label", "score"} per line, in order.

        Labels: language ISO 639-1 or unknown; sentiment negative|neutral|positive; hate and
        offensive the integers 0|1; spam ham|spam; toxicity the top attribute present or none,
        with "scores" for every attribute. A malformed line gives {"id": null, "error": ...}.
        """
        if lang is not None and (len(lang) != 2 or not lang.isalpha()):
            said = say("a two-letter ISO 639-1 code, not %(code)r", code=lang)
            raise typer.BadParameter(said, param_hint="'--lang'")
        errors = classify_stream(task, lang and lang.lower(), sys.stdin, sys.stdout, sys.stderr)
        if errors:
            said = say_plural(
                "%(num)s line could not be read", "%(num)s lines could not be read", errors
            )
            sys.stderr.write(f"pouls classify: {said}\n")
