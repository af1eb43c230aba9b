"""`pouls alerts` speaks the terminal's language: `1 tentative d'envoi`, never `attempt(s)`;
titles and states worded as the pages word them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from tests.cli.process import pouls

AT = datetime(2026, 9, 20, 12, 0, tzinfo=UTC)


def test_alerts_count_their_deliveries_in_the_terminals_language(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text('[[workspaces]]\nid = "demo"\n', encoding="utf-8")
    store = SQLiteStore(tmp_path / "pouls.db")
    book = WatchStore(store)
    one = book.open_alert(
        "demo", rule="buzz", kind="spike", title="Volume en hausse sur « [b]buzz » : 9 (habituel 1)",
        at=AT, observed=9, baseline=1, score=1,
    )  # fmt: skip
    two = book.open_alert(
        "demo", rule="calm", kind="spike", title="calm", at=AT, observed=9, baseline=1, score=1
    )
    book.record_delivery(
        "demo", alert_id=one, subject="s", sink="team", attempt=1, ok=True, final=True, detail=None
    )
    for attempt in (1, 2):
        book.record_delivery(
            "demo",
            alert_id=two,
            subject="s",
            sink="team",
            attempt=attempt,
            ok=False,
            final=attempt == 2,
            detail="refused",
        )
    store.close()
    french = pouls(tmp_path, "alerts", "-w", "demo", lang="fr_FR.UTF-8")
    assert french.returncode == 0, french.stderr
    assert "(1 tentative d'envoi, 0 en échec)" in french.stdout
    assert "(2 tentatives d'envoi, 1 en échec)" in french.stdout
    english = pouls(tmp_path, "alerts", "-w", "demo", lang="C.UTF-8")
    assert "(1 delivery attempt, 0 failed)" in english.stdout
    assert "(2 delivery attempts, 1 failed)" in english.stdout
    assert "[b]buzz" in english.stdout  # a title is shown as written, never as markup
    # Titles and states in the terminal's language, older alerts included.
    assert (
        "[Ouverte · épisode en cours] buzz: Volume en hausse sur « [b]buzz » : 9" in french.stdout
    )
    assert (
        "[Open · episode ongoing] buzz: Volume rising on “[b]buzz”: 9 (usual 1)" in english.stdout
    )
