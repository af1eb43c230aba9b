"""Shipped models kept ready to score: their arrays as scoring uses them, memory-mapped.

A `.npz` artefact is compressed and stores coefficients sparsely (small in the repository):
reading it means inflating it and laying the weights out densely, about 1.5 CPU-seconds for
the shipped models in every process that starts (`pouls import`, `pouls up`, each CLI call
that enriches). The first process writes the dense arrays, uncompressed, to a cache directory
(POULS_MODEL_CACHE, else $XDG_CACHE_HOME/pouls/models, else ~/.cache/pouls/models); the
next ones map them (`np.load(mmap_mode="r")`): nothing is inflated or copied, and the pages
are shared between processes by the operating system. The key is the artefact's name, size
and modification time: a retrained model (`make models`) is read again and its old entry
removed. Where the cache cannot be written, models load from the artefact as before.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("pouls.enrich")
FORMAT = 1  # bump when what is written changes


def cache_root() -> Path:
    """Where prepared models are kept."""
    given = os.environ.get("POULS_MODEL_CACHE")
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pouls" / "models"


def location(artefact: Path) -> Path | None:
    """The cache entry of one artefact (None when it cannot be read)."""
    try:
        info = artefact.stat()
    except OSError:
        return None
    return cache_root() / f"{artefact.stem}-{info.st_size}-{info.st_mtime_ns}-v{FORMAT}"


def read(entry: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]] | None:
    """The arrays (memory-mapped, read-only) and facts of an entry; None if it is not there."""
    try:
        facts = json.loads((entry / "facts.json").read_text(encoding="utf-8"))
        arrays = {
            name: np.load(entry / f"{name}.npy", mmap_mode="r", allow_pickle=False)
            for name in facts["arrays"]
        }
    except (OSError, ValueError, KeyError):
        return None
    return arrays, facts


def write(entry: Path, arrays: dict[str, np.ndarray], facts: dict[str, Any]) -> None:
    """Write an entry whole (a temporary directory renamed), and drop older entries of the
    same artefact; failures are logged and ignored: the cache only saves time."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        for old in entry.parent.glob(f"{entry.name.split('-')[0]}-*"):
            if (
                old.name != entry.name
                and old.name.rsplit("-", 3)[0] == entry.name.rsplit("-", 3)[0]
            ):
                shutil.rmtree(old, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix=".writing-", dir=entry.parent))
        for name, array in arrays.items():
            np.save(work / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        (work / "facts.json").write_text(
            json.dumps({**facts, "arrays": sorted(arrays)}), encoding="utf-8"
        )
        try:
            work.rename(entry)
        except OSError:  # another process wrote it first
            shutil.rmtree(work, ignore_errors=True)
    except OSError as exc:
        log.debug("model cache not written at %s: %s", entry, exc)
