"""The live watcher: a pipeline listener that counts stored signals into each rule's buckets,
steps the rules' detectors as buckets close, and hands alerts to the sinks.

Time is event time: a bucket closes when the newest signal seen (minus `lateness`) has passed
its end, or, once the stream is live, when the clock has. Importing history through the
pipeline therefore raises the same alerts as watching it live, and as `pouls rule test`.
The listener only counts (it runs on the event loop after each commit); explaining and
recording happen in `run()`, delivering in `delivery.Outbox`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from pouls.config import Alerts, Rule, Settings
from pouls.query import Matcher
from pouls.signals import Signal, utcnow
from pouls.sinks import Sink
from pouls.sinks.notice import Notice
from pouls.store import Bucket
from pouls.store.rows import reach, toxic
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import AlertExists, WatchStore
from pouls.watch.crisis import Escalation
from pouls.watch.delivery import Outbox
from pouls.watch.digest import Period, gather, schedule
from pouls.watch.escalation import CrisisWatch, Ended
from pouls.watch.explain import Explanation, explain
from pouls.watch.messages import alert_notice, digest_notice
from pouls.watch.restart import close_orphans, resume
from pouls.watch.rules import (
    INSTANT,
    STREAM,
    Firing,
    Trigger,
    counts,
    in_quiet_hours,
    scope,
    title,
)
from pouls.watch.streams import explain as explain_stream
from pouls.watch.streams import resume as resume_stream
from pouls.watch.streams import trigger_for
from pouls.watch.titles import encode as encode_facts
from pouls.watch.titles import of_firing
from pouls.watch.workflow import current

log = logging.getLogger("pouls.watch")

LATENESS = timedelta(minutes=2)  # signals may arrive this late and still count in their bucket
LIVE_WITHIN = timedelta(hours=6)  # the clock closes buckets only when the stream is this recent
PRIME = timedelta(days=14)  # history a rule's detector learns from when the watcher starts
TICK = 30.0  # seconds between two looks at the clock
RELOAD_EVERY = 2.0  # seconds between two looks at the store's rules (saved in the web app)


@dataclass(frozen=True)
class Reload:
    """Where a running watcher finds its rules again: `version()` moves when they change."""

    version: Callable[[], object]
    rules: Callable[[], Sequence[Rule]]
    every: float = RELOAD_EVERY  # seconds between two looks


@dataclass
class _Tally:
    """One bucket being counted."""

    volume: int = 0
    negative: int = 0
    toxic: int = 0
    scam: int = 0
    reach: int = 0
    authors: set[str] = field(default_factory=set)

    def add(self, s: Signal) -> None:
        self.volume += 1
        self.negative += s.sentiment is not None and s.sentiment.label == "negative"
        self.toxic += (toxic(s) or 0.0) >= 0.5
        self.scam += (s.scam or 0.0) >= 0.5
        self.reach += reach(s) or 0
        if s.author:
            self.authors.add(s.author)

    def take(self, s: Signal) -> None:
        """Count `s` out again (a person corrected it); its author stays counted."""
        self.volume -= 1
        self.negative -= s.sentiment is not None and s.sentiment.label == "negative"
        self.toxic -= (toxic(s) or 0.0) >= 0.5
        self.scam -= (s.scam or 0.0) >= 0.5
        self.reach -= reach(s) or 0

    def bucket(self, start: datetime) -> Bucket:
        return Bucket(
            start=start,
            volume=self.volume,
            negative=self.negative,
            toxic=self.toxic,
            scam=self.scam,
            reach=self.reach,
            authors=len(self.authors),
        )


class _Live:
    """A rule's trigger and its open buckets (one or two at a time: memory stays bounded)."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.trigger = Trigger(rule)
        self.stream = trigger_for(rule) if rule.kind in STREAM else None  # signal by signal
        self.step = self.trigger.step
        self.next_start: datetime | None = None
        self.tallies: dict[datetime, _Tally] = {}

    def count(self, s: Signal) -> None:
        start = _floor(s.created_at, self.step)
        if self.next_start is None:
            self.next_start = start
        start = max(start, self.next_start)  # a late signal counts in the first open bucket
        self.tallies.setdefault(start, _Tally()).add(s)

    def recount(self, before: Signal | None, after: Signal | None) -> None:
        """A corrected signal counted again, if its own bucket is still open (a closed one is
        history, which replays and the next start read from the store)."""
        s = after or before
        if s is None or self.next_start is None or self.stream is not None:
            return
        tally = self.tallies.get(_floor(s.created_at, self.step))
        if tally is None or _floor(s.created_at, self.step) < self.next_start:
            return
        if before is not None:
            tally.take(before)
        if after is not None:
            tally.add(after)

    def advance(self, watermark: datetime) -> list[Firing]:
        out: list[Firing] = []
        if self.stream is not None:
            return self.stream.tick(watermark)
        if self.next_start is None:
            return out + self.trigger.tick(watermark)
        while self.next_start + self.step <= watermark:
            tally = self.tallies.pop(self.next_start, None) or _Tally()
            out += self.trigger.update(tally.bucket(self.next_start))
            self.next_start += self.step
        return out


