"""An escalation reads the same in the report as in the alerts list: both come from
watch/titles.py (French: `passe des messages privés aux publications publiques`)."""

from __future__ import annotations

from datetime import timedelta

from pouls.config import Settings
from pouls.report.content import gather
from pouls.report.render import html
from pouls.store.reports import Reports
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch import titles
from tests.report.conftest import WEEK

OLD_TITLE = "Escalade : « intoxication » passe des messages privés à publications publiques"


def test_the_report_words_an_escalation_as_the_alerts_list(
    store: SQLiteStore, settings: Settings
) -> None:
    facts = titles.Facts(terms=["intoxication"], source="private", target="public")
    WatchStore(store).open_alert(
        "acme",
        rule="crise",
        kind="escalation",
        title=OLD_TITLE,
        at=WEEK.since + timedelta(days=1),
        observed=12,
        baseline=3,
        score=1,
        facts=titles.encode(facts),
        key="story:public",
    )
    Reports(store).sync(settings.file.reports, ["acme", "globex"])
    saved = Reports(store).get("acme", "hebdo")
    assert saved is not None
    content = gather(store, settings, saved.report, WEEK)
    french = html(content, "fr")
    said = "Escalade : « intoxication » passe des messages privés aux publications publiques"
    assert said == titles.title("escalation", facts, "fr")
    assert said in french and OLD_TITLE not in french
    english = html(content, "en")
    assert "Escalation: “intoxication” went from private messages to public posts" in english
