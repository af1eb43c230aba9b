"""Who may see what: roles per workspace, and the secrets that prove who someone is.

A person has one role in each workspace they belong to (DESIGN: admin, analyst, community
manager, moderator, viewer); outside those workspaces they see nothing. Every role reads; the
web app changes nothing yet, so no role is refused anything inside its workspaces.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Literal, get_args

Role = Literal["admin", "analyst", "community_manager", "moderator", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)


def new_secret(prefix: str = "") -> str:
    """A random, URL-safe secret of 256 bits for a session cookie or an API token."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What the store keeps of a session or token: its SHA-256, so a leaked database lets no
    one in (the secrets are random and long, so no salt or slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()
