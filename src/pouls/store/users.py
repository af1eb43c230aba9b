"""SQL of access: accounts, roles per workspace, browser sessions and API tokens.

Secrets never reach this module: callers pass the password hash and the digests of session
cookies and tokens (see `pouls.access`), so what the database holds cannot be used to sign in.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

import msgspec

from pouls.access import normalize_login
from pouls.signals import utcnow
from pouls.store.rows import from_us, to_us

if TYPE_CHECKING:
    from pouls.store.sqlite import SQLiteStore


USE_RESOLUTION_US = 60_000_000  # a token's `last_used_at` is kept to the minute


class User(msgspec.Struct, kw_only=True, frozen=True):
    """An account and its role in each workspace it belongs to."""

    id: int
    login: str
    name: str | None
    password: str  # the hash
    roles: dict[str, str]  # workspace -> role
    must_change: bool = False  # its password was seen by the admin who made it: pages wait

    @property
    def label(self) -> str:
        return self.name or self.login


class Token(msgspec.Struct, kw_only=True, frozen=True):
    """An API token as listed: never its value, which is shown once when it is made."""

    id: int
    login: str
    name: str
    workspace: str | None
    created_at: datetime
    last_used_at: datetime | None


class UserExists(Exception):
    """An account with that login exists already."""


class LastAdmin(Exception):
    """The change would leave a workspace without an admin: nobody could manage it then."""


class Users:
    """Accounts and their access, in the same SQLite file as the signals."""

    def __init__(self, store: SQLiteStore) -> None:
        self.store = store

    # -- accounts -----------------------------------------------------------------------------

    def add(
        self,
        login: str,
        password_hash: str,
        name: str | None = None,
        *,
        member_of: tuple[str, str] | None = None,
        must_change: bool = False,
    ) -> int:
        """A new account under its normalised login; `UserExists` when that login is taken.

        `member_of` (workspace, role) gives it its first role in the same transaction, so an
        account made from a workspace's members page never exists without its place there;
        `must_change`: its first password was shown to someone else, it must choose its own."""
        login = normalize_login(login)
        try:
            with self.store._transaction() as conn:
                cur = conn.execute(
                    "INSERT INTO users (login, name, password, created_at, must_change_password)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (login, name, password_hash, to_us(utcnow()), int(must_change)),
                )
                if member_of is not None:
                    conn.execute(
                        "INSERT INTO memberships (user_id, workspace, role) VALUES (?, ?, ?)",
                        (cur.lastrowid, *member_of),
                    )
        except sqlite3.IntegrityError:
            raise UserExists(f"an account {login!r} exists already") from None
        assert cur.lastrowid is not None
        return cur.lastrowid

    def get(self, login: str) -> User | None:
        """The account of a login, however it was typed (case, spaces, Unicode forms)."""
        row = (
            self.store._reader()
            .execute(
                "SELECT id FROM users WHERE login = ? COLLATE NOCASE", (normalize_login(login),)
            )
            .fetchone()
        )
        return self.by_id(row[0]) if row else None

    def by_id(self, user_id: int) -> User | None:
        conn = self.store._reader()
        row = conn.execute(
            "SELECT id, login, name, password, must_change_password FROM users WHERE id = ?",
            (user_id,),
        ).fetchone()
        if row is None:
            return None
        roles = dict(
            conn.execute(
                "SELECT workspace, role FROM memberships WHERE user_id = ? ORDER BY workspace",
                (user_id,),
            ).fetchall()
        )
        return User(
            id=row[0],
            login=row[1],
            name=row[2],
            password=row[3],
            roles=roles,
            must_change=bool(row[4]),
        )

    def members(self, workspace: str | None = None) -> list[User]:
        """Every account, or those with a role in `workspace`, by login."""
        rows = self.store._reader().execute(
            "SELECT id FROM users WHERE ?1 IS NULL"
            " OR id IN (SELECT user_id FROM memberships WHERE workspace = ?1)"
            " ORDER BY login COLLATE NOCASE",
            (workspace,),
        )
        found = [self.by_id(i) for (i,) in rows.fetchall()]
        return [u for u in found if u is not None]

    def count(self) -> int:
        return int(self.store._reader().execute("SELECT count(*) FROM users").fetchone()[0])

    def remove(self, login: str) -> bool:
        """Delete an account with its roles, sessions and tokens; False when there was none."""
        with self.store._transaction() as conn:
            cur = conn.execute(
                "DELETE FROM users WHERE login = ? COLLATE NOCASE", (normalize_login(login),)
            )
            return cur.rowcount > 0

    def set_password(self, user_id: int, password_hash: str, *, must_change: bool = False) -> None:
        """Change a password and sign the account out everywhere; `must_change`: someone
        other than its owner saw the new password (the account's own change clears it)."""
        with self.store._transaction() as conn:
            conn.execute(
                "UPDATE users SET password = ?, must_change_password = ? WHERE id = ?",
                (password_hash, int(must_change), user_id),
            )
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    # -- roles --------------------------------------------------------------------------------

    def grant(self, user_id: int, workspace: str, role: str) -> None:
        with self.store._transaction() as conn:
            conn.execute(
                "INSERT INTO memberships (user_id, workspace, role) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id, workspace) DO UPDATE SET role = excluded.role",
                (user_id, workspace, role),
            )

    def set_role(self, user_id: int, workspace: str, role: str | None) -> bool:
        """Give the account `role` in the workspace (None: remove it from the workspace);
        `LastAdmin` when that would leave the workspace without an admin. The check and the
        change are one transaction, so two admins demoting each other cannot both succeed.
        False when removing an account that had no role there."""
        with self.store._transaction() as conn:
            row = conn.execute(
                "SELECT role FROM memberships WHERE user_id = ? AND workspace = ?",
                (user_id, workspace),
            ).fetchone()
            if row is not None and row[0] == "admin" and role != "admin":
                others = conn.execute(
                    "SELECT count(*) FROM memberships"
                    " WHERE workspace = ? AND role = 'admin' AND user_id != ?",
                    (workspace, user_id),
                ).fetchone()[0]
                if others == 0:
                    raise LastAdmin(workspace)
            if role is None:
                cur = conn.execute(
                    "DELETE FROM memberships WHERE user_id = ? AND workspace = ?",
                    (user_id, workspace),
                )
                return cur.rowcount > 0
            conn.execute(
                "INSERT INTO memberships (user_id, workspace, role) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id, workspace) DO UPDATE SET role = excluded.role",
                (user_id, workspace, role),
            )
            return True

    def revoke(self, user_id: int, workspace: str) -> bool:
        with self.store._transaction() as conn:
            cur = conn.execute(
                "DELETE FROM memberships WHERE user_id = ? AND workspace = ?",
                (user_id, workspace),
            )
            return cur.rowcount > 0

    # -- sessions -----------------------------------------------------------------------------

    def open_session(self, user_id: int, digest: str, expires_at: datetime) -> None:
        now = to_us(utcnow())
        with self.store._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
            conn.execute(
                "INSERT INTO sessions (digest, user_id, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (digest, user_id, now, to_us(expires_at)),
            )

    def session_user(self, digest: str) -> User | None:
        """The account of a live session; None when unknown or expired."""
        row = (
            self.store._reader()
            .execute(
                "SELECT user_id FROM sessions WHERE digest = ? AND expires_at > ?",
                (digest, to_us(utcnow())),
            )
            .fetchone()
        )
        return self.by_id(row[0]) if row else None

    def close_session(self, digest: str) -> None:
        with self.store._transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE digest = ?", (digest,))

    # -- API tokens ---------------------------------------------------------------------------

    def add_token(self, user_id: int, name: str, digest: str, workspace: str | None) -> None:
        try:
            with self.store._transaction() as conn:
                conn.execute(
                    "INSERT INTO api_tokens (digest, user_id, name, workspace, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (digest, user_id, name, workspace, to_us(utcnow())),
                )
        except sqlite3.IntegrityError:
            raise UserExists(f"this account has a token named {name!r} already") from None

    def token_user(self, digest: str) -> User | None:
        """The account a token acts for, its roles narrowed to the token's workspace if any."""
        row = (
            self.store._reader()
            .execute(
                "SELECT id, user_id, workspace, last_used_at FROM api_tokens WHERE digest = ?",
                (digest,),
            )
            .fetchone()
        )
        if row is None:
            return None
        token_id, user_id, workspace, used = row
        user = self.by_id(user_id)
        if user is None:
            return None
        now = to_us(utcnow())
        if used is None or now - used > USE_RESOLUTION_US:
            # A script calling every second must not take the writer's lock every second.
            with self.store._transaction() as conn:
                conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now, token_id))
        if workspace is None:
            return user
        roles = {workspace: user.roles[workspace]} if workspace in user.roles else {}
        return msgspec.structs.replace(user, roles=roles)

    def tokens(self, login: str | None = None) -> list[Token]:
        rows = self.store._reader().execute(
            "SELECT t.id, u.login, t.name, t.workspace, t.created_at, t.last_used_at"
            " FROM api_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE ?1 IS NULL OR u.login = ?1 COLLATE NOCASE ORDER BY u.login, t.name",
            (None if login is None else normalize_login(login),),
        )
        return [
            Token(
                id=i,
                login=u,
                name=n,
                workspace=w,
                created_at=from_us(c),
                last_used_at=from_us(used) if used is not None else None,
            )
            for i, u, n, w, c, used in rows
        ]

    def remove_token(self, user_id: int, name: str) -> bool:
        with self.store._transaction() as conn:
            cur = conn.execute(
                "DELETE FROM api_tokens WHERE user_id = ? AND name = ?", (user_id, name)
            )
            return cur.rowcount > 0
