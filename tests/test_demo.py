"""The demo generator: deterministic, well-formed, importable, and telling its stories."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from pouls import demo
from pouls.signals import CHANNELS, KINDS, VISIBILITIES
from pouls.sources.records import Defaults, decode_json, to_signal

END = datetime(2026, 10, 3, 18, 0, tzinfo=UTC)
KEYS = {
    "native_id", "channel", "kind", "visibility", "created_at", "text", "title", "url",
    "author_handle", "author_name", "demo_lang", "conversation_id", "parent_id", "geo",
    "metrics", "value", "unit", "demo_story", "demo_toxic", "demo_scam",
}  # fmt: skip


@pytest.fixture(scope="module")
def history() -> list[dict]:
    return list(demo.generate(END, per_day=150))


def at(rec: dict) -> datetime:
    return datetime.fromisoformat(rec["created_at"])


def plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()


def importable(records: list[dict]) -> None:
    defaults, now = Defaults(workspace="demo", source="demo"), datetime.now(UTC)
    for rec in records:
        signal = to_signal(decode_json(json.dumps(rec, ensure_ascii=False).encode()), defaults, now)
        assert signal.native_id == rec["native_id"] and signal.created_at == at(rec)


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    first = list(demo.generate(END, weeks=1, per_day=80))
    assert first == list(demo.generate(END, weeks=1, per_day=80))
    assert first != list(demo.generate(END, weeks=1, per_day=80, seed=99))


def test_time_order_volume_and_rhythm(history: list[dict]) -> None:
    times = [at(r) for r in history]
    assert times == sorted(times)
    assert END - timedelta(weeks=6) <= times[0] and times[-1] < END
    assert all(r["created_at"].endswith("+00:00") for r in history)
    assert 150 * 42 <= len(history) <= 150 * 42 * 1.3
    by_hour = Counter((t.hour + 2) % 24 for t in times)  # Paris summer time
    assert by_hour[8] > 5 * by_hour[3]  # quiet nights, busy mornings


def test_values_are_valid_and_ids_unique(history: list[dict]) -> None:
    for rec in history:
        assert set(rec) <= KEYS and rec["text"]
        assert rec["channel"] in CHANNELS and rec["kind"] in KINDS
        assert rec["visibility"] in VISIBILITIES
        assert all(isinstance(v, int) for v in rec.get("metrics", {}).values())
    assert len({r["native_id"] for r in history}) == len(history)
    seen = {r["channel"] for r in history}
    assert {"mastodon", "bluesky", "instagram", "facebook", "reddit", "telegram"} <= seen
    assert {"whatsapp", "messenger", "email", "rss", "reviews", "checkin"} <= seen


def test_kinds_carry_what_they_should(history: list[dict]) -> None:
    for rec in history:
        kind = rec["kind"]
        if kind == "message":
            assert rec["visibility"] == "private" and rec["conversation_id"]
            assert rec["channel"] in ("whatsapp", "messenger", "email")
        elif kind == "article":
            assert rec["visibility"] == "press" and rec["channel"] == "rss"
            assert rec["title"] and rec["url"].startswith("https://www.")
        elif kind == "review":
            assert rec["unit"] == "stars" and rec["value"] in (1, 2, 3, 4, 5)
        elif kind == "checkin":
            assert rec["geo"]["country"] in ("FR", "BE") and rec["geo"]["lat"]
        else:
            assert rec["visibility"] == "public"
    index = {r["native_id"]: r for r in history}
    for rec in history:  # replies come after what they answer, on the same channel
        if "parent_id" in rec:
            parent = index[rec["parent_id"]]
            assert parent["channel"] == rec["channel"] and at(parent) <= at(rec)
    threads = Counter(r["conversation_id"] for r in history if r["kind"] == "message")
    assert max(threads.values()) >= 3
    handles = Counter(r["author_handle"] for r in history if r["kind"] == "post")
    assert handles.most_common(1)[0][1] >= 10  # some people post a lot


def test_languages_mix(history: list[dict]) -> None:
    langs = Counter(r["demo_lang"] for r in history)
    assert set(langs) == {"fr", "en"}
    assert 0.6 <= langs["fr"] / len(history) <= 0.8


def test_every_line_imports(history: list[dict]) -> None:
    importable(history)


def test_bad_buzz_goes_private_then_public_then_press(history: list[dict]) -> None:
    story = [r for r in history if r.get("demo_story") == "badbuzz"]
    first = {
        vis: min(at(r) for r in story if r["visibility"] == vis)
        for vis in ("private", "public", "press")
    }
    assert first["private"] + timedelta(hours=12) <= first["public"]
    assert first["public"] + timedelta(hours=20) <= first["press"]
    t0 = first["private"]
    assert END - timedelta(days=16) < t0 < END - timedelta(days=12)  # two thirds through
    about = [r for r in history if "intoxication" in plain(r["text"] + r.get("title", ""))]
    assert {"private", "public", "press"} <= {r["visibility"] for r in about}
    # The public spike: the busiest hour of the whole history is in the day after it spills.
    hours = Counter(
        at(r).replace(minute=0, second=0) for r in history if r["visibility"] == "public"
    )
    peak = max(hours, key=lambda h: hours[h])
    assert first["public"] <= peak <= first["public"] + timedelta(hours=36)
    assert hours[peak] > 3 * sorted(hours.values())[len(hours) // 2]
    assert sum(1 for r in story if r.get("demo_toxic")) >= 10
    alerts = [r for r in story if "alerte intoxication" in plain(r["text"])]
    assert len(alerts) >= 20 and len({r["text"] for r in alerts}) >= 5  # copies, retouched
    late = [r for r in story if at(r) > t0 + timedelta(days=4)]
    early = [r for r in story if at(r) <= t0 + timedelta(days=2)]
    assert 0 < len(late) < len(early) / 3  # then it calms down


def test_scam_wave_of_near_duplicates(history: list[dict]) -> None:
    lures = [r for r in history if r.get("demo_story") == "scam" and r.get("demo_scam")]
    assert len(lures) >= 40
    span = at(lures[-1]) - at(lures[0])
    assert timedelta(days=2) < span < timedelta(days=5)
    assert all(
        any(mark in plain(r["text"]) for mark in ("bit.ly/", "+33 6 39 98", "lumiere-token.xyz"))
        for r in lures
    )
    words = [set(plain(r["text"]).split()) for r in lures]

    def near(i: int) -> bool:
        return any(len(words[i] & w) / len(words[i] | w) >= 0.7 for j, w in enumerate(words) if j != i)  # fmt: skip

    assert sum(near(i) for i in range(len(words))) >= 0.9 * len(words)
    assert len({r["text"] for r in lures}) >= len(lures) / 4  # near, not all identical
    warnings = [r for r in history if r.get("demo_story") == "scam" and not r.get("demo_scam")]
    assert any(r["author_name"] == "Maison Lumière" for r in warnings)


def test_live_stream_follows_start() -> None:
    start = END
    live = list(demo.generate_live(start, hours=3, per_hour=100))
    assert 250 <= len(live) <= 300
    times = [at(r) for r in live]
    assert times == sorted(times) and start <= times[0] and times[-1] < start + timedelta(hours=3)
    assert sum(r["kind"] == "message" for r in live) > 0.1 * len(live)
    importable(live)


def test_write_files(tmp_path) -> None:
    counts = demo.write(tmp_path, end=END, weeks=1, per_day=60, live_hours=1, live_per_hour=50)
    history = (tmp_path / "demo.jsonl").read_text(encoding="utf-8")
    assert counts["history"] == history.count("\n") and counts["live"] == 50
    assert "Maison Lumière" in history  # UTF-8, not \u escapes
    last = json.loads(history.splitlines()[-1])
    assert at(last) < END


def test_scale_is_fast_and_well_formed() -> None:
    records = list(demo.scale(5_000, seed=1))
    assert len(records) == 5_000 == len({r["native_id"] for r in records})
    times = [at(r) for r in records]
    assert times == sorted(times) and times[0].year == 2025 == times[-1].year
    seen: set[str] = set()
    for rec in records:
        assert rec.get("parent_id") is None or rec["parent_id"] in seen
        seen.add(rec["native_id"])
    importable(records[:1000])
