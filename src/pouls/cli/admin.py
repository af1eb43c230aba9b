"""`pouls init`, `pouls status`, `pouls sources` and `pouls dead-letters`: set up and look."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pouls.cli import context
from pouls.cli.context import UserError, out, say, say_plural
from pouls.config import CONFIG_NAME
from pouls.locale import N_
from pouls.signals import utcnow
from pouls.store import SourceState


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
    app.command("sources")(sources)
    app.command("dead-letters")(dead_letters)


def init(
    directory: Annotated[
        Path | None, typer.Argument(help="Folder to set up (default: the --home folder).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing pouls.toml.")] = False,
) -> None:
    """Write a commented example pouls.toml to start from."""
    folder = directory or context.home()
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise UserError(
            "%(file)s already exists; edit it, or pass --force to replace it.", file=str(target)
        )
    folder.mkdir(parents=True, exist_ok=True)
    example = resources.files("pouls").joinpath("example.toml").read_text(encoding="utf-8")
    target.write_text(example, encoding="utf-8")
    out.print(
        say(
            "Wrote [bold]%(file)s[/]. Next: [cyan]pouls --home %(home)s import FILE[/]"
            " or [cyan]pouls --home %(home)s up[/].",
            file=str(target),
            home=str(folder),
        )
    )


WorkspaceOption = Annotated[
    str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first one).")
]


def status(workspace: WorkspaceOption = None) -> None:
    """Sources with their cursors and health, counts per channel, dead letters."""
    store = context.store()
    ws = None if workspace is None else context.workspace_id(workspace)
    table = Table(title=say("Sources"), title_justify="left")
    for column in (
        N_("workspace"),
        N_("source"),
        N_("signals"),
        N_("dead letters"),
        N_("last commit"),
        N_("last error"),
    ):
        table.add_column(
            say(column), justify="right" if column in ("signals", "dead letters") else "left"
        )
    states = store.sources(ws)
    for s in states:
        saved = s.updated_at.strftime("%Y-%m-%d %H:%M:%S") if s.updated_at else say("never")
        error = (
            f"{s.last_error_at:%Y-%m-%d %H:%M} {s.last_error}"
            if s.last_error and s.last_error_at
            else ""
        )
        table.add_row(s.workspace, s.source, f"{s.signals:,}", f"{s.dead_letters:,}", saved, error)
    if not states:
        out.print(say("No signals yet: try [cyan]pouls import FILE[/] or [cyan]pouls up[/]."))
        return
    out.print(table)
    for name in [ws] if ws else store.workspaces():
        channels = store.facets(name)["channel"]
        total = sum(channels.values())
        per = ", ".join(f"{c} {n:,}" for c, n in channels.items())
        count = say_plural("%(num)s signal", "%(num)s signals", total)
        out.print(f"[bold]{name}[/]: {count} ({per})")


def sources(workspace: WorkspaceOption = None) -> None:
    """Every configured source with its health: last success, last error, lag, counts."""
    settings = context.settings()
    ws = None if workspace is None else context.workspace_id(workspace)
    store = context.store()
    states = {(s.workspace, s.source): s for s in store.sources(ws)}
    configured = [s for s in settings.file.sources if ws is None or s.workspace == ws]
    if not configured and not states:
        out.print(
            say(
                "No sources: declare some in %(file)s (see docs/sources/).",
                file=str(context.home() / "pouls.toml"),
            )
        )
        return
    now = utcnow()
    table = Table(title=say("Sources"), title_justify="left")
    for column in (
        N_("workspace"),
        N_("source"),
        N_("type"),
        N_("signals"),
        N_("dead"),
        N_("last success"),
        N_("lag"),
        N_("last error"),
    ):
        table.add_column(
            say(column),
            overflow="fold",
            justify="right" if column in ("signals", "dead") else "left",
        )
    from pouls.store.pauses import Pauses

    pauses = Pauses(store)
    seen = set()
    for c in configured:
        state = states.get((c.workspace, c.name))
        seen.add((c.workspace, c.name))
        kind = str(type(c).__struct_config__.tag)
        if pauses.is_paused(c.workspace, c.name):  # paused in the web app (Settings > Sources)
            kind += " " + say("(paused)")
        table.add_row(c.workspace, c.name, kind, *_health(state, now))
    for key, state in sorted(states.items()):
        if key not in seen:  # imports from the CLI, or sources since removed from pouls.toml
            table.add_row(key[0], key[1], "", *_health(state, now))
    out.print(table)


def _health(state: SourceState | None, now: datetime) -> tuple[str, ...]:
    if state is None:
        return ("0", "0", say("never"), "", "")
    success = f"{state.updated_at:%Y-%m-%d %H:%M}" if state.updated_at else say("never")
    lag = _ago(now - state.newest) if state.newest else ""
    error = (
        f"{state.last_error_at:%Y-%m-%d %H:%M} {state.last_error}"
        if state.last_error and state.last_error_at
        else ""
    )
    return (f"{state.signals:,}", f"{state.dead_letters:,}", success, lag, error)


def _ago(delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172_800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} d"


def dead_letters(
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20,
    workspace: WorkspaceOption = None,
    raw: Annotated[
        bool,
        typer.Option(
            "--raw",
            help="Show the raw input too (it may name people: workspace admins only, see"
            " docs/privacy.md).",
        ),
    ] = False,
) -> None:
    """Input that could not be read, with the reason and where, newest first."""
    from pouls.privacy.retention import expire

    store = context.store()
    expire(context.settings(), store)  # past `[privacy] dead_letter_days`: gone, not listed
    rows = store.dead_letters(None if workspace is None else context.workspace_id(workspace), limit)
    if not rows:
        out.print(say("No dead letters."))
        return
    table = Table(show_lines=True)
    for column in (
        N_("when"),
        N_("source"),
        N_("where"),
        N_("reason"),
        *([N_("raw")] if raw else []),
    ):
        table.add_column(say(column), overflow="fold")
    for d in rows:
        text = d.raw if len(d.raw) <= 120 else d.raw[:117] + "..."
        when = d.at.strftime("%Y-%m-%d %H:%M")
        table.add_row(when, d.source, d.position or "", d.reason, *([text] if raw else []))
    out.print(table)
