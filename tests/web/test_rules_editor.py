"""Rules in the web app: the editor and its replay before saving, edit, delete, roles, and
pouls.toml seeding the store (the one source of truth)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from fastapi.testclient import TestClient

from pouls.access.passwords import hash_password
from pouls.config import Rule, load
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.ruleset import entries, sync_rules

MATCH = {"name": "injoignable", "kind": "match", "query": "injoignable", "since": "90d"}


def _stored(store: SQLiteStore, name: str) -> Rule | None:
    found = WatchStore(store).rule("acme", name)
    return None if found is None else msgspec.json.decode(found.doc, type=Rule)


def test_the_editor_replays_the_rule_before_it_is_saved(
    client: TestClient, filled: SQLiteStore
) -> None:
    page = client.get("/rules/new?ws=acme")
    assert page.status_code == 200 and 'id="rule-form"' in page.text
    assert 'hx-post="/rules/preview?ws=acme"' in page.text  # the replay comes as one writes
    replay = client.post("/rules/preview?ws=acme", data=MATCH, headers={"HX-Request": "true"})
    assert replay.status_code == 200 and 'id="replay"' in replay.text
    assert '<strong class="trial-count">1</strong>' in replay.text
    assert _stored(filled, "injoignable") is None  # a replay saves nothing
    # Without script, the Replay button shows the same on the whole editor page.
    full = client.post("/rules/preview?ws=acme", data=MATCH)
    assert 'id="rule-form"' in full.text and '<strong class="trial-count">1</strong>' in full.text
    assert 'value="injoignable"' in full.text


def test_a_saved_rule_is_stored_and_listed_as_made_in_the_app(
    client: TestClient, filled: SQLiteStore
) -> None:
    saved = client.post("/rules?ws=acme", data=MATCH, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/rules?ws=acme&saved=injoignable"
    rule = _stored(filled, "injoignable")
    assert rule is not None and (rule.kind, rule.query) == ("match", "injoignable")
    assert WatchStore(filled).rule("acme", "injoignable").origin == "web"  # type: ignore[union-attr]
    listed = client.get(saved.headers["location"]).text
    assert "injoignable saved" in listed and "web app" in listed
    assert WatchStore(filled).rule("globex", "injoignable") is None


def test_editing_a_rule_changes_it_but_never_its_name(
    client: TestClient, filled: SQLiteStore
) -> None:
    client.post("/rules?ws=acme", data=MATCH)
    form = client.get("/rules/injoignable/edit?ws=acme").text
    assert 'name="name" required' in form and "readonly" in form
    changed = {**MATCH, "original": "injoignable", "query": "injoignable OR lyon"}
    assert client.post("/rules?ws=acme", data=changed).status_code == 200
    assert _stored(filled, "injoignable").query == "injoignable OR lyon"  # type: ignore[union-attr]
    renamed = client.post("/rules?ws=acme", data={**changed, "name": "autre"})
    assert renamed.status_code == 400 and "keeps its name" in renamed.text
    assert _stored(filled, "autre") is None
    taken = client.post("/rules?ws=acme", data=MATCH)
    assert taken.status_code == 400 and "exists already" in taken.text


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"name": "Pas Bien", "kind": "spike"}, "Name: use lowercase letters"),
        ({"name": "x", "kind": "threshold"}, "a threshold rule needs a threshold"),
        ({"name": "x", "kind": "spike", "topic": "nulle-part"}, "no topic &#39;nulle-part&#39;"),
        ({"name": "x", "kind": "spike", "window": "beaucoup"}, "a whole number is expected"),
        ({"name": "x", "kind": "spike", "sensitivity": "2"}, "Sensitivity: less than 1.0"),
        ({"name": "x", "kind": "volcano"}, "Kind: not one of the choices"),
        ({"name": "x", "kind": "match", "query": "a AND"}, "query:"),
        ({"name": "", "kind": "spike"}, "Give the rule a name."),
    ],
)
def test_a_rule_that_cannot_run_is_not_saved_and_says_why(
    client: TestClient, filled: SQLiteStore, form: dict[str, str], message: str
) -> None:
    response = client.post("/rules?ws=acme", data=form)
    assert response.status_code == 400
    assert message in response.text
    assert WatchStore(filled).rules("acme") == []
    replay = client.post("/rules/preview?ws=acme", data=form, headers={"HX-Request": "true"})
    # The replay needs no name yet; whatever else is wrong, it says instead of replaying.
    expected = "trial-count" if not form["name"] else "This rule cannot run yet"
    assert replay.status_code == 200 and expected in replay.text


def test_reasons_are_given_in_french_too(client: TestClient) -> None:
    client.cookies.set("pouls_lang", "fr")
    response = client.post("/rules?ws=acme", data={"name": "x", "kind": "threshold"})
    assert response.status_code == 400
    assert "une règle à seuil a besoin d&#39;un seuil" in response.text


def test_deleting_a_rule(client: TestClient, filled: SQLiteStore) -> None:
    client.post("/rules?ws=acme", data=MATCH)
    gone = client.post("/rules/injoignable/delete?ws=acme", follow_redirects=False)
    assert gone.status_code == 303 and _stored(filled, "injoignable") is None
    assert client.post("/rules/injoignable/delete?ws=acme").status_code == 404


def test_only_admins_and_analysts_change_rules(client: TestClient, filled: SQLiteStore) -> None:
    client.post("/rules?ws=acme", data=MATCH)
    viewer = filled.users.add("val@acme.fr", hash_password("le mot de passe de val"))
    filled.users.grant(viewer, "acme", "viewer")
    client.post("/logout")
    client.post("/login", data={"login": "val@acme.fr", "password": "le mot de passe de val"})
    listed = client.get("/rules?ws=acme").text
    assert "injoignable" in listed and "/rules/new" not in listed and "/delete" not in listed
    assert client.get("/rules/new?ws=acme").status_code == 403
    assert client.get("/rules/injoignable/edit?ws=acme").status_code == 403
    assert client.post("/rules/preview?ws=acme", data=MATCH).status_code == 403
    refused = client.post("/rules?ws=acme", data={**MATCH, "name": "autre"})
    assert refused.status_code == 403 and "Only admins and analysts" in refused.text
    assert client.post("/rules/injoignable/delete?ws=acme").status_code == 403
    assert [r.name for r in WatchStore(filled).rules("acme")] == ["injoignable"]
    filled.users.grant(viewer, "acme", "analyst")
    assert client.post("/rules/injoignable/delete?ws=acme").status_code == 200


def test_a_rule_form_posted_from_another_site_is_refused(
    client: TestClient, filled: SQLiteStore
) -> None:
    hostile = {"Origin": "https://evil.example"}
    assert client.post("/rules?ws=acme", data=MATCH, headers=hostile).status_code == 403
    assert WatchStore(filled).rules("acme") == []


TOML = """
[[workspaces]]
id = "acme"

