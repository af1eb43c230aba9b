"""Reports: a saved selection and its sections, rendered as a self-contained HTML page or a
PDF, in French or English, on demand (web app, API, `pouls report`) or on a schedule by e-mail.

content.py gathers what a report says, charts.py draws it, render.py writes it, schedule.py
says when it is due and sends it.
"""

from __future__ import annotations

from pouls.locale import translate


class ReportError(Exception):
    """A report that cannot be made (no signal in the period, no PDF engine, a bad selection).

    `message` is English with `%(name)s` holes filled from `values`; `text(lang)` says it in
    the report's or the page's language.
    """

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values

    def text(self, lang: str) -> str:
        return translate(lang, self.message, **self.values)


class NoData(ReportError):
    """No signal matches the report's selection in the period: nothing to report."""


__all__ = ["NoData", "ReportError"]
