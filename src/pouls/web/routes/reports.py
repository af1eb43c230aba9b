"""Reports in the web app and the API: the list, a report's page (preview, PDF and HTML
downloads for any period and language, the analyst's summary, its settings), new reports.

Reports of pouls.toml are seeded into the store when the app first needs them; their settings
stay the file's, their summary is written here. Changes need the `watch` right and a form
sent from pouls itself.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import msgspec
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from pouls.access import may
from pouls.config import EmailSink
from pouls.config.reports import FACETS, RANGES, SECTIONS, WEEKDAYS, Report
from pouls.query import QueryError, parse
from pouls.query.period import Period, preset_period, zone
from pouls.report import ReportError
from pouls.report.content import Content, check, gather
from pouls.report.render import MEDIA, filename, render
from pouls.report.schedule import next_due
from pouls.report.words import day, moment
from pouls.signals import utcnow
from pouls.store.declined import Declined
from pouls.store.reports import ReportExists, Reports, SavedReport
from pouls.web.auth import same_origin
from pouls.web.i18n import language, translate
from pouls.web.params import Selection, selection
from pouls.web.templating import templates

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/reports", tags=["reports"])
pages = templates()


def N_(message: str) -> str:
    """Marks a message for extraction (`make translations`); it is translated where shown."""
    return message


RANGE_LABELS = {
    "24h": N_("last 24 hours"),
    "7d": N_("last 7 days"),
    "30d": N_("last 30 days"),
    "90d": N_("last 90 days"),
    "month": N_("this month"),
    "last-month": N_("last month"),
}
SECTION_LABELS = {
    "key_numbers": N_("Key numbers"),
    "charts": N_("Charts"),
    "top_signals": N_("Top signals"),
    "alerts": N_("Alerts of the period"),
    "summary": N_("Summary"),
}
SCHEDULE_LABELS = {
    "off": N_("not sent"),
    "daily": N_("every day"),
    "weekly": N_("every week"),
    "monthly": N_("every month"),
}
WEEKDAY_LABELS = dict(
    zip(
        WEEKDAYS,
        (
            N_("Monday"),
            N_("Tuesday"),
            N_("Wednesday"),
            N_("Thursday"),
            N_("Friday"),
            N_("Saturday"),
            N_("Sunday"),
        ),
        strict=True,
    )
)
SEND_LABELS = {"sent": N_("sent"), "failed": N_("not sent"), "empty": N_("nothing to report")}

Format = Literal["pdf", "html"]
Lang = Literal["fr", "en"]
# The report's own page in the preview frame: its inline styles, no script, framed by pouls only.
FRAMED = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
    " frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    "X-Frame-Options": "SAMEORIGIN",
}


def book(request: Request) -> Reports:
    """The store's reports, pouls.toml's seeded into it once per app."""
    state = request.app.state
    found: Reports | None = getattr(state, "reports", None)
    if found is None:
        found = Reports(state.store)
        found.sync(state.settings.file.reports, [w.id for w in state.settings.workspaces])
        state.reports = found
    return found


def _saved(request: Request, sel: Selection, name: str) -> SavedReport:
    saved = book(request).get(sel.workspace, name)
    if saved is None:
        raise HTTPException(404, "no such report in this workspace")
    return saved


def _period(request: Request, sel: Selection, report: Report) -> Period:
    """The range the page asks for, else the report's own."""
    if sel.period is not None:
        return sel.period
    tz = request.app.state.settings.workspace(sel.workspace).timezone
    return preset_period(report.range, tz=zone(tz))


def _content(
    request: Request, sel: Selection, saved: SavedReport, lang: str, page_lang: str
) -> Content:
    """The report's content, or a 4xx in `page_lang` (no signal, a bad selection)."""
    try:
        return gather(
            request.app.state.store,
            request.app.state.settings,
            saved.report,
            _period(request, sel, saved.report),
            summary=saved.summary,
            base_url=str(request.base_url),
            lang=page_lang,
        )
    except ReportError as exc:
        raise HTTPException(422, exc.text(page_lang)) from None


