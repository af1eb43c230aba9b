"""API routes refuse query parameters they do not declare: a typo (`sinse=7d`) silently ignored
would answer for the whole workspace while the script believes it asked for a week.

The accepted names come from each route's own declaration (its parameters and those of its
dependencies, such as the selection's), so a new route needs nothing more than its signature.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from pouls.locale import N_
from pouls.web.errors import Refusal

STRICT_PREFIX = "/api/v1/"


async def known_only(request: Request) -> None:
    """FastAPI dependency: a 400 naming the unknown query parameters of an /api/v1 request and
    the ones its route accepts. Async because it waits for nothing: FastAPI runs a plain `def`
    dependency in its thread pool, a thread hop on every request of the app."""
    if not request.url.path.startswith(STRICT_PREFIX):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    accepted = declared(route)
    unknown = sorted({name for name in request.query_params if name not in accepted})
    if not unknown:
        return
    names, path = ", ".join(unknown), route.path
    if not accepted:
        raise Refusal(
            400, "unknown parameter: %(names)s; %(path)s accepts none", names=names, path=path
        )
    message = (
        N_("unknown parameter: %(names)s; %(path)s accepts: %(accepted)s")
        if len(unknown) == 1
        else N_("unknown parameters: %(names)s; %(path)s accepts: %(accepted)s")
    )
    raise Refusal(400, message, names=names, path=path, accepted=", ".join(sorted(accepted)))


def declared(route: APIRoute) -> frozenset[str]:
    """The query parameter names a route reads, its dependencies' included (a walk of a few
    nodes per request; routes are unhashable, and a cache keyed by id could outlive its app)."""
    names: set[str] = set()
    pending: list[Dependant] = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(field.alias for field in dependant.query_params)
        pending.extend(dependant.dependencies)
    return frozenset(names)
