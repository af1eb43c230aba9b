"""A selection read from the store page by page, so an export of millions holds one page.

Pages follow the store's `after` cursor, newest first: signals stored while an export runs are
newer than its first page and are not mixed in, and none is read twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from pouls.signals import Signal
from pouls.store import Filters, Store

PAGE = 1000


def read(
    store: Store,
    workspace: str,
    query: str | None,
    filters: Filters,
    *,
    limit: int = 0,
    page: int = PAGE,
) -> Iterator[Signal]:
    """Every match newest first, up to `limit` (0: no limit), read one page at a time.

    Raises `pouls.query.QueryError` on the first `next()` when the query does not parse.
    """
    after: str | None = None
    left = limit or None
    while left is None or left > 0:
        size = page if left is None else min(page, left)
        found = store.search(workspace, query, filters, limit=size, after=after)
        yield from found.signals
        if left is not None:
            left -= len(found.signals)
        if found.next is None:
            return
        after = found.next
