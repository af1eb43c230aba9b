"""How the command line reads arguments and answers misuse: a query may begin with `-`, and a
usage error is one line with a hint (exit 2), never a trace.
"""

from __future__ import annotations

import difflib
from typing import Any

from typer._click.core import Context  # typer vendors its click: these are its public types
from typer._click.exceptions import BadParameter, NoSuchOption, UsageError
from typer.core import TyperCommand, TyperOption

from pouls.cli.context import say

EXIT_USAGE = 2


class QueryCommand(TyperCommand):
    """A command whose arguments may begin with `-`, as a query does: `search '-spam offre'`.

    A single-dash word that is not one of the command's options is an argument, not an unknown
    option; `--anything` unknown is still refused.
    """

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, dash_arguments(self, ctx, args))


def dash_arguments(command: TyperCommand, ctx: Context, args: list[str]) -> list[str]:
    """`args` with each argument that begins with one `-` moved after a `--`, order kept."""
    takes_value: dict[str, bool] = {}
    for param in command.get_params(ctx):
        if isinstance(param, TyperOption):
            for name in (*param.opts, *param.secondary_opts):
                takes_value[name] = not (param.is_flag or param.count)
    kept: list[str] = []
    moved: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            moved.extend(args[i + 1 :])
            break
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg
        if name in takes_value:
            kept.append(arg)
            if takes_value[name] and name == arg and i + 1 < len(args):
                kept.append(args[i + 1])
                i += 1
        elif arg.startswith("--") or (arg[:1] != "-" and not moved):
            kept.append(arg)
        else:  # a dash argument, or an argument after one: their order is kept after `--`
            moved.append(arg)
        i += 1
    return [*kept, "--", *moved] if moved else kept


def duration(value: str) -> str:
    """An option's callback: a bad duration (`--since 45x`) is a usage error naming the option."""
    from pouls.watch.rules import parse_duration

    try:
        parse_duration(value)
    except ValueError:
        said = say("%(value)r is not a duration such as 90m, 12h, 30d or 2w", value=value)
        raise BadParameter(said) from None
    return value


def usage_line(exc: UsageError) -> str:
    """The error as one line, with a hint: the closest command or option, or where the help is."""
    message = " ".join(exc.format_message().replace("Value error, ", "").split())
    given = _given(exc)
    if given is not None and isinstance(exc, BadParameter) and not _quotes(message, given):
        message = message.removesuffix(".") + " " + say("(given: %(value)r)", value=given)
    ctx = exc.ctx
    path = ctx.command_path if ctx is not None else "pouls"
    hint = say("see `%(command)s --help`.", command=path)
    if isinstance(exc, NoSuchOption) and not exc.possibilities and ctx is not None:
        close = _close(exc.option_name, _option_names(ctx))
        if close:
            message += " " + say("Did you mean %(option)s?", option=close)
    if not message.endswith((".", "?")):
        message += "."
    # click's own sentence stays English (its words are not in pouls' catalogue)
    return say("Error: %(why)s Usage: %(hint)s", why=message, hint=hint)


def _option_names(ctx: Context) -> list[str]:
    names: list[str] = []
    for param in ctx.command.get_params(ctx):
        names.extend(getattr(param, "opts", []))
        names.extend(getattr(param, "secondary_opts", []))
    return names


def _close(word: str, choices: list[Any]) -> str | None:
    found = difflib.get_close_matches(word, [str(c) for c in choices], n=1)
    return found[0] if found else None


def _quotes(message: str, given: Any) -> bool:
    """Whether the message already shows the value typed, in quotes."""
    return any(f"{q}{given}{q}" in message for q in ("'", '"'))


def _given(exc: UsageError) -> Any:
    """The value typed, when typer's validation (pydantic) kept it: an error should name it."""
    errors = getattr(exc.__cause__, "errors", None)
    if not callable(errors):
        return None
    found = [e.get("input") for e in errors() if isinstance(e, dict)]
    return found[0] if found else None
