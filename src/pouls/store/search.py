"""SQL for selecting stored signals: workspace scope, facet filters, the query language, paging.

A query compiles to SQL (`pouls.query.compile_sqlite`); where SQL can only narrow the candidates
(hashtags, mentions, emoji, ordered NEAR), `Selection.check` finishes with the matcher.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pouls.query import Matcher, compile_sqlite, parse
from pouls.signals import Signal
from pouls.store import Filters
from pouls.store.rows import to_us


@dataclass(frozen=True)
class Selection:
    """A WHERE clause over `signals` and, when it is only a superset, the check that finishes it."""

    clause: str
    params: list[object]
    check: Callable[[Signal], bool] | None = None
    match: str | None = None  # the FTS5 expression inside `clause`, if any
    ranged: bool = False  # bounded by since/until: walk the wall index over the range only
    placed: bool = False  # one place: walk the place index (`signals_place`) only


# The facets that are a column of the signals table (`topic` is a table of its own).
COLUMN_FACETS = ("channel", "source", "kind", "visibility", "lang", "sentiment")
# The `flag` facet: a score at or above 0.5, as the cards, alert rules and series count it.
# The `place` facet: the signal's geo place name, as the map's points are labelled.
PLACE = "json_extract(CAST(signals.doc AS TEXT), '$.geo.place')"
FLAGS = {"toxic": "signals.toxic >= 0.5", "scam": "signals.scam >= 0.5"}


def select(workspace: str, query: str | None, filters: Filters) -> Selection:
    """The selection shared by searches, counts, facets and series; scoped to one workspace.

    Raises `pouls.query.QueryError` (message, column) for a query that does not parse.
    """
    clauses: list[str] = ["signals.workspace = ?"]
    params: list[object] = [workspace]
    for column in COLUMN_FACETS:
        value = getattr(filters, column)
        if value is not None:
            clauses.append(f"signals.{column} = ?")
            params.append(value)
    if filters.flag is not None:
        if filters.flag not in FLAGS:
            raise ValueError(f"flag must be one of {', '.join(FLAGS)}, not {filters.flag!r}")
        clauses.append(FLAGS[filters.flag])
    if filters.topic is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM signal_topics t WHERE t.workspace = signals.workspace"
            " AND t.topic = ? AND t.seq = signals.seq)"
        )
        params.append(filters.topic)
    if filters.own is not None:  # a literal, so that SQLite can use the partial index
        clauses.append("signals.own = 1" if filters.own else "signals.own = 0")
    if filters.place is not None:
        # No column holds the place: it is read from the doc, through the `signals_place`
        # index on this same expression (migration 020; tests/web/test_place_filter.py checks
        # the plans), so a narrow place reads its own rows only.
        clauses.append(f"{PLACE} = ?")
        params.append(filters.place)
    if filters.since is not None:
        clauses.append("signals.created_at >= ?")
        params.append(to_us(filters.since))
    if filters.until is not None:
        clauses.append("signals.created_at < ?")
        params.append(to_us(filters.until))
    check = None
    match = None
    if query and query.strip():
        node = parse(query)
        plan = compile_sqlite(node)
        condition, values = plan.condition()
        clauses.append(f"({condition})")
        params.extend(values)
        match = plan.match
        if not plan.exact:
            matcher = Matcher({"q": node})
            check = lambda s: bool(matcher.match(s))  # noqa: E731
    ranged = filters.since is not None or filters.until is not None
    placed = filters.place is not None
    return Selection(" AND ".join(clauses), params, check, match, ranged, placed)


# Topic names never contain commas (config.Name), so a comma-joined list reads back safely.
TOPICS_OF = (
    "(SELECT group_concat(t.topic, ',') FROM signal_topics t"
    " WHERE t.workspace = signals.workspace AND t.seq = signals.seq)"
)


def page_sql(
    sel: Selection, *, after: str | None, limit: int, driven: bool = False
) -> tuple[str, list[object]]:
    """doc, created_at, seq and topics of the selection, newest first, after a keyset cursor.

    `driven`: the full-text query has few hits, so look them up by rowid and sort them, rather
    than walk the whole workspace newest first testing each row (the unary `+` keeps SQLite
    from using the workspace index).
    """
    clause, params = sel.clause, list(sel.params)
    if driven:
        clause = clause.replace("signals.workspace = ?", "+signals.workspace = ?", 1)
    if after:
        created, seq = (int(x) for x in after.split(":", 1))
        clause += " AND (signals.created_at, signals.seq) < (?, ?)"
        params += [created, seq]
    sql = (
        f"SELECT signals.doc, signals.created_at, signals.seq, {TOPICS_OF} FROM signals"
        f" WHERE {clause} ORDER BY signals.created_at DESC, signals.seq DESC LIMIT ?"
    )
    return sql, [*params, limit]


def count_sql(sel: Selection, *, driven: bool = False) -> tuple[str, list[object]]:
    clause = (
        sel.clause.replace("signals.workspace = ?", "+signals.workspace = ?", 1)
        if driven
        else sel.clause
    )
    return f"SELECT count(*) FROM signals WHERE {clause}", list(sel.params)


FTS_HITS = "SELECT count(*) FROM (SELECT rowid FROM signals_fts WHERE signals_fts MATCH ? LIMIT ?)"


def facet_sql(sel: Selection, column: str) -> tuple[str, list[object]]:
    """Counts of `column`'s values over the selection, largest first.

    Over a range, the planner would rather read a whole workspace in `signals_channel` order
    (or all its topic rows) than sort the few rows of the range: the unary `+` and the CROSS
    JOIN keep it on the range of `signals_wall` (checked by tests/store/test_range_plans.py).
    """
    if column == "flag":
        counts = " UNION ALL ".join(
            f"SELECT '{flag}', count(*) FROM signals WHERE {sel.clause} AND {test}"
            for flag, test in FLAGS.items()
        )
        return counts, list(sel.params) * len(FLAGS)
    if column == "own":  # "true": the workspace's own accounts, "false": everyone else
        return (
            "SELECT CASE signals.own WHEN 1 THEN 'true' ELSE 'false' END AS v, count(*) AS n"
            f" FROM signals WHERE {sel.clause} GROUP BY v ORDER BY n DESC",
            list(sel.params),
        )
    if column == "topic":
        tables = (
            "signals CROSS JOIN signal_topics t"
            if sel.ranged or sel.placed
            else "signal_topics t JOIN signals"
        )
        return (
            f"SELECT t.topic, count(*) AS n FROM {tables}"
            " ON signals.seq = t.seq AND signals.workspace = t.workspace"
            f" WHERE {sel.clause} GROUP BY t.topic ORDER BY n DESC",
            list(sel.params),
        )
    narrow = sel.ranged or sel.placed  # not the column's own index over the whole workspace
    value = f"+signals.{column}" if narrow else f"signals.{column}"
    return (
        f"SELECT {value} AS v, count(*) AS n FROM signals WHERE {sel.clause}"
        f" AND signals.{column} IS NOT NULL GROUP BY v ORDER BY n DESC",
        list(sel.params),
    )


SERIES_COLUMNS = (
    "count(*), sum(signals.sentiment = 'negative'), sum(signals.toxic >= 0.5),"
    " sum(signals.scam >= 0.5), sum(coalesce(signals.reach, 0)), count(DISTINCT signals.author),"
    " sum(signals.sentiment = 'positive'), sum(signals.sentiment = 'neutral')"
)


def series_sql(
    sel: Selection, step: int, first: int, end: int, origin: int = 0
) -> tuple[str, list[object]]:
    """Aggregates per bucket of `step` microseconds over [first, end), for the selection;
    buckets start at `origin` plus a whole number of steps (a local midnight, a Monday)."""
    sql = (
        f"SELECT ((signals.created_at - ?) / ?) * ? + ? AS b, {SERIES_COLUMNS} FROM signals"
        f" WHERE {sel.clause} AND signals.created_at >= ? AND signals.created_at < ?"
        " GROUP BY b ORDER BY b"
    )
    return sql, [origin, step, step, origin, *sel.params, first, end]