[[topics]]
workspace = "acme"
name = "lyon"
query = "lyon"

[[rules]]
name = "pic-lyon"
workspace = "acme"
topic = "lyon"
sensitivity = {sensitivity}
"""


def test_pouls_toml_seeds_rules_and_the_app_changes_them_for_good(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text(TOML.format(sensitivity=0.5), encoding="utf-8")
    settings = load(tmp_path, environ={})
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    # Listed before any start, as the start will seed it.
    assert [(e.rule.name, e.origin) for e in entries(settings, book)] == [("pic-lyon", "config")]
    assert sync_rules(settings, book) == ["pic-lyon"]
    assert book.rule("acme", "pic-lyon").origin == "config"  # type: ignore[union-attr]
    # The file changed, nobody changed the rule elsewhere: the file's version is taken.
    (tmp_path / "pouls.toml").write_text(TOML.format(sensitivity=0.7), encoding="utf-8")
    settings = load(tmp_path, environ={})
    assert sync_rules(settings, book) == ["pic-lyon"]
    assert entries(settings, book)[0].rule.sensitivity == 0.7
    # Changed in the app: the app's version stays, whatever the file says at the next start.
    from pouls.watch.ruleset import delete, save

    rule = msgspec.structs.replace(entries(settings, book)[0].rule, sensitivity=0.9)
    save(settings, store, rule, origin="web", create=False)
    assert sync_rules(settings, book) == []
    (only,) = entries(settings, book)
    assert (only.rule.sensitivity, only.origin, only.in_file) == (0.9, "web", True)
    # Deleted in the app: not seeded again.
    assert delete(settings, store, "acme", "pic-lyon")
    assert sync_rules(settings, book) == [] and entries(settings, book) == []
    store.close()


def test_a_topic_row_leads_to_a_rule_watching_it(client: TestClient, filled: SQLiteStore) -> None:
    from pouls.store.topics import Topic

    filled.topics.save(Topic(workspace="acme", name="lyon", query="lyon"))
    topics = client.get("/topics?ws=acme").text
    assert 'href="/rules/new?ws=acme&topic=lyon"' in topics
    form = client.get("/rules/new?ws=acme&topic=lyon").text
    assert '<option value="lyon" selected>' in form
