"""The command line's help in the user's language: typer builds click commands whose help texts
(docstrings and `help=`) are English; they are translated once, in place, before parsing.

Translating the built tree rather than each declaration keeps every command module plain typer:
what `pouls --help` shows is exactly what `help_texts` lists, and what `make translations`
extracts (scripts/translations.py) and tests/cli/test_language.py checks has its French.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence

from typer._click.core import Command  # typer vendors its click
from typer.core import TyperGroup

from pouls.locale import LANGS, SOURCE, translator

GLOBAL_VALUES = ("--home",)  # the global options that take a value, besides --lang


def chosen_lang(argv: Sequence[str]) -> str | None:
    """The language `--lang fr` or `--lang=en` names among the global options, read before
    click parses them (the help and usage errors must already speak it); None when absent.

    >>> chosen_lang(["--home", "x", "--lang", "fr", "search"]), chosen_lang(["classify", "--lang", "de"])
    ('fr', None)
    """
    skip = False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        if arg == "--lang":
            value = argv[i + 1] if i + 1 < len(argv) else ""
            return value if value in LANGS else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
            return value if value in LANGS else None
        if arg in GLOBAL_VALUES:
            skip = True
        elif not arg.startswith("-"):
            return None  # the command's name: options after it are the command's own
    return None


def commands(command: Command) -> Iterator[Command]:
    """The command and, for a group, every command below it."""
    yield command
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            yield from commands(sub)


def help_texts(command: Command) -> Iterator[tuple[str, Command]]:
    """Every help text of the tree (commands' and parameters'), with the command it is on."""
    for cmd in commands(command):
        for text in (cmd.help, cmd.short_help, cmd.epilog):
            if text:
                yield text, cmd
        for param in cmd.params:
            text = getattr(param, "help", None)
            if text:
                yield text, cmd


def where(command: Command) -> tuple[str, int]:
    """The file and line that declare a command (its callback), for the catalogue's references."""
    callback = command.callback
    if callback is None:
        return "src/pouls/cli/main.py", 1
    target = inspect.unwrap(callback)
    path = inspect.getsourcefile(target) or "src/pouls/cli/main.py"
    return path[path.index("src/pouls/") :] if "src/pouls/" in path else path, 1


def translate_help(command: Command, lang: str) -> None:
    """Translate, in place, every help text of the tree into `lang`."""
    if lang == SOURCE:
        return
    gettext = translator(lang).gettext
    for cmd in commands(command):
        cmd.help = gettext(cmd.help) if cmd.help else cmd.help
        cmd.short_help = gettext(cmd.short_help) if cmd.short_help else cmd.short_help
        cmd.epilog = gettext(cmd.epilog) if cmd.epilog else cmd.epilog
        for param in cmd.params:
            text = getattr(param, "help", None)
            if text:
                param.help = gettext(text)  # type: ignore[attr-defined]
