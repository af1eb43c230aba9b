"""Crisis escalations live: a tracker per workspace fed as signals are stored; each escalation
becomes an alert (once per story and level, whatever restarts) and a notice for `crisis_sinks`;
the alert closes, with another notice, once its story has been quiet for `crisis_quiet` hours.

Separate from `crisis.py`, which only links signals into stories: this module records and words.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from pouls.locale import N_, translate, translate_plural
from pouls.locale.formats import stamp
from pouls.signals import Signal, utcnow
from pouls.sinks.notice import Notice
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import AlertExists, WatchStore
from pouls.watch import titles
from pouls.watch.crisis import WARMUP_DAYS, CrisisTracker, Escalation, Story, history
from pouls.watch.explain import Explanation, Term, example_of, terms_of, who

PRIME = timedelta(days=WARMUP_DAYS + 2)  # what a tracker reads at start to know the usual words
RECENT = timedelta(hours=6)  # an escalation found while priming is told only if this recent
QUIET = timedelta(hours=24)  # a story without a new signal this long is over: its alerts close
LONGEST_PRIME = timedelta(days=30)  # how far back a restart reads to find an open story again
STEP = timedelta(hours=1)  # the chart's step
STEPS = 48

LEVELS = {"private": N_("private messages"), "public": N_("public posts"), "press": N_("the press")}


def key_of(e: Escalation) -> str:
    """One key per story and level reached: the same escalation is never raised twice."""
    return f"{e.story.key}:{e.target}"


def title_of(e: Escalation, lang: str) -> str:
    """The alert's title, worded by watch/titles.py as the alerts list and reports word it."""
    facts = titles.Facts(terms=e.story.headline(4, until=e.at), source=e.source, target=e.target)
    return titles.title("escalation", facts, lang)


@dataclass(frozen=True)
class Ended:
    """An escalation whose story went quiet: its alert (found by `key`) closes at `at`."""

    key: str
    workspace: str
    title: str
    last: datetime  # the story's newest signal
    at: datetime


@dataclass
class _Told:
    """An open escalation alert and the story it follows."""

    workspace: str
    title: str
    story: Story | None  # None when a restart could not find the story again
    since: datetime

    @property
    def last(self) -> datetime:
        found = self.story.last if self.story is not None else None
        return max(found, self.since) if found is not None else self.since


