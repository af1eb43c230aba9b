from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "datasets" / "nab_other"
TOLERANCE = 0.5


@pytest.mark.datasets
@pytest.mark.skipif(not (DATA / "data").is_dir(), reason=f"NAB data absent: {DATA} not found")
def test_metric_detector_keeps_its_recorded_nab_standard_score():
    from scripts.nab_eval import score_corpus, table

    recorded = re.search(
        r"nab:standard:all=([-\d.]+)", (ROOT / "docs" / "detectors.md").read_text()
    )
    assert recorded, "docs/detectors.md lacks its nab:standard:all marker"
    results = score_corpus(DATA)
    overall = table(results)[-1]
    assert overall[0] == "all"
    assert float(overall[2]) >= float(recorded.group(1)) - TOLERANCE
