"""`pouls report NAME`: render a saved report as PDF or HTML to a file, for any period;
`pouls report` alone lists the reports of the workspace."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from pouls.cli import context
from pouls.cli.context import UserError, err, out, say
from pouls.locale import N_
from pouls.locale.formats import number


class Form(StrEnum):
    pdf = "pdf"
    html = "html"


class Lang(StrEnum):
    fr = "fr"
    en = "en"


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    name: Annotated[
        str | None, typer.Argument(help="Report name; none lists the workspace's reports.")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Start: a span back from now (7d, 24h, 2w), a preset (month, last-month) or a"
            " date (2026-11-30); default: the report's own range."
        ),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="End (a bare date includes that day); default: now.")
    ] = None,
    format: Annotated[Form, typer.Option("--format", "-f", help="pdf or html.")] = Form.pdf,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (replaced only once whole)."),
    ] = None,
    lang: Annotated[
        Lang | None, typer.Option(help="fr or en; default: the report's language.")
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option("--workspace", "-w", help="Workspace id (default: the first one)."),
    ] = None,
) -> None:
    """Render a saved report (pouls.toml `[[reports]]` or made in the web app) as PDF or HTML."""
    from pouls.query.period import PeriodError, parse_period, preset_period, zone
    from pouls.report import ReportError
    from pouls.report.content import gather
    from pouls.report.render import filename, render, save
    from pouls.store.reports import Reports

    settings = context.settings()
    ws = context.workspace_id(workspace)
    store = context.store()
    book = Reports(store)
    book.sync(settings.file.reports, [w.id for w in settings.workspaces])
    if name is None:
        _list(book, ws)
        return
    saved = book.get(ws, name)
    if saved is None:
        known = ", ".join(r.name for r in book.list(ws)) or say("none yet")
        raise UserError(
            "no report %(name)r in workspace %(workspace)s (reports: %(known)s)",
            name=name,
            workspace=ws,
            known=known,
        )
    declared = settings.workspace(ws)
    tz = zone(declared.timezone if declared else None)
    language = lang.value if lang else saved.report.lang
    try:
        period = parse_period(since, until, tz=tz) or preset_period(saved.report.range, tz=tz)
    except PeriodError as exc:
        raise UserError(exc.message, **exc.values) from None
    try:
        content = gather(
            store, settings, saved.report, period, summary=saved.summary, lang=language
        )
        data = render(content, format.value, language)
    except ReportError as exc:
        raise UserError(exc.text(language)) from None
    target = output or Path(filename(content, format.value))
    if target.is_dir():
        target = target / filename(content, format.value)
    if not target.parent.is_dir():
        raise UserError(
            "cannot write %(file)s: no folder %(folder)s",
            file=str(target),
            folder=str(target.parent),
        )
    try:
        save(data, target)
    except OSError as exc:
        raise UserError(
            "cannot write %(file)s: %(why)s", file=str(target), why=exc.strerror or str(exc)
        ) from None
    size = number(context.lang(), len(data))
    said = say(
        "Report %(name)s written to %(file)s (%(size)s bytes).",
        name=name,
        file=str(target),
        size=size,
    )
    err.print(said, markup=False)


def _list(book: object, ws: str) -> None:
    from rich.table import Table

    from pouls.store.reports import Reports

    assert isinstance(book, Reports)
    reports = book.list(ws)
    if not reports:
        err.print(
            say(
                "No report in workspace %(workspace)s yet: declare one in pouls.toml ([[reports]])"
                " or make one in the web app (Reports).",
                workspace=ws,
            ),
            markup=False,
        )
        return
    columns = (N_("name"), N_("title"), N_("range"), N_("lang"), N_("schedule"), N_("from"))
    table = Table(*(say(c) for c in columns))
    for r in reports:
        every = r.report.schedule if r.report.schedule != "off" else "-"
        table.add_row(r.name, r.title, r.report.range, r.report.lang, every, r.origin)
    out.print(table)
