"""An alert's page after an action: the header's badge follows (htmx out-of-band swap), and
its times read on the workspace's clock (Europe/Paris by default), with the zone's name."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from pouls.store.sqlite import SQLiteStore
from tests.web.test_alert_workflow import HTMX, open_alert


def test_the_header_badge_follows_an_action(client: TestClient, filled: SQLiteStore) -> None:
    i = open_alert(filled)
    page = client.get(f"/alerts/{i}?ws=acme").text
    head = page[page.index('id="alert-state-head"') :][:200]
    assert "state-open" in head
    snoozed = client.post(
        f"/alerts/{i}/actions?ws=acme",
        data={"action": "snooze", "for": "4h", "view": "work"},
        headers={**HTMX, "Accept-Language": "fr"},
    )
    assert snoozed.status_code == 200
    oob = re.search(
        r'<span id="alert-state-head" hx-swap-oob="true">(.*?)</span>\s*$', snoozed.text, re.S
    )
    assert oob is not None and "state-snoozed" in oob.group(1) and "En pause" in oob.group(1)
    assert "state-open" not in oob.group(1)
    # The snooze ends on the workspace's clock, named: CET in winter, CEST in summer.
    assert re.search(r"\d{1,2}:\d\d C(E|ES)T", oob.group(1)), oob.group(1)
    assert " UTC" not in snoozed.text
    row = client.post(
        f"/alerts/{i}/actions?ws=acme", data={"action": "resolve", "view": "row"}, headers=HTMX
    )
    assert "hx-swap-oob" not in row.text  # the list's row carries its own badge


def test_the_timeline_and_the_header_read_local_time(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = open_alert(filled)
    client.post(f"/alerts/{i}/actions?ws=acme", data={"action": "ack"})
    page = client.get(f"/alerts/{i}?ws=acme", headers={"Accept-Language": "fr"}).text
    assert " UTC" not in page and "(UTC)" not in page
    assert re.search(r"depuis \d{1,2} \w+\.? 20\d\d, \d\d:\d\d CES?T", page), page
    listed = client.get("/alerts?ws=acme", headers={"Accept-Language": "fr"}).text
    assert re.search(r"\d{1,2} \w+\.? 20\d\d, \d\d:\d\d CES?T", listed)
    assert not re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d", listed)
