"""`pouls search`: stored signals matching a query, as a table, or exported as CSV, JSON lines
or XLSX (pouls.export, the same files as the web app's).

Results are read from the store page by page, so `--limit 0` streams every match in constant
memory; a file given with `-o` appears only once it is whole.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from pouls.cli import context
from pouls.cli.context import UserError, err, out, say
from pouls.cli.usage import QueryCommand
from pouls.export import Format as ExportFormat
from pouls.export import chunks, read, save
from pouls.locale import N_, translate, translate_plural
from pouls.signals import Signal
from pouls.store import Filters

if TYPE_CHECKING:
    from pouls.query.period import Period
    from pouls.store.sqlite import SQLiteStore


class Format(StrEnum):
    """How `pouls search` writes what it finds."""

    table = "table"
    jsonl = "jsonl"
    csv = "csv"
    xlsx = "xlsx"


class Separator(StrEnum):
    """The separator of --format csv."""

    comma = ","
    semicolon = ";"


class Sentiment(StrEnum):
    """The sentiment labels a search can keep."""

    negative = "negative"
    neutral = "neutral"
    positive = "positive"


class Visibility(StrEnum):
    """Who could see a signal."""

    public = "public"
    private = "private"
    press = "press"


class Flag(StrEnum):
    """The risks a search can keep (a score of 0.5 or more)."""

    toxic = "toxic"
    scam = "scam"


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
        Format,
        typer.Option(
            help="table for reading; csv, jsonl or xlsx to export (columns: docs/export.md)."
        ),
    ] = Format.table,
    sep: Annotated[
        Separator,
        typer.Option("--sep", help="CSV separator; ';' for Excel in French (decimal commas)."),
    ] = Separator.comma,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the export to this file (replaced only once whole); needed for xlsx.",
        ),
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", "-w", help="Workspace id (default: the first one)."),
    ] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    topic: Annotated[str | None, typer.Option(help="Only signals of this topic.")] = None,
    sentiment: Annotated[
        Sentiment | None, typer.Option(help="Only signals of this sentiment.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only signals of this source.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (post, review, ...).")] = None,
    visibility: Annotated[
        Visibility | None, typer.Option(help="Only public, private or press signals.")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Only this language (fr, en, ...).")] = None,
    flag: Annotated[
        Flag | None, typer.Option(help="Only signals whose toxicity or scam score is >= 0.5.")
    ] = None,
    own: Annotated[
        bool | None,
        typer.Option(
            "--own/--others", help="Only the workspace's own accounts' signals, or the others'."
        ),
    ] = None,
    place: Annotated[
        str | None,
        typer.Option(
            help="Only signals geolocated at this place name (the dashboard map's label)."
        ),
    ] = None,
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
    if format is Format.xlsx and output is None:
        raise typer.BadParameter(say("--format xlsx writes a file: add -o FILE.xlsx"))
    if format is Format.table and output is not None:
        raise typer.BadParameter(say("-o is for --format csv, jsonl or xlsx"))
    ws = context.workspace_id(workspace)
    from pouls.cli.query import parse_or_explain

    if query.strip():
        parse_or_explain(query)  # a wrong query is shown with a caret under the column
    period = _period(ws, since, until)
    filters = Filters(
        channel=channel,
        topic=topic,
        sentiment=sentiment.value if sentiment else None,
        source=source,
        kind=kind,
        visibility=visibility.value if visibility else None,
        lang=lang,
        flag=flag.value if flag else None,
        own=own,
        place=place or None,
        since=period.since if period else None,
        until=period.until if period else None,
    )
    store = context.store()
    if format is Format.table:
        _table(store, ws, query, filters, list(read(store, ws, query, filters, limit=limit)))
        return
    _export(store, ws, query, filters, limit, ExportFormat(format.value), sep.value, output)


def _export(
    store: SQLiteStore,
    ws: str,
    query: str,
    filters: Filters,
    limit: int,
    format: ExportFormat,
    sep: str,
    output: Path | None,
) -> None:
    from pouls.query.period import zone

    declared = context.settings().workspace(ws)
    tz = zone(declared.timezone if declared else None)
    found = read(store, ws, query, filters, limit=limit)
    first = next(found, None)
    if first is None:
        raise UserError(
            translate(
                context.lang(),
                "Nothing to export: no signal matches %(query)s in workspace %(ws)s.",
                query=repr(query),
                ws=ws,
            )
        )
    written = 0

    def signals() -> Iterator[Signal]:
        nonlocal written
        for s in itertools.chain([first], found):
            written += 1
            yield s

    if output is None:
        _to_stdout(chunks(format, signals(), tz, sep=sep))
        return
    lang = context.lang()
    if not output.parent.is_dir():
        raise UserError(
            translate(
                lang,
                "cannot write %(file)s: no folder %(folder)s",
                file=str(output),
                folder=str(output.parent),
            )
        )
    if output.is_dir():
        raise UserError(translate(lang, "cannot write %(file)s: it is a folder", file=str(output)))
    try:
        save(format, signals(), tz, output, sep=sep)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise UserError(
            translate(lang, "cannot write %(file)s: %(why)s", file=str(output), why=why)
        ) from None
    done = translate_plural(
        lang,
        "%(num)s signal exported to %(file)s.",
        "%(num)s signals exported to %(file)s.",
        written,
        file=str(output),
    )
    err.print(done, markup=False)


def _to_stdout(blocks: Iterator[bytes]) -> None:
    """The export on standard output; a reader that stops early (`| head`) ends it quietly, a
    full disk is an error, not a trace."""
    try:
        for block in blocks:
            sys.stdout.buffer.write(block)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        # Python would complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        why = exc.strerror or str(exc)
        said = translate(context.lang(), "cannot write the export: %(why)s", why=why)
        raise UserError(said) from None


def _period(ws: str, since: str | None, until: str | None) -> Period | None:
    """The range of --since/--until on the workspace's clock; one that cannot be read is a
    clear error (exit 1), never a search of everything."""
    from pouls.query.period import PeriodError, parse_period, zone

    declared = context.settings().workspace(ws)
    try:
        return parse_period(since, until, tz=zone(declared.timezone if declared else None))
    except PeriodError as exc:
        raise UserError(exc.message, **exc.values) from None


def _table(
    store: SQLiteStore, ws: str, query: str, filters: Filters, signals: list[Signal]
) -> None:
    from pouls.locale.formats import number

    lang = context.lang()
    if not signals:
        said = translate(
            lang, "Nothing found for %(query)s in workspace %(ws)s.", query=repr(query), ws=ws
        )
        err.print(said, markup=False)
        return
    total = store.search(ws, query, filters, limit=1, count=True).total or 0
    shown = translate_plural(
        lang,
        "%(count)s signal matches %(query)s",
        "%(count)s signals match %(query)s",
        total,
        count=number(lang, total, 0),
        query=repr(query),
    )
    if total > len(signals):
        shown += translate(
            lang,
            ", the newest %(shown)s shown (--limit 0 for all)",
            shown=number(lang, len(signals), 0),
        )
    table = Table(title=shown, title_justify="left")
    for column in (N_("when"), N_("channel"), N_("author"), N_("text")):
        table.add_column(say(column), overflow="fold")
    for s in signals:
        text = " ".join((f"{s.title} — {s.text}" if s.title else s.text).split())
        table.add_row(
            s.created_at.strftime("%Y-%m-%d %H:%M"),
            s.channel,
            s.author_handle or s.author or "",
            text[:200],
        )
    out.print(table)
