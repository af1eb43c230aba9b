"""`pouls rule add|list|rm|test`: alert rules kept in the database beside those of pouls.toml."""

from __future__ import annotations

from typing import Annotated

import msgspec
import typer

from pouls.cli import context
from pouls.cli.context import UserError, out, say, say_plural
from pouls.cli.usage import duration
from pouls.locale import N_

rule_app = typer.Typer(
    rich_markup_mode=None, help="Alert rules: add, list, remove, and test them on history."
)


def register(app: typer.Typer) -> None:
    app.add_typer(rule_app, name="rule")


@rule_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Rule id, unique within the workspace.")],
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first).")
    ] = None,
    kind: Annotated[
        str,
        typer.Option(help="spike, threshold, match, toxicity, scam, campaign or new_terms."),
    ] = "spike",
    topic: Annotated[str | None, typer.Option(help="Topic name to watch.")] = None,
    query: Annotated[str | None, typer.Option(help="Query, when no topic is named.")] = None,
    metric: Annotated[
        str, typer.Option(help="volume, negative, toxic, scam, reach or authors.")
    ] = "volume",
    threshold: Annotated[float | None, typer.Option(help="Value for threshold rules.")] = None,
    window: Annotated[
        int,
        typer.Option(help="Minutes summed by a threshold rule, counted by campaign and new_terms."),
    ] = 60,
    min_signals: Annotated[
        int, typer.Option(help="campaign: copies in the window; new_terms: signals with the word.")
    ] = 10,
    min_authors: Annotated[
        int, typer.Option(help="campaign, new_terms: distinct authors among them.")
    ] = 5,
    bucket: Annotated[int, typer.Option(help="Minutes per detector step.")] = 60,
    sensitivity: Annotated[float, typer.Option(help="0 to 1: higher finds more.")] = 0.5,
    cooldown: Annotated[int, typer.Option(help="Quiet minutes before an alert closes.")] = 360,
    quiet_hours: Annotated[str | None, typer.Option(help="e.g. 22:00-07:00.")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone of the quiet hours.")] = "Europe/Paris",
    sink: Annotated[list[str] | None, typer.Option(help="Sink name (repeat).")] = None,
    lang: Annotated[str | None, typer.Option(help="fr or en.")] = None,
) -> None:
    """Add a rule to the database (rules in pouls.toml are edited there)."""
    from pouls.config import Rule
    from pouls.store.watch import RuleExists
    from pouls.watch import ruleset

    settings = context.settings()
    workspace = context.workspace_id(workspace)
    fields = {
        "name": name,
        "workspace": workspace,
        "kind": kind,
        "topic": topic,
        "query": query,
        "metric": metric,
        "threshold": threshold,
        "window": window,
        "min_signals": min_signals,
        "min_authors": min_authors,
        "bucket": bucket,
        "sensitivity": sensitivity,
        "cooldown": cooldown,
        "quiet_hours": quiet_hours,
        "timezone": timezone,
        "sinks": sink or [],
        "lang": lang,
    }
    try:
        rule = msgspec.convert(fields, Rule)
    except msgspec.ValidationError as exc:
        raise UserError(str(exc)) from None
    store = context.store()
    try:
        ruleset.save(settings, store, rule, origin="cli", create=True)
    except ruleset.RuleRefused as exc:
        raise UserError("rule %(name)s: %(why)s", name=name, why=str(exc)) from None
    except RuleExists:
        raise UserError(
            "rule %(name)s exists already in workspace %(workspace)s",
            name=name,
            workspace=workspace,
        ) from None
    finally:
        store.close()
    out.print(
        say(
            "Rule [bold]%(name)s[/] added to workspace %(workspace)s. A running `pouls up` takes"
            " it up within seconds; try it on history now with"
            " [cyan]pouls rule test %(name)s -w %(workspace)s[/].",
            name=name,
            workspace=workspace,
        )
    )


