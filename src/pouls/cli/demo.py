"""`pouls demo`: write the demo data and its pouls.toml, so `pouls up` shows a living wall."""

from __future__ import annotations

from importlib import resources
from typing import Annotated

import typer

from pouls.cli import context
from pouls.cli.context import out, say
from pouls.config import CONFIG_NAME
from pouls.locale.formats import number

DEMO_LOGIN = "demo-login.txt"  # the demo account's login and password, for `pouls up` to show


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
    home.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds pouls.db: owner only
    config = home / CONFIG_NAME
    if not config.exists():
        text = resources.files("pouls.demo").joinpath("demo.toml").read_text(encoding="utf-8")
        config.write_text(text, encoding="utf-8")
        out.print(say("Wrote [bold]%(file)s[/] for the demo workspace.", file=str(config)))
    _demo_account()
    if if_missing and (home / "demo.jsonl").exists():
        return
    counts = generator.write(home, weeks=weeks)
    out.print(
        say(
            "Wrote %(history)s signals of history to [bold]%(file)s[/]"
            " and %(live)s to replay live from [bold]%(live_file)s[/].",
            history=number(context.lang(), counts["history"]),
            file=str(home / "demo.jsonl"),
            live=number(context.lang(), counts["live"]),
            live_file=str(home / "demo-live.jsonl"),
        )
    )


def _demo_account() -> None:
    """An admin of every demo workspace, with a random password kept beside the demo data.

    Only when no account exists: a real installation that imports the demo keeps its own.
    """
    import secrets

    from pouls.access.passwords import hash_password

    store = context.store()
    try:
        if store.users.count():
            return
        password = secrets.token_urlsafe(9)
        user_id = store.users.add("demo", hash_password(password), "Démo")
        for w in context.settings().workspaces:
            store.users.grant(user_id, w.id, "admin")
    finally:
        store.close()
    path = context.home() / DEMO_LOGIN
    path.touch(mode=0o600)
    path.write_text(f"demo {password}\n", encoding="utf-8")
    out.print(say("Made the account [bold]demo[/] (password in %(file)s).", file=str(path)))
