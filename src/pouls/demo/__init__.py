"""Demo data: a deterministic, believable stream about a fictional French bakery-café chain.

Maison Lumière (about forty boulangeries in France and Belgium, a loyalty app Lumière+) is talked
about on social networks, in private messages, in reviews, check-ins and the press, in French
(about 70 %) and English, with a daily and weekly rhythm. Over the history three stories unfold
(`pouls.demo.stories`): a product launch at 20 % of the period, a scam wave of fake giveaway
accounts at 45 % and, two thirds through, a bad buzz (suspected food poisoning at the Lille shop)
that starts in private messages, spills into public posts, reaches the press, then calms down.

Every line is a record for `pouls.sources.records` (file import or replay). Keys starting with
`demo_` are ground truth for tests and benchmarks, ignored by the importer: `demo_lang` (fr|en),
`demo_story` (launch|scam|badbuzz), `demo_toxic` and `demo_scam` (true where so).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pouls.demo import stories
from pouls.demo import templates as T
from pouls.demo.world import (
    DM_CHANNELS,
    LIVE_MIX,
    MIX,
    MOODS,
    POST_CHANNELS,
    SUBJECTS_EN,
    TOPICS,
    Item,
    Post,
    World,
    article,
    cum,
    iso,
    utc_offset,
)

__all__ = ["generate", "generate_live", "scale", "write"]

RIVAL_SHARE = 0.07  # posts about the competitors, for each ordinary signal


def generate(end: datetime, *, weeks: int = 6, per_day: int = 300, seed: int = 7) -> Iterator[dict]:
    """The history: `weeks` of signals ending at `end`, in time order, stories included."""
    end = _utc(end)
    start = end - timedelta(weeks=weeks)
    world = World(random.Random(seed))
    items = ordinary(world, start, end, round(per_day * weeks * 7), MIX)
    span, k = end - start, max(0.5, per_day / 300)  # stories stay visible in a small demo
    items += stories.launch(world, start + span * 0.2, k)
    items += stories.scam_wave(world, start + span * 0.45, k)
    items += stories.bad_buzz(world, start + span * 2 / 3, k)
    items += rivals(world, start, end, round(per_day * weeks * 7 * RIVAL_SHARE), seed)
    items.sort(key=lambda item: item[0])
    return (rec for t, rec in items if start <= t < end)


def generate_live(
    start: datetime, *, hours: int = 24, per_hour: int = 120, seed: int = 8
) -> Iterator[dict]:
    """Everyday traffic after `start`, richer in customer questions, for the live replay."""
    start = _utc(start)
    world = World(random.Random(seed))
    end, n = start + timedelta(hours=hours), hours * per_hour
    about_rivals = round(n * RIVAL_SHARE / (1 + RIVAL_SHARE))
    items = ordinary(world, start, end, n - about_rivals, LIVE_MIX)
    items += rivals(world, start, end, about_rivals, seed)
    items.sort(key=lambda item: item[0])
    return (rec for _, rec in items)


def write(
    home: Path,
    *,
    end: datetime | None = None,
    weeks: int = 6,
    per_day: int = 300,
    live_hours: int = 24,
    live_per_hour: int = 120,
    seed: int = 7,
) -> dict[str, int]:
    """Write `home/demo.jsonl` (history up to `end`, default now) and `home/demo-live.jsonl`."""
    end = _utc(end or datetime.now(UTC))
    home.mkdir(parents=True, exist_ok=True)
    history = generate(end, weeks=weeks, per_day=per_day, seed=seed)
    live = generate_live(end, hours=live_hours, per_hour=live_per_hour, seed=seed + 1)
    return {
        "history": _dump(home / "demo.jsonl", history),
        "live": _dump(home / "demo-live.jsonl", live),
    }


def scale(n: int, seed: int = 7) -> Iterator[dict]:
    """`n` records spread evenly over the year 2025, fast, for benchmarks (texts are reused)."""
    world = World(random.Random(seed))
    t0 = datetime(2025, 6, 1, tzinfo=UTC)
    items = ordinary(world, t0, t0 + timedelta(days=30), min(n, 20_000), MIX)
    items += stories.bad_buzz(world, t0, 1.0) + stories.scam_wave(world, t0, 1.0)
    pool = [rec for _, rec in items]
    r, base, step = random.Random(seed), datetime(2025, 1, 1, tzinfo=UTC), 365 * 86400 / max(n, 1)
    last: dict[str, str] = {}  # channel -> latest post, the parent of the next comment
    for i in range(n):
        rec = dict(pool[r.randrange(len(pool))])
        channel = rec["channel"]
        rec["native_id"] = native = f"{channel}:s{i}"
        rec["created_at"] = iso(base + timedelta(seconds=(i + r.random()) * step))
        if rec["kind"] == "message":
            rec["conversation_id"] = f"{channel}:sc{i // 4}"
            rec.pop("parent_id", None)
        elif "parent_id" in rec:
            if channel in last:
                rec["parent_id"] = rec["conversation_id"] = last[channel]
            else:
                del rec["parent_id"], rec["conversation_id"]
        if rec["kind"] == "post":
            last[channel] = native
        yield rec


def ordinary(
    world: World, start: datetime, end: datetime, n: int, mix: dict[str, float]
) -> list[Item]:
    """`n` everyday signals between `start` and `end`: posts, comments, questions, reviews..."""
    r = world.rng
    events, event_cum = cum(mix)
    channels, channel_cum = cum(POST_CHANNELS)
    moods, mood_cum = cum(MOODS)
    inbox = _Inbox(world)
    out: list[Item] = []
    for t in world.times(start, end, n):
        event = r.choices(events, cum_weights=event_cum)[0]
        channel = r.choices(channels, cum_weights=channel_cum)[0]
        lang = world.lang()
        parent: Post | None = None
        if event in ("comment", "reply", "spam"):
            parent = world.recent_post(channel, t)
            event = event if parent else "post"
        if event == "post":
            mood = r.choices(moods, cum_weights=mood_cum)[0]
            shop, who = world.shop(), world.person(channel, lang)
            text = world.fill(r.choice(T.POSTS[lang][mood]), lang, channel, shop)
            text = world.noise(text, lang, angry=mood == "neg", tags=True)
            tagged = r.random() < (0.3 if channel == "instagram" else 0.04)
            out.append(
                world.post(t, channel, text, who, lang, geo=world.geo(shop) if tagged else None)
            )
        elif event == "comment" and parent:
            lang = parent[2] if r.random() < 0.85 else lang
            text = world.fill(r.choice(T.COMMENTS[lang]), lang, channel)
            who = world.person(channel, lang)
            out.append(
                world.comment(t, channel, world.noise(text, lang, tags=True), who, lang, parent[1])
            )
        elif event == "reply" and parent:  # the brand answers in public
            lang = parent[2]
            text = world.fill(r.choice(T.BRAND_REPLIES[lang]), lang, channel)
            out.append(
                world.comment(t, channel, text, world.brand(channel), lang, parent[1], "reply")
            )
        elif event == "spam" and parent:
            out.append(stories.background_spam(world, t, channel, parent[1]))
        elif event == "message":
            out.append(inbox.message(t))
        elif event == "review":
            stars = r.choices(T.STARS, weights=T.STAR_WEIGHTS)[0]
            shop, who = world.shop(), world.person("reviews", lang)
            text = world.noise(
                world.fill(r.choice(T.REVIEWS[lang][stars]), lang, "reviews", shop), lang
            )
            extra = {"geo": world.geo(shop), "value": stars, "unit": "stars"}
            extra["metrics"] = {"likes": int(r.expovariate(0.7))}  # "helpful"
            out.append(world.record(t, "reviews", "review", "public", text, who, lang, **extra))
        elif event == "checkin":
            shop, who = world.shop(), world.person("checkin", lang)
            text = world.fill(r.choice(T.CHECKINS[lang]), lang, "checkin", shop)
            out.append(
                world.record(
                    t, "checkin", "checkin", "public", text, who, lang, geo=world.geo(shop)
                )
            )
        else:
            out.append(article(world, t, *r.choice(T.ARTICLES)))
    return out


def rivals(world: World, start: datetime, end: datetime, n: int, seed: int) -> list[Item]:
    """`n` posts about one of the two competitors, the brand unnamed (or asked about), so the
    share of voice has someone to compare with. They draw from their own random stream, after
    everything else: the rest of the demo (and its stories' tests) stays as it was."""
    world.rng = r = random.Random(seed * 7919 + 1)
    channels, channel_cum = cum(POST_CHANNELS)
    moods, mood_cum = cum(MOODS)
    out = []
    for t in world.times(start, end, n):
        channel = r.choices(channels, cum_weights=channel_cum)[0]
        lang, mood = world.lang(), r.choices(moods, cum_weights=mood_cum)[0]
        rival = r.choices(list(T.RIVALS), weights=T.RIVAL_WEIGHTS)[0]
        template = r.choice(T.RIVAL_POSTS[lang][mood])
        text = world.fill(template, lang, channel, rival=rival, rival_tag=T.RIVALS[rival])
        out.append(world.post(t, channel, text, world.person(channel, lang), lang))
    return out


class _Inbox:
    """Private conversations: customers ask, the brand answers in opening hours, they follow up."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.open: list[dict[str, Any]] = []
        self.channels = cum(DM_CHANNELS)
        self.topics = cum(TOPICS)

    def message(self, t: datetime) -> Item:
        world, r = self.world, self.world.rng
        self.open = [c for c in self.open if t - c["at"] < timedelta(days=3)]
        office_hours = 8 <= (t.hour + utc_offset(t)) % 24 < 20
        c = None
        if self.open and r.random() < 0.6:  # the brand works through its backlog, oldest first
            waiting = [x for x in self.open if x["last"] == "customer"]
            fifo = office_hours and waiting and r.random() < 0.6
            c = waiting[0] if fifo else r.choice(self.open[-8:])
        answer = c is not None and c["last"] == "customer" and office_hours and r.random() < 0.8
        if c and c["last"] == "customer" and not answer and t - c["at"] < timedelta(hours=3):
            c = None  # too early to nudge: somebody else writes instead
        if c:
            ch, lang = c["channel"], c["lang"]
            if c["last"] == "brand":  # thanks, and the case is closed
                who, text = c["who"], world.noise(r.choice(T.THANKS[lang]), lang)
                self.open.remove(c)
            elif answer:
                reply = r.choice(T.QUESTIONS[c["topic"]][2 if lang == "fr" else 3])
                who, text = (
                    world.brand(ch),
                    world.fill(reply, lang, ch, c["shop"], order=c["order"]),
                )
                c["last"] = "brand"
            else:  # still waiting
                who, text = c["who"], world.noise(r.choice(T.NUDGES[lang]), lang)
            title = "Re: " + c["subject"] if ch == "email" else None
        else:
            ch = r.choices(self.channels[0], cum_weights=self.channels[1])[0]
            topic = r.choices(self.topics[0], cum_weights=self.topics[1])[0]
            lang, shop = world.lang(), world.shop()
            who = world.person(ch, lang)
            question = r.choice(T.QUESTIONS[topic][0 if lang == "fr" else 1])
            order = str(r.randrange(100_000, 999_999))
            text = world.noise(world.fill(question, lang, ch, shop, order=order), lang)
            subject = T.SUBJECTS[topic] if lang == "fr" else SUBJECTS_EN.get(topic, "Question")
            conv = f"{ch}:c{int(t.timestamp() * 1000)}{r.randrange(1000):03d}"
            c = {"channel": ch, "lang": lang, "topic": topic, "who": who, "shop": shop}
            c |= {"order": order, "id": conv, "subject": subject, "last": "customer", "prev": None}
            self.open.append(c)
            title = subject if ch == "email" else None
        c["at"] = t
        extra = {"title": title, "conversation_id": c["id"], "parent_id": c["prev"]}
        item = world.record(t, ch, "message", "private", text, who, lang, **extra)
        c["prev"] = item[1]["native_id"]
        return item


def _utc(t: datetime) -> datetime:
    return t.astimezone(UTC) if t.tzinfo else t.replace(tzinfo=UTC)


def _dump(path: Path, records: Iterable[dict]) -> int:
    """Write one JSON object a line (UTF-8, not escaped), atomically; return the count."""
    tmp, n = path.with_suffix(".tmp"), 0
    with tmp.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n
