"""`pouls classify` as scripts use it: JSONL in, one JSONL line out per input, same order."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pouls.cli.classify import Task, classify_stream

POULS = str(Path(sys.executable).with_name("pouls"))
LINES = [
    {"id": 1, "text": "Je suis tellement content de ce concert, merci ❤️"},
    {"id": "b", "text": "This is the worst service I have ever had, shut up idiot"},
    {"id": 3, "text": "Gagnez 1000€ en BTC, écrivez-moi vite sur WhatsApp +33 6 12 34 56 78"},
]
LABELS = {
    Task.language: {"fr", "en", "es", "de", "it", "pt", "ar", "nl", "hi", "unknown"},
    Task.sentiment: {"negative", "neutral", "positive"},
    Task.hate: {0, 1},
    Task.offensive: {0, 1},
    Task.spam: {"ham", "spam"},
    Task.toxicity: {"none", "toxic", "hate", "offensive", "insult", "threat"},
}


def run(task: Task, lines: list[str], lang: str | None = None) -> tuple[list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    classify_stream(task, lang, io.StringIO("\n".join(lines) + "\n"), out, err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


@pytest.mark.parametrize("task", list(Task))
def test_classify_answers_every_task_in_input_order(task: Task):
    results, err = run(task, [json.dumps(x) for x in LINES])
    assert err == ""
    assert [r["id"] for r in results] == [1, "b", 3]
    for r in results:
        assert r["label"] in LABELS[task]
        assert 0 <= r["score"] <= 1
        if task is Task.toxicity:
            assert set(r["scores"]) >= {"toxic", "hate", "offensive", "threat"}


def test_classify_labels_the_obvious_cases():
    assert [r["label"] for r in run(Task.language, [json.dumps(x) for x in LINES])[0]] == [
        "fr",
        "en",
        "fr",
    ]
    assert run(Task.sentiment, [json.dumps(LINES[0])], lang="fr")[0][0]["label"] == "positive"
    assert run(Task.spam, [json.dumps(LINES[2])])[0][0]["label"] == "spam"
    assert run(Task.offensive, [json.dumps(LINES[1])], lang="en")[0][0]["label"] == 1


def test_classify_reports_a_malformed_line_in_place_and_goes_on():
    lines = [json.dumps(LINES[0]), "{not json", json.dumps({"id": 7}), json.dumps(LINES[1])]
    results, err = run(Task.sentiment, lines)
    assert [r.get("id") for r in results] == [1, None, 7, "b"]
    assert "error" in results[1] and "error" in results[2]
    assert "label" in results[0] and "label" in results[3]
    assert "line 2" in err and "line 4" not in err


def test_classify_command_reads_stdin_and_rejects_a_bad_language(tmp_path: Path):
    stdin = "\n".join(json.dumps(x) for x in LINES) + "\n"
    done = subprocess.run(
        [POULS, "--home", str(tmp_path), "classify", "--task", "spam"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == [1, "b", 3]
    bad = subprocess.run(
        [POULS, "--home", str(tmp_path), "classify", "--task", "spam", "--lang", "french"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "ISO 639-1" in bad.stderr  # a usage error
