"""The `pouls` command: global options, then one module per command group.

Exit codes: 0 ok, 1 user error (a clear message on stderr), 2 bug.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pouls.cli import context

app = typer.Typer(
    name="pouls",
    help="pouls: gather social signals from every channel, understand them, act on them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="POULS_HOME",
            help="Folder holding pouls.toml and the data (default ./.pouls).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """pouls: gather social signals from every channel, understand them, act on them."""
    context.set_home(home or Path(".pouls"))


def _register() -> None:
    # Each command group lives in its own module and registers itself on `app`.
    from pouls.cli import (
        access,
        admin,
        alerts,
        checkin,
        classify,
        demo,
        detect,
        ingest,
        query,
        rule,
        serve,
        topic,
    )

    for module in (
        access,
        admin,
        alerts,
        checkin,
        classify,
        demo,
        detect,
        ingest,
        query,
        rule,
        serve,
        topic,
    ):
        module.register(app)


def run() -> None:
    """Console-script entry point: maps user errors to exit 1 and bugs to exit 2."""
    _register()
    try:
        app(standalone_mode=False)
    except context.UserError as exc:
        context.err.print(f"[bold red]Error:[/] {exc}")
        sys.exit(1)
    except typer.Abort:
        context.err.print("Aborted.")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # the last line of defence: say it is a bug
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(1)
        context.err.print_exception()
        context.err.print(
            "[bold red]This is a bug in pouls[/]: please report it with the trace above."
        )
        sys.exit(2)
