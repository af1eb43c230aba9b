"""The alert pages over a real store: list, explanation, deliveries, workspace scoping."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from fastapi.testclient import TestClient

from pouls.config import load
from pouls.signals import signal_id, utcnow
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.crisis import recent
from pouls.watch.escalation import CrisisWatch
from pouls.watch.explain import Example, Explanation, Term
from pouls.web.app import create_app
from tests.conftest import T0, make_signal, sign_in_as_admin
from tests.watch import badbuzz


def explanation(workspace: str = "acme") -> Explanation:
    sid = signal_id(workspace, "src", "2")
    return Explanation(
        workspace=workspace,
        rule="buzz",
        metric="volume",
        start=T0,
        end=T0 + timedelta(hours=1),
        observed=42,
        baseline=3.5,
        signals=42,
        terms=[Term("injoignable", 12, 8.5)],
        channels=[("whatsapp", 30), ("mastodon", 12)],
        authors=[("@zoe@piaille.fr", 4)],
        visibility={"private": 30, "public": 12},
        sentiment={"negative": 35, "neutral": 7},
        examples=[
            Example(
                id=sid,
                link=f"http://example.org/signals/{sid}?ws={workspace}",
                text="Service client injoignable",
                channel="whatsapp",
                visibility="private",
                created_at=T0,
                author="Zoé",
            )
        ],
        series=[2, 3, 4, 3, 42],
        step_minutes=60,
    )


def raise_alert(store: SQLiteStore, workspace: str = "acme") -> int:
    """An alert opened, updated to a new high, closed; one sink delivered, one failed."""
    book = WatchStore(store)
    doc = msgspec.json.encode(explanation(workspace))
    i = book.open_alert(
        workspace,
        rule="buzz",
        kind="spike",
        title="Pic : buzz",
        at=T0,
        observed=20,
        baseline=3.5,
        score=0.9,
        explanation=doc,
    )
    book.change_alert(workspace, i, change="updated", at=T0 + timedelta(hours=1), observed=42)
    book.change_alert(workspace, i, change="closed", at=T0 + timedelta(hours=5))
    for n, ok, final, detail in [(1, True, True, "250 OK"), (1, False, False, "HTTP 503")]:
        book.record_delivery(
            workspace,
            alert_id=i,
            subject="Nouvelle alerte · buzz",
            sink="mail" if ok else "ops",
            attempt=n,
            ok=ok,
            final=final,
            detail=detail,
        )
    book.record_delivery(
        workspace,
        alert_id=i,
        subject="Nouvelle alerte · buzz",
        sink="ops",
        attempt=2,
        ok=False,
        final=True,
        detail="HTTP 500 from https://example.org/hook",
    )
    return i


def test_alert_list_shows_status_peak_baseline_and_failed_deliveries(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = raise_alert(filled)
    page = client.get("/alerts?ws=acme")
    assert page.status_code == 200
    html = page.text
    assert f'href="/alerts/{i}?ws=acme"' in html
    assert (
        ">episode over<" in html
        and "Volume rising on “the whole workspace”: 42 (usual 3.5)" in html
    )
    assert ">42<" in html  # the peak: the update's new high
    assert "usual 3.5 → 42" in html
    assert "1 sent" in html and "1 failed" in html and "3 attempts" in html
    assert "HTTP 500 from https://example.org/hook" in html
    assert client.get("/alerts?ws=acme&status=open").text.count("alert-row") == 0
    assert client.get("/alerts?ws=acme&status=closed").text.count("alert-row") == 1


def test_alert_page_explains_with_chart_examples_history_and_attempts(
    client: TestClient, filled: SQLiteStore
) -> None:
    i = raise_alert(filled)
    html = client.get(f"/alerts/{i}?ws=acme").text
    chart = html.split('class="chart-svg"')[1].split("</svg>")[0]
    assert "<svg" in chart and 'id="axes_1"' in chart  # drawn inline, with axes
    assert ">08:00<" in chart and ">09:00<" in chart  # time ticks, the alert's hour last
    assert "injoignable ×8.5" in html and "WhatsApp 30" in html and "@zoe@piaille.fr 4" in html
    assert "negative 35" in html
    sid = signal_id("acme", "src", "2")
    assert f'href="/signals/{sid}?ws=acme"' in html
    assert client.get(f"/signals/{sid}?ws=acme").status_code == 200  # the link leads somewhere
    for change in ("opened", "updated", "closed"):
        assert f"<td>{change}</td>" in html
    assert "HTTP 503" in html and "retrying" in html and "<strong>failed</strong>" in html


def test_a_campaign_alert_has_its_own_caption_and_a_noted_closing(
    client: TestClient, filled: SQLiteStore
) -> None:
    book = WatchStore(filled)
    e = msgspec.structs.replace(explanation(), metric="copies", rule="copies")
    i = book.open_alert(
        "acme",
        rule="copies",
        kind="campaign",
        title="Copy-paste: 42 copies",
        at=T0,
        observed=42,
        baseline=0,
        score=1,
        explanation=msgspec.json.encode(e),
        key="copies:cluster",
    )
    book.change_alert("acme", i, change="closed", at=T0 + timedelta(hours=5), note="rule removed")
    html = client.get(f"/alerts/{i}?ws=acme").text
    assert (
        "copies of the text per 60 min up to" in html
        and "first copy Oct 1, 2026, 10:00\u202fAM CEST" in html
    ), html
    assert "last step" not in html
    assert "<td>closed · rule removed</td>" in html
    fr = client.get(f"/alerts/{i}?ws=acme", headers={"Accept-Language": "fr"}).text
    assert "copies du texte par 60 min" in fr and "terminée · règle supprimée" in fr


def test_another_workspaces_alert_is_not_found(client: TestClient, filled: SQLiteStore) -> None:
    theirs = raise_alert(filled, "globex")
    assert client.get(f"/alerts/{theirs}?ws=acme").status_code == 404
    assert client.get(f"/alerts/{theirs}?ws=globex").status_code == 200
    assert 'class="alert-row' not in client.get("/alerts?ws=acme").text
    assert client.get("/alerts?ws=nowhere").status_code == 404
    assert client.get("/alerts/999?ws=acme").status_code == 404


def test_pages_link_to_alerts_and_crisis(client: TestClient) -> None:
    html = client.get("/?ws=globex").text
    assert 'href="/alerts?ws=globex"' in html and 'href="/crisis?ws=globex"' in html
    assert "No alerts" in client.get("/alerts?ws=globex").text


def test_crisis_page_without_stories_says_so(client: TestClient) -> None:
    page = client.get("/crisis?ws=acme&since=7d")
    assert page.status_code == 200 and "No story escalated" in page.text
    assert client.get("/crisis?ws=acme&since=soon").status_code == 400


def test_crisis_page_shows_the_bad_buzz_timeline_and_its_escalation_alert(
    tmp_path: Path,
) -> None:
    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "demo"\n', encoding="utf-8")
    badbuzz.write(tmp_path / "demo.jsonl")
    store = SQLiteStore(tmp_path / "pouls.db")
    badbuzz.load(store, tmp_path / "demo.jsonl")
    app = create_app(load(tmp_path, environ={}), store)
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        sign_in_as_admin(client, store, "demo")
        html = client.get("/crisis?ws=demo&since=30d").text
        assert "▲ private → <strong>public</strong> at Sep 20, 2026" in html
        assert "▲ public → <strong>press</strong> at Sep 21, 2026, 11:39\u202fPM CEST" in html
        story = html[html.index("intoxication") :]
        for level in ("private", "public", "press"):
            assert f'<span class="badge vis-{level}">{level}</span>' in story
        assert 'href="/signals/' in story

        found, _ = recent(store, "demo", timedelta(days=30))
        crisis = CrisisWatch(store, workspaces=["demo"], lang="en")
        alert_id = crisis.record(found[0])
        assert alert_id is not None and crisis.record(found[0]) is None  # once per story, level
        page = client.get(f"/alerts/{alert_id}?ws=demo").text
        assert "from private messages to public posts" in page
        assert 'class="chart-svg"' in page and 'class="body example"' in page
    store.close()


def test_the_crisis_page_links_the_history_once_then_only_what_is_stored_since(
    client: TestClient, filled: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pouls.watch.crisis import CrisisTracker

    linked: list[int] = []
    add_all = CrisisTracker.add_all

    def counted(self, signals):  # type: ignore[no-untyped-def]
        signals = list(signals)
        linked.append(len(signals))
        return add_all(self, signals)

    monkeypatch.setattr(CrisisTracker, "add_all", counted)
    client.get("/crisis?ws=acme")
    assert linked == [filled.count("acme")]
    filled.put([make_signal(900, "nouveau signal")])
    client.get("/crisis?ws=acme")  # the new signal only
    client.get("/crisis?ws=acme")  # nothing new
    assert linked == [filled.count("acme") - 1, 1, 0]
    client.get("/crisis?ws=acme&since=12h")  # another span: linked on its own
    assert len(linked) == 4


def test_the_crisis_page_numbers_the_stories_it_shows_from_one(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pouls.watch.crisis import Escalation, Story
    from pouls.web.routes import alerts as route

    signal = make_signal(1, "intoxication tarte")
    story = Story(number=4, terms=frozenset({"intoxication", "tarte"}))  # 1-3 out of the span
    story.seen["private"].append(signal)
    found = [Escalation(story, "private", "public", T0, signal)]
    monkeypatch.setattr(route, "_recent", lambda app, ws, span: found)
    html = client.get("/crisis?ws=acme&since=90d").text
    assert 'data-story="1"' in html and "Story 1 " in html
    assert "Story 4" not in html and 'data-story="4"' not in html
    # The shared range picker: 90 days current, no "All time" (stories follow a span).
    assert 'data-range="90d" aria-current="true">Last 90 days</a>' in html
    assert ">Last 7 days</a>" in html and 'data-range="all"' not in html
    client.cookies.set("pouls_lang", "fr")
    page = client.get("/crisis?ws=acme&since=7d").text
    assert 'data-range="7d" aria-current="true">7 derniers jours</a>' in page


def test_the_crisis_page_reads_the_shared_range(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pouls.watch.crisis import Escalation, Story
    from pouls.web.routes import alerts as route

    spans: list[timedelta] = []
    signal = make_signal(1, "intoxication tarte")
    story = Story(number=1, terms=frozenset({"intoxication", "tarte"}))
    story.seen["private"].append(signal)
    found = [Escalation(story, "private", "public", T0, signal)]
    monkeypatch.setattr(route, "_recent", lambda app, ws, span: spans.append(span) or found)
    default = client.get("/crisis?ws=acme")
    assert 'data-range="30d" aria-current="true"' in default.text and spans[-1] == timedelta(
        days=30
    )
    assert client.get("/crisis?ws=acme&since=12h").status_code == 200
    assert spans[-1] == timedelta(hours=12)  # a span counted back: followed as it is
    day = T0.date()
    inside = client.get(f"/crisis?ws=acme&since={day}&until={day}").text
    assert 'data-story="1"' in inside and "Custom dates" in inside
    before = client.get(
        f"/crisis?ws=acme&since={day - timedelta(days=9)}&until={day - timedelta(days=2)}"
    )
    assert before.status_code == 200 and "No story escalated over this period." in before.text
    assert spans[-1] >= utcnow() - T0  # whole days back to the range's start
    french = client.get("/crisis?ws=acme&since=90m", headers={"Accept-Language": "fr"})
    assert french.status_code == 400 and "90m" in french.text
