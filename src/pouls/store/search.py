"""SQL for searching stored signals: workspace scope, facet filters, full text, keyset paging."""

from __future__ import annotations

import re

from pouls.store import Filters
from pouls.store.rows import to_us

_WORD = re.compile(r"\w+")


def fts_query(text: str) -> str | None:
    """Plain words to an FTS5 expression: every word must appear (accent- and case-insensitive)."""
    words = _WORD.findall(text)
    return " AND ".join(f'"{w}"' for w in words) or None


def where(workspace: str, query: str | None, filters: Filters) -> tuple[str, list[object]]:
    """The WHERE clause shared by searches, counts and facets; always scoped to one workspace."""
    clauses: list[str] = ["s.workspace = ?"]
    params: list[object] = [workspace]
    for column in ("channel", "source", "kind", "visibility", "lang"):
        value = getattr(filters, column)
        if value is not None:
            clauses.append(f"s.{column} = ?")
            params.append(value)
    if filters.topic is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM signal_topics t"
            " WHERE t.workspace = s.workspace AND t.topic = ? AND t.seq = s.seq)"
        )
        params.append(filters.topic)
    if filters.since is not None:
        clauses.append("s.created_at >= ?")
        params.append(to_us(filters.since))
    if filters.until is not None:
        clauses.append("s.created_at < ?")
        params.append(to_us(filters.until))
    match = fts_query(query) if query else None
    if match:
        clauses.append("s.seq IN (SELECT rowid FROM signals_fts WHERE signals_fts MATCH ?)")
        params.append(match)
    return " AND ".join(clauses), params


def search_sql(
    workspace: str,
    query: str | None,
    filters: Filters,
    *,
    after: str | None = None,
    limit: int = 50,
    count: bool = False,
) -> tuple[str, list[object]]:
    """SELECT doc, created_at, seq ... newest first, or SELECT count(*) when `count`."""
    clause, params = where(workspace, query, filters)
    if count:
        return f"SELECT count(*) FROM signals s WHERE {clause}", params
    if after:
        created, seq = (int(x) for x in after.split(":", 1))
        clause += " AND (s.created_at, s.seq) < (?, ?)"
        params += [created, seq]
    sql = (
        f"SELECT s.doc, s.created_at, s.seq FROM signals s WHERE {clause}"
        " ORDER BY s.created_at DESC, s.seq DESC LIMIT ?"
    )
    return sql, [*params, limit]


def facet_sql(
    workspace: str, query: str | None, filters: Filters, column: str
) -> tuple[str, list[object]]:
    """Counts of `column`'s values over the selection, largest first."""
    clause, params = where(workspace, query, filters)
    return (
        f"SELECT s.{column}, count(*) AS n FROM signals s WHERE {clause} AND s.{column} IS NOT NULL"
        f" GROUP BY s.{column} ORDER BY n DESC",
        params,
    )


def series_sql(
    workspace: str, query: str | None, filters: Filters, step: int, first: int, end: int
) -> tuple[str, list[object]]:
    """Aggregates per bucket of `step` microseconds over [first, end), for the selection."""
    clause, params = where(workspace, query, filters)
    sql = (
        "SELECT (s.created_at / ?) * ? AS b, count(*), sum(s.sentiment = 'negative'),"
        " sum(s.toxic >= 0.5), sum(s.scam >= 0.5), sum(coalesce(s.reach, 0)),"
        f" count(DISTINCT s.author) FROM signals s WHERE {clause}"
        " AND s.created_at >= ? AND s.created_at < ? GROUP BY b ORDER BY b"
    )
    return sql, [step, step, *params, first, end]
