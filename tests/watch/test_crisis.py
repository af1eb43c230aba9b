"""Crisis escalation on the demo: the Lille story goes private -> public -> press, in order;
the scam wave, public first, does not escalate."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pouls.store.sqlite import SQLiteStore
from pouls.watch.crisis import escalations
from tests.watch import badbuzz


def test_the_bad_buzz_escalates_from_private_to_public_to_press(tmp_path: Path) -> None:
    recs = badbuzz.write(tmp_path / "demo.jsonl")
    store = SQLiteStore(tmp_path / "pouls.db")
    badbuzz.load(store, tmp_path / "demo.jsonl")
    found, _ = escalations(store, badbuzz.WORKSPACE, badbuzz.END - timedelta(weeks=6), badbuzz.END)
    store.close()
    lille = [e for e in found if "intoxication" in e.story.terms]
    assert lille, [sorted(e.story.terms) for e in found]
    story = lille[0].story
    steps = [(e.source, e.target) for e in found if e.story is story]
    assert steps == [("private", "public"), ("public", "press")]
    private, public, press = (story.first(v) for v in ("private", "public", "press"))
    assert private and public and press and private < public < press
    assert badbuzz.first(recs, "private") <= private
    up = next(e for e in found if e.story is story and e.target == "public")
    assert up.at < badbuzz.public_peak(recs) + timedelta(hours=1)
    assert next(e for e in found if e.story is story and e.target == "press").at >= badbuzz.first(
        recs, "press"
    )
    # The scam wave's lure was posted in public before customers asked about it in private:
    # public first is not an overflow, so it never escalates private -> public.
    scam = {r["text"] for r in recs if r.get("demo_story") == "scam"}
    for e in found:
        told = {s.text for s in e.story.seen["private"] + e.story.seen["public"]} | {e.signal.text}
        assert e.target == "press" or not told & scam, sorted(e.story.terms)


def test_a_story_is_named_by_its_most_told_words_as_people_wrote_them(tmp_path: Path) -> None:
    badbuzz.write(tmp_path / "demo.jsonl")
    store = SQLiteStore(tmp_path / "pouls.db")
    badbuzz.load(store, tmp_path / "demo.jsonl")
    found, _ = escalations(store, badbuzz.WORKSPACE, badbuzz.END - timedelta(weeks=6), badbuzz.END)
    store.close()
    up = next(e for e in found if "intoxication" in e.story.terms and e.target == "public")
    words = up.story.headline(4, until=up.at)
    assert "intoxication" in words, (
        words
    )  # in lower case: a capital opening a sentence is not a name
    written = " ".join(s.text for level in up.story.seen.values() for s in level)
    assert all(w in written for w in words), words  # as written, accents kept
    told = {w: sum(w.lower() in s.text.lower() for s in up.story.seen["private"]) for w in words}
    assert list(told.values()) == sorted(told.values(), reverse=True), told  # most told first
