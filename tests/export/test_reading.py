"""A selection is read from the real store one page at a time, each signal once."""

from __future__ import annotations

import itertools

import pytest

from pouls.export import read
from pouls.query import QueryError
from pouls.store import Filters, Page
from pouls.store.sqlite import SQLiteStore
from tests.conftest import make_signal


class Counting(SQLiteStore):
    """The real store, counting the pages asked of it."""

    pages = 0

    def search(self, *args: object, **kwargs: object) -> Page:  # type: ignore[override]
        self.pages += 1
        return super().search(*args, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def counting(tmp_path):  # type: ignore[no-untyped-def]
    s = Counting(tmp_path / "pouls.db")
    s.put([make_signal(n, "spam offre" if n % 3 == 0 else f"offre {n}") for n in range(250)])
    yield s
    s.close()


def test_every_match_once_newest_first_across_pages(counting: Counting) -> None:
    found = list(read(counting, "acme", "offre -spam", Filters(), page=40))
    assert len(found) == 250 - 84 and len({s.id for s in found}) == len(found)
    assert [s.created_at for s in found] == sorted((s.created_at for s in found), reverse=True)
    assert counting.pages == 5


def test_pages_are_read_as_they_are_consumed_one_ahead(counting: Counting) -> None:
    stream = read(counting, "acme", None, Filters(), page=40)
    assert counting.pages == 0
    assert len(list(itertools.islice(stream, 45))) == 45
    stream.close()
    assert counting.pages <= 3  # the page being written, at most one ahead, never all seven


def test_a_limit_stops_between_pages(counting: Counting) -> None:
    assert len(list(read(counting, "acme", None, Filters(), limit=55, page=40))) == 55
    assert counting.pages == 2


def test_a_query_that_does_not_parse_raises_on_the_first_read(counting: Counting) -> None:
    with pytest.raises(QueryError):
        next(read(counting, "acme", "offre AND (", Filters()))


def test_a_stream_closed_early_leaves_no_read_running(counting: Counting) -> None:
    stream = read(counting, "acme", None, Filters(), page=40)
    next(stream)  # the second page is now being read ahead
    stream.close()
    asked = counting.pages
    counting.close()  # closing the store at once must not pull a connection from under a read
    assert counting.pages == asked
