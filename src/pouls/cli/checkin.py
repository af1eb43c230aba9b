"""`pouls checkin`: record a mood (1 to 5) or a personal measure, with a note, tags and a place."""

from __future__ import annotations

from typing import Annotated

import typer

from pouls import pipeline
from pouls.cli import context
from pouls.cli.context import UserError, out, say
from pouls.signals import utcnow
from pouls.sources.checkin import Checkin, InvalidCheckin, to_signal


def register(app: typer.Typer) -> None:
    app.command("checkin")(checkin)


def checkin(
    note: Annotated[str, typer.Argument(help="What you want to remember about this moment.")] = "",
    mood: Annotated[
        int | None, typer.Option(min=1, max=5, help="Mood from 1 (bad) to 5 (great).")
    ] = None,
    value: Annotated[float | None, typer.Option(help="Any measure, with --unit.")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit of --value: hours, kg, steps...")] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="A label; repeatable.")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Where you are.")] = None,
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first one).")
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Check-in source (default: the workspace's first one).")
    ] = None,
) -> None:
    """Record a check-in: `pouls checkin --mood 4 --tag sommeil "bien dormi"`."""
    from pouls.web.routes.checkins import target

    settings = context.settings()
    try:
        s = target(settings, workspace, source)
        signal = to_signal(
            Checkin(mood=mood, value=value, unit=unit, note=note, tags=tag or [], place=place),
            workspace=s.workspace,
            source=s.name,
            observed_at=utcnow(),
        )
    except InvalidCheckin as exc:  # NoTarget too: no such workspace or source
        raise UserError(exc.template, **exc.values) from None
    store = context.store()
    try:
        [signal] = pipeline.apply(pipeline.stages_for(settings, store), [signal])
        store.put([signal], cursors={(s.workspace, s.name): signal.id})
    finally:
        store.close()
    what = (
        say("mood %(mood)s/5", mood=mood)
        if mood is not None
        else (f"{value:g} {unit}" if value else say("note"))
    )
    out.print(
        say(
            "Checked in (%(what)s) in %(where)s: %(id)s",
            what=what,
            where=f"{s.workspace}/{s.name}",
            id=signal.id,
        )
    )
