"""The dashboard's key numbers as people read them: values, changes, colours, words."""

from __future__ import annotations

import doctest

import pouls.web.dashboard_text
from pouls.web.dashboard_text import labels, tiles

TOTALS = {
    "volume": {"value": 2141, "previous": 812, "change": 1.6367},
    "authors": {"value": 640, "previous": 0, "change": None},
    "reach": {"value": 0, "previous": 0, "change": None},
    "negative_share": {"value": 0.5, "previous": 0.12, "change": 3.1667},
    "net_sentiment": {"value": -0.3, "previous": 0.2, "change": -2.5},
}


def test_doctests_of_the_formats_hold() -> None:
    assert doctest.testmod(pouls.web.dashboard_text).failed == 0


def test_counts_change_in_percent_shares_in_points_french() -> None:
    volume, authors, reach, negative, net = tiles("fr", TOTALS)
    assert (volume.label, volume.value, volume.previous) == ("Signaux", "2\u202f141", "812")
    assert volume.change == "+164\xa0%" and volume.direction == "up"
    assert volume.tone == "neutral"  # more talk is neither good nor bad news by itself
    assert volume.said == "en hausse de 164\xa0% sur la période précédente"
    assert authors.change == "" and authors.said == "rien sur la période précédente"
    assert reach.direction == "flat" and reach.said == "pas de changement sur la période précédente"
    assert (negative.value, negative.previous) == (
        "50\xa0%",
        "12\xa0%",
    )  # Babel: a no-break space before %
    assert negative.change == "+38\u202fpts" and negative.tone == "bad"
    assert (net.value, net.change, net.tone) == ("−30\xa0%", "−50\u202fpts", "bad")


def test_english_tiles_and_a_rising_net_sentiment_is_good_news() -> None:
    better = {"net_sentiment": {"value": 0.25, "previous": -0.1, "change": None}}
    (net,) = tiles("en", better)
    assert (net.label, net.value, net.previous) == ("Net sentiment", "+25%", "−10%")
    assert (net.change, net.direction, net.tone) == ("+35 pts", "up", "good")
    assert net.said == "up 35 pts on the previous period"


def test_chart_words_follow_the_page_language() -> None:
    data = {"volume": {"by": {"visibility": {"press": [1], "private": [2]}}}}
    fr = labels("fr", data)
    assert fr["words"]["Previous period"] == "Période précédente"
    assert fr["values"]["channel"]["rss"] == "Presse / RSS"
    assert fr["values"]["visibility"] == {"press": "presse", "private": "privé"}
    assert labels("en", data)["values"]["sentiment"]["negative"] == "negative"


def test_a_score_that_rounds_to_zero_has_no_sign() -> None:
    (net,) = tiles("en", {"net_sentiment": {"value": -0.003, "previous": 0.0, "change": None}})
    assert (net.value, net.previous) == ("0%", "0%")


def test_shares_with_no_rated_signal_before_show_a_dash_and_no_arrow() -> None:
    empty_before = {
        "negative_share": {"value": 0.45, "previous": None, "change": None},
        "net_sentiment": {"value": -0.0736, "previous": None, "change": None},
    }
    negative, net = tiles("fr", empty_before)
    assert (negative.value, negative.previous, negative.change) == ("45\xa0%", "—", "")
    assert (negative.note, negative.direction, negative.tone) == ("—", "flat", "neutral")
    assert negative.said.startswith("rien à comparer")
    assert (net.value, net.previous, net.note) == ("−7\xa0%", "—", "—")


def test_no_rated_signal_now_either_is_a_dash_too() -> None:
    (net,) = tiles("en", {"net_sentiment": {"value": None, "previous": 0.2, "change": None}})
    assert (net.value, net.previous, net.change, net.note) == ("—", "+20%", "", "—")


def test_two_zero_counts_say_no_change_on_screen_and_to_screen_readers() -> None:
    (fr,) = tiles("fr", {"reach": {"value": 0, "previous": 0, "change": None}})
    assert fr.note == "pas de changement" and fr.said.startswith("pas de changement")
    (en,) = tiles("en", {"reach": {"value": 0, "previous": 0, "change": None}})
    assert en.note == "no change" and en.direction == "flat"
    (new,) = tiles("en", {"reach": {"value": 5, "previous": 0, "change": None}})
    assert new.note == "new this period" and new.said == "nothing in the previous period"


def test_a_change_of_scores_is_read_from_the_values_in_points() -> None:
    # -7.36 % -> +0.15 %: the tile says +7 pts (as shown, whole percents), up, good news
    (net,) = tiles("en", {"net_sentiment": {"value": 0.0015, "previous": -0.0736, "change": 7.51}})
    assert (net.value, net.previous, net.change, net.tone) == ("0%", "−7%", "+7 pts", "good")


def test_every_channel_has_its_own_colour_in_every_chart() -> None:
    from pouls.signals.colours import CHANNEL_COLOURS, channel_colour
    from pouls.web.templating import CHANNEL_LABELS

    data = {"volume": {"by": {"channel": {"mastodon": [1], "tiktok": [2]}}}, "mix": {"channel": []}}
    colours = labels("en", data)["colours"]["channel"]
    assert set(CHANNEL_LABELS) <= set(colours) and "tiktok" in colours
    known = [colours[k] for k in CHANNEL_LABELS]
    assert len(set(known)) == len(known)  # no two known channels alike
    assert set(CHANNEL_COLOURS) == set(CHANNEL_LABELS)
    assert colours["tiktok"] == channel_colour("tiktok") not in known
