"""Signals deleted from the store after the rollups were built (a data subject's erasure, done
in SQL) are no longer counted by the dashboards: the deletion marks their blocks through the
store's triggers, and the next dashboard or warm-up rebuilds them, with no step the erasing
code could forget."""

from __future__ import annotations

from pathlib import Path

import pytest

from pouls.analyse.figures import dashboard
from pouls.analyse.rollups import warm
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from tests.analyse.test_figures import settings
from tests.analyse.test_rollups import MONTH, WEEK, dirty, exact
from tests.store.test_figures import history


def _erase(store: SQLiteStore, author: str) -> int:
    with store._transaction() as tx:
        return tx.execute(
            "DELETE FROM signals WHERE workspace = 'acme'"
            " AND json_extract(CAST(doc AS TEXT), '$.author_handle') = ?",
            (author,),
        ).rowcount


@pytest.mark.parametrize("warm_after", [True, False])
def test_an_erased_authors_signals_leave_every_figure(
    store: SQLiteStore, tmp_path: Path, warm_after: bool
) -> None:
    store.put(history())
    warm(store)
    before = dashboard(store, settings(tmp_path), "acme", None, Filters(), MONTH)
    top = before.top["authors_volume"][0]
    erased = _erase(store, top.key)
    assert erased >= top.count > 0 and dirty(store)
    if warm_after:  # pouls up's builder got there first
        assert warm(store) > 0 and dirty(store) == []
    for topic in (None, "croissants"):
        board = dashboard(store, settings(tmp_path), "acme", None, Filters(topic=topic), MONTH)
        # the figures leave the workspace's own accounts out
        shown = Filters(topic=topic, own=False, since=MONTH.since, until=MONTH.until)
        left = store.search("acme", None, shown, count=True)
        assert board.totals["volume"].value == left.total
        assert top.key not in {i.key for i in board.top["authors_volume"]}
        assert top.key not in {i.key for i in board.top["authors_reach"]}
    after = dashboard(store, settings(tmp_path), "acme", None, Filters(), MONTH)
    assert after.totals["volume"].value == before.totals["volume"].value - top.count
    exact(store, WEEK)  # the rollups count what counting the signals left counts
