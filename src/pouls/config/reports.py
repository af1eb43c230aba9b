"""Settings of a saved report: its selection, sections, language and schedule.

Declared in pouls.toml as `[[reports]]` or made in the web app; both are stored the same way
(`pouls.store.reports`), the file seeding the table as it does for topics.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from pouls.config.fields import Name, doc

Section = Literal["key_numbers", "charts", "top_signals", "alerts", "summary"]
SECTIONS: tuple[Section, ...] = ("key_numbers", "charts", "top_signals", "alerts", "summary")
Every = Literal["off", "daily", "weekly", "monthly"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# The facets a report may filter on, as the wall's query string names them.
FACETS = ("channel", "source", "kind", "visibility", "lang", "sentiment", "flag")
RANGES = ("24h", "7d", "30d", "90d", "month", "last-month")


class Report(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A saved selection and the sections shown about it, rendered as HTML or PDF."""

    name: Annotated[Name, doc("Report id, unique within the workspace (`pouls report NAME`).")]
    workspace: Annotated[str, doc("Workspace id whose signals the report covers.")]
    title: Annotated[str, doc("Title printed on the report; default: its name.")] = ""
    query: Annotated[str | None, doc("Query in the query language narrowing the signals.")] = None
    topic: Annotated[str | None, doc("Topic whose signals the report covers.")] = None
    facets: Annotated[
        dict[str, str],
        doc(
            'Facet filters, as the wall writes them: {channel = "instagram", sentiment ='
            ' "negative"}; keys: channel, source, kind, visibility, lang, sentiment, flag.'
        ),
    ] = msgspec.field(default_factory=dict)
    range: Annotated[
        Literal["24h", "7d", "30d", "90d", "month", "last-month"],
        doc(
            "Period shown when none is asked for: 24h, 7d, 30d, 90d, month (from the 1st) or"
            " last-month. A scheduled issue covers the day, week or month before it is sent."
        ),
    ] = "7d"
    sections: Annotated[
        list[Section],
        doc(
            "Sections in their order: key_numbers (with change against the period before),"
            " charts, top_signals, alerts (of the period), summary (the analyst's text)."
        ),
    ] = msgspec.field(default_factory=lambda: list(SECTIONS))
    lang: Annotated[Literal["fr", "en"], doc("Language of the report: fr or en.")] = "fr"
    schedule: Annotated[
        Every, doc("Send it by e-mail: off, daily, weekly or monthly (in the workspace's zone).")
    ] = "off"
    hour: Annotated[
        int, msgspec.Meta(ge=0, le=23, description="Local hour a scheduled report is sent.")
    ] = 8
    weekday: Annotated[Weekday, doc("Day a weekly report is sent.")] = "monday"
    monthday: Annotated[
        int,
        msgspec.Meta(ge=1, le=28, description="Day of the month a monthly report is sent (1-28)."),
    ] = 1
    sinks: Annotated[
        list[str], doc("Names of the e-mail `[[sinks]]` a scheduled report is sent to (as a PDF).")
    ] = msgspec.field(default_factory=list)
