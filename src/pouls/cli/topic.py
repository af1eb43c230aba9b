"""`pouls topic add|edit|list|rm`: saved searches that become permanent feeds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pouls.cli import context
from pouls.cli.context import UserError, out, say, say_plural
from pouls.cli.query import parse_or_explain
from pouls.cli.usage import QueryCommand
from pouls.locale import N_
from pouls.locale.formats import number
from pouls.query import render
from pouls.store.topics import Topic

Workspace = Annotated[
    str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first one).")
]


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        rich_markup_mode=None,
        help="Saved searches: every new signal is matched, history is backfilled.",
        no_args_is_help=True,
    )
    group.command("add", cls=QueryCommand)(add)
    group.command("edit", cls=QueryCommand)(edit)
    group.command("list")(list_topics)
    group.command("rm")(remove)
    app.add_typer(group, name="topic")


def add(
    name: Annotated[str, typer.Argument(help="Topic id: lowercase letters, digits, - and _.")],
    query: Annotated[
        str, typer.Argument(help="The query, in quotes (see docs/query-language.md).")
    ],
    tag: Annotated[list[str] | None, typer.Option(help="A label; repeat for several.")] = None,
    color: Annotated[str | None, typer.Option(help="Colour in the web app, e.g. #c0392b.")] = None,
    workspace: Workspace = None,
) -> None:
    """Create a topic and match it over the stored history."""
    ws = context.workspace_id(workspace)
    if context.store().topics.get(ws, name) is not None:
        raise UserError(
            "topic %(name)r exists; change it with `pouls topic edit %(name)s QUERY`", name=name
        )
    _save(ws, name, query, tag or [], color)


def edit(
    name: Annotated[str, typer.Argument(help="The topic to change.")],
    query: Annotated[str, typer.Argument(help="Its new query.")],
    tag: Annotated[
        list[str] | None, typer.Option(help="Labels (replace the old ones when given).")
    ] = None,
    color: Annotated[str | None, typer.Option(help="Colour in the web app.")] = None,
    workspace: Workspace = None,
) -> None:
    """Change a topic's query; its matches are recomputed over the history."""
    ws = context.workspace_id(workspace)
    old = context.store().topics.get(ws, name)
    if old is None:
        raise UserError(
            "no topic %(name)r in %(workspace)s; create it with `pouls topic add %(name)s QUERY`",
            name=name,
            workspace=ws,
        )
    _save(ws, name, query, old.tags if tag is None else tag, color or old.color)


def _save(ws: str, name: str, query: str, tags: list[str], color: str | None) -> None:
    import re

    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", name):
        raise UserError(
            "%(name)r: a topic id uses lowercase letters, digits, - and _ (e.g. bad-buzz)",
            name=name,
        )
    node = parse_or_explain(query)
    store = context.store()
    store.topics.save(Topic(workspace=ws, name=name, query=query, tags=tags, color=color))
    with Progress(
        TextColumn("[bold]" + say("Backfilling %(topic)s", topic="{task.description}")),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=context.err,
    ) as progress:
        task = progress.add_task(name, total=None)
        store.topics.backfill(
            ws, name, lambda done, total: progress.update(task, completed=done, total=total)
        )
    matched = store.topics.matches(ws, name)
    out.print(
        say_plural(
            "Topic [bold]%(name)s[/] = %(query)s: %(count)s stored signal matches.",
            "Topic [bold]%(name)s[/] = %(query)s: %(count)s stored signals match.",
            matched,
            name=name,
            query=render(node),
            count=number(context.lang(), matched),
        )
    )
    out.print(
        say(
            "See them with [cyan]pouls search --topic %(name)s ''[/] or on the wall (?topic=%(name)s).",
            name=name,
        )
    )


def list_topics(workspace: Workspace = None) -> None:
    """Topics of the workspace with how many signals each matched."""
    ws = context.workspace_id(workspace)
    store = context.store()
    topics = store.topics.list(ws)
    if not topics:
        out.print(
            say(
                "No topics in %(workspace)s. Add one: [cyan]pouls topic add NAME 'QUERY'[/]",
                workspace=ws,
            )
        )
        return
    counts = store.facets(ws)["topic"]
    table = Table(title=say("Topics of %(workspace)s", workspace=ws), title_justify="left")
    for column in (N_("name"), N_("query"), N_("signals"), N_("tags"), N_("from")):
        table.add_column(
            say(column), overflow="fold", justify="right" if column == "signals" else "left"
        )
    for t in topics:
        table.add_row(t.name, t.query, f"{counts.get(t.name, 0):,}", ", ".join(t.tags), t.origin)
    out.print(table)


def remove(
    name: Annotated[str, typer.Argument(help="The topic to delete.")],
    workspace: Workspace = None,
) -> None:
    """Delete a topic and its matches (the signals stay)."""
    ws = context.workspace_id(workspace)
    store = context.store()
    topic = store.topics.get(ws, name)
    if topic is None:
        raise UserError("no topic %(name)r in %(workspace)s", name=name, workspace=ws)
    from pouls.pipeline import remove_topic

    remove_topic(context.settings(), store, ws, name)  # one of pouls.toml is not seeded again
    out.print(say("Removed topic %(name)s.", name=name))
