"""`pouls user ...` and `pouls token ...`: who may sign in, their role per workspace, API tokens."""

from __future__ import annotations

import secrets
import sys
from typing import Annotated

import typer
from rich.table import Table

from pouls.access import ROLES, digest, new_secret, normalize_login
from pouls.access.passwords import MIN_LENGTH, WeakPassword, check_strength, hash_password
from pouls.cli import context
from pouls.cli.context import UserError, out, say
from pouls.store.users import User, UserExists

RoleOption = Annotated[
    str, typer.Option("--role", "-r", help="admin, analyst, community_manager, moderator, viewer.")
]
Workspaces = Annotated[
    list[str] | None,
    typer.Option(
        "--workspace", "-w", help="Workspace id; repeat for several (default: the first)."
    ),
]
PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


def register(app: typer.Typer) -> None:
    users = typer.Typer(
        rich_markup_mode=None,
        help="Accounts and their role in each workspace.",
        no_args_is_help=True,
    )
    users.command("add")(add)
    users.command("list")(list_users)
    users.command("rm")(remove)
    users.command("passwd")(passwd)
    users.command("grant")(grant)
    users.command("revoke")(revoke)
    app.add_typer(users, name="user")
    tokens = typer.Typer(
        rich_markup_mode=None,
        help="API tokens for scripts: `Authorization: Bearer <token>`.",
        no_args_is_help=True,
    )
    tokens.command("add")(add_token)
    tokens.command("list")(list_tokens)
    tokens.command("rm")(remove_token)
    app.add_typer(tokens, name="token")


