"""Alert rules in the web app: the list, the editor with its replay on history, and the
replay of a saved rule at another sensitivity.

A team tries a rule on the past before trusting it: the editor replays the rule as it is
being written (the same code as `pouls rule test` and the live watcher) and shows the alerts
it would have raised before it is saved. Saving or deleting writes the store, the one source
of truth; a running `pouls up` takes the change up within seconds (`Watcher.refresh`).
Admins and analysts may change rules (`pouls.access.may(role, "watch")`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pouls.access import may
from pouls.config import Rule
from pouls.locale import N_
from pouls.store.watch import RuleExists, WatchStore
from pouls.watch import ruleset
from pouls.watch.replay import trial
from pouls.watch.rules import STREAM, parse_duration, title
from pouls.watch.rules import problems as problems_of
from pouls.web import rule_form
from pouls.web.auth import same_origin
from pouls.web.i18n import language, translate
from pouls.web.params import Selection, selection
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
pages = templates()

SPANS = ("7d", "30d", "90d")
KINDS = ("spike", "threshold", "match", "toxicity", "scam", "campaign", "new_terms")
METRICS = ("volume", "negative", "toxic", "scam", "reach", "authors")
Span = Literal["7d", "30d", "90d"]


def _entries(request: Request, workspace: str) -> list[ruleset.Entry]:
    book = WatchStore(request.app.state.store)
    return ruleset.entries(request.app.state.settings, book, workspace)


def _rules(request: Request, workspace: str) -> list[Rule]:
    return [e.rule for e in _entries(request, workspace)]


def _editor(request: Request, sel: Selection) -> bool:
    return may(request.state.user.roles.get(sel.workspace), "watch")


def _may_change(request: Request, sel: Selection) -> None:
    if not same_origin(request):
        raise HTTPException(403, "this form must be sent from pouls itself")
    if not _editor(request, sel):
        raise HTTPException(403, "Only admins and analysts change rules: ask one of them.")


def _say(request: Request) -> Any:
    lang = language(request)
    return lambda text: translate(lang, text)


@router.get("/rules", response_class=HTMLResponse)
def rule_list(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    saved: str | None = None,
    deleted: str | None = None,
) -> HTMLResponse:
    """The workspace's rules: what each watches, how, where its alerts go, where it came from."""
    context = {
        "sel": sel,
        "entries": _entries(request, sel.workspace),
        "editor": _editor(request, sel),
        "saved": saved,
        "deleted": deleted,
    }
    return pages.TemplateResponse(request, "rules.html", context)


@router.get("/rules/new", response_class=HTMLResponse)
def new_rule(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    topic: str | None = None,
) -> HTMLResponse:
    """An empty editor (watching `topic` when given, e.g. from the topics page)."""
    if not _editor(request, sel):
        raise HTTPException(403, "Only admins and analysts change rules: ask one of them.")
    values = rule_form.from_rule(Rule(name="new-rule", workspace=sel.workspace, topic=topic))
    values["name"] = ""
    return _form(request, sel, values, original="")


@router.get("/rules/{name}/edit", response_class=HTMLResponse)
def edit_rule(
    request: Request, name: str, sel: Annotated[Selection, Depends(selection)]
) -> HTMLResponse:
    """The editor filled with a rule; its replay shows at once."""
    if not _editor(request, sel):
        raise HTTPException(403, "Only admins and analysts change rules: ask one of them.")
    entry = next((e for e in _entries(request, sel.workspace) if e.rule.name == name), None)
    if entry is None:
        raise HTTPException(404, "no such rule in this workspace")
    return _form(request, sel, rule_form.from_rule(entry.rule), original=name, entry=entry)


