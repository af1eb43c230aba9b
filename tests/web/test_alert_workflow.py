"""The team's work on alerts, through the pages and the API, over a real store: each action
recorded with who and when, roles, snoozes that end, list filters, FR/EN words and numbers."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from fastapi.testclient import TestClient

from pouls.access import digest
from pouls.access.passwords import hash_password
from pouls.config import load
from pouls.signals import utcnow
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.web.app import create_app
from tests.conftest import T0
from tests.web.conftest import LOGIN, TOKEN
from tests.web.test_alerts import explanation, raise_alert

API = {"Authorization": f"Bearer {TOKEN}"}
HTMX = {"HX-Request": "true"}


def act(client: TestClient, alert_id: int, **form: str) -> object:
    return client.post(f"/alerts/{alert_id}/actions?ws=acme", data=form, follow_redirects=False)


def team(store: SQLiteStore, alert_id: int) -> list[tuple[str, str | None, str | None]]:
    return [
        (h.change, h.actor, h.value)
        for h in WatchStore(store).history("acme", alert_id)
        if h.actor is not None or h.value is not None
    ]


def member(store: SQLiteStore, login: str, role: str) -> int:
    user_id = store.users.add(login, hash_password("un autre mot de passe"), login.split("@")[0])
    store.users.grant(user_id, "acme", role)
    return user_id


def open_alert(store: SQLiteStore, **changes: object) -> int:
    """A spike on the negative share of “livraison”, stored as the watcher stores it now."""
    values: dict[str, object] = {
        "rule": "colere",
        "kind": "spike",
        "title": "Part de négatif en hausse sur « livraison » : 86 % (habituel 12 %)",
        "at": T0,
        "observed": 0.857143,
        "baseline": 0.123,
        "score": 0.97,
        "facts": b'{"what":"livraison","metric":"negative","observed":0.857143,"baseline":0.123}',
    }
    values.update(changes)
    return WatchStore(store).open_alert("acme", **values)  # type: ignore[arg-type]


def test_each_action_from_the_page_is_recorded_with_who_and_when(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = open_alert(filled)
    member(filled, "bob@acme.fr", "community_manager")
    before = utcnow()
    for form in (
        {"action": "ack"},
        {"action": "assign", "assignee": "bob@acme.fr"},
        {"action": "comment", "text": "J'appelle le transporteur."},
        {"action": "snooze", "for": "4h"},
        {"action": "resolve"},
        {"action": "reopen"},
    ):
        r = act(client, i, **form)
        assert r.status_code == 303 and r.headers["location"] == f"/alerts/{i}?ws=acme"
    lines = team(filled, i)
    assert [(c, who) for c, who, _ in lines] == [
        (c, LOGIN)
        for c in ("acknowledged", "assigned", "commented", "snoozed", "resolved", "reopened")
    ]
    assert lines[1][2] == "bob@acme.fr" and lines[2][2] == "J'appelle le transporteur."
    history = WatchStore(filled).history("acme", i)
    assert all(before <= h.at <= utcnow() for h in history if h.actor)
    alert = WatchStore(filled).alert("acme", i)
    assert alert is not None and alert.state == "open" and alert.assignee == "bob@acme.fr"
    page = client.get(f"/alerts/{i}?ws=acme").text
    assert "Ana</strong>" in page and "assigned it to bob" in page
    assert "J&#39;appelle le transporteur." in page and "resolved the alert" in page


def test_htmx_actions_answer_the_row_or_the_panel_and_refusals_say_why(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = open_alert(filled)
    row = client.post(
        f"/alerts/{i}/actions?ws=acme", data={"action": "ack", "view": "row"}, headers=HTMX
    )
    assert row.status_code == 200 and row.text.lstrip().startswith("<tr")
    assert "state-acknowledged" in row.text and ">Acknowledged<" in row.text
    again = client.post(
        f"/alerts/{i}/actions?ws=acme", data={"action": "ack", "view": "row"}, headers=HTMX
    )
    assert again.status_code == 409 and "the alert is acknowledged already" in again.text
    assert again.text.lstrip().startswith("<tr")  # swapped in place, the reason inside
    panel = client.post(
        f"/alerts/{i}/actions?ws=acme", data={"action": "resolve", "view": "work"}, headers=HTMX
    )
    assert panel.status_code == 200 and 'id="alert-work"' in panel.text
    assert "resolved the alert" in panel.text and ">Reopen<" in panel.text
    french = client.post(
        f"/alerts/{i}/actions?ws=acme",
        data={"action": "snooze", "for": "4h", "view": "work"},
        headers={**HTMX, "Accept-Language": "fr"},
    )
    assert french.status_code == 409 and "résolue : rouvrez-la d&#39;abord" in french.text


@pytest.mark.parametrize(
    ("form", "status", "reason"),
    [
        ({"action": "explode"}, 400, "unknown action explode"),
        ({"action": "comment", "text": "   "}, 400, "a comment needs some text"),
        ({"action": "assign", "assignee": "eve@evil.fr"}, 400, "is not a member"),
        ({"action": "snooze", "for": "soon"}, 400, "not a span"),
        ({"action": "snooze", "for": "90d"}, 400, "30 days at most"),
        ({"action": "snooze", "until": "2020-01-01"}, 400, "in the future"),
        ({"action": "reopen"}, 409, "open already"),
    ],
)
def test_bad_actions_are_refused_with_the_reason(
    client: TestClient, filled: SQLiteStore, form: dict[str, str], status: int, reason: str
) -> None:
    i = open_alert(filled)
    r = act(client, i, **form)
    assert r.status_code == status and reason in r.text
    api = client.post(f"/api/v1/alerts/{i}/actions?ws=acme", json=form, headers=API)
    assert api.status_code == status and reason in api.json()["detail"]
    assert team(filled, i) == []  # nothing recorded


def test_a_viewer_reads_alerts_but_cannot_act(
    home: Path, filled: SQLiteStore, account: int
) -> None:
    i = open_alert(filled)
    viewer_id = member(filled, "vic@acme.fr", "viewer")
    filled.users.add_token(viewer_id, "vic", digest("pouls_vic-token"), None)
    app = create_app(load(home, environ={}), filled)
    with TestClient(app, headers={"Accept-Language": "en"}) as c:
        c.post("/login", data={"login": "vic@acme.fr", "password": "un autre mot de passe"})
        page = c.get("/alerts?ws=acme")
        assert page.status_code == 200 and f'href="/alerts/{i}?ws=acme"' in page.text
        assert "act-ack" not in page.text and "act-ack" not in c.get(f"/alerts/{i}?ws=acme").text
        refused = act(c, i, action="ack")
        assert refused.status_code == 403 and "a viewer reads alerts" in refused.text
        token = {"Authorization": "Bearer pouls_vic-token"}
        assert c.get(f"/api/v1/alerts/{i}?ws=acme", headers=token).status_code == 200
        api = c.post(f"/api/v1/alerts/{i}/actions?ws=acme", json={"action": "ack"}, headers=token)
        assert api.status_code == 403 and "viewer" in api.json()["detail"]
    assert team(filled, i) == []


def test_a_snooze_ends_by_itself_and_the_alert_is_open_again(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = open_alert(filled)
    book = WatchStore(filled)
    assert act(client, i, action="snooze", **{"for": "1h"}).status_code == 303
    alert = book.alert("acme", i)
    assert alert is not None and alert.state == "snoozed" and alert.snoozed_until is not None
    assert timedelta(minutes=59) < alert.snoozed_until - utcnow() <= timedelta(hours=1)
    assert [a.id for a in book.alerts("acme", state="snoozed")] == [i]
    later = alert.snoozed_until + timedelta(seconds=1)
    assert [a.id for a in book.alerts("acme", state="open", now=later)] == [i]
    assert book.alerts("acme", state="snoozed", now=later) == []
    # The clock moves past the snooze: what the store says once it is over.
    book.act(
        "acme", i, change="snoozed", actor=LOGIN, at=T0, state="snoozed", assignee=None,
        snoozed_until=utcnow() - timedelta(minutes=1), value=None,
    )  # fmt: skip
    api = client.get(f"/api/v1/alerts/{i}?ws=acme", headers=API).json()
    assert api["state"] == "open" and api["snoozed_until"] is None
    assert "state-open" in client.get("/alerts?ws=acme").text
    assert act(client, i, action="ack").status_code == 303  # open again: it can be acknowledged


def test_the_list_filters_on_state_rule_assignee_and_range(
    client: TestClient, filled: SQLiteStore
) -> None:
    old = open_alert(filled, at=T0 - timedelta(days=40))
    mine = open_alert(filled, rule="livraison", at=T0)
    fresh = open_alert(filled, at=utcnow() - timedelta(hours=2))
    act(client, mine, action="assign", assignee=LOGIN)
    act(client, fresh, action="ack")

    def ids(query: str) -> list[int]:
        html = client.get(f"/alerts?ws=acme&{query}").text
        page = [int(n) for n in re.findall(r'class="alert-row[^"]*" data-id="(\d+)"', html)]
        api = client.get(f"/api/v1/alerts?ws=acme&{query}", headers=API).json()["alerts"]
        assert [a["id"] for a in api] == page
        return page

    assert ids("") == [fresh, mine, old]
    assert ids("state=acknowledged") == [fresh]
    assert ids("state=open") == [mine, old]
    assert ids("rule=livraison") == [mine]
    assert ids(f"assignee={LOGIN}") == [mine] == ids("assignee=me")
    assert ids("assignee=none") == [fresh, old]
    assert ids("range=24h") == [fresh]
    assert ids("since=2026-09-01&until=2026-10-02") == [mine, old][:1]
    assert "No alert matches these filters." in client.get("/alerts?ws=acme&rule=nope").text
    picker = client.get("/alerts?ws=acme&state=open&assignee=me").text  # keeps the filters
    assert 'href="/alerts?ws=acme&amp;range=7d&amp;state=open&amp;assignee=me"' in picker
    assert client.get("/alerts?ws=acme&state=done").status_code == 422
    assert client.get("/alerts?ws=acme&range=forever").status_code == 400


def test_titles_figures_and_numbers_follow_the_page_language(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = open_alert(filled)
    book = WatchStore(filled)
    book.change_alert("acme", i, change="updated", at=T0 + timedelta(hours=1), observed=0.9)
    en = client.get("/alerts?ws=acme").text
    assert "Negative share rising on “livraison”: 86% (usual 12%)" in en
    assert "usual 12% → 86%" in en and ">90%<" in en  # the peak
    client.cookies.set("pouls_lang", "fr")
    fr = client.get("/alerts?ws=acme").text
    assert "Part de négatif en hausse sur « livraison » : 86\xa0% (habituel 12\xa0%)" in fr
    assert "habituel 12\xa0% → 86\xa0%" in fr
    detail = client.get(f"/alerts/{i}?ws=acme").text
    assert "0.857143" not in detail and "0,857143" not in detail and "0.9<" not in detail
    assert ">90\xa0%<" in detail and ">86\xa0%<" in detail  # the history, as percents


def test_alerts_recorded_before_facts_existed_are_worded_in_either_language(
    client: TestClient, filled: SQLiteStore
) -> None:
    book = WatchStore(filled)
    old = {
        "spike": "Volume en hausse sur « retard » : 1 234 (habituel 3.5)",
        "match": "3 nouveau(x) signal(aux) pour « arnaque »",
        "campaign": "Copier-coller sur « promo » : 42 copies, 7 auteurs",
        "new_terms": "Nouveaux termes sur « marque » : gluten, rappel (12 signaux)",
    }
    ids = {}
    for kind, title in old.items():
        observed = {"spike": 1234.0, "match": 1.0, "campaign": 42.0, "new_terms": 12.0}[kind]
        ids[kind] = book.open_alert(
            "acme", rule=kind, kind=kind, title=title, at=T0, observed=observed,
            baseline=3.5, score=1.0,
        )  # fmt: skip
    en = client.get("/alerts?ws=acme").text
    assert "Volume rising on “retard”: 1,234 (usual 3.5)" in en
    assert "3 new signals for “arnaque”" in en
    assert "Copy-paste on “promo”: 42 copies, 7 authors" in en
    assert "New terms on “marque”: gluten, rappel (12 signals)" in en
    client.cookies.set("pouls_lang", "fr")
    fr = client.get("/alerts?ws=acme").text
    assert "Volume en hausse sur « retard » : 1\u202f234 (habituel 3,5)" in fr
    assert "3 nouveaux signaux pour « arnaque »" in fr
    assert "Copier-coller sur « promo » : 42 copies, 7 auteurs" in fr


def test_the_api_lists_reads_and_acts_and_refuses_unknown_parameters(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = raise_alert(filled)
    listed = client.get("/api/v1/alerts?ws=acme", headers=API)
    assert listed.status_code == 200
    (a,) = listed.json()["alerts"]
    assert a["id"] == i and a["state"] == "open" and a["status"] == "closed"
    assert a["peak"] == 42 and a["title"].startswith("Volume rising")
    assert (
        client.get("/api/v1/alerts?ws=acme&lang=fr", headers=API)
        .json()["alerts"][0]["title"]
        .startswith("Volume en hausse")
    )
    one = client.get(f"/api/v1/alerts/{i}?ws=acme", headers=API).json()
    assert one["explanation"]["terms"][0]["term"] == "injoignable"
    assert [h["change"] for h in one["history"]] == ["opened", "updated", "closed"]
    assert one["deliveries"]["failed"] == 1 and one["actions"] == []
    done = client.post(
        f"/api/v1/alerts/{i}/actions?ws=acme",
        json={"action": "snooze", "until": "2099-01-01T09:00"},
        headers=API,
    )
    assert done.status_code == 400 and "30 days at most" in done.json()["detail"]
    done = client.post(
        f"/api/v1/alerts/{i}/actions?ws=acme", json={"action": "comment", "text": "vu"}, headers=API
    )
    assert done.status_code == 201 and done.json()["id"] == i
    actions = client.get(f"/api/v1/alerts/{i}?ws=acme", headers=API).json()["actions"]
    assert [(x["change"], x["actor"], x["value"]) for x in actions] == [("commented", LOGIN, "vu")]
    raise_alert(filled)
    first = client.get("/api/v1/alerts?ws=acme&limit=1", headers=API).json()
    assert first["next"] and len(first["alerts"]) == 1
    second = client.get(f"/api/v1/alerts?ws=acme&limit=1&after={first['next']}", headers=API)
    assert [a["id"] for a in second.json()["alerts"]] == [i]  # opened at the same time, lower id
    for forged in ("999999999999999999:1", "12", "x:y"):
        refused = client.get(f"/api/v1/alerts?ws=acme&after={forged}", headers=API)
        assert refused.status_code in (400, 422), forged
    bad = client.get("/api/v1/alerts?ws=acme&stat=open", headers=API)
    assert bad.status_code == 400 and "stat" in bad.json()["detail"]
    extra = client.post(
        f"/api/v1/alerts/{i}/actions?ws=acme", json={"action": "ack", "who": "x"}, headers=API
    )
    assert extra.status_code == 400 and "who" in extra.json()["detail"]
    assert client.get("/api/v1/alerts?ws=acme&state=done", headers=API).status_code == 422
    assert client.get(f"/api/v1/alerts/{i}?ws=globex", headers=API).status_code == 404
    assert client.get("/api/v1/alerts/99?ws=acme", headers=API).status_code == 404
    assert (
        client.post(
            "/api/v1/alerts/99/actions?ws=acme", json={"action": "ack"}, headers=API
        ).status_code
        == 404
    )
    schema = client.get("/api/openapi.json").json()["paths"]
    assert {
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}",
        "/api/v1/alerts/{alert_id}/actions",
    } <= set(schema)


def test_another_workspaces_alert_cannot_be_acted_on(
    client: TestClient, filled: SQLiteStore
) -> None:
    theirs = raise_alert(filled, "globex")
    assert act(client, theirs, action="ack").status_code == 404
    assert WatchStore(filled).alert("globex", theirs).state == "open"  # type: ignore[union-attr]


def test_an_escalation_reads_as_people_per_level_not_raw_floats(
    client: TestClient, filled: SQLiteStore
) -> None:
    e = msgspec.structs.replace(
        explanation(), rule="crisis", metric="signals", observed=1, baseline=78
    )
    i = WatchStore(filled).open_alert(
        "acme", rule="crisis", kind="escalation",
        title="Escalade : « intoxication, tarte » passe des messages privés à la presse",
        at=T0, observed=1, baseline=78, score=None, explanation=msgspec.json.encode(e),
        key="story:press",
    )  # fmt: skip
    en = client.get("/alerts?ws=acme").text
    assert "78.0" not in en and "78 people in private messages → 1 in the press" in en
    assert "Escalation: “injoignable” went from private messages to the press" in en
    client.cookies.set("pouls_lang", "fr")
    fr = client.get(f"/alerts/{i}?ws=acme").text
    assert "78 personnes dans les messages privés → 1 dans la presse" in fr


def test_each_action_through_the_api_is_recorded_with_who_and_when(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = open_alert(filled, kind="toxicity", rule="insultes", facts=None)  # an older alert
    member(filled, "bob@acme.fr", "moderator")
    before = utcnow()
    steps = [
        ({"action": "ack"}, "acknowledged", None),
        ({"action": "assign", "assignee": "bob@acme.fr"}, "acknowledged", "bob@acme.fr"),
        ({"action": "snooze", "for": "2d"}, "snoozed", "bob@acme.fr"),
        ({"action": "comment", "text": "On attend la modération."}, "snoozed", "bob@acme.fr"),
        ({"action": "assign", "assignee": None}, "snoozed", None),
        ({"action": "resolve"}, "resolved", None),
        ({"action": "reopen"}, "open", None),
    ]
    for body, state, assignee in steps:
        r = client.post(f"/api/v1/alerts/{i}/actions?ws=acme&lang=fr", json=body, headers=API)
        assert r.status_code == 201, r.text
        assert (r.json()["state"], r.json()["assignee"]) == (state, assignee)
    assert r.json()["title"] == (
        "Part de toxicité en hausse sur « livraison » : 86\xa0% (habituel 12\xa0%)"
    )
    actions = client.get(f"/api/v1/alerts/{i}?ws=acme", headers=API).json()["actions"]
    assert [a["change"] for a in actions] == [
        "acknowledged", "assigned", "snoozed", "commented", "unassigned", "resolved", "reopened"
    ]  # fmt: skip
    assert {a["actor"] for a in actions} == {LOGIN}
    assert all(before <= datetime.fromisoformat(a["at"]) <= utcnow() for a in actions)
    snooze_end = datetime.fromisoformat(actions[2]["value"])
    assert timedelta(hours=47) < snooze_end - before <= timedelta(days=2, seconds=5)
