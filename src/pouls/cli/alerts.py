"""`pouls alerts`, `pouls crisis` and `pouls digest`: alerts raised, stories escalating across
levels, and the digest of a day or a week."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from pouls.cli import context
from pouls.cli.context import UserError, out, say
from pouls.cli.usage import duration
from pouls.locale import N_, translate, translate_plural

if TYPE_CHECKING:
    from pouls.config import Settings
    from pouls.sinks.notice import Notice
    from pouls.store.sqlite import SQLiteStore


# The team's states of an alert (pouls.watch.workflow), as the alert pages name them.
STATES = {
    "open": N_("Open"),
    "acknowledged": N_("Acknowledged"),
    "snoozed": N_("Snoozed"),
    "resolved": N_("Resolved"),
}


def register(app: typer.Typer) -> None:
    app.command("alerts")(alerts)
    app.command("crisis")(crisis)
    app.command("digest")(digest)


def alerts(
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first).")
    ] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 20,
) -> None:
    """Alerts raised by the live watcher: where the team stands with each, its deliveries."""
    workspace = context.workspace_id(workspace)
    from pouls.signals import utcnow
    from pouls.store.watch import WatchStore
    from pouls.watch import titles
    from pouls.watch.workflow import current

    lang = context.lang()
    store = context.store()
    try:
        book = WatchStore(store)
        for a in book.alerts(workspace, limit=limit):
            sent = book.deliveries(workspace, alert_id=a.id)
            failed = sum(1 for d in sent if d.final and not d.ok)
            tries = translate_plural(
                lang,
                "%(num)s delivery attempt, %(failed)s failed",
                "%(num)s delivery attempts, %(failed)s failed",
                len(sent),
                failed=failed,
            )
            state = translate(lang, STATES[current(a.state, a.snoozed_until, utcnow())])
            episode = translate(lang, "episode ongoing" if a.status == "open" else "episode over")
            title = titles.title(a.kind, titles.of_alert(a), lang)
            who = f" → {a.assignee}" if a.assignee else ""
            out.print(
                f"#{a.id} {a.started_at:%Y-%m-%d %H:%M} [{state} · {episode}] {a.rule}: {title}"
                f"{who}  ({tries})",
                markup=False,
            )
    finally:
        store.close()


def crisis(
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first).")
    ] = None,
    since: Annotated[
        str, typer.Option(callback=duration, help="How far back: 12h, 30d, 2w.")
    ] = "30d",
) -> None:
    """Stories that went from private messages to public posts, then to the press."""
    workspace = context.workspace_id(workspace)
    from pouls.locale.formats import span as span_words
    from pouls.watch.crisis import recent
    from pouls.watch.rules import parse_duration

    span = parse_duration(since)  # checked by `duration` when the command line was read
    store = context.store()
    try:
        found, _ = recent(store, workspace, span)
    finally:
        store.close()
    stories = {id(e.story): e.story for e in found}
    lang = context.lang()
    out.print(
        translate_plural(
            lang,
            "%(num)s escalating story over %(since)s.",
            "%(num)s escalating stories over %(since)s.",
            len(stories),
            since=span_words(lang, since, long=True),
        )
    )
    for story in stories.values():
        terms = ", ".join(sorted(story.terms)[:8])
        out.print(
            "\n" + say("[bold]Story %(number)s[/]: %(terms)s", number=story.number, terms=terms)
        )
        for level in ("private", "public", "press"):
            seen = story.seen[level]
            if seen:
                count = translate_plural(lang, "%(num)s signal", "%(num)s signals", len(seen))
                first = say(
                    "first %(when)s, %(count)s:",
                    when=f"{seen[0].created_at:%Y-%m-%d %H:%M}",
                    count=count,
                )
                out.print(f"  {say(level):8} {first} {seen[0].text[:90]!r}", markup=False)
        for e in found:
            if e.story is story:
                when = f"{e.at:%Y-%m-%d %H:%M}"
                out.print(
                    "  ▲ "
                    + say(
                        "%(source)s → %(target)s at %(when)s",
                        source=say(e.source),
                        target=say(e.target),
                        when=when,
                    )
                )


def digest(
    period: Annotated[str, typer.Option(help="day or week.")] = "day",
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first).")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="End of the period, ISO 8601 (default: now).")
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send it to `[alerts] digest_sinks` instead.")
    ] = False,
) -> None:
    """The digest of the last day or week: printed, or sent by e-mail with `--send`."""
    workspace = context.workspace_id(workspace)
    import asyncio

    from pouls.query.period import zone
    from pouls.signals import utcnow
    from pouls.watch.digest import gather
    from pouls.watch.messages import digest_notice

    if period not in ("day", "week"):
        raise typer.BadParameter(say("day or week"), param_hint="'--period'")
    try:
        until = datetime.fromisoformat(end) if end else utcnow()
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--end'") from None
    if until.tzinfo is None:
        raise typer.BadParameter(
            say("give a time zone, e.g. 2026-10-03T08:00+02:00"), param_hint="'--end'"
        )
    settings = context.settings()
    a = settings.file.alerts
    store = context.store()
    try:
        p: Literal["day", "week"] = "day" if period == "day" else "week"
        tz = zone(settings.workspace(workspace).timezone)  # type: ignore[union-attr]
        digest = gather(store, workspace, p, until, base_url=a.base_url)
        notice = digest_notice(digest, a.lang, tz)
        if not send:
            typer.echo(notice.text)  # as is: no wrapping, no markup
            return
        if not a.digest_sinks:
            raise UserError("no [alerts] digest_sinks to send the digest to")
        asyncio.run(_send(settings, store, notice))
    finally:
        store.close()


async def _send(settings: Settings, store: SQLiteStore, notice: Notice) -> None:
    from pouls.store.watch import WatchStore
    from pouls.watch.assemble import sinks_from
    from pouls.watch.delivery import Outbox, recorder

    a = settings.file.alerts
    book = WatchStore(store)
    outbox = Outbox(book, sinks_from(settings, recorder(book)))
    outbox.send(notice, a.digest_sinks)
    await outbox.drain()
    failed = [
        d.sink
        for d in WatchStore(store).deliveries(notice.workspace, limit=len(a.digest_sinks) * 20)
        if d.alert_id is None and d.subject == notice.subject and d.final and not d.ok
    ]
    if failed:
        raise UserError("digest not delivered to %(sinks)s", sinks=", ".join(sorted(set(failed))))
    out.print(say("Digest sent to %(sinks)s.", sinks=", ".join(a.digest_sinks)))
