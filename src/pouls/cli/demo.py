"""`pouls demo`: write the demo data and its pouls.toml, so `pouls up` shows a living wall."""

from __future__ import annotations

from importlib import resources
from typing import Annotated

import typer

from pouls.cli import context
from pouls.cli.context import out
from pouls.config import CONFIG_NAME


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    if_missing: Annotated[
        bool, typer.Option(help="Do nothing when the demo files are already there.")
    ] = False,
    weeks: Annotated[int, typer.Option(min=1, max=52, help="Weeks of history.")] = 6,
) -> None:
    """Generate the Maison Lumière demo (six weeks, French and English, every channel)."""
    from pouls import demo as generator

    home = context.home()
    home.mkdir(parents=True, exist_ok=True)
    config = home / CONFIG_NAME
    if not config.exists():
        text = resources.files("pouls").joinpath("demo.toml").read_text(encoding="utf-8")
        config.write_text(text, encoding="utf-8")
        out.print(f"Wrote [bold]{config}[/] for the demo workspace.")
    if if_missing and (home / "demo.jsonl").exists():
        return
    counts = generator.write(home, weeks=weeks)
    out.print(
        f"Wrote {counts['history']:,} signals of history to [bold]{home / 'demo.jsonl'}[/]"
        f" and {counts['live']:,} to replay live from [bold]{home / 'demo-live.jsonl'}[/]."
    )
