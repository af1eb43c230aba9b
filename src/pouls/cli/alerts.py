"""`pouls alerts` and `pouls crisis`: alerts raised, and stories escalating across levels."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer

from pouls.cli import context
from pouls.cli.context import UserError, out


def register(app: typer.Typer) -> None:
    app.command("alerts")(alerts)
    app.command("crisis")(crisis)


def alerts(
    workspace: Annotated[str, typer.Option("--workspace", "-w")] = "default",
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
) -> None:
    """Alerts raised by the live watcher, with their deliveries."""
    from pouls.store.watch import WatchStore

    store = context.store()
    try:
        book = WatchStore(store)
        for a in book.alerts(workspace, limit=limit):
            sent = book.deliveries(workspace, alert_id=a.id)
            failed = sum(1 for d in sent if d.final and not d.ok)
            out.print(
                f"#{a.id} {a.started_at:%Y-%m-%d %H:%M} [{a.status}] {a.rule}: {a.title}"
                f"  ({len(sent)} delivery attempt(s), {failed} failed)"
            )
    finally:
        store.close()


def crisis(
    workspace: Annotated[str, typer.Option("--workspace", "-w")] = "default",
    since: Annotated[str, typer.Option(help="How far back: 12h, 30d, 2w.")] = "30d",
) -> None:
    """Stories that went from private messages to public posts, then to the press."""
    from pouls.signals import utcnow
    from pouls.watch.crisis import escalations
    from pouls.watch.rules import parse_duration

    try:
        span = parse_duration(since)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    store = context.store()
    try:
        newest = store.search(workspace, None, None, limit=1).signals
        until = newest[0].created_at + timedelta(seconds=1) if newest else utcnow()
        found, _ = escalations(store, workspace, until - span - timedelta(days=7), until)
    finally:
        store.close()
    found = [e for e in found if e.at >= until - span]
    stories = {id(e.story): e.story for e in found}
    out.print(f"{len(stories)} escalating stor(y/ies) over {since}.")
    for story in stories.values():
        out.print(f"\n[bold]Story {story.number}[/]: {', '.join(sorted(story.terms)[:8])}")
        for level in ("private", "public", "press"):
            seen = story.seen[level]
            if seen:
                out.print(
                    f"  {level:8} first {seen[0].created_at:%Y-%m-%d %H:%M}, {len(seen)} signal(s):"
                    f" {seen[0].text[:90]!r}"
                )
        for e in found:
            if e.story is story:
                out.print(f"  ▲ {e.source} → {e.target} at {e.at:%Y-%m-%d %H:%M}")
