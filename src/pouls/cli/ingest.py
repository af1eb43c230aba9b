"""`pouls import`: read a JSONL or CSV file through the pipeline, with a progress bar and a summary."""

from __future__ import annotations

import asyncio
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pouls import pipeline
from pouls.cli import context, rollups
from pouls.cli.context import UserError, out, say
from pouls.locale import N_
from pouls.locale.formats import number
from pouls.sources.files import FileSource, check_csv_header, guess_format, read_csv_header
from pouls.sources.fingerprint import Resume


class FileFormat(StrEnum):
    """The formats `pouls import` reads."""

    jsonl = "jsonl"
    csv = "csv"


def register(app: typer.Typer) -> None:
    app.command("import")(import_file)


def import_file(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="JSONL or CSV file of signals.")],
    source: Annotated[
        str | None, typer.Option(help="Source name to record (default: from the file name).")
    ] = None,
    format: Annotated[
        FileFormat | None, typer.Option(help="jsonl or csv (default: from the extension).")
    ] = None,
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first one).")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, e.g. --map text=body --map created_at=date."),
    ] = None,
    channel: Annotated[str, typer.Option(help="Channel of rows that do not say.")] = "import",
    kind: Annotated[str, typer.Option(help="Kind of rows that do not say.")] = "post",
    restart: Annotated[
        bool, typer.Option(help="Read from the start even if this file was imported before.")
    ] = False,
    enrich: Annotated[bool, typer.Option(help="Run the enrichers on what is imported.")] = True,
) -> None:
    """Import a file of signals; resumes where a previous run stopped."""
    if not file.is_file():
        raise UserError("%(file)s: no such file", file=str(file))
    fmt = format.value if format else guess_format(file)
    mapping = _mapping(map_ or [])
    if fmt == "csv":  # a file that cannot give a signal is said once, before any progress bar
        _check_header(file, mapping)
    context.may_start_fresh()
    settings = context.settings()
    ws = context.workspace_id(workspace)
    name = source or _slug(file.stem)
    store = context.store()
    changed = pipeline.sync_topics(settings, store)
    if restart:
        store.put([], cursors={(ws, name): None})
    size = file.stat().st_size
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=context.err,
        transient=False,
    ) as progress:
        task = progress.add_task(say("Importing %(file)s", file=file.name), total=size)
        src = FileSource(
            name=name,
            workspace=ws,
            path=file,
            format=fmt,
            mapping=mapping,
            channel=channel,
            kind=kind,
            batch_size=settings.file.pipeline.batch_size,
            on_progress=lambda done: progress.update(task, completed=done),
        )
        try:
            totals = asyncio.run(
                pipeline.run(
                    [src],
                    store,
                    stages=pipeline.stages_for(settings, store, enrich=enrich),
                    limits=pipeline.limits_from(settings),
                )
            )
        except ValueError as exc:
            raise UserError(str(exc)) from exc
    for error in totals.errors.values():
        raise UserError(error)
    for topic_ws, name in changed:  # topics new in pouls.toml also cover what was stored before
        store.topics.backfill(topic_ws, name)
    title = say(
        "%(file)s → workspace %(workspace)s, source %(source)s",
        file=file.name,
        workspace=ws,
        source=name,
    )
    table = Table(title=title, title_justify="left")
    for column in (N_("read"), N_("stored"), N_("duplicates"), N_("dead letters")):
        table.add_column(say(column), justify="right")
    counts = (totals.read, totals.stored, totals.duplicates, totals.dead_letters)
    table.add_row(*(number(context.lang(), n) for n in counts))
    out.print(table)
    out.print(resumed_message(src.resumed, src.start, name))
    rollups.build(store, ws)  # the first dashboard then builds nothing (pouls.analyse.rollups)
    if totals.dead_letters:
        out.print(say("See why with [cyan]pouls dead-letters[/]."))


AGAIN = (Resume.DIFFERENT, Resume.CHANGED, Resume.UNVERIFIED)  # read again from the start


def resumed_message(resumed: Resume | None, start: int, source: str) -> str:
    """What the import found where the last one of this source stopped, in one sentence."""
    again = " " + say("Signals stored before count as duplicates, not twice.")
    said = {
        None: N_("Nothing read."),
        Resume.FIRST: N_("Read from the start."),
        Resume.APPENDED: N_("The file grew since the last import: read on after byte %(start)s."),
        Resume.UNCHANGED: N_(
            "Nothing new: this file was read to its end before. Use --restart to read it again."
        ),
        Resume.DIFFERENT: N_(
            "A different file from the one last imported as source %(source)s: read from its start."
        ),
        Resume.CHANGED: N_(
            "This file changed before where the last import stopped (replaced or truncated):"
            " read again from its start."
        ),
        Resume.UNVERIFIED: N_(
            "The saved position was written by an older pouls and cannot be checked:"
            " read from the start."
        ),
    }[resumed]
    text = say(said, start=number(context.lang(), start), source=source)
    return text + again if resumed in AGAIN else text


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            said = say("%(pair)r: expected FIELD=COLUMN, e.g. --map text=body", pair=pair)
            raise typer.BadParameter(said, param_hint="'--map'")
        mapping[field.strip()] = column.strip()
    return mapping


def _check_header(file: Path, mapping: dict[str, str]) -> None:
    try:
        found = read_csv_header(file)
        if found is not None:
            check_csv_header(found[0], mapping, file)
    except ValueError as exc:
        raise UserError(str(exc)) from None


def _slug(stem: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-")
    return slug[:60] or "import"