@rule_app.command("list")
def list_(
    workspace: Annotated[str | None, typer.Option("--workspace", "-w")] = None,
) -> None:
    """Every rule, and where it came from (pouls.toml seeds the database)."""
    from rich.table import Table

    from pouls.store.watch import WatchStore
    from pouls.watch.ruleset import entries

    settings = context.settings()
    store = context.store()
    try:
        found = entries(settings, WatchStore(store), workspace)
    finally:
        store.close()
    columns = (
        N_("workspace"),
        N_("rule"),
        N_("kind"),
        N_("watches"),
        N_("metric"),
        N_("step"),
        N_("sens."),
        N_("sinks"),
        N_("from"),
    )
    table = Table(*(say(c) for c in columns))
    for e in found:
        r = e.rule
        table.add_row(
            r.workspace,
            r.name,
            r.kind,
            f"topic:{r.topic}" if r.topic else (r.query or say("(all)")),
            r.metric if r.kind in ("spike", "threshold") else "-",
            f"{r.bucket} min",
            f"{r.sensitivity:g}",
            ", ".join(r.sinks) or "-",
            {"config": "pouls.toml", "web": say("web app")}.get(e.origin, "CLI"),
        )
    out.print(table)


@rule_app.command("rm")
def rm(
    name: str,
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first).")
    ] = None,
) -> None:
    """Remove a rule (one of pouls.toml is then no longer seeded from it)."""
    from pouls.watch.ruleset import delete

    settings = context.settings()
    workspace = context.workspace_id(workspace)
    store = context.store()
    try:
        removed = delete(settings, store, workspace, name)
    finally:
        store.close()
    if not removed:
        raise UserError(
            "no rule %(name)s in workspace %(workspace)s", name=name, workspace=workspace
        )
    out.print(
        say(
            "Rule [bold]%(name)s[/] removed; a running `pouls up` stops it within seconds.",
            name=name,
        )
    )


@rule_app.command("test")
def test(
    name: str,
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Workspace id (default: the first).")
    ] = None,
    since: Annotated[
        str, typer.Option(callback=duration, help="How far back: 90m, 12h, 30d, 2w.")
    ] = "30d",
    sensitivity: Annotated[
        float | None, typer.Option(help="Try another sensitivity without changing the rule.")
    ] = None,
    explain: Annotated[bool, typer.Option(help="Explain each alert (terms, channels).")] = True,
) -> None:
    """Replay a rule on stored history and list the alerts it would have raised."""
    from pouls.store.watch import WatchStore
    from pouls.watch.replay import trial
    from pouls.watch.rules import parse_duration, title
    from pouls.watch.watcher import rules_of

    settings = context.settings()
    workspace = context.workspace_id(workspace)
    store = context.store()
    try:
        rules = [
            r
            for r in rules_of(settings, WatchStore(store))
            if r.workspace == workspace and r.name == name
        ]
        if not rules:
            raise UserError(
                "no rule %(name)s in workspace %(workspace)s", name=name, workspace=workspace
            )
        rule = rules[0]
        if sensitivity is not None:
            rule = msgspec.structs.replace(rule, sensitivity=sensitivity)
        span = parse_duration(since)  # checked by `duration` when the command line was read
        found = trial(store, rule, span, base_url=settings.file.alerts.base_url, explained=explain)
        lang = rule.lang or settings.file.alerts.lang
        alerts = say_plural("%(num)s alert", "%(num)s alerts", len(found))
        out.print(
            say(
                "Rule [bold]%(name)s[/] (sensitivity %(sensitivity)s) over %(since)s: %(alerts)s.",
                name=rule.name,
                sensitivity=f"{rule.sensitivity:g}",
                since=since,
                alerts=alerts,
            )
        )
        for t in found:
            a = t.alert
            end = a.closed.at.strftime("%m-%d %H:%M") if a.closed else say("open")
            updates = say_plural("%(num)s update", "%(num)s updates", a.updates)
            out.print(
                f"• {a.opened.at:%Y-%m-%d %H:%M} → {end}  {title(rule, a.peak, lang)}  ({updates})"
            )
            if t.explanation is not None:
                out.print(f"    {t.explanation.summary(lang)}")
                if rule.kind == "campaign" and t.explanation.examples:
                    out.print(f"    « {t.explanation.examples[0].text[:120]} »")
    finally:
        store.close()
