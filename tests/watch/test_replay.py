"""`pouls rule test`: a rule replayed on the demo's history finds its bad buzz, once, early."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.replay import replay
from tests.watch import badbuzz

POULS = str(Path(sys.executable).with_name("pouls"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[dict]]]:
    home = tmp_path_factory.mktemp("home")
    (home / "pouls.toml").write_text('[[workspaces]]\nid = "demo"\n')
    recs = badbuzz.write(home / "demo.jsonl")
    store = SQLiteStore(home / "pouls.db")
    badbuzz.load(store, home / "demo.jsonl")
    WatchStore(store).add_rule("demo", badbuzz.RULE.name, msgspec.json.encode(badbuzz.RULE))
    store.close()
    yield home, recs


def test_replay_finds_the_bad_buzz_once_before_its_public_peak(
    demo: tuple[Path, list[dict]],
) -> None:
    home, recs = demo
    store = SQLiteStore(home / "pouls.db")
    alerts = replay(store, badbuzz.RULE, since=badbuzz.SINCE, until=badbuzz.END)
    store.close()
    assert len(alerts) == 1
    alert = alerts[0]
    peak = badbuzz.public_peak(recs)
    assert badbuzz.first(recs, "public") < alert.opened.at < peak
    assert alert.closed is not None and alert.peak.observed > alert.opened.baseline


def test_a_more_sensitive_rule_finds_at_least_as_much(demo: tuple[Path, list[dict]]) -> None:
    home, _ = demo
    store = SQLiteStore(home / "pouls.db")
    loose = msgspec.structs.replace(badbuzz.RULE, sensitivity=0.9)
    strict = msgspec.structs.replace(badbuzz.RULE, sensitivity=0.1)
    found = {
        s: len(replay(store, r, since=badbuzz.SINCE, until=badbuzz.END))
        for s, r in (("loose", loose), ("strict", strict))
    }
    store.close()
    assert found["loose"] >= 1 >= found["strict"]


def test_rule_test_command_lists_the_alert_with_its_explanation(
    demo: tuple[Path, list[dict]],
) -> None:
    home, _ = demo
    done = subprocess.run(
        [
            POULS,
            "--home",
            str(home),
            "rule",
            "test",
            "intoxication",
            "-w",
            "demo",
            "--since",
            "30d",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TERM": "dumb"},
    )
    assert done.returncode == 0, done.stderr
    assert "1 alert" in done.stdout and "alert(s)" not in done.stdout
    assert "termes : intoxication" in done.stdout and "fraises" in done.stdout


def test_the_rule_page_replays_a_rule_and_tries_another_sensitivity(
    demo: tuple[Path, list[dict]],
) -> None:
    from fastapi.testclient import TestClient

    from pouls.config import load
    from pouls.web.app import create_app
    from tests.conftest import sign_in_as_admin

    home, _ = demo
    store = SQLiteStore(home / "pouls.db")
    app = create_app(load(home, environ={}), store)
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        sign_in_as_admin(client, store, "demo")
        listed = client.get("/rules?ws=demo").text
        assert 'href="/rules/intoxication?ws=demo"' in listed and "database" in listed
        page = client.get("/rules/intoxication?ws=demo&since=90d").text
        assert '<strong class="trial-count">1</strong>' in page
        assert "Volume rising on “intoxication”" in page
        assert "intoxication" in page and 'href="/signals/' in page  # explained, with an example
        strict = client.get("/rules/intoxication?ws=demo&since=90d&sensitivity=0.05").text
        assert '<strong class="trial-count">0</strong>' in strict
        assert 'value="0.05"' in strict
        assert client.get("/rules/nothing?ws=demo").status_code == 404
        assert client.get("/rules/intoxication?ws=demo&sensitivity=1").status_code == 422
        french = client.get(
            "/rules/intoxication?ws=demo&since=90d", headers={"Accept-Language": "fr"}
        )
        assert "qu&#39;elle aurait levée" in french.text and "(s)" not in french.text
    store.close()
