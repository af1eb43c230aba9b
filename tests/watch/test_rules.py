"""Rules: settings, validation, quiet hours, the trigger's grouping, and rules kept in the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from pouls.config import ConfigError, Rule, load
from pouls.store import Bucket
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import RuleExists, WatchStore
from pouls.watch.rules import Trigger, in_quiet_hours, parse_duration, problems

T0 = datetime(2026, 9, 1, tzinfo=UTC)

TOML = """
[[workspaces]]
id = "acme"

[[topics]]
name = "brand"
workspace = "acme"
query = "acme"

[[sinks]]
type = "webhook"
name = "ops"
url = "http://127.0.0.1:9/hook"
secret = "s3cret"

[[rules]]
name = "buzz"
workspace = "acme"
topic = "brand"
sensitivity = 0.6
quiet_hours = "22:00-07:00"
sinks = ["ops"]
"""


def test_rules_and_sinks_load_from_pouls_toml(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text(TOML)
    settings = load(tmp_path, environ={})
    rule = settings.file.rules[0]
    assert (rule.name, rule.topic, rule.sensitivity, rule.sinks) == ("buzz", "brand", 0.6, ["ops"])
    assert settings.file.sinks[0].name == "ops"
    assert problems(rule, settings) == []


def test_a_rule_naming_an_unknown_sink_is_refused_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text(TOML.replace('sinks = ["ops"]', 'sinks = ["nope"]'))
    with pytest.raises(ConfigError, match=r"pouls.toml:\d+: `rules\[0\].sinks`: no sink 'nope'"):
        load(tmp_path, environ={})


def test_problems_name_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "pouls.toml").write_text(TOML)
    settings = load(tmp_path, environ={})
    bad = Rule(
        name="x", workspace="acme", kind="threshold", metric="toxic", threshold=3, query="(a"
    )
    found = problems(bad, settings)
    assert any(p.startswith("query:") for p in found)
    assert "a share threshold lies between 0 and 1 (0.3 = 30 %)" in found
    assert problems(Rule(name="y", workspace="acme", kind="match"), settings) == [
        "a match rule needs a query or a topic"
    ]


def test_durations_and_quiet_hours_across_midnight_in_local_time() -> None:
    assert parse_duration("30d") == timedelta(days=30)
    assert parse_duration("90m") == timedelta(minutes=90)
    with pytest.raises(ValueError):
        parse_duration("soon")
    rule = Rule(name="q", workspace="w", quiet_hours="22:00-07:00", timezone="Europe/Paris")
    # 21:30 UTC is 23:30 in Paris (summer): quiet until 07:00 Paris = 05:00 UTC.
    until = in_quiet_hours(rule, datetime(2026, 9, 1, 21, 30, tzinfo=UTC))
    assert until is not None and until.astimezone(UTC) == datetime(2026, 9, 2, 5, 0, tzinfo=UTC)
    assert in_quiet_hours(rule, datetime(2026, 9, 1, 12, 0, tzinfo=UTC)) is None


def series(values: list[int], step: timedelta = timedelta(hours=1)) -> list[Bucket]:
    return [Bucket(start=T0 + i * step, volume=v, authors=v) for i, v in enumerate(values)]


def daily(days: int) -> list[int]:
    return [10 + (5 if 8 <= h % 24 <= 20 else 0) + (h * 7) % 3 for h in range(24 * days)]


def test_one_spike_gives_one_alert_that_updates_then_closes() -> None:
    trigger = Trigger(Rule(name="s", workspace="w", bucket=60, cooldown=180))
    values = [*daily(30), 60, 90, 120, 80, 60, *daily(2)]
    changes = [f for b in series(values) for f in trigger.update(b)]
    kinds = [f.change for f in changes]
    assert kinds[0] == "opened" and kinds.count("opened") == 1
    assert "updated" in kinds and kinds[-1] == "closed"
    opened = changes[0]
    assert opened.at == T0 + timedelta(hours=24 * 30 + 1)  # decided at the end of the bucket
    assert max(f.observed for f in changes) == 120


def test_threshold_rule_sums_its_window() -> None:
    rule = Rule(name="t", workspace="w", kind="threshold", threshold=50, window=60, bucket=15)
    trigger = Trigger(rule)
    step = timedelta(minutes=15)
    changes = [
        f for b in series([5, 5, 5, 5, 20, 20, 20, 5, 0, 0], step) for f in trigger.update(b)
    ]
    assert [f.change for f in changes][:1] == ["opened"]
    assert changes[0].observed == 50 and changes[0].at == T0 + 6 * step  # 5+5+20+20


def test_instant_rule_folds_matches_in_its_cooldown_into_one_alert() -> None:
    trigger = Trigger(Rule(name="vip", workspace="w", kind="match", query="x", cooldown=60))
    changes = []
    for minutes in (0, 10, 20, 200):
        changes += trigger.hit(T0 + timedelta(minutes=minutes), f"s{minutes}")
    assert [f.change for f in changes] == ["opened", "updated", "updated", "closed", "opened"]
    assert changes[2].count == 3


def test_stored_rules_are_scoped_by_workspace(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "p.db")
    book = WatchStore(store)
    rule = Rule(name="r", workspace="a", query="x")
    book.add_rule("a", "r", msgspec.json.encode(rule))
    book.add_rule("b", "r", msgspec.json.encode(Rule(name="r", workspace="b")))
    with pytest.raises(RuleExists):
        book.add_rule("a", "r", msgspec.json.encode(rule))
    assert [msgspec.json.decode(r.doc, type=Rule) for r in book.rules("a")] == [rule]
    assert book.remove_rule("a", "r") and not book.remove_rule("a", "r")
    assert [r.workspace for r in book.rules()] == ["b"]
    store.close()