def _file(content: Content, form: Format, lang: str, page_lang: str) -> Response:
    try:
        data = render(content, form, lang)
    except ReportError as exc:
        raise HTTPException(503, exc.text(page_lang)) from None
    name = filename(content, form)
    return Response(
        data,
        media_type=MEDIA[form],
        headers={"Content-Disposition": f'attachment; filename="{name}"', **FRAMED},
    )


# -- pages ------------------------------------------------------------------------------------


@router.get("/reports", response_class=HTMLResponse)
def report_list(request: Request, sel: Annotated[Selection, Depends(selection)]) -> HTMLResponse:
    """The workspace's reports and, for those who may, the form of a new one."""
    return _list(request, sel)


def _list(
    request: Request,
    sel: Selection,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    reports = book(request).list(sel.workspace)
    context = {
        "sel": sel,
        "reports": reports,
        "editor": _may_edit(request, sel),
        "form": form or _form_of(None),
        "error": error,
        **_choices(request, sel),
    }
    return pages.TemplateResponse(request, "reports.html", context, status_code=status)


@router.get("/reports/{name}", response_class=HTMLResponse)
def report_page(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    name: str,
    lang: Annotated[Lang | None, Query()] = None,
) -> HTMLResponse:
    """A report: its preview for the period asked, downloads, summary and settings."""
    return _page(request, sel, _saved(request, sel, name), lang)


def _page(
    request: Request,
    sel: Selection,
    saved: SavedReport,
    lang: str | None,
    form: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    page_lang = language(request)
    doc_lang = lang or saved.report.lang
    period = _period(request, sel, saved.report)
    problem = None
    try:
        check(
            request.app.state.store,
            request.app.state.settings,
            saved.report,
            period,
            lang=page_lang,
        )
    except ReportError as exc:
        problem = exc.text(page_lang)
    tz = ZoneInfo(request.app.state.settings.workspace(sel.workspace).timezone)
    query = {**sel.params(), "lang": doc_lang}
    query.pop("ws", None)
    context = {
        "sel": sel,
        "saved": saved,
        "report": saved.report,
        "period": period,
        "next_issue": _next_issue(saved.report, tz, page_lang),
        "since_day": day(page_lang, period.since, tz),
        "until_day": day(page_lang, period.until - timedelta(microseconds=1), tz),
        "doc_lang": doc_lang,
        "problem": problem,
        "query": query,
        "ranges": RANGES,
        "editor": _may_edit(request, sel),
        "form": form or _form_of(saved.report),
        "error": error,
        "sends": book(request).sends(sel.workspace, saved.name, limit=10),
        "declared": _declared(request, sel.workspace, saved.name),
        **_choices(request, sel),
    }
    return pages.TemplateResponse(request, "report_page.html", context, status_code=status)


@router.get("/reports/{name}/view", response_class=HTMLResponse)
def report_view(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    name: str,
    lang: Annotated[Lang | None, Query()] = None,
) -> HTMLResponse:
    """The report itself, as the HTML download has it, for the page's preview frame."""
    saved = _saved(request, sel, name)
    doc_lang = lang or saved.report.lang
    content = _content(request, sel, saved, doc_lang, language(request))
    try:
        document = render(content, "html", doc_lang).decode("utf-8")
    except ReportError as exc:
        raise HTTPException(503, exc.text(language(request))) from None
    return HTMLResponse(document, headers=FRAMED)


@router.get("/reports/{name}/download")
async def report_download(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    name: str,
    format: Annotated[Format, Query()] = "pdf",
    lang: Annotated[Lang | None, Query()] = None,
) -> Response:
    """The report as a PDF or HTML file, for the period asked (default: the report's range)."""
    saved = _saved(request, sel, name)
    doc_lang = lang or saved.report.lang
    page_lang = language(request)
    content = await asyncio.to_thread(_content, request, sel, saved, doc_lang, page_lang)
    return await asyncio.to_thread(_file, content, format, doc_lang, page_lang)


@router.post("/reports/{name}/summary", response_model=None)
def report_summary(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    name: str,
    summary: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Save the analyst's summary; it goes into every rendering from now on."""
    _editor(request, sel)
    saved = _saved(request, sel, name)
    book(request).write_summary(sel.workspace, saved.name, summary.strip())
    return RedirectResponse(f"/reports/{saved.name}?ws={sel.workspace}#summary", status_code=303)


@router.post("/reports", response_model=None)
async def report_create(
    request: Request, sel: Annotated[Selection, Depends(selection)]
) -> Response:
    """Make a new report from the form."""
    _editor(request, sel)
    form = _read_form(await request.form())
    report, error = _check(request, sel, form)
    if report is None:
        return _list(request, sel, form, error, 400)
    try:
        book(request).save(report, origin="web", create=True)
    except ReportExists:
        message = translate(
            language(request), "a report named %(name)s exists already", name=report.name
        )
        return _list(request, sel, form, message, 400)
    Declined(request.app.state.store).forget(sel.workspace, "report", report.name)
    return RedirectResponse(f"/reports/{report.name}?ws={sel.workspace}", status_code=303)


@router.post("/reports/{name}", response_model=None)
async def report_update(
    request: Request, sel: Annotated[Selection, Depends(selection)], name: str
) -> Response:
    """Change a report's settings; one seeded from pouls.toml keeps this version from now on
    (docs/settings.md: the store is the one source of truth)."""
    _editor(request, sel)
    saved = _saved(request, sel, name)
    form = _read_form(await request.form())
    form["name"] = saved.name
    report, error = _check(request, sel, form)
    if report is None:
        return _page(request, sel, saved, None, form, error, 400)
    book(request).save(report, origin="web")
    return RedirectResponse(f"/reports/{saved.name}?ws={sel.workspace}", status_code=303)


@router.post("/reports/{name}/delete", response_model=None)
def report_delete(
    request: Request, sel: Annotated[Selection, Depends(selection)], name: str
) -> Response:
    """Remove a report with its record of sends; one of pouls.toml is not seeded again."""
    _editor(request, sel)
    saved = _saved(request, sel, name)
    if _declared(request, sel.workspace, saved.name):
        Declined(request.app.state.store).add(sel.workspace, "report", saved.name)
    book(request).remove(sel.workspace, saved.name)
    return RedirectResponse(f"/reports?ws={sel.workspace}", status_code=303)


def _declared(request: Request, workspace: str, name: str) -> bool:
    """Whether pouls.toml declares a report of that name in the workspace."""
    reports = request.app.state.settings.file.reports
    return any(r.workspace == workspace and r.name == name for r in reports)


def _next_issue(report: Report, tz: ZoneInfo, lang: str) -> str | None:
    """When the next issue goes out by e-mail, in words; None when it is not scheduled."""
    at = next_due(report, utcnow(), tz)
    if at is None:
        return None
    if not report.sinks:
        return translate(lang, "Scheduled, but no e-mail sink is named: nothing is sent.")
    return translate(lang, "Next issue by e-mail: %(when)s", when=moment(lang, at, tz))


def _may_edit(request: Request, sel: Selection) -> bool:
    return may(request.state.user.roles.get(sel.workspace), "watch")


def _editor(request: Request, sel: Selection) -> None:
    if not same_origin(request):
        raise HTTPException(403, "this form must be sent from pouls itself")
    if not _may_edit(request, sel):
        raise HTTPException(403, "your role cannot change reports: ask an admin or an analyst")


def _choices(request: Request, sel: Selection) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "topics": [t.name for t in request.app.state.store.topics.list(sel.workspace)],
        "email_sinks": [
            s.name
            for s in settings.file.sinks
            if isinstance(s, EmailSink) and s.workspace in (None, sel.workspace)
        ],
        "all_sections": SECTIONS,
        "weekdays": WEEKDAYS,
        "ranges": RANGES,
        "range_labels": RANGE_LABELS,
        "section_labels": SECTION_LABELS,
        "schedule_labels": SCHEDULE_LABELS,
        "weekday_labels": WEEKDAY_LABELS,
        "send_labels": SEND_LABELS,
    }


def _form_of(report: Report | None) -> dict[str, Any]:
    r = report or Report(name="", workspace="")
    return {
        "name": r.name,
        "title": r.title,
        "query": r.query or "",
        "topic": r.topic or "",
        **{f: r.facets.get(f, "") for f in ("channel", "sentiment", "visibility")},
        "range": r.range,
        "sections": list(r.sections),
        "lang": r.lang,
        "schedule": r.schedule,
        "hour": r.hour,
        "weekday": r.weekday,
        "monthday": r.monthday,
        "sinks": list(r.sinks),
    }


def _read_form(data: Any) -> dict[str, Any]:
    one = {k: str(data.get(k, "")).strip()[:4096] for k in data}
    return {
        **one,
        "sections": [str(v) for v in data.getlist("sections")],
        "sinks": [str(v) for v in data.getlist("sinks")],
    }


def _check(
    request: Request, sel: Selection, form: dict[str, Any]
) -> tuple[Report | None, str | None]:
    """The report the form describes, or why it cannot be, in the page's language."""
    lang = language(request)
    if form.get("query"):
        try:
            parse(form["query"])
        except QueryError as exc:
            reason = translate(lang, exc.template, **exc.values)
            return None, translate(lang, "This query cannot be read: %(reason)s", reason=reason)
    topics = {t.name for t in request.app.state.store.topics.list(sel.workspace)}
    if form.get("topic") and form["topic"] not in topics:
        return None, translate(lang, "no topic %(topic)s in this workspace", topic=form["topic"])
    sinks = set(_choices(request, sel)["email_sinks"])
    if any(s not in sinks for s in form.get("sinks", [])):
        return None, translate(lang, "choose recipients among the e-mail sinks of pouls.toml")
    if form.get("schedule", "off") != "off" and not form.get("sinks"):
        return None, translate(
            lang, "a scheduled report needs at least one e-mail sink to be sent to"
        )
    data = {
        "name": form.get("name", ""),
        "workspace": sel.workspace,
        "title": form.get("title", ""),
        "query": form.get("query") or None,
        "topic": form.get("topic") or None,
        "facets": {f: form[f] for f in FACETS if form.get(f)},
        "range": form.get("range") or "7d",
        "sections": form.get("sections") or list(SECTIONS),
        "lang": form.get("lang") or "fr",
        "schedule": form.get("schedule") or "off",
        "hour": form.get("hour") or 8,
        "weekday": form.get("weekday") or "monday",
        "monthday": form.get("monthday") or 1,
        "sinks": form.get("sinks", []),
    }
    try:
        return msgspec.convert(data, Report, strict=False), None
    except msgspec.ValidationError as exc:
        text = str(exc)
        if "$.name" in text:
            return None, translate(
                lang, "a report name uses lowercase letters, digits, - and _ (e.g. hebdo)"
            )
        names = text.rpartition("`$.")[2].rstrip("`")
        return None, translate(lang, "Unexpected value for: %(names)s.", names=names)


# -- API --------------------------------------------------------------------------------------


def _public(saved: SavedReport) -> dict[str, Any]:
    return {
        **msgspec.to_builtins(saved.report),
        "summary": saved.summary,
        "origin": saved.origin,
        "updated_at": saved.updated_at.isoformat() if saved.updated_at else None,
    }


@api.get("")
def api_reports(request: Request, sel: Annotated[Selection, Depends(selection)]) -> JSONResponse:
    """The workspace's reports: settings, summary and where each was declared."""
    return JSONResponse({"reports": [_public(r) for r in book(request).list(sel.workspace)]})


@api.get("/{name}")
def api_report(
    request: Request, sel: Annotated[Selection, Depends(selection)], name: str
) -> JSONResponse:
    """One report with its latest scheduled sends."""
    saved = _saved(request, sel, name)
    sends = [msgspec.to_builtins(s) for s in book(request).sends(sel.workspace, name)]
    return JSONResponse({**_public(saved), "sends": sends})


@api.get("/{name}/render")
async def api_render(
    request: Request,
    sel: Annotated[Selection, Depends(selection)],
    name: str,
    format: Annotated[Format, Query(description="pdf or html.")] = "pdf",
    lang: Annotated[Lang | None, Query(description="fr or en; default: the report's.")] = None,
) -> Response:
    """The report rendered for `range` or `since`/`until` (default: its own range). 422 when
    no signal matches in the period, 503 when the PDF engine fails: the reason in `lang`
    (English by default), never half a file."""
    saved = _saved(request, sel, name)
    doc_lang = lang or saved.report.lang
    message_lang = lang or "en"
    content = await asyncio.to_thread(_content, request, sel, saved, doc_lang, message_lang)
    return await asyncio.to_thread(_file, content, format, doc_lang, message_lang)