class CrisisWatch:
    """Trackers by workspace; `add` is the listener's part, `record` and `notice` the run's."""

    def __init__(
        self,
        store: SQLiteStore,
        *,
        workspaces: Sequence[str] = (),
        sinks: Sequence[str] = (),
        lang: str = "fr",
        base_url: str = "http://127.0.0.1:8000",
        clock: Callable[[], datetime] = utcnow,
        quiet: timedelta = QUIET,
        timezones: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.timezones = dict(timezones or {})  # workspace -> IANA zone, for the times told
        self.workspaces = list(workspaces)
        self.book = WatchStore(store)
        self.sinks = list(sinks)
        self.lang = lang
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.trackers: dict[str, CrisisTracker] = {}
        self.quiet = quiet
        self.told: dict[str, _Told] = {}  # escalations whose story is not over, by key

    def _zone(self, workspace: str) -> tzinfo:
        """The workspace's clock for the times a notice tells (UTC when it has none)."""
        try:
            return ZoneInfo(self.timezones.get(workspace) or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return UTC

    def add(self, signals: Iterable[Signal]) -> list[Escalation]:
        """Link stored signals into stories; the escalations they cause."""
        out: list[Escalation] = []
        for s in signals:
            tracker = self.trackers.get(s.workspace)
            if tracker is None:
                tracker = self.trackers[s.workspace] = CrisisTracker()
            found = tracker.add(s)
            for e in found:
                self.told[key_of(e)] = _Told(s.workspace, title_of(e, self.lang), e.story, e.at)
            out += found
        return out

    def prime(self, now: datetime | None = None) -> list[Escalation]:
        """Read the days before `now`; the escalations among them recent enough to tell.

        Reads further back when an escalation alert is still open, to find its story again
        and know when it went quiet (a restart must not leave the alert open for ever).
        """
        now = now or self.clock()
        out: list[Escalation] = []
        for ws in self.workspaces:
            still = self.book.alerts(ws, rule="crisis", status="open", limit=1000)
            since = now - PRIME
            for alert in still:
                first = self.store.get(ws, _story_key(alert.key))
                if first is not None:
                    since = min(since, first.created_at - PRIME)
            self.trackers[ws] = CrisisTracker()
            found = self.add(history(self.store, ws, max(since, now - LONGEST_PRIME), now))
            out += [e for e in found if e.at >= now - RECENT]
            for alert in still:
                if alert.key and alert.key not in self.told:  # its story was not found again
                    self.told[alert.key] = _Told(ws, alert.title, None, alert.updated_at)
        return out

    def ended(self, now: datetime) -> list[Ended]:
        """The open escalations whose story has had no new signal for `quiet` by `now`."""
        out: list[Ended] = []
        for key, t in sorted(self.told.items(), key=lambda kv: kv[1].last):
            at = t.last + self.quiet
            if at <= now:
                del self.told[key]
                out.append(Ended(key, t.workspace, t.title, t.last, at))
        return out

    def close(self, end: Ended) -> int | None:
        """Record the closing; the alert's id, or None when no such alert is open (never
        told, or closed already)."""
        alert = self.book.alert_by_key(end.workspace, end.key)
        if alert is None or alert.status != "open":
            return None
        self.book.change_alert(end.workspace, alert.id, change="closed", at=end.at)
        return alert.id

    def ended_notice(self, end: Ended, alert_id: int) -> Notice:
        """The closing in words: the story has been quiet since its last signal."""
        lang = self.lang
        link = f"{self.base_url}/alerts/{alert_id}?ws={end.workspace}"
        hours = round(self.quiet.total_seconds() / 3600)
        last = stamp(lang, end.last, self._zone(end.workspace))
        why = translate(
            lang, "No new signal in the story since %(last)s (%(hours)s h).", last=last, hours=hours
        )
        opening = translate(lang, "Open in pouls")
        return Notice(
            kind="escalation",
            workspace=end.workspace,
            subject=f"{translate(lang, 'Escalation over')} · {end.title}",
            text=f"{end.title}\n{why}\n{link}",
            html=(
                f"<h2>{html.escape(end.title)}</h2><p>{html.escape(why)}</p>"
                f"<p><a href='{html.escape(link)}'>{html.escape(opening)}</a></p>"
            ),
            data={"at": end.at.isoformat(), "last": end.last.isoformat()},
            lang=self.lang,
            rule="crisis",
            alert_id=alert_id,
            change="closed",
            link=link,
        )

    def record(self, e: Escalation) -> int | None:
        """Record the escalation as an alert; None when it was recorded before."""
        ws, key = e.signal.workspace, key_of(e)
        if self.book.has_key(ws, key):
            return None
        explanation = explain(e, self.base_url)
        try:
            return self.book.open_alert(
                ws,
                rule="crisis",
                kind="escalation",
                title=title_of(e, self.lang),
                at=e.at,
                observed=explanation.observed,
                baseline=explanation.baseline,
                score=None,
                explanation=msgspec.json.encode(explanation),
                key=key,
                facts=titles.encode(
                    titles.Facts(
                        metric="people",
                        observed=explanation.observed,
                        baseline=explanation.baseline,
                        terms=e.story.headline(4, until=e.at),
                        source=e.source,
                        target=e.target,
                    )
                ),
            )
        except AlertExists:
            return None

    def notice(self, e: Escalation, alert_id: int) -> Notice:
        """The escalation in words, with the story's timeline and chart."""
        lang, story = self.lang, e.story
        ws = e.signal.workspace
        zone = self._zone(ws)
        link = f"{self.base_url}/alerts/{alert_id}?ws={ws}"
        head = title_of(e, self.lang)
        lines, rows = [head], []
        for level in ("private", "public", "press"):
            seen = story.seen[level]
            if not seen:
                continue
            people = len(story.authors[level])
            line = translate(
                lang,
                "%(level)s: %(signals)s, %(people)s, first signal %(when)s",
                level=translate(lang, LEVELS[level]),
                signals=translate_plural(
                    lang, "%(num)s signal", "%(num)s signals", len(seen), num=len(seen)
                ),
                people=translate_plural(
                    lang, "%(num)s person", "%(num)s people", people, num=people
                ),
                when=stamp(lang, seen[0].created_at, zone),
            )
            line = line[:1].upper() + line[1:]
            lines.append(line)
            sig = f"{self.base_url}/signals/{seen[0].id}?ws={ws}"
            lines.append(f"  {seen[0].text[:160]} {sig}")
            rows.append(
                f"<li>{html.escape(line)}<br><a href='{html.escape(sig)}'>"
                f"{html.escape(seen[0].text[:200])}</a></li>"
            )
        chart = story_chart(explain(e, self.base_url))
        body = (
            f"<h2>{html.escape(head)}</h2>"
            '<p><img src="cid:chart" alt="chart" width="480" height="140"></p>'
            f"<ol>{''.join(rows)}</ol><p><a href='{html.escape(link)}'>"
            f"{html.escape(translate(lang, 'Open in pouls'))}</a></p>"
        )
        return Notice(
            kind="escalation",
            workspace=ws,
            subject=head,
            text="\n".join(lines),
            html=body,
            data={
                "story": story.key,
                "terms": sorted(story.terms),
                "source": e.source,
                "target": e.target,
                "at": e.at.isoformat(),
                "signal": e.signal.id,
            },
            images={"chart": chart},
            lang=self.lang,
            rule="crisis",
            alert_id=alert_id,
            change="opened",
            link=link,
        )


def explain(e: Escalation, base_url: str) -> Explanation:
    """The story up to the escalation, as an alert explanation: who, where, signals per hour."""
    story = e.story
    seen = {v: [s for s in found if s.created_at <= e.at] for v, found in story.seen.items()}
    signals = sorted((s for v in seen.values() for s in v), key=lambda s: s.created_at)
    people = {
        v: len({s.author for s in found if s.author}) or len(found) for v, found in seen.items()
    }
    end = e.at + STEP
    series = [0.0] * STEPS
    for s in signals:
        i = STEPS - 1 - int((end - s.created_at) / STEP)
        if 0 <= i < STEPS:
            series[i] += 1
    terms = Counter(t for s in signals for t in terms_of(s) & story.terms)
    picks = [found[0] for found in seen.values() if found]
    if e.signal not in picks:
        picks.append(e.signal)
    return Explanation(
        workspace=e.signal.workspace,
        rule="crisis",
        metric="signals",
        start=signals[0].created_at if signals else e.at,
        end=e.at,
        observed=people[e.target],
        baseline=people[e.source],
        signals=len(signals),
        terms=[Term(t, terms[t], 0.0) for t in sorted(story.terms, key=lambda t: -terms[t])],
        channels=Counter[str](s.channel for s in signals).most_common(5),
        authors=Counter(who(s) for s in signals if s.author).most_common(5),
        visibility={v: len(found) for v, found in seen.items() if found},
        sentiment=dict(Counter(s.sentiment.label if s.sentiment else "unknown" for s in signals)),
        examples=[example_of(s, base_url) for s in picks],
        series=series,
        step_minutes=int(STEP.total_seconds() // 60),
    )


def story_chart(e: Explanation) -> bytes:
    """The story's signals per hour, the escalation's hour in red (no usual level to draw)."""
    return e.chart()


def _story_key(key: str | None) -> str:
    """The story of an escalation's alert key, `<story key>:<level>`."""
    return (key or "").rsplit(":", 1)[0]
