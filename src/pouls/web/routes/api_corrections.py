"""JSON API of corrections: correct one signal or many, withdraw a correction, read a signal's
corrections, and take the workspace's corrections away as a dataset.

Same sign-in and roles as the pages: every role reads a signal's corrections; the `correct`
right (admins and analysts) corrects; the `export` right takes the dataset. A refusal is a 4xx
whose `detail` says why, in the language Accept-Language names (French or English).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from pouls.corrections import Refused, verdict
from pouls.corrections.dataset import MEDIA_TYPES, chunks
from pouls.locale import N_
from pouls.signals import Signal, utcnow
from pouls.web.errors import Refusal
from pouls.web.member import Member, member

router = APIRouter(prefix="/api/v1", tags=["corrections"])

NO_SIGNAL = N_("no such signal in this workspace: %(ids)s")
NOT_ALLOWED = N_(
    "Your role in this workspace does not allow corrections: ask an admin or an analyst."
)
NO_EXPORT = N_("Your role in this workspace does not allow exports: ask an admin or an analyst.")
MAX_BULK = 500

VALUE_HELP = (
    "sentiment: negative, neutral or positive; toxicity: none, toxic, hate, offensive, insult"
    " or threat; lang: a language code (fr, en); entities: a list of {type, text}, type one of"
    " person, org, place, product."
)


class Verdict(BaseModel):
    """A correction of one field; unknown fields are refused."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"field": "sentiment", "value": "negative"}]},
    )

    field: str = Field(description="sentiment, toxicity, lang or entities.", max_length=20)
    value: Any = Field(description=VALUE_HELP)


class BulkVerdict(Verdict):
    """The same correction of several signals, all or none."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"ids": ["…", "…"], "field": "sentiment", "value": "negative"}]
        },
    )

    ids: list[str] = Field(min_length=1, max_length=MAX_BULK, description="Signal ids.")


def _json(value: Any, status: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status_code=status, media_type="application/json")


def apply(request: Request, who: Member, ids: list[str], field: str, value: Any) -> None:
    """Correct `ids` in the member's workspace, or refuse: 403 without the right, 400 for a
    value that cannot be one (with the reason), 404 naming the ids not found."""
    if not who.may("correct"):
        raise Refusal(403, NOT_ALLOWED)
    try:
        checked = verdict(field, value)
    except Refused as exc:
        raise Refusal(400, exc.message, **exc.values) from None
    store = request.app.state.store
    before = seen(request, who.workspace, ids)
    missing = store.corrections.correct(
        who.workspace, ids, field, checked, user_id=who.user.id, by=who.user.label
    )
    if missing:
        raise Refusal(404, NO_SIGNAL, ids=", ".join(missing[:10]))
    tell(request, who.workspace, before)


def withdraw(request: Request, who: Member, signal_id: str, field: str) -> None:
    """Put the models' value back, or refuse: 403 without the right, 404 without a correction."""
    if not who.may("correct"):
        raise Refusal(403, NOT_ALLOWED)
    before = seen(request, who.workspace, [signal_id])
    if not request.app.state.store.corrections.withdraw(who.workspace, signal_id, field):
        raise Refusal(404, N_("no correction of %(field)s on this signal"), field=field)
    tell(request, who.workspace, before)


Hook = Callable[[list[tuple[Signal, Signal]]], None]


def seen(request: Request, workspace: str, ids: list[str]) -> list[Signal]:
    """The signals as they are before a correction, when someone listens (`pouls up`'s alert
    watcher, through `app.state.corrected`)."""
    if not getattr(request.app.state, "corrected", None):
        return []
    store = request.app.state.store
    return [s for i in dict.fromkeys(ids) if (s := store.get(workspace, i)) is not None]


def tell(request: Request, workspace: str, before: list[Signal]) -> None:
    """Hand each corrected signal, before and after, to those who listen."""
    hooks: list[Hook] = getattr(request.app.state, "corrected", None) or []
    if not hooks or not before:
        return
    store = request.app.state.store
    pairs = [(b, a) for b in before if (a := store.get(workspace, b.id)) is not None]
    for hook in hooks:
        hook(pairs)


def _marks(request: Request, who: Member, signal_id: str) -> dict[str, Any]:
    store = request.app.state.store
    signal = store.get(who.workspace, signal_id)
    if signal is None:
        raise Refusal(404, NO_SIGNAL, ids=signal_id)
    return {"signal": signal, "corrections": store.corrections.of(who.workspace, signal_id)}


@router.get("/signals/{signal_id}/corrections")
def read_corrections(
    request: Request, signal_id: str, who: Annotated[Member, Depends(member)]
) -> Response:
    """The signal (its corrected values in place) and its corrections: for each field, the
    value given, what the models had said (`model`), who and when."""
    return _json(_marks(request, who, signal_id))


@router.post("/signals/{signal_id}/corrections")
def correct_signal(
    request: Request, signal_id: str, body: Verdict, who: Annotated[Member, Depends(member)]
) -> Response:
    """Correct one field of a signal; the value wins over the models everywhere (search,
    facets, counts, dashboards, alerts, exports) and teaches the workspace's adaptation."""
    apply(request, who, [signal_id], body.field, body.value)
    return _json(_marks(request, who, signal_id))


@router.delete("/signals/{signal_id}/corrections/{field}", status_code=204)
def withdraw_correction(
    request: Request,
    signal_id: str,
    field: Literal["sentiment", "toxicity", "lang", "entities"],
    who: Annotated[Member, Depends(member)],
) -> Response:
    """Withdraw a correction: the models' value comes back (404 when there was none)."""
    withdraw(request, who, signal_id, field)
    return Response(status_code=204)


@router.post("/corrections")
def correct_many(
    request: Request, body: BulkVerdict, who: Annotated[Member, Depends(member)]
) -> Response:
    """The same correction of several signals (up to 500), all or none: one id not found in
    the workspace is a 404 that names it, and nothing is changed."""
    apply(request, who, body.ids, body.field, body.value)
    return _json({"corrected": len(dict.fromkeys(body.ids)), "field": body.field})


@router.get(
    "/corrections",
    response_class=StreamingResponse,
    responses={
        200: {"content": {t: {} for t in MEDIA_TYPES.values()}, "description": "The dataset."},
        403: {"description": "The role in this workspace does not allow exports."},
    },
)
def export_corrections(
    request: Request,
    who: Annotated[Member, Depends(member)],
    format: Annotated[
        Literal["csv", "jsonl"], Query(description="csv (UTF-8 with BOM) or jsonl.")
    ] = "jsonl",
    field: Annotated[
        Literal["sentiment", "toxicity", "lang", "entities"] | None,
        Query(description="Only the corrections of this field."),
    ] = None,
) -> StreamingResponse:
    """The workspace's corrections as a labelled dataset, oldest first: signal id, field,
    value, the models' value, who (left out in pseudonymous workspaces), when, language,
    channel, title and text. Authors are never in it."""
    return dataset(request, who, format, field)


def dataset(request: Request, who: Member, format: str, field: str | None) -> StreamingResponse:
    """The download, shared by the API and the wall's link."""
    if not who.may("export"):
        raise Refusal(403, NO_EXPORT)
    settings = request.app.state.settings.workspace(who.workspace)
    named = settings.identities == "named"
    rows = request.app.state.store.corrections.listing(who.workspace, field)
    name = f"pouls-{who.workspace}-corrections-{utcnow().date().isoformat()}.{format}"
    return StreamingResponse(
        chunks(rows, format, named=named),  # type: ignore[arg-type]
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
