"""`pouls corrections`: the workspace's corrections taken away as a labelled dataset."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer

from pouls.cli import context
from pouls.cli.context import UserError, out, say


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        rich_markup_mode=None,
        help="Corrections people made to what the models said.",
        no_args_is_help=True,
    )
    group.command("export")(export)
    group.command("count")(count)
    app.add_typer(group, name="corrections")


Format = Literal["csv", "jsonl"]


def export(
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id.")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="csv or jsonl.")] = "jsonl",
    field: Annotated[
        str | None, typer.Option(help="Only this field: sentiment, toxicity, lang or entities.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Write the corrections as a dataset: signal id, field, value, the models' value, who
    (left out in pseudonymous workspaces), when, language, channel, title and text."""
    from pouls.corrections import FIELDS
    from pouls.corrections.dataset import FORMATS, chunks

    if format not in FORMATS:
        said = say("%(value)s: accepted values: %(accepted)s", value=format, accepted="csv, jsonl")
        raise typer.BadParameter(said, param_hint="'--format'")
    if field is not None and field not in FIELDS:
        accepted = ", ".join(FIELDS)
        said = say("%(value)s: accepted values: %(accepted)s", value=field, accepted=accepted)
        raise typer.BadParameter(said, param_hint="'--field'")
    ws = context.workspace_id(workspace)
    named = context.settings().workspace(ws).identities == "named"  # type: ignore[union-attr]
    store = context.store()
    try:
        rows = store.corrections.listing(ws, field)
        data = chunks(rows, format, named=named)  # type: ignore[arg-type]
        if output is None:
            for chunk in data:
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            return
        try:
            with output.open("wb") as f:
                for chunk in data:
                    f.write(chunk)
        except OSError as exc:
            raise UserError(
                "cannot write %(file)s: %(why)s", file=str(output), why=exc.strerror or str(exc)
            ) from exc
    finally:
        store.close()


def count(
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id.")
    ] = None,
) -> None:
    """How many corrections the workspace holds."""
    ws = context.workspace_id(workspace)
    store = context.store()
    try:
        out.print(store.corrections.count(ws))
    finally:
        store.close()
