"""The `pouls` command: global options, then one module per command group.

Exit codes: 0 ok, 1 an error the user can fix (a clear message on stderr), 2 a usage error (an
unknown command or option, a bad value: one line with a hint), 70 a bug (with its trace).

Every message, error and help text is in French or English: `--lang`, else the terminal's
locale (`LANG=fr_FR.UTF-8`), else English (pouls.cli.context.lang, pouls.cli.help).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text
from typer._click.core import Command
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from pouls import __version__
from pouls.cli import context
from pouls.cli.context import say
from pouls.cli.help import chosen_lang, translate_help
from pouls.cli.usage import EXIT_USAGE, usage_line

EXIT_BUG = 70  # EX_SOFTWARE of sysexits.h
_registered = False

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
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="Language of messages: fr or en (default: the terminal's, from LANG).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """pouls: gather social signals from every channel, understand them, act on them."""
    if lang is not None and lang not in ("fr", "en"):
        raise typer.BadParameter(say("fr or en"), param_hint="'--lang'")
    context.set_lang(lang)
    context.set_home(home or Path(".pouls"))


def _register() -> None:
    # Each command group lives in its own module and registers itself on `app`, once.
    global _registered
    if _registered:
        return
    _registered = True
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


def command() -> Command:
    """The whole `pouls` command as click runs it, every group registered; its help English."""
    _register()
    return typer.main.get_command(app)


def run() -> None:
    """Console-script entry point: user errors exit 1, usage errors 2, bugs 70."""
    context.set_lang(chosen_lang(sys.argv[1:]))  # before parsing: help and usage errors too
    try:
        pouls = command()
        translate_help(pouls, context.lang())
        pouls(prog_name="pouls", standalone_mode=False)
    except context.UserError as exc:  # plain text: `[alerts]` in a message is not markup
        context.err.print(Text.assemble((say("Error:"), "bold red"), " ", exc.said()))
        sys.exit(1)
    except NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except UsageError as exc:
        context.err.print(usage_line(exc), markup=False, highlight=False)
        sys.exit(EXIT_USAGE)
    except ClickException as exc:  # a file option that cannot be opened, say
        said = say("Error: %(why)s", why=exc.format_message())
        context.err.print(said, markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except typer.Abort:
        context.err.print(say("Aborted."))
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception:  # the last line of defence: say it is a bug
        context.err.print_exception()
        bug = say("This is a bug in pouls: please report it with the trace above.")
        context.err.print(Text(bug, style="bold red"))
        sys.exit(EXIT_BUG)