def _form(
    request: Request,
    sel: Selection,
    values: dict[str, Any],
    *,
    original: str,
    entry: ruleset.Entry | None = None,
    problems: list[str] | None = None,
    replay: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    settings = request.app.state.settings
    sinks = [s.name for s in settings.file.sinks if s.workspace in (None, sel.workspace)]
    context = {
        "sel": sel,
        "form": values,
        "original": original,
        "entry": entry,
        "problems": problems or [],
        "kinds": KINDS,
        "metrics": METRICS,
        "spans": SPANS,
        "topics": [t.name for t in request.app.state.store.topics.list(sel.workspace)],
        "sinks": sinks,
        "labels": rule_form.LABELS,
        "replay": replay,
    }
    return pages.TemplateResponse(request, "rule_form.html", context, status_code=status)


@router.post("/rules/preview", response_class=HTMLResponse)
async def preview(request: Request, sel: Annotated[Selection, Depends(selection)]) -> HTMLResponse:
    """The alerts the rule being written would have raised on history: a fragment for the
    editor (htmx), or the whole editor for a browser without script."""
    _may_change(request, sel)
    form = await request.form()
    values = rule_form.values_of(form)
    since: Span = form.get("since") if form.get("since") in SPANS else "30d"  # type: ignore[assignment]
    replay = _replay(request, sel, values, since)
    if request.headers.get("HX-Request"):
        context = {"sel": sel, "fragment": True, **replay}  # it also empties the save's box
        return pages.TemplateResponse(request, "_rule_replay.html", context)
    original = str(form.get("original") or "")
    return _form(request, sel, values, original=original, replay=replay)


def _replay(
    request: Request, sel: Selection, values: dict[str, Any], since: Span
) -> dict[str, Any]:
    say = _say(request)
    values = {**values, "name": values.get("name") or "new-rule"}
    rule, problems = rule_form.read(values, sel.workspace, say)
    if rule is not None:
        topics = {t.name for t in request.app.state.store.topics.list(sel.workspace)}
        settings = request.app.state.settings
        problems = problems_of(rule, settings, topics, say)
    if rule is None or problems:
        return {"problems": problems, "since": since, "trials": None}
    return {"problems": [], **_trials(request, rule, since)}


def _trials(request: Request, rule: Rule, since: str) -> dict[str, Any]:
    settings = request.app.state.settings
    found = trial(
        request.app.state.store, rule, parse_duration(since), base_url=settings.file.alerts.base_url
    )
    lang = language(request)
    return {
        "since": since,
        "trials": found,
        "titles": [title(rule, t.alert.peak, lang) for t in found],
        "summaries": [t.explanation.summary(lang) if t.explanation else "" for t in found],
        "streamed": rule.kind in STREAM,
    }


@router.post("/rules", response_model=None)
async def save(request: Request, sel: Annotated[Selection, Depends(selection)]) -> Response:
    """Create a rule, or change the one named `original`; the running watcher takes it up."""
    _may_change(request, sel)
    form = await request.form()
    values = rule_form.values_of(form)
    original = str(form.get("original") or "")
    say = _say(request)
    settings = request.app.state.settings
    rule, problems = rule_form.read(values, sel.workspace, say)
    if rule is not None and original and rule.name != original:
        rule, problems = None, [say(N_("A rule keeps its name: make a new rule to rename it."))]
    if rule is not None:
        try:
            ruleset.save(
                settings, request.app.state.store, rule, origin="web", create=not original, say=say
            )
            return RedirectResponse(f"/rules?ws={sel.workspace}&saved={rule.name}", 303)
        except ruleset.RuleRefused as exc:
            problems = exc.problems
        except RuleExists:
            problems = [say(N_("A rule of that name exists already: choose another name."))]
        except KeyError:
            problems = [say(N_("This rule was deleted meanwhile: save it as a new rule."))]
            original = ""
    return _form(request, sel, values, original=original, problems=problems, status=400)


@router.post("/rules/{name}/delete", response_model=None)
def delete(request: Request, name: str, sel: Annotated[Selection, Depends(selection)]) -> Response:
    """Delete a rule; its open alerts are closed by the running watcher."""
    _may_change(request, sel)
    settings = request.app.state.settings
    if not ruleset.delete(settings, request.app.state.store, sel.workspace, name):
        raise HTTPException(404, "no such rule in this workspace")
    return RedirectResponse(f"/rules?ws={sel.workspace}&deleted={name}", status_code=303)


@router.get("/rules/{name}", response_class=HTMLResponse)
def rule_trial(
    request: Request,
    name: str,
    sel: Annotated[Selection, Depends(selection)],
    since: Annotated[Span, Query()] = "30d",
    sensitivity: Annotated[float | None, Query(gt=0.0, lt=1.0)] = None,
) -> HTMLResponse:
    """The alerts the rule would have raised over `since`, at its own or another sensitivity."""
    rule = next((r for r in _rules(request, sel.workspace) if r.name == name), None)
    if rule is None:
        raise HTTPException(404, "no such rule in this workspace")
    tried = rule if sensitivity is None else msgspec.structs.replace(rule, sensitivity=sensitivity)
    context = {
        "sel": sel,
        "rule": rule,
        "tried": tried,
        "spans": SPANS,
        "editor": _editor(request, sel),
        **_trials(request, tried, since),
    }
    return pages.TemplateResponse(request, "rule_trial.html", context)