def add(
    login: Annotated[str, typer.Argument(help="An e-mail address or a short name.")],
    role: RoleOption = "viewer",
    workspace: Workspaces = None,
    all_workspaces: Annotated[
        bool, typer.Option("--all-workspaces", help="A role in every declared workspace.")
    ] = False,
    name: Annotated[str | None, typer.Option(help="Name shown in the web app.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account; prints a generated password unless one comes on standard input."""
    _check_role(role)
    spaces = _workspaces(workspace, all_workspaces)
    password, generated = _password(password_stdin)
    users = context.store().users
    login = normalize_login(login)  # the form sign-in and its throttle look up
    try:
        user_id = users.add(login, hash_password(password), name)
    except UserExists:
        raise UserError(
            "an account %(login)r exists already; change its roles with"
            " `pouls user grant %(login)s`",
            login=login,
        ) from None
    for ws in spaces:
        users.grant(user_id, ws, role)
    out.print(
        say(
            "Created [bold]%(login)s[/], %(role)s in %(spaces)s.",
            login=login,
            role=role,
            spaces=", ".join(spaces),
        )
    )
    if generated:
        _show_password(login, password)


def list_users(
    workspace: Annotated[
        str | None, typer.Option("--workspace", "-w", help="Only the members of this workspace.")
    ] = None,
) -> None:
    """Accounts and their roles."""
    found = context.store().users.members(workspace)
    if not found:
        out.print(say("No account yet: create one with `pouls user add LOGIN --role admin`."))
        return
    table = Table(say("login"), say("name"), say("roles"))
    for u in found:
        roles = ", ".join(f"{ws}: {r}" for ws, r in u.roles.items()) or say("none")
        table.add_row(u.login, u.name or "", roles)
    out.print(table)


def remove(login: Annotated[str, typer.Argument(help="The account to delete.")]) -> None:
    """Delete an account with its sessions and tokens."""
    if not context.store().users.remove(login):
        raise UserError("no account %(login)r; `pouls user list` shows them", login=login)
    out.print(say("Deleted %(login)s; its sessions and tokens no longer work.", login=login))


def passwd(
    login: Annotated[str, typer.Argument(help="The account.")],
    password_stdin: PasswordStdin = False,
) -> None:
    """Set a new password (generated unless given on standard input); signs the account out."""
    user = _user(login)
    password, generated = _password(password_stdin)
    context.store().users.set_password(user.id, hash_password(password))
    out.print(say("New password for %(login)s; its browsers are signed out.", login=user.login))
    if generated:
        _show_password(user.login, password)


def grant(
    login: Annotated[str, typer.Argument(help="The account.")],
    role: RoleOption = "viewer",
    workspace: Workspaces = None,
) -> None:
    """Give an account a role in workspaces (replacing the role it had there)."""
    _check_role(role)
    user = _user(login)
    spaces = _workspaces(workspace, False)
    for ws in spaces:
        context.store().users.grant(user.id, ws, role)
    out.print(
        say(
            "%(login)s is %(role)s in %(spaces)s.",
            login=user.login,
            role=role,
            spaces=", ".join(spaces),
        )
    )


def revoke(
    login: Annotated[str, typer.Argument(help="The account.")],
    workspace: Workspaces = None,
) -> None:
    """Take an account's role away in workspaces."""
    user = _user(login)
    for ws in _workspaces(workspace, False):
        if context.store().users.revoke(user.id, ws):
            out.print(
                say(
                    "%(login)s no longer has a role in %(workspace)s.",
                    login=user.login,
                    workspace=ws,
                )
            )
        else:
            out.print(
                say("%(login)s had no role in %(workspace)s.", login=user.login, workspace=ws)
            )


def add_token(
    login: Annotated[str, typer.Argument(help="The account the token acts for.")],
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. n8n or backup.")],
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace", "-w", help="Limit it to one workspace (default: all of the account's)."
        ),
    ] = None,
) -> None:
    """Make an API token; it is printed once and cannot be shown again."""
    user = _user(login)
    if workspace is not None:
        context.workspace_id(workspace)
        if workspace not in user.roles:
            raise UserError(
                "%(login)s has no role in %(workspace)s: grant one first",
                login=user.login,
                workspace=workspace,
            )
    token = new_secret("pouls_")
    try:
        context.store().users.add_token(user.id, name, digest(token), workspace)
    except UserExists:
        raise UserError(
            "this account has a token named %(name)r already; remove it with"
            " `pouls token rm %(login)s %(name)s`",
            login=login,
            name=name,
        ) from None
    out.print(
        say(
            "Token %(name)r for %(login)s. Copy it now, it will not be shown again:",
            name=name,
            login=user.login,
        )
    )
    print(token)


def list_tokens(
    login: Annotated[str | None, typer.Argument(help="Only this account's tokens.")] = None,
) -> None:
    """API tokens (their names, never their values) and when they were last used."""
    found = context.store().users.tokens(login)
    if not found:
        out.print(say("No API token."))
        return
    table = Table(say("login"), say("name"), say("workspace"), say("created"), say("last used"))
    for t in found:
        used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else say("never")
        table.add_row(
            t.login, t.name, t.workspace or say("all"), t.created_at.strftime("%Y-%m-%d"), used
        )
    out.print(table)


def remove_token(
    login: Annotated[str, typer.Argument(help="The account.")],
    name: Annotated[str, typer.Argument(help="The token's name.")],
) -> None:
    """Revoke an API token at once."""
    if not context.store().users.remove_token(_user(login).id, name):
        raise UserError(
            "%(login)s has no token %(name)r; `pouls token list` shows them", login=login, name=name
        )
    out.print(say("Token %(name)r of %(login)s revoked.", name=name, login=login))


def _user(login: str) -> User:
    user = context.store().users.get(login)
    if user is None:
        raise UserError(
            "no account %(login)r; create it with `pouls user add %(login)s`", login=login
        )
    return user


def _check_role(role: str) -> None:
    if role not in ROLES:
        said = say("no role %(role)r; choose one of %(roles)s", role=role, roles=", ".join(ROLES))
        raise typer.BadParameter(said, param_hint="'--role'")


def _workspaces(named: list[str] | None, every: bool) -> list[str]:
    if every:
        return [w.id for w in context.settings().workspaces]
    return [context.workspace_id(w) for w in named] if named else [context.workspace_id(None)]


def _password(from_stdin: bool) -> tuple[str, bool]:
    """(password, whether it was generated)."""
    if not from_stdin:
        return secrets.token_urlsafe(12), True
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        check_strength(password)
    except WeakPassword:
        raise UserError(
            "a password needs at least %(num)s characters; a few words make a good one",
            num=MIN_LENGTH,
        ) from None
    return password, False


def _show_password(login: str, password: str) -> None:
    out.print(
        say(
            "Password for %(login)s (shown once; change it with `pouls user passwd %(login)s`):",
            login=login,
        )
    )
    print(password)
