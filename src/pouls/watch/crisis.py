"""Crisis escalation (the overflow principle): a story told in private messages that spills into
public posts, then into the press.

A *story* is seeded by private messages from several people sharing words that are new
(rare in every signal of the days before); signals are linked to it by those words (two at
least), by near-duplicate cluster or by author. An escalation is raised when the story reaches
public posts from several people after being seen in private, and again when a press article
tells it after it went public. A story whose public posts came first (people asking in private
about a scam circulating in public) did not overflow: it is public from the start. Causal:
signals are read in time order, each decision uses only what came before.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pouls.query import words
from pouls.signals import Signal, utcnow
from pouls.store import Filters, Store
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import WatchStore
from pouls.watch.explain import terms_of

LEVELS = ("private", "public", "press")
_PIECE = re.compile(r"\w+", re.UNICODE)  # a word as written, elision and hyphens left out
WARMUP_DAYS = 7  # days of signals read before a story may be seeded


@dataclass
class Story:
    """Signals telling the same story, by visibility level."""

    number: int
    terms: frozenset[str]
    seen: dict[str, list[Signal]] = field(default_factory=lambda: {v: [] for v in LEVELS})
    authors: dict[str, set[str]] = field(default_factory=lambda: {v: set() for v in LEVELS})
    level: str = "private"
    clusters: set[str] = field(default_factory=set)
    public_before: int = 0  # people who posted it in public before it was seen in private
    last: datetime | None = None  # the newest signal linked by its words or text

    @property
    def key(self) -> str:
        """Stable across replays: the id of the story's first private signal."""
        first = self.seen["private"]
        return first[0].id if first else f"story-{self.number}"

    def first(self, level: str) -> datetime | None:
        found = self.seen[level]
        return found[0].created_at if found else None

    def headline(self, n: int = 4, until: datetime | None = None) -> list[str]:
        """The story's `n` most told words (up to `until`), as people wrote them: its terms
        are folded (`intoxication`, `lille`) and sorting them by letter named the demo's
        food poisoning « achetee, alimentaire, autres »."""
        told: Counter[str] = Counter()
        written: dict[str, Counter[str]] = {}
        for level in LEVELS:
            for signal in self.seen[level]:
                if until is not None and signal.created_at > until:
                    continue
                text = f"{signal.title or ''} {signal.text}"
                told.update(self.terms & terms_of(signal))
                for piece in _PIECE.findall(text):
                    folded = words(piece)
                    if len(folded) == 1 and folded[0] in self.terms:
                        written.setdefault(folded[0], Counter())[piece] += 1
        ranked = sorted(self.terms, key=lambda t: (-told[t], t))[:n]
        return [_as_written(written.get(t), t) for t in ranked]


@dataclass(frozen=True)
class Escalation:
    """The story reached a wider audience at `at`, through `signal`."""

    story: Story
    source: str  # the level it came from
    target: str  # the level it reached
    at: datetime
    signal: Signal