class Watcher:
    """Evaluates rules on stored signals as they arrive; alerts go to the store and the sinks."""

    def __init__(
        self,
        rules: Sequence[Rule],
        store: SQLiteStore,
        *,
        sinks: Mapping[str, Sink] | None = None,
        alerts: Alerts | None = None,
        clock: Callable[[], datetime] = utcnow,
        lateness: timedelta = LATENESS,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        crisis: CrisisWatch | None = None,
        workspaces: Sequence[str] = (),
        reload: Reload | None = None,
        timezones: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.timezones = dict(timezones or {})  # workspace -> IANA zone, for the times told
        self._reload = reload  # where `run()` looks for changed rules (web app, API, CLI)
        self._rules_version: object = reload.version() if reload is not None else None
        self.book = WatchStore(store)
        self.outbox = Outbox(self.book, sinks, clock=clock)
        self.settings = alerts or Alerts()
        self.clock = clock
        self.lateness = lateness
        self._sleep = sleep
        self._rules: dict[tuple[str, str], _Live] = {}
        self._plain: dict[str, list[_Live]] = {}
        self._by_topic: dict[tuple[str, str], list[_Live]] = {}
        self._matchers: dict[str, Matcher] = {}
        for rule in rules:
            self._rules[(rule.workspace, rule.name)] = _Live(rule)
        self._index()
        self.newest: datetime | None = None
        self.watermark: datetime | None = None
        self.crisis = crisis
        self.workspaces = list(workspaces)  # those a digest goes to
        self._digests: asyncio.Future[None] | None = None
        self._queue: asyncio.Queue[Firing | Escalation | Ended | None] = asyncio.Queue()
        self._open: dict[tuple[str, str, str | None], int] = {}  # (workspace, rule, key) -> id
        self._started: set[str] = set()  # workspaces whose rules' series have begun
        self.firings: list[Firing] = []  # every firing, in order (for `pouls up` logs and tests)

    # -- rules --------------------------------------------------------------------------------

    def _index(self) -> None:
        """Route signals to rules: by topic, by query, or every signal of the workspace."""
        self._plain, self._by_topic, self._matchers = {}, {}, {}
        for live in self._rules.values():
            rule = live.rule
            if rule.topic:
                self._by_topic.setdefault((rule.workspace, rule.topic), []).append(live)
            elif rule.query:
                matcher = self._matchers.setdefault(rule.workspace, Matcher())
                matcher.add(rule.name, rule.query)
            else:
                self._plain.setdefault(rule.workspace, []).append(live)

    def reload(self, rules: Sequence[Rule]) -> list[str]:
        """Run `rules` from now on: new and changed ones learn their history and take up their
        open alerts; the open alerts of removed ones are closed. Returns the names changed."""
        now = self.clock() if self.newest is None else min(self.clock(), self.newest)
        wanted = {(r.workspace, r.name): r for r in rules}
        changed = []
        for key, live in list(self._rules.items()):
            if wanted.get(key) != live.rule:
                del self._rules[key]
                self._open = {k: v for k, v in self._open.items() if k[:2] != key}
                changed.append(key)
        fresh = [key for key in wanted if key not in self._rules]
        for key in fresh:
            self._rules[key] = _Live(wanted[key])
        self._index()
        close_orphans(self.book, self._rules.keys(), now)
        for key in fresh:
            self._prime_rule(self._rules[key], now, PRIME)
            if key not in changed:
                changed.append(key)
        if changed:
            log.info("rules reloaded: %s", ", ".join(f"{w}/{n}" for w, n in changed))
        return [n for _, n in changed]

    def refresh(self) -> list[str]:
        """Reload the rules when their store says they changed; the names changed."""
        if self._reload is None:
            return []
        version = self._reload.version()
        if version == self._rules_version:
            return []
        self._rules_version = version
        return self.reload(self._reload.rules())

    @property
    def rules(self) -> list[Rule]:
        return [live.rule for live in self._rules.values()]

    def prime(self, now: datetime | None = None, history: timedelta = PRIME) -> None:
        """Let every rule learn the `history` before `now` from the store (warm start).

        A restart neither forgets nor repeats an alert: each rule takes up the alerts it left
        open (they update, or close if their episode ended meanwhile); the open alerts of rules
        no longer run are closed.
        """
        now = now or self.clock()
        close_orphans(self.book, self._rules.keys(), now)
        for live in self._rules.values():
            self._prime_rule(live, now, history)
        if self.crisis is not None:
            for e in self.crisis.prime(now):
                self._queue.put_nowait(e)
            for over in self.crisis.ended(now):
                self._queue.put_nowait(over)

    def _prime_rule(self, live: _Live, now: datetime, history: timedelta) -> None:
        rule = live.rule
        if live.stream is not None:
            following, closings = resume_stream(live.stream, self.store, now)
            self._follow(rule, following, closings)
            return
        if rule.kind == INSTANT:
            self._follow(rule, *resume(live.trigger, self.book, [], now))
            return
        end = _floor(now, live.step)
        buckets = self.store.series(
            rule.workspace,
            rule.query,
            scope(rule),
            bucket=live.step,
            since=end - history,
            until=end,
        )
        if not any(b.volume for b in buckets) and not self.store.count(rule.workspace):
            # An empty store (a first start that imports history) starts the series with
            # its first signal, so history replayed through the pipeline is watched too.
            self._follow(rule, *resume(live.trigger, self.book, [], now))
            return
        self._follow(rule, *resume(live.trigger, self.book, buckets, now))
        live.next_start = end
        self._started.add(rule.workspace)

    def _follow(
        self, rule: Rule, following: Mapping[str | None, int], firings: Sequence[Firing]
    ) -> None:
        for key, alert_id in following.items():
            self._open[(rule.workspace, rule.name, key)] = alert_id
        for f in firings:
            self._queue.put_nowait(f)

    # -- the listener -------------------------------------------------------------------------

    def listener(self, signals: list[Signal]) -> None:
        """Count a committed batch; close the buckets it moves past. Called on the event loop."""
        firings: list[Firing] = []
        for s in signals:
            if s.workspace not in self._started:
                self._start(s.workspace, s.created_at)
            for live in self._routes(s):
                if live.stream is not None:
                    firings += live.stream.add(s)
                elif live.rule.kind == INSTANT:
                    firings += live.trigger.tick(s.created_at)
                    firings += live.trigger.hit(s.created_at, s.id)
                else:
                    live.count(s)
            if self.newest is None or s.created_at > self.newest:
                self.newest = s.created_at
        if self.newest is not None:
            firings += self.advance(self.newest - self.lateness)
        self._emit(firings)
        if self.crisis is not None:
            for e in self.crisis.add(signals):
                self._queue.put_nowait(e)
            self._end_quiet_stories()

    def corrected(self, pairs: Sequence[tuple[Signal, Signal]]) -> None:
        """People corrected stored signals (each before and after): the buckets still open
        count the corrected values, as the store now holds them. Called on the event loop."""
        for before, after in pairs:
            was = {id(live): live for live in self._routes(before) if live.rule.kind != INSTANT}
            now = {id(live): live for live in self._routes(after) if live.rule.kind != INSTANT}
            for key in was.keys() | now.keys():
                live = was.get(key) or now[key]
                live.recount(before if key in was else None, after if key in now else None)

    def _start(self, workspace: str, at: datetime) -> None:
        # A rule's series starts with its workspace's first signal, not with its own first
        # match: the quiet hours before a subject appears are part of its baseline.
        self._started.add(workspace)
        for live in self._rules.values():
            if live.rule.workspace == workspace and live.stream is not None:
                live.stream.start(_floor(at, timedelta(hours=1)))
            if live.rule.workspace == workspace and live.next_start is None:
                live.next_start = _floor(at, live.step)

    def _routes(self, s: Signal) -> list[_Live]:
        out = list(self._plain.get(s.workspace, ()))
        for topic in s.topics:
            out += self._by_topic.get((s.workspace, topic), ())
        matcher = self._matchers.get(s.workspace)
        if matcher is not None and len(matcher):
            out += [self._rules[(s.workspace, name)] for name in matcher.match(s)]
        return [live for live in out if counts(live.rule, s)] if s.own else out

    def advance(self, watermark: datetime) -> list[Firing]:
        """Close every bucket that ends before `watermark`; the firings this brings."""
        if self.watermark is not None and watermark <= self.watermark:
            return []
        self.watermark = watermark
        out: list[Firing] = []
        for live in self._rules.values():
            out += live.advance(watermark)
        return out

    def tick(self) -> None:
        """Let the clock close buckets when the stream is live but quiet."""
        now = self.clock()
        if self.newest is not None and now - self.newest <= LIVE_WITHIN:
            self._emit(self.advance(now - self.lateness))
            self._end_quiet_stories()

    def _end_quiet_stories(self) -> None:
        if self.crisis is not None and self.watermark is not None:
            for end in self.crisis.ended(self.watermark):
                self._queue.put_nowait(end)

    def _emit(self, firings: list[Firing]) -> None:
        for f in firings:
            self.firings.append(f)
            self._queue.put_nowait(f)

    # -- acting on firings --------------------------------------------------------------------

    async def run(self) -> None:
        """Record, explain and deliver firings until `close()`; looks at the clock every TICK s.

        Sends the digests when they are due, if `[alerts] digest` is set.
        """
        self._digests = asyncio.ensure_future(self.digests())
        reloading = asyncio.ensure_future(self._reloading())
        try:
            await self._run()
        finally:
            reloading.cancel()
            await asyncio.gather(reloading, return_exceptions=True)
            await self._stop_digests()

    async def _reloading(self) -> None:
        """Take up the rules saved or deleted meanwhile, every `Reload.every` seconds."""
        while self._reload is not None:
            await asyncio.sleep(self._reload.every)
            try:
                self.refresh()
            except Exception:  # a rule that cannot load must not stop the others
                log.exception("rules not reloaded")

    async def _stop_digests(self) -> None:
        if self._digests is not None:
            self._digests.cancel()
            await asyncio.gather(self._digests, return_exceptions=True)
            self._digests = None

    async def _run(self) -> None:
        while True:
            try:
                firing = await asyncio.wait_for(self._queue.get(), TICK)
            except TimeoutError:
                self.tick()
                self.outbox.release()
                continue
            if firing is None:
                return
            try:
                await self.handle(firing)
            except Exception:  # one bad alert must not stop the watcher; it is in the log
                log.exception("alert not handled: %r", firing)

    def zone(self, workspace: str) -> ZoneInfo:
        """The workspace's clock for the times its notices tell (UTC when it has none)."""
        try:
            return ZoneInfo(self.timezones.get(workspace) or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    async def digests(self) -> None:
        """Send every workspace its digest at `digest_hour` local time, until cancelled."""
        await schedule(self.settings, self.send_digests, clock=self.clock, sleep=self._sleep)

    async def send_digests(self, period: Period, end: datetime) -> list[Notice]:
        """Gather each workspace's digest of the `period` ending at `end` and send it."""
        a = self.settings
        out = []
        for ws in self.workspaces:
            d = await asyncio.to_thread(gather, self.store, ws, period, end, base_url=a.base_url)
            if d.volume == 0 and not d.alerts and not d.escalations:
                continue  # nothing happened: no mail
            notice = digest_notice(d, a.lang, self.zone(ws))
            self.outbox.send(notice, a.digest_sinks)
            out.append(notice)
        return out

    async def drain(self) -> None:
        """Handle every firing queued so far, and wait for their deliveries (tests, shutdown)."""
        while not self._queue.empty():
            firing = self._queue.get_nowait()
            if firing is not None:
                await self.handle(firing)
        await self.outbox.drain()

    async def close(self) -> None:
        """Stop `run()`, handle what is queued, and record held deliveries as not sent."""
        await self._stop_digests()
        await self.drain()
        self._queue.put_nowait(None)  # after draining, which would take it from `run()`
        self.outbox.abandon()

    async def handle(self, firing: Firing | Escalation | Ended) -> int | None:
        """Record one firing (explained) or escalation, then deliver it; returns the alert id."""
        if isinstance(firing, Escalation):
            return await self.escalate(firing)
        if isinstance(firing, Ended):
            return await self.end_escalation(firing)
        live = self._rules[(firing.workspace, firing.rule)]
        rule, key = live.rule, (firing.workspace, firing.rule, firing.key)
        lang = rule.lang or self.settings.lang
        alert_id = self._open.get(key)
        if firing.key is not None and alert_id is None:
            stored = await asyncio.to_thread(self.book.alert_by_key, rule.workspace, _key(firing))
            if stored is not None and stored.status == "open":
                self._open[key] = stored.id
            if stored is not None and (stored.status != "open" or firing.change == "opened"):
                return None  # told before (a restart, history imported again): not again
            if stored is None and firing.change == "closed":
                return None
            alert_id = stored.id if stored is not None else None
        explanation = None
        if firing.change != "closed":
            explanation = await asyncio.to_thread(self._explain, rule, firing)
        doc = msgspec.json.encode(explanation) if explanation is not None else None
        if firing.change == "opened" or alert_id is None:
            try:
                alert_id = await asyncio.to_thread(
                    self.book.open_alert,
                    rule.workspace,
                    rule=rule.name,
                    kind=rule.kind,
                    title=title(rule, firing, lang),
                    at=firing.at,
                    observed=firing.observed,
                    baseline=firing.baseline,
                    score=firing.score,
                    explanation=doc,
                    key=_key(firing) if firing.key is not None else None,
                    facts=encode_facts(of_firing(rule, firing)),
                )
            except AlertExists:
                return None
            self._open[key] = alert_id
        else:
            await asyncio.to_thread(
                self.book.change_alert,
                rule.workspace,
                alert_id,
                change=firing.change,
                at=firing.at,
                observed=firing.observed if firing.change == "updated" else None,
                score=firing.score if firing.change == "updated" else None,
                title=title(rule, firing, lang) if firing.change == "updated" else None,
                explanation=doc,
                facts=encode_facts(of_firing(rule, firing)) if firing.change == "updated" else None,
            )
        if firing.change == "closed":
            self._open.pop(key, None)
        snoozed = await asyncio.to_thread(self._team, rule.workspace, alert_id, firing)
        notice = alert_notice(
            firing,
            rule,
            explanation,
            alert_id=alert_id,
            lang=lang,
            base_url=self.settings.base_url,
            tz=self.zone(rule.workspace),
        )
        # told once the snooze is over (or ended by the team), the latest change only
        quiet = in_quiet_hours(rule, firing.at)
        self.outbox.send(notice, rule.sinks, quiet_until=quiet, snoozed_until=snoozed)
        return alert_id

    def _team(self, workspace: str, alert_id: int, firing: Firing) -> datetime | None:
        """Where the team stands with the alert: a resolved alert that got worse is open again
        (recorded as pouls's doing); returns the end of its snooze, if snoozed."""
        alert = self.book.alert(workspace, alert_id)
        if alert is None:
            return None
        now = self.clock()
        state = current(alert.state, alert.snoozed_until, now)
        if state == "resolved" and firing.change == "updated":
            self.book.act(
                workspace,
                alert_id,
                change="reopened",
                actor=None,
                at=now,
                state="open",
                assignee=alert.assignee,
                snoozed_until=None,
                value="worse",
            )
        return alert.snoozed_until if state == "snoozed" else None

    async def escalate(self, e: Escalation) -> int | None:
        """Record an escalation and tell `crisis_sinks`, once per story and level."""
        assert self.crisis is not None
        alert_id = await asyncio.to_thread(self.crisis.record, e)
        if alert_id is None:
            return None
        self.outbox.send(self.crisis.notice(e, alert_id), self.crisis.sinks)
        return alert_id

    async def end_escalation(self, end: Ended) -> int | None:
        """Close an escalation whose story went quiet, and tell `crisis_sinks`."""
        assert self.crisis is not None
        alert_id = await asyncio.to_thread(self.crisis.close, end)
        if alert_id is None:
            return None
        self.outbox.send(self.crisis.ended_notice(end, alert_id), self.crisis.sinks)
        return alert_id

    def _explain(self, rule: Rule, firing: Firing) -> Explanation:
        if rule.kind in STREAM:
            return explain_stream(self.store, rule, firing, base_url=self.settings.base_url)
        step = timedelta(minutes=rule.bucket)
        if rule.kind == INSTANT:
            start, end = firing.started, firing.at + timedelta(microseconds=1)
        else:
            start, end = firing.at - step, firing.at
        return explain(
            self.store,
            rule,
            start=start,
            end=end,
            observed=firing.observed,
            baseline=firing.baseline,
            base_url=self.settings.base_url,
        )


def _key(firing: Firing) -> str:
    """The stored key of a keyed alert (a campaign's cluster): told once, whatever restarts."""
    return f"{firing.rule}:{firing.key}"


def _floor(t: datetime, step: timedelta) -> datetime:
    seconds = step.total_seconds()
    return datetime.fromtimestamp(t.timestamp() // seconds * seconds, tz=t.tzinfo)


def rules_of(settings: Settings, book: WatchStore) -> list[Rule]:
    """The rules to run: the store's, seeded from pouls.toml (`watch.ruleset`)."""
    from pouls.watch.ruleset import rules_of as stored_rules

    return stored_rules(settings, book)
