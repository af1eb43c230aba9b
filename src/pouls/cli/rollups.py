"""The dashboards' rollups built at the end of a command that stored many signals, with a
progress bar: the first dashboard after `pouls import` is then as fast as the next ones."""

from __future__ import annotations

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pouls.cli import context
from pouls.cli.context import out, say
from pouls.store.sqlite import SQLiteStore


def build(store: SQLiteStore, workspace: str) -> int:
    """Build the workspace's outstanding rollups; returns how many 4-hour blocks were built.
    Ctrl+C stops between two steps with nothing lost: what is left is built by `pouls up` or
    by the first dashboard that needs it."""
    from pouls.analyse.rollups import warm  # keys and terms: loaded only when needed

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(say("blocks of 4 hours")),
        TimeRemainingColumn(),
        console=context.err,
        transient=False,
    ) as progress:
        task = progress.add_task(say("Building the dashboards' figures"), total=None)
        try:
            return warm(
                store,
                workspace,
                lambda done, total: progress.update(task, completed=done, total=total),
            )
        except KeyboardInterrupt:
            progress.stop()
            out.print(
                say(
                    "Stopped building the dashboards' figures: `pouls up` finishes them"
                    " in the background (or the first dashboard that needs them)."
                )
            )
            return 0