class CrisisTracker:
    """Links signals into stories and raises escalations private → public → press."""

    def __init__(
        self,
        *,
        window: timedelta = timedelta(hours=48),
        min_private: int = 3,
        min_public: int = 5,
        novelty: float = 4.0,
        history_days: int = 14,
        retire: timedelta = timedelta(days=7),
    ) -> None:
        self.window = window
        self.min_private = min_private
        self.min_public = min_public
        self.novelty = novelty  # recent count must exceed the usual count for the window this much
        self.stories: list[Story] = []
        self._numbered = 0
        self._recent: deque[tuple[datetime, str, frozenset[str]]] = deque()  # private messages
        self._days: deque[tuple[int, Counter[str]]] = deque(maxlen=history_days)  # all signals
        self._history_days = history_days
        self._public: deque[tuple[datetime, str, frozenset[str]]] = deque()  # public posts
        self.retire = retire  # a story quiet this long is over: memory stays bounded when live
        self._usual_of: tuple[tuple[int, int, int] | None, Counter[str]] | None = None

    def add(self, signal: Signal) -> list[Escalation]:
        """Read one signal (in time order); the escalations it causes. The brand's own answers
        tell no story: its canned replies would seed one and carry it from private to public."""
        if signal.own:
            return []
        terms = frozenset(terms_of(signal))
        self._expire(signal.created_at)
        out: list[Escalation] = []
        story, by_content = self._story_of(signal, terms)
        if story is not None:
            out += self._link(story, signal, by_content)
        elif signal.visibility == "private":
            story = self._seed(signal, terms)
            if story is not None:
                out += self._link(story, signal, True)
        self._remember(signal, terms)
        return out

    def add_all(self, signals: Iterable[Signal]) -> list[Escalation]:
        return [e for s in signals for e in self.add(s)]

    def _story_of(self, signal: Signal, terms: frozenset[str]) -> tuple[Story | None, bool]:
        """The story a signal tells, and whether it tells it by its words or text (not only
        by its author)."""
        self.stories = [
            s for s in self.stories if s.last is None or s.last >= signal.created_at - self.retire
        ]
        for story in self.stories:
            if len(terms & story.terms) >= 2 or (
                signal.dup_cluster and signal.dup_cluster in story.clusters
            ):
                return story, True
            if signal.author and any(signal.author in a for a in story.authors.values()):
                return story, False
        return None, False

    def _link(self, story: Story, signal: Signal, by_content: bool) -> list[Escalation]:
        level = signal.visibility
        story.seen[level].append(signal)
        if signal.author:
            story.authors[level].add(signal.author)
        if by_content:
            # What its people post about anything else neither keeps a story going nor
            # brings its copies in (a review template would then pull in every copy of it).
            story.last = signal.created_at
            if signal.dup_cluster:
                story.clusters.add(signal.dup_cluster)
        public_enough = len(story.authors["public"]) >= self.min_public or (
            not any(s.author for s in story.seen["public"])
            and len(story.seen["public"]) >= self.min_public
        )
        if story.level == "private" and level == "public" and public_enough:
            story.level = "public"
            return [Escalation(story, "private", "public", signal.created_at, signal)]
        if story.level == "public" and level == "press":
            story.level = "press"
            return [Escalation(story, "public", "press", signal.created_at, signal)]
        return []

    def _seed(self, signal: Signal, terms: frozenset[str]) -> Story | None:
        if len(self._days) < WARMUP_DAYS:  # what is new cannot be told without a past
            return None
        counts: Counter[str] = Counter()
        authors: dict[str, set[str]] = {}
        for _, author, ts in self._recent:
            for t in ts & terms:
                counts[t] += 1
                authors.setdefault(t, set()).add(author)
        usual = self._usual()
        scale = self.window / timedelta(days=1)
        novel = frozenset(
            t
            for t, c in counts.items()
            if len(authors[t] | {signal.author or ""}) >= self.min_private
            and c + 1 >= self.novelty * (usual[t] * scale + 0.5)
        )
        if len(novel) < 2:
            return None
        for story in reversed(self.stories):  # a new angle on a recent story joins it
            recent = story.seen["private"] and story.seen["private"][-1].created_at >= (
                signal.created_at - self.window
            )
            if recent and novel & story.terms:
                story.terms = story.terms | novel
                return story
        self._numbered += 1
        story = Story(self._numbered, novel)
        story.public_before = self._told_in_public(novel)
        if story.public_before >= self.min_private:  # public first: not an overflow
            story.level = "public"
        earlier = [
            (at, author) for at, author, ts in self._recent if len(ts & novel) >= 2 and author
        ]
        for _, author in earlier:
            story.authors["private"].add(author)
        self.stories.append(story)
        return story

    def _told_in_public(self, terms: frozenset[str]) -> int:
        """People who posted in public, within the window, something sharing two of `terms`."""
        return len({a for _, a, ts in self._public if len(ts & terms) >= 2})

    def _remember(self, signal: Signal, terms: frozenset[str]) -> None:
        if signal.visibility == "private":
            self._recent.append((signal.created_at, signal.author or signal.id, terms))
        elif signal.visibility == "public":
            who = signal.author or signal.id
            self._public.append((signal.created_at, who, terms))
        day = int(signal.created_at.timestamp() // 86400)
        if not self._days or self._days[-1][0] != day:
            self._days.append((day, Counter()))
        self._days[-1][1].update(terms)

    def _expire(self, now: datetime) -> None:
        while self._recent and self._recent[0][0] < now - self.window:
            self._recent.popleft()
        while self._public and self._public[0][0] < now - self.window:
            self._public.popleft()

    def _usual(self) -> Counter[str]:
        """Term counts per day in every signal, over the days before the recent window.

        Those days are over, so the sum is kept until a day ends: summing two weeks of words
        at every private message made most of the time of the crisis page.
        """
        days = list(self._days)[: -max(1, int(self.window / timedelta(days=1)))]
        key = (days[0][0], days[-1][0], len(days)) if days else None
        if self._usual_of is not None and self._usual_of[0] == key:
            return self._usual_of[1]
        total: Counter[str] = Counter()
        for _, c in days:
            total.update(c)
        n = max(1, len(days))
        usual = Counter({t: v / n for t, v in total.items()})
        self._usual_of = (key, usual)
        return usual


def _as_written(forms: Counter[str] | None, term: str) -> str:
    """The most common way a word was written, in lower case where people also wrote it so
    (a capital opening a sentence is not a name; `Lille` keeps its own)."""
    if not forms:
        return term
    lower = [(n, f) for f, n in forms.items() if f.islower()]
    return max(lower)[1] if lower else forms.most_common(1)[0][0]


def history(store: Store, workspace: str, since: datetime, until: datetime) -> list[Signal]:
    """Every signal of a workspace in [since, until) but its own accounts', oldest first."""
    out: list[Signal] = []
    after = None
    while True:
        page = store.search(
            workspace, None, Filters(own=False, since=since, until=until), limit=1000, after=after
        )
        out += page.signals
        if not page.next:
            break
        after = page.next
    out.reverse()
    return out


def escalations(
    store: Store, workspace: str, since: datetime, until: datetime
) -> tuple[list[Escalation], CrisisTracker]:
    """Replay the tracker over stored history: the escalations, and the stories found."""
    tracker = CrisisTracker()
    found = tracker.add_all(history(store, workspace, since, until))
    return found, tracker


LATE = timedelta(minutes=5)  # a signal this much older than the newest linked is still in order


class Stories:
    """The escalations of a workspace over the last `span` (after `learn` of warm-up), kept
    between calls: each call links only the signals stored since the one before.

    What the crisis page shows: replaying the whole span on every visit took seconds on the
    demo. The result is `recent`'s, except that a story seeded before the span's start when
    the first call was made is still followed. A signal older than those already linked (by
    more than LATE), or a signal removed, makes the next call link the span again.
    """

    def __init__(
        self,
        store: SQLiteStore,
        workspace: str,
        span: timedelta,
        *,
        learn: timedelta = timedelta(days=7),
    ) -> None:
        self.book = WatchStore(store)
        self.workspace = workspace
        self.span = span
        self.learn = learn
        self._lock = threading.Lock()
        self._tracker: CrisisTracker | None = None
        self._found: list[Escalation] = []
        self._start = utcnow()  # signals created before are left out of the span
        self._seq = 0  # the workspace's last row when last read
        self._count = 0  # the workspace's signals then
        self._newest: datetime | None = None  # the newest signal linked

    def current(self) -> tuple[list[Escalation], datetime]:
        """The escalations of the span up to the newest signal, and the end of the span."""
        with self._lock:
            if self._tracker is None or not self._follow():
                self._replay()
            until = self._newest + timedelta(seconds=1) if self._newest else utcnow()
            self._found = [e for e in self._found if e.at >= until - self.span]
            return list(self._found), until

    def _replay(self) -> None:
        newest = self.book.store.search(self.workspace, None, None, limit=1).signals
        self._start = (newest[0].created_at if newest else utcnow()) - self.span - self.learn
        signals, self._seq, _, self._count = self.book.stored_since(
            self.workspace, 0, since=self._start
        )
        signals.sort(key=lambda s: s.created_at)
        self._tracker = CrisisTracker()
        self._found = self._tracker.add_all(signals)
        self._newest = signals[-1].created_at if signals else None

    def _follow(self) -> bool:
        """Link what was stored since; False when the span must be linked again."""
        assert self._tracker is not None
        new, top, added, total = self.book.stored_since(
            self.workspace, self._seq, since=self._start
        )
        if total != self._count + added:  # signals were removed (retention, erasure)
            return False
        new.sort(key=lambda s: s.created_at)
        if new and self._newest is not None and new[0].created_at < self._newest - LATE:
            return False  # history imported after the fact: link it in time order
        self._seq, self._count = top, total
        self._found += self._tracker.add_all(new)
        if new:
            self._newest = max(new[-1].created_at, self._newest or new[-1].created_at)
        return True


def recent(
    store: Store, workspace: str, span: timedelta, *, learn: timedelta = timedelta(days=7)
) -> tuple[list[Escalation], datetime]:
    """Escalations of the `span` up to the newest signal (after `learn` days of warm-up)."""
    newest = store.search(workspace, None, None, limit=1).signals
    until = newest[0].created_at + timedelta(seconds=1) if newest else utcnow()
    found, _ = escalations(store, workspace, until - span - learn, until)
    return [e for e in found if e.at >= until - span], until
