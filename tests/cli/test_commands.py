"""The `pouls` command as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

import json
from pathlib import Path

from pouls.store.pauses import Pauses
from pouls.store.sqlite import SQLiteStore
from tests.cli.process import pouls


def test_init_import_search_status_and_dead_letters(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert pouls(home, "init").returncode == 0
    assert (home / "pouls.toml").exists()
    again = pouls(home, "init")
    assert again.returncode == 1 and "already exists" in again.stderr

    data = tmp_path / "demo.jsonl"
    lines = [
        {
            "native_id": "1",
            "channel": "mastodon",
            "text": "Le café de l'École est fermé",
            "created_at": "2026-10-01T08:00:00Z",
        },
        {
            "native_id": "2",
            "channel": "bluesky",
            "text": "Rien à signaler",
            "created_at": "2026-10-01T09:00:00Z",
        },
        {"native_id": "3", "text": "date cassée", "created_at": "demain"},
    ]
    data.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8"
    )
    imported = pouls(home, "import", str(data))
    assert imported.returncode == 0, imported.stderr
    assert "2 " in imported.stdout and "dead letters" in imported.stdout

    found = pouls(home, "search", "ecole", "--format", "jsonl")
    assert found.returncode == 0
    [hit] = [json.loads(line) for line in found.stdout.splitlines()]
    assert hit["native_id"] == "1" and hit["workspace"] == "acme"

    table = pouls(home, "search", "cafe")
    assert "1 signal matches 'cafe'" in table.stdout and "École" in table.stdout
    assert "signals match" not in table.stdout
    french = pouls(home, "search", "cafe", lang="fr_FR.UTF-8")
    assert "1 signal correspond à 'cafe'" in french.stdout
    nothing = pouls(home, "search", "quinzaine", lang="fr_FR.UTF-8")
    assert "Rien trouvé pour 'quinzaine' dans l'espace de travail acme." in nothing.stderr

    status = pouls(home, "status")
    assert status.returncode == 0 and "demo" in status.stdout and "mastodon 1" in status.stdout

    dead = pouls(home, "dead-letters")
    assert "demain" in dead.stdout and "not a date" in dead.stdout

    rerun = pouls(home, "import", str(data))
    assert "Nothing new" in rerun.stdout


def test_user_errors_exit_1_with_a_clear_message(tmp_path: Path) -> None:
    missing = pouls(tmp_path, "import", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 1 and "no such file" in missing.stderr
    (tmp_path / "pouls.toml").write_text("[web]\nport = 'eighty'\n", encoding="utf-8")
    bad = pouls(tmp_path, "status")
    assert bad.returncode == 1 and "pouls.toml:2" in bad.stderr and "web.port" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_csv_import_with_a_column_mapping(tmp_path: Path) -> None:
    data = tmp_path / "avis.csv"
    data.write_text(
        "ref,body,date\nr1,Très bon accueil,2026-10-02\nr2,Accueil glacial,2026-10-03 10:00\n",
        encoding="utf-8",
    )
    r = pouls(
        tmp_path,
        "import",
        str(data),
        "--map",
        "text=body",
        "--map",
        "native_id=ref",
        "--map",
        "created_at=date",
        "--kind",
        "review",
    )
    assert r.returncode == 0, r.stderr
    found = pouls(tmp_path, "search", "accueil", "--format", "jsonl")
    rows = [json.loads(line) for line in found.stdout.splitlines()]
    assert {x["native_id"] for x in rows} == {"r1", "r2"} and {x["kind"] for x in rows} == {
        "review"
    }
    no_text = tmp_path / "x.csv"
    no_text.write_text("a,b\n1,2\n", encoding="utf-8")
    r = pouls(tmp_path, "import", str(no_text))
    assert r.returncode == 1 and "no text column" in r.stderr and "a, b" in r.stderr


def test_topic_add_backfills_then_search_and_rm(tmp_path: Path) -> None:
    data = tmp_path / "s.jsonl"
    rows = [
        {"native_id": str(i), "text": t}
        for i, t in enumerate(["Retard de livraison", "livraison parfaite", "un retard encore"])
    ]
    data.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    assert pouls(tmp_path, "import", str(data)).returncode == 0
    added = pouls(tmp_path, "topic", "add", "retards", "retard* AND NOT parfaite")
    assert added.returncode == 0, added.stderr
    assert "2 stored signals match" in " ".join(added.stdout.split())
    listed = pouls(tmp_path, "topic", "list")
    assert "retards" in listed.stdout
    found = pouls(tmp_path, "search", "", "--topic", "retards", "--format", "jsonl")
    assert {json.loads(x)["native_id"] for x in found.stdout.splitlines()} == {"0", "2"}
    bad = pouls(tmp_path, "topic", "add", "oops", "retard AND (")
    assert bad.returncode == 2 and "^" in bad.stderr and "column" in bad.stderr
    assert pouls(tmp_path, "topic", "rm", "retards").returncode == 0
    assert "No topics" in pouls(tmp_path, "topic", "list").stdout


def test_sources_lists_configured_sources_with_their_health(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text(
        '[[workspaces]]\nid = "acme"\n\n[[sources]]\ntype = "rss"\nname = "presse"\n'
        'workspace = "acme"\nurl = "http://127.0.0.1:9/feed.xml"\n',
        encoding="utf-8",
    )
    data = tmp_path / "a.jsonl"
    data.write_text(
        '{"native_id": "1", "text": "bonjour"}\n{"native_id": "2", "text": "x", "created_at": "bad"}\n',
        encoding="utf-8",
    )
    assert pouls(tmp_path, "import", str(data)).returncode == 0
    r = pouls(tmp_path, "sources")
    assert r.returncode == 0, r.stderr
    rows = {
        line.split("│")[2].strip(): line for line in r.stdout.splitlines() if line.count("│") > 5
    }
    assert "rss" in rows["presse"] and "never" in rows["presse"]
    assert " 1 " in rows["a"] and "s" in rows["a"].split("│")[7]  # counts and a lag
    store = SQLiteStore(tmp_path / "pouls.db")
    Pauses(store).pause("acme", "presse", "ana@acme.fr")  # as the web app's Settings > Sources
    store.close()
    paused = pouls(tmp_path, "sources").stdout
    assert "rss (paused)" in paused


def test_a_rule_may_watch_a_topic_added_from_the_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert pouls(home, "init").returncode == 0
    assert pouls(home, "topic", "add", "retards", "retard*").returncode == 0
    done = pouls(home, "rule", "add", "pic-retards", "--topic", "retards")
    assert done.returncode == 0, done.stderr
    assert "pic-retards" in pouls(home, "rule", "list").stdout
    unknown = pouls(home, "rule", "add", "pic-x", "--topic", "nulle-part")
    assert unknown.returncode == 1 and "no topic 'nulle-part'" in unknown.stderr
