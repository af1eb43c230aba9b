"""The `pouls` command: global options, then one module per command group.

Exit codes: 0 ok, 1 an error the user can fix (a clear message on stderr), 2 a usage error (an
unknown command or option, a bad value: one line with a hint), 70 a bug (with its trace).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from pouls import __version__
from pouls.cli import context
from pouls.cli.usage import EXIT_USAGE, usage_line

EXIT_BUG = 70  # EX_SOFTWARE of sysexits.h

app = typer.Typer(
    name="pouls",
    help="pouls: gather social signals from every channel, understand them, act on them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,  # help texts are plain text: `[web]` is shown, not read as markup
)


def _version(value: bool) -> None:
    if value:
        context.out.print(f"pouls {__version__}", markup=False, highlight=False)
        raise typer.Exit()


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
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
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
        corrections,
        demo,
        detect,
        ingest,
        query,
        report,
        rule,
        search,
        serve,
        topic,
    )

    for module in (
        access,
        admin,
        alerts,
        checkin,
        classify,
        corrections,
        demo,
        detect,
        ingest,
        query,
        report,
        rule,
        search,
        serve,
        topic,
    ):
        module.register(app)


def run() -> None:
    """Console-script entry point: user errors exit 1, usage errors 2, bugs 70."""
    _register()
    try:
        app(prog_name="pouls", standalone_mode=False)
    except context.UserError as exc:  # plain text: `[alerts]` in a message is not markup
        context.err.print(Text.assemble(("Error:", "bold red"), " ", str(exc)))
        sys.exit(1)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except UsageError as exc:
        context.err.print(usage_line(exc), markup=False, highlight=False)
        sys.exit(EXIT_USAGE)
    except ClickException as exc:  # a file option that cannot be opened, say
        context.err.print(f"Error: {exc.format_message()}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        context.err.print("Aborted.")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception:  # the last line of defence: say it is a bug
        context.err.print_exception()
        context.err.print(
            "[bold red]This is a bug in pouls[/]: please report it with the trace above."
        )
        sys.exit(EXIT_BUG)
