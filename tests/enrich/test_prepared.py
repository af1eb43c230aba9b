"""Shipped models kept ready to score: the second process maps what the first prepared."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from pouls.enrich import prepared
from pouls.enrich.features import MODELS_DIR
from pouls.enrich.linear import LinearModel

TEXTS = ["Service nul, plus jamais", "Great coffee and kind staff", "bof", ""]


@pytest.fixture
def artefact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POULS_MODEL_CACHE", str(tmp_path / "cache"))
    copy = tmp_path / "sentiment-fr.npz"
    shutil.copy(MODELS_DIR / "sentiment-fr.npz", copy)
    return copy


def test_a_model_loaded_again_is_mapped_from_the_cache_and_scores_the_same(artefact: Path):
    first = LinearModel.load(artefact)
    entry = prepared.location(artefact)
    assert entry is not None and (entry / "weights.npy").exists()
    second = LinearModel.load(artefact)
    assert isinstance(second.weights, np.memmap)
    assert (second.digest, second.columns, second.classes) == (
        first.digest,
        first.columns,
        first.classes,
    )
    assert np.array_equal(second.predict_proba(TEXTS), first.predict_proba(TEXTS))
    assert np.array_equal(second.idf2, first.idf2)


def test_a_retrained_artefact_is_read_again_and_its_old_entry_removed(artefact: Path):
    LinearModel.load(artefact)
    old = prepared.location(artefact)
    stat = artefact.stat()
    os.utime(artefact, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    LinearModel.load(artefact)
    new = prepared.location(artefact)
    assert new != old and new is not None and new.exists()
    assert old is not None and not old.exists()


def test_a_cache_that_cannot_be_written_only_costs_time(
    artefact: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("POULS_MODEL_CACHE", str(blocked / "cache"))
    model = LinearModel.load(artefact)
    assert model.predict_proba(TEXTS).shape == (len(TEXTS), 3)
    assert prepared.read(blocked / "cache" / "x") is None
