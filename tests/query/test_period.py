"""Time ranges: presets, dates, relative spans, and clear refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pouls.query.period import DAY, HOUR, WEEK, PeriodError, parse_period, preset_period

NOW = datetime(2026, 12, 7, 17, 30, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def test_nothing_given_is_no_period() -> None:
    assert parse_period(None, "", now=NOW) is None


@pytest.mark.parametrize(
    ("preset", "length"),
    [("24h", timedelta(hours=24)), ("7d", timedelta(days=7)), ("90d", timedelta(days=90))],
)
def test_rolling_presets_end_now(preset: str, length: timedelta) -> None:
    period = parse_period(preset=preset, now=NOW)
    assert period is not None
    assert (period.until, period.length, period.preset) == (NOW, length, preset)


def test_calendar_presets_follow_the_workspace_time_zone() -> None:
    month = preset_period("month", now=NOW, tz=PARIS)
    assert month.since == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)  # 1 Dec, Paris midnight
    last = preset_period("last-month", now=NOW, tz=PARIS)
    assert (last.since, last.until) == (
        datetime(2026, 10, 31, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 23, 0, tzinfo=UTC),
    )


def test_since_takes_a_preset_name_too() -> None:
    assert parse_period("7d", now=NOW) == parse_period(preset="7d", now=NOW)


def test_dates_are_whole_local_days_and_until_is_included() -> None:
    period = parse_period("2026-11-30", "2026-11-30", now=NOW, tz=PARIS)
    assert period is not None
    assert period.since == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert period.length == DAY


def test_datetimes_with_and_without_offset() -> None:
    period = parse_period("2026-11-30T14:00", "2026-12-01T10:00Z", now=NOW, tz=PARIS)
    assert period is not None
    assert period.since == datetime(2026, 11, 30, 13, 0, tzinfo=UTC)
    assert period.until == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_previous_period_has_the_same_length_and_ends_at_the_start() -> None:
    period = parse_period("7d", now=NOW)
    assert period is not None
    before = period.previous()
    assert (before.until, before.length) == (period.since, period.length)


@pytest.mark.parametrize(
    ("span", "step"), [("24h", HOUR), ("30d", DAY), ("90d", DAY), ("26w", WEEK)]
)
def test_bucket_follows_the_length(span: str, step: timedelta) -> None:
    period = parse_period(span, now=NOW)
    assert period is not None and period.bucket() == step


@pytest.mark.parametrize(
    ("since", "until", "words"),
    [
        ("hier", None, "not a date"),
        ("2026-13-01", None, "not a date"),
        ("0d", None, "empty span"),
        ("2026-12-01", "2026-11-01", "ends before it starts"),
        (None, "year", "not a date"),
    ],
)
def test_bad_values_are_refused_with_the_reason(since, until, words) -> None:
    with pytest.raises(PeriodError, match=words) as caught:
        parse_period(since, until, now=NOW)
    assert caught.value.message % caught.value.values == str(caught.value)


def test_a_preset_and_dates_together_are_refused() -> None:
    with pytest.raises(PeriodError, match="not both"):
        parse_period("2026-11-01", preset="7d", now=NOW)


def test_a_span_past_1970_means_from_the_beginning() -> None:
    period = parse_period("99999w", now=NOW)
    assert period is not None and period.since.year == 1970


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(max_size=30), st.one_of(st.none(), st.text(max_size=30)))
def test_any_text_is_a_period_or_a_period_error(since: str, until: str | None) -> None:
    try:
        period = parse_period(since, until, now=NOW, tz=PARIS)
    except PeriodError as exc:
        assert exc.message
    else:
        assert period is None or period.since < period.until


def test_buckets_start_on_the_workspace_clock() -> None:
    from pouls.query.period import origin

    november = parse_period("2026-11-04T15:00", "2026-11-20", tz=PARIS, now=NOW)
    assert november is not None
    # Days and hours from local midnight of the first day; weeks from its Monday (2 November).
    assert origin(november, DAY, PARIS) == datetime(2026, 11, 3, 23, 0, tzinfo=UTC)
    assert origin(november, HOUR, PARIS) == datetime(2026, 11, 3, 23, 0, tzinfo=UTC)
    assert origin(november, WEEK, PARIS) == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    # In summer Paris is UTC+2: its midnight is 22:00 UTC the day before.
    july = parse_period("2026-07-01", "2026-07-02", tz=PARIS, now=NOW)
    assert july is not None and origin(july, DAY, PARIS) == datetime(2026, 6, 30, 22, tzinfo=UTC)
