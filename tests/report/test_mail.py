"""A scheduled report's e-mail, received by a real SMTP server on loopback: multipart with an
HTML body (key numbers against the previous period, the link), its text alternative and the
PDF attached; the HTML autoescaped, the words in the report's language."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from pouls.store.reports import Reports
from pouls.store.sqlite import SQLiteStore
from tests.report.conftest import pdf_text
from tests.report.test_schedule import DUE, _scheduler, smtp  # noqa: F401
from tests.sinks.test_email import Inbox


async def _mail(home: Path, store: SQLiteStore, port: int, inbox: Inbox) -> EmailMessage:
    scheduler = _scheduler(home, store, port)
    report = Reports(store).get("acme", "hebdo")
    assert report is not None
    assert await scheduler.send(report.report, DUE) == "sent"
    [(_, _, raw)] = inbox.received
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


async def test_the_mail_has_an_html_body_a_text_alternative_and_the_pdf(
    home: Path,
    store: SQLiteStore,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp
    message = await _mail(home, store, port, inbox)
    assert message.get_content_type() == "multipart/mixed"
    alternative, attached = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_filename() == "hebdo-2026-10-01-2026-10-08.pdf"
    assert pdf_text(attached.get_content())[0] >= 1

    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert '<html lang="fr">' in html
    for label in ("Signaux", "Auteurs", "Audience", "Part de négatif", "Sentiment net"):
        assert f'<th align="left" scope="row">{label}</th>' in html, label
        assert f"- {label} : " in text or f"- {label}: " in text, label
    assert "par rapport à la période précédente" in html
    link = re.search(r'<a href="([^"]+)">Ouvrir le rapport dans pouls</a>', html)
    assert link is not None and link.group(1) in text
    assert "/reports/hebdo" in link.group(1)
    # the same figures in both parts, written the French way (no raw floats)
    cells = re.findall(r"<td align=\"right\"><strong>([^<]+)</strong>", html)
    assert len(cells) == 5 and all(cell in text for cell in cells)
    assert not re.search(r"\d\.\d{3,}", html + text)


async def test_the_html_body_escapes_what_people_wrote(
    home: Path,
    store: SQLiteStore,
    smtp: tuple[Inbox, int],  # noqa: F811
) -> None:
    inbox, port = smtp
    scheduler = _scheduler(home, store, port)
    toml = home / "pouls.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'title = "La semaine d\'ACME"', 'title = "ACME <b>&</b> <script>x()</script>"'
        ),
        encoding="utf-8",
    )
    scheduler = _scheduler_from(home, store, port)
    report = Reports(store).get("acme", "hebdo")
    assert report is not None
    assert await scheduler.send(report.report, DUE) == "sent"
    [(_, _, raw)] = inbox.received
    message = email.message_from_bytes(raw, policy=email.policy.default)
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "<b>" not in html
    assert "ACME &lt;b&gt;&amp;&lt;/b&gt; &lt;script&gt;x()&lt;/script&gt;" in html
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "ACME <b>&</b> <script>x()</script>" in text  # text is text: nothing to escape


def _scheduler_from(home: Path, store: SQLiteStore, port: int):  # type: ignore[no-untyped-def]
    """A scheduler over the pouls.toml as it is now in `home` (its reports synced)."""
    from pouls.config import load
    from pouls.report.schedule import Scheduler
    from pouls.store.watch import WatchStore
    from pouls.watch.assemble import sinks_from
    from pouls.watch.delivery import recorder

    cfg = load(home, environ={})
    Reports(store).sync(cfg.file.reports, ["acme", "globex"])
    return Scheduler(cfg, store, sinks_from(cfg, recorder(WatchStore(store))))
