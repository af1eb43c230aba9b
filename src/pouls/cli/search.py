"""`pouls search`: stored signals matching a query, as a table, JSON lines or CSV.

Results are read from the store page by page, so `--limit 0` streams every match in constant
memory.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import msgspec
import typer
from rich.table import Table

from pouls.cli import context
from pouls.cli.context import UserError, err, out
from pouls.cli.usage import QueryCommand
from pouls.signals import Signal
from pouls.store import Filters

if TYPE_CHECKING:
    from pouls.query.period import Period
    from pouls.store.sqlite import SQLiteStore

PAGE = 500
# The columns of --format csv, in this order (listed in docs/query-language.md).
CSV_COLUMNS = (
    "id",
    "created_at",
    "channel",
    "source",
    "kind",
    "visibility",
    "lang",
    "author_handle",
    "author_name",
    "title",
    "text",
    "url",
    "sentiment",
)


class Format(StrEnum):
    """How `pouls search` writes what it finds."""

    table = "table"
    jsonl = "jsonl"
    csv = "csv"


def register(app: typer.Typer) -> None:
    app.command("search", cls=QueryCommand)(search)


def search(
    query: Annotated[
        str, typer.Argument(help="A query (see docs/query-language.md); '' for everything.")
    ],
    limit: Annotated[
        int, typer.Option(min=0, help="Most results, newest first; 0 for every match.")
    ] = 20,
    format: Annotated[
        Format, typer.Option(help="table for reading, jsonl or csv (with a header) for scripts.")
    ] = Format.table,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", "-w", help="Workspace id (default: the first one)."),
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only signals of this topic.")] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="From (included): 2026-11-30, 2026-11-30T14:00, back from now (24h, 7d, 2w)"
            " or a preset range (24h, 7d, 30d, 90d, month, last-month); dates in the"
            " workspace's time zone.",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="To (excluded; a bare date includes that day); same forms as --since."),
    ] = None,
) -> None:
    """Search stored signals, newest first."""
    ws = context.workspace_id(workspace)
    from pouls.cli.query import parse_or_explain

    if query.strip():
        parse_or_explain(query)  # a wrong query is shown with a caret under the column
    period = _period(ws, since, until)
    filters = Filters(
        channel=channel,
        topic=topic,
        since=period.since if period else None,
        until=period.until if period else None,
    )
    store = context.store()
    found = matches(store, ws, query, filters, limit)
    if format is Format.jsonl:
        for s in found:
            sys.stdout.write(msgspec.json.encode(s).decode() + "\n")
    elif format is Format.csv:
        write_csv(found)
    else:
        _table(store, ws, query, filters, list(found))


def matches(
    store: SQLiteStore, ws: str, query: str, filters: Filters, limit: int
) -> Iterator[Signal]:
    """Every match newest first, up to `limit` (0: no limit), read one page at a time."""
    after: str | None = None
    left = limit or None
    while left is None or left > 0:
        size = PAGE if left is None else min(PAGE, left)
        page = store.search(ws, query, filters, limit=size, after=after)
        yield from page.signals
        if left is not None:
            left -= len(page.signals)
        if page.next is None:
            return
        after = page.next


def write_csv(signals: Iterator[Signal]) -> None:
    """CSV with a header row, one signal a row, as a spreadsheet opens it."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for s in signals:
        row = {
            "created_at": s.created_at.isoformat(),
            "sentiment": s.sentiment.label if s.sentiment else "",
        }
        writer.writerow([row[c] if c in row else (getattr(s, c) or "") for c in CSV_COLUMNS])


def _period(ws: str, since: str | None, until: str | None) -> Period | None:
    """The range of --since/--until on the workspace's clock; one that cannot be read is a
    clear error (exit 1), never a search of everything."""
    from pouls.query.period import PeriodError, parse_period, zone

    declared = context.settings().workspace(ws)
    try:
        return parse_period(since, until, tz=zone(declared.timezone if declared else None))
    except PeriodError as exc:
        raise UserError(str(exc)) from None


def _table(
    store: SQLiteStore, ws: str, query: str, filters: Filters, signals: list[Signal]
) -> None:
    if not signals:
        err.print(f"Nothing found for {query!r} in workspace {ws}.", markup=False)
        return
    total = store.search(ws, query, filters, limit=1, count=True).total or 0
    shown = f"{total:,} signals match {query!r}"
    if total > len(signals):
        shown += f", the newest {len(signals):,} shown (--limit 0 for all)"
    table = Table(title=shown, title_justify="left")
    for column in ("when", "channel", "author", "text"):
        table.add_column(column, overflow="fold")
    for s in signals:
        text = " ".join((f"{s.title} — {s.text}" if s.title else s.text).split())
        table.add_row(
            s.created_at.strftime("%Y-%m-%d %H:%M"),
            s.channel,
            s.author_handle or s.author or "",
            text[:200],
        )
    out.print(table)
