"""Alert notices and digests in French and English: words from the catalogues, figures as each
language writes them, bodies from autoescaped templates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pouls.config import Rule
from pouls.sinks.notice import Notice
from pouls.sinks.slack import message as slack_message
from pouls.sinks.telegram import message as telegram_message
from pouls.watch.digest import Digest, DigestAlert
from pouls.watch.explain import Example, Explanation, Term
from pouls.watch.messages import alert_notice, digest_notice
from pouls.watch.rules import Firing

AT = datetime(2026, 9, 20, 14, 0, tzinfo=UTC)
SNEAKY = '<script>alert(1)</script> "quoted" & co'


def _digest(**kw: object) -> Digest:
    values: dict = dict(
        workspace="demo",
        period="day",
        start=AT - timedelta(days=1),
        end=AT,
        volume=1234,
        previous=1000,
        sentiment={"negative": 3, "positive": 1200},
        topics=[("tarte", 12)],
        channels=[("rss", 3)],
        terms=[Term("intox", 4, 2.5)],
        alerts=[
            DigestAlert(
                id=1,
                rule="r",
                kind="spike",
                title=SNEAKY,
                status="closed",
                started_at=AT,
                link="http://pouls.test/alerts/1?ws=demo",
            )
        ],
        escalations=[],
        engaging=[],
        representative=[],
        series=[1.0, 2.0, 3.0],
        link="http://pouls.test/?ws=demo",
    )
    values.update(kw)
    return Digest(**values)


def test_a_digest_writes_numbers_and_words_the_french_or_english_way() -> None:
    fr, en = digest_notice(_digest(), "fr"), digest_notice(_digest(), "en")
    assert fr.subject.startswith("Résumé du jour · demo")
    assert (
        "Volume : 1\u202f234 (+23\xa0% par rapport à la période précédente : 1\u202f000)" in fr.text
    )
    assert "Termes en hausse : intox ×2,5" in fr.text and "négatif 3, positif 1\u202f200" in fr.text
    assert "Escalades :\n- Aucune escalade sur cette période." in fr.text
    assert "Volume: 1,234 (+23% vs previous period: 1,000)" in en.text
    assert "Rising terms: intox ×2.5" in en.text and "(over)" in en.text
    assert "Ouvrir dans pouls" in (fr.html or "") and "Open in pouls" in (en.html or "")


def test_a_digest_with_nothing_to_compare_says_so() -> None:
    text = digest_notice(_digest(previous=0), "en").text
    assert "Volume: 1,234 (– vs previous period: 0)" in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_notice_bodies_are_escaped_html_and_plain_text(lang: str) -> None:
    """A title or a signal's text comes from outside: never HTML in the e-mail."""
    notice = digest_notice(_digest(), lang)
    assert "<script>" not in (notice.html or "") and "&lt;script&gt;" in (notice.html or "")
    assert SNEAKY in notice.text  # the text part is plain text: nothing to escape


def _alert(lang: str, tz: ZoneInfo = ZoneInfo("UTC")) -> Notice:
    rule = Rule(name="buzz", workspace="demo", kind="spike", topic="tarte")
    firing = Firing(
        rule="buzz",
        workspace="demo",
        change="opened",
        at=AT,
        started=AT - timedelta(hours=1),
        observed=1500.0,
        baseline=12.25,
        score=0.9,
    )
    explanation = Explanation(
        workspace="demo",
        rule="buzz",
        metric="volume",
        start=AT - timedelta(hours=1),
        end=AT,
        observed=1500.0,
        baseline=12.25,
        signals=1500,
        terms=[Term("intox", 40, 12.0)],
        channels=[("mastodon", 1000)],
        authors=[("@a", 3)],
        visibility={"public": 1500},
        sentiment={"negative": 1000},
        examples=[
            Example(
                id="s1",
                link="http://pouls.test/signals/s1?ws=demo",
                text=SNEAKY,
                channel="mastodon",
                visibility="public",
                created_at=AT,
            )
        ],
        series=[10.0, 12.0, 1500.0],
        step_minutes=60,
    )
    return alert_notice(
        firing, rule, explanation, alert_id=7, lang=lang, base_url="http://pouls.test/", tz=tz
    )


def test_an_alert_notice_is_worded_in_its_language() -> None:
    fr, en = _alert("fr"), _alert("en")
    assert fr.subject.startswith("Nouvelle alerte · ") and en.subject.startswith("New alert · ")
    assert "Observé : 1\u202f500" in fr.text and "Habituel : 12,2" in fr.text
    assert "Observed: 1,500" in en.text and "Usual: 12.2" in en.text
    assert "Sentiment : négatif 1\u202f000" in fr.text
    assert "Signaux représentatifs :" in fr.text and "Representative signals:" in en.text
    assert "depuis 20 sept. 2026, 13:00 UTC" in fr.text
    assert "since Sep 20, 2026, 1:00\u202fPM UTC" in en.text
    assert "&lt;script&gt;" in (en.html or "") and "<script>" not in (en.html or "")
    assert fr.link == "http://pouls.test/alerts/7?ws=demo" and fr.images["chart"]


def test_an_alert_notice_tells_its_times_on_the_workspace_clock() -> None:
    """A team in New York reads 9:00 AM EDT, not the UTC the alert was stored in."""
    york = ZoneInfo("America/New_York")
    fr, en = _alert("fr", york), _alert("en", york)
    assert "depuis 20 sept. 2026, 09:00 EDT" in fr.text
    assert "since Sep 20, 2026, 9:00\u202fAM EDT" in en.text
    assert "UTC" not in fr.text + en.text and "EDT" in (en.html or "")


def test_a_digest_tells_its_period_on_the_workspace_clock() -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    fr, en = digest_notice(_digest(), "fr", tokyo), digest_notice(_digest(), "en", tokyo)
    assert fr.subject == "Résumé du jour · demo · 19 sept. 2026, 23:00 → 20 sept. 2026, 23:00 JST"
    assert en.subject == (
        "Daily digest · demo · Sep 19, 2026, 11:00\u202fPM → Sep 20, 2026, 11:00\u202fPM JST"
    )
    assert fr.text.startswith(fr.subject) and "UTC" not in fr.text + en.text
    assert en.images["chart"].startswith(b"\x89PNG")


def test_telegram_and_slack_say_open_in_pouls_in_the_notices_language() -> None:
    fr, en = _alert("fr"), _alert("en")
    assert ">Ouvrir dans pouls</a>" in telegram_message(fr)
    assert ">Open in pouls</a>" in telegram_message(en)
    assert slack_message(fr)["text"].endswith("|Ouvrir dans pouls>")
