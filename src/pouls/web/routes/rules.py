"""Alert rules in the web app: what each watches, and a replay on history to tune it.

A team tries a rule's sensitivity on the past before trusting it (`pouls rule test` on the
command line): the rule page replays it with the live code and lists the alerts it would have
raised, explained. Rules are added and changed in pouls.toml or with `pouls rule add`.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from pouls.config import Rule
from pouls.store.watch import WatchStore
from pouls.watch.replay import trial
from pouls.watch.rules import STREAM, parse_duration, title
from pouls.watch.watcher import rules_of
from pouls.web.i18n import language
from pouls.web.params import Selection, selection
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()

SPANS = ("7d", "30d", "90d")


def _rules(request: Request, workspace: str) -> list[Rule]:
    settings = request.app.state.settings
    return [
        r
        for r in rules_of(settings, WatchStore(request.app.state.store))
        if r.workspace == workspace
    ]


@router.get("/rules", response_class=HTMLResponse)
def rule_list(request: Request, sel: Annotated[Selection, Depends(selection)]) -> HTMLResponse:
    """The workspace's rules: what each watches, how, and where its alerts go."""
    settings = request.app.state.settings
    in_file = {r.name for r in settings.file.rules if r.workspace == sel.workspace}
    context = {"sel": sel, "rules": _rules(request, sel.workspace), "in_file": in_file}
    return pages.TemplateResponse(request, "rules.html", context)


@router.get("/rules/{name}", response_class=HTMLResponse)
def rule_trial(
    request: Request,
    name: str,
    sel: Annotated[Selection, Depends(selection)],
    since: Annotated[Literal["7d", "30d", "90d"], Query()] = "30d",
    sensitivity: Annotated[float | None, Query(gt=0.0, lt=1.0)] = None,
) -> HTMLResponse:
    """The alerts the rule would have raised over `since`, at its own or another sensitivity."""
    rule = next((r for r in _rules(request, sel.workspace) if r.name == name), None)
    if rule is None:
        raise HTTPException(404, "no such rule in this workspace")
    tried = rule if sensitivity is None else msgspec.structs.replace(rule, sensitivity=sensitivity)
    settings = request.app.state.settings
    found = trial(
        request.app.state.store,
        tried,
        parse_duration(since),
        base_url=settings.file.alerts.base_url,
    )
    lang = language(request)
    context = {
        "sel": sel,
        "rule": rule,
        "tried": tried,
        "since": since,
        "spans": SPANS,
        "trials": found,
        "titles": [title(tried, t.alert.peak, lang) for t in found],
        "summaries": [t.explanation.summary(lang) if t.explanation else "" for t in found],
        "streamed": rule.kind in STREAM,
    }
    return pages.TemplateResponse(request, "rule_trial.html", context)
