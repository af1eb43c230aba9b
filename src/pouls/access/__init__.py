"""Who may see what: roles per workspace, and the secrets that prove who someone is.

A person has one role in each workspace they belong to (DESIGN: admin, analyst, community
manager, moderator, viewer); outside those workspaces they see nothing. Every role reads;
`may` says which roles may change what, and is checked where the change is made.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from typing import Literal, get_args

Role = Literal["admin", "analyst", "community_manager", "moderator", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)

Action = Literal["read", "watch", "export", "manage", "respond", "correct"]

# `watch`: create, edit and delete topics and alert rules (web app and API).
# `manage`: a workspace's members and their roles, and pausing its sources.
# `export`: take the selection away as a file (CSV, JSON lines, XLSX) from the wall or the API.
# Those who report on the signals may; a moderator acts on them in pouls, and a viewer's
# seat is for looking, so neither takes a copy of the workspace's data out (docs/export.md).
ALLOWED: dict[Action, frozenset[str]] = {
    "read": frozenset(ROLES),
    "watch": frozenset({"admin", "analyst"}),
    "export": frozenset({"admin", "analyst", "community_manager"}),
    "manage": frozenset({"admin"}),
    # `respond`: acknowledge, assign, snooze, comment on, resolve and reopen alerts. Every role
    # that works the signals answers alerts; a viewer's seat is for looking (docs/alerts.md).
    "respond": frozenset({"admin", "analyst", "community_manager", "moderator"}),
    # `correct`: give a signal's sentiment, toxicity, language or entities the value a person
    # judges right; it wins over the models in every figure and teaches the workspace's
    # adaptation, so it is the analysts' call, as topics and rules are (docs/corrections.md).
    "correct": frozenset({"admin", "analyst"}),
}


def may(role: str | None, action: Action) -> bool:
    """Whether `role` (None: no role in the workspace) allows `action`."""
    return role in ALLOWED[action]


def new_secret(prefix: str = "") -> str:
    """A random, URL-safe secret of 256 bits for a session cookie or an API token."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the store keeps of a session or token: its SHA-256, so a leaked database lets no
    one in (the secrets are random and long, so no salt or slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def normalize_login(login: str) -> str:
    """The one form of a login, used to create accounts, find them and throttle sign-ins, so
    that `"Ana@x.fr "` and `"ana@x.fr"` are the same account everywhere."""
    return unicodedata.normalize("NFKC", login).strip().casefold()
