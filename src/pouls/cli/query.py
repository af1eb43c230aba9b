"""`pouls query`: check a query and try it on signals, without a store."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from pouls.cli import context
from pouls.cli.context import UserError, err
from pouls.cli.usage import QueryCommand
from pouls.locale import translate
from pouls.query import Matcher, QueryError, parse, render

_WINDOW = 60  # characters of a long query shown around an error


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        rich_markup_mode=None, help="Check queries and try them on signals.", no_args_is_help=True
    )
    group.command("check", cls=QueryCommand)(check)
    group.command("test", cls=QueryCommand)(test)
    app.add_typer(group, name="query")


def parse_or_explain(query: str) -> Any:
    try:
        return parse(query)
    except QueryError as exc:
        start = max(0, exc.column - 1 - _WINDOW // 2)
        shown = query[start : start + _WINDOW]
        prefix = "…" if start else ""
        err.print(f"  {prefix}{shown}", markup=False, highlight=False)
        err.print(" " * (2 + len(prefix) + exc.column - 1 - start) + "^", markup=False)
        # a query that does not parse is a bad value of the QUERY argument: a usage error (exit 2)
        lang = context.lang()
        said = translate(lang, exc.template, **exc.values).removesuffix(".")
        where = translate(lang, "column %(column)s", column=exc.column)
        raise typer.BadParameter(f"{said} ({where}, {exc.code})", param_hint="'QUERY'") from None


def check(query: Annotated[str, typer.Argument(help="The query, in quotes.")]) -> None:
    """Print the query in its normalised form, or say where it is wrong (exit 2)."""
    sys.stdout.write(render(parse_or_explain(query)) + "\n")


def test(query: Annotated[str, typer.Argument(help="The query, in quotes.")]) -> None:
    """Read JSONL signals on stdin ({"id", "text", ...}); write {"id", "match"} for each."""
    matcher = Matcher({"query": parse_or_explain(query)})
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            signal = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(
                "line %(line)s: not valid JSON (%(why)s)", line=number, why=exc.msg
            ) from exc
        if not isinstance(signal, dict):
            raise UserError("line %(line)s: expected a JSON object", line=number)
        found = bool(matcher.match(signal))
        sys.stdout.write(json.dumps({"id": signal.get("id"), "match": found}) + "\n")
        sys.stdout.flush()
