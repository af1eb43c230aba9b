"""The demo's stories and their timing: a product launch, a scam wave, the Lille bad buzz.

All invented; slots as in `pouls.demo.templates`. Each story function returns (time, record)
items; `pouls.demo` merges them into the ordinary traffic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pouls.demo import story_texts as S
from pouls.demo import templates as T
from pouls.demo.world import BRAND, Item, Person, World, article, utc_offset

BRAND_ACCOUNTS = [
    ("facebook", "fr"),
    ("instagram", "fr"),
    ("bluesky", "fr"),
    ("mastodon", "fr"),
    ("bluesky", "en"),
]
CRISIS_CHANNELS = (
    ["facebook"] * 6 + ["bluesky"] * 4 + ["instagram", "mastodon", "reddit"] * 2 + ["telegram"]
)
SCAM_CHANNELS = ["instagram", "instagram", "facebook", "facebook", "telegram", "bluesky"]


# -- how the stories unfold ------------------------------------------------------------------
def vary(world: World, text: str, lang: str) -> str:
    """A near-duplicate of `text`, as when people copy, paste and retouch a message."""
    r = world.rng
    if r.random() < 0.3 and not text[0].isalnum():
        text = text.split(" ", 1)[1]
    if r.random() < 0.3:
        text = text.replace("Plusieurs", "Des dizaines de").replace("Several", "Dozens of")
    if r.random() < 0.3 and "#" in text:
        text = text.rsplit(" #", 1)[0]
    return world.noise(text + r.choice(S.VARIATIONS), lang)


def background_spam(world: World, t: datetime, channel: str, parent: str) -> Item:
    """The everyday spam comment under a post (money-making, crypto, dating)."""
    r, lang = world.rng, world.lang()
    handle = f"{r.choice(['invest', 'crypto', 'coach'])}_{r.randrange(10**4)}"
    who = Person(handle, r.choice(S.SPAM_NAMES), r.randrange(3, 400), lang)
    text = vary(world, r.choice(S.SPAM[lang]), lang)
    return world.comment(t, channel, text, who, lang, parent, demo_scam=True)


def launch(world: World, t0: datetime, k: float) -> list[Item]:
    """A well received product launch with an influencer: a small positive bump over two days."""
    r, t0 = world.rng, _morning(t0)
    story: dict[str, Any] = {"demo_story": "launch"}
    name, handles, followers = T.INFLUENCER
    lea = Person(handles["instagram"], name, followers, "fr")
    text = S.INFLUENCER_POST.format(brand=BRAND["instagram"][0])
    out = [world.post(t0, "instagram", text, lea, "fr", boost=4.0, **story)]
    parent = out[0][1]["native_id"]
    for _ in range(round(30 * k)):
        t = t0 + timedelta(minutes=r.expovariate(1 / 180))
        text = world.noise(world.fill(r.choice(S.LAUNCH_COMMENTS), "fr", "instagram"), "fr")
        out.append(
            world.comment(
                t, "instagram", text, world.person("instagram", "fr"), "fr", parent, **story
            )
        )
    for t in _awake_times(world, t0, round(45 * k), lambda: r.uniform(0, 48)):
        lang, ch = (
            world.lang(),
            r.choice(["instagram", "instagram", "bluesky", "facebook", "mastodon"]),
        )
        text = world.noise(world.fill(r.choice(S.LAUNCH[lang]), lang, ch), lang, tags=True)
        out.append(world.post(t, ch, text, world.person(ch, lang), lang, **story))
    return out


def scam_wave(world: World, t0: datetime, k: float) -> list[Item]:
    """Fake giveaway and crypto accounts for four days, near-duplicate texts; warnings follow."""
    r, t0, out = world.rng, _morning(t0) + timedelta(hours=2), []
    story: dict[str, Any] = {"demo_story": "scam"}
    lure: dict[str, Any] = {"demo_story": "scam", "demo_scam": True}
    codes = ["".join(r.choices("abcdefghkmnpqrstuvwxyzABCDEFGH23456789", k=7)) for _ in range(3)]
    phone = f"{r.randrange(100):02d} {r.randrange(100):02d}"
    names = [
        "Maison Lumière 🎁",
        "Maison Lumiere Officiel",
        "Maison Lumière Concours",
        "LUMI Token",
    ]
    fakes = [
        Person(
            h + (str(r.randrange(100)) if r.random() < 0.6 else ""),
            r.choice(names),
            r.randrange(5, 900),
            "fr",
        )
        for h in S.SCAM_HANDLES * 2
    ]
    for _ in range(round(150 * k)):
        t, lang = t0 + timedelta(hours=r.triangular(0, 96, 10)), "en" if r.random() < 0.3 else "fr"
        base = r.choice(S.SCAM_BASES[lang]).format(code=r.choice(codes), phone=phone)
        ch, who = r.choice(SCAM_CHANNELS), r.choice(fakes)
        parent = world.recent_post(ch, t, 24) if r.random() < 0.55 else None
        if parent:  # under somebody's post, where people will see it
            out.append(world.comment(t, ch, vary(world, base, lang), who, lang, parent[1], **lure))
        else:
            out.append(world.post(t, ch, vary(world, base, lang), who, lang, boost=0.3, **lure))
    for _ in range(round(20 * k)):
        t, lang = t0 + timedelta(hours=r.triangular(4, 96, 20)), world.lang()
        ch = r.choice(["instagram", "facebook", "bluesky", "mastodon", "reddit"])
        text = world.noise(r.choice(S.SCAM_WARNINGS[lang]), lang)
        out.append(world.post(t, ch, text, world.person(ch, lang), lang, **story))
    for ch, lang in [*BRAND_ACCOUNTS, ("telegram", "fr")]:
        t = t0 + timedelta(hours=20, minutes=r.randrange(30))
        out.append(
            world.post(t, ch, S.SCAM_BRAND_WARNING[lang], world.brand(ch), lang, boost=3.0, **story)
        )
    for _ in range(round(8 * k)):
        t, lang = t0 + timedelta(hours=r.uniform(1, 60)), world.lang()
        question, answer = r.choice(S.SCAM_QUESTIONS[lang]), S.SCAM_PRIVATE_ANSWER[lang]
        out += _dm(world, t, lang, question, answer, "Concours ?", **story)
    return out


def bad_buzz(world: World, t0: datetime, k: float) -> list[Item]:
    """Private complaints, a public spike 14-36 h later, the press two days later, then calm."""
    r, t0, out = world.rng, _morning(t0), []
    story: dict[str, Any] = {"demo_story": "badbuzz"}
    lille = world.shop(T.CRISIS_SHOP)
    # 1. The first day: a few customers write privately.
    for i in range(max(4, round(9 * k))):
        t = t0 + timedelta(hours=0 if i == 0 else r.uniform(0, 22))
        lang = "en" if r.random() < 0.12 else "fr"
        text = world.noise(r.choice(S.CRISIS_PRIVATE[lang]), lang)
        answer = S.CRISIS_PRIVATE_ANSWER[lang] if r.random() < 0.6 else None
        out += _dm(world, t, lang, text, answer, "Intoxication alimentaire - Lille", **story)
    # 2. It goes public: posts, copies of one alert, insults, one-star reviews, comments.
    made: list[tuple[str, str, str, datetime]] = []  # channel, native id, lang, time
    for t in _awake_times(world, t0, round(650 * k), lambda: 14 + r.gammavariate(2.2, 10)):
        lang, roll, ch = "en" if r.random() < 0.15 else "fr", r.random(), r.choice(CRISIS_CHANNELS)
        if roll < 0.28 and made:
            pch, nid, plang, _ = r.choice(made[-40:])
            text = world.noise(
                world.fill(r.choice(S.CRISIS_COMMENTS[plang]), plang, pch), plang, True
            )
            out.append(world.comment(t, pch, text, world.person(pch, plang), plang, nid, **story))
            continue
        if 0.58 <= roll < 0.66:  # one-star reviews
            text = world.fill(r.choice(S.CRISIS_REVIEWS[lang]), lang, "reviews")
            who = world.person("reviews", lang)
            extra: dict[str, Any] = {"geo": world.geo(lille), "unit": "stars"}
            extra["value"] = r.choice([1, 1, 1, 2])
            out.append(
                world.record(
                    t,
                    "reviews",
                    "review",
                    "public",
                    world.noise(text, lang, True),
                    who,
                    lang,
                    **extra,
                    **story,
                )
            )
            continue
        extra = dict(story)  # a post
        if roll < 0.48:
            text = vary(world, S.CRISIS_COPYPASTA[lang], lang)
        elif roll < 0.58:
            text = world.noise(world.fill(r.choice(S.CRISIS_TOXIC[lang]), lang, ch), lang, True)
            extra["demo_toxic"] = True
        else:
            text = world.noise(
                world.fill(r.choice(S.CRISIS_POSTS[lang]), lang, ch, lille), lang, True
            )
        out.append(
            world.post(t, ch, text, world.person(ch, lang), lang, boost=r.uniform(2, 8), **extra)
        )
        made.append((ch, out[-1][1]["native_id"], lang, t))
    # 3. The brand speaks, late, and answers some posts.
    t_statement = t0 + timedelta(hours=40)
    for ch, lang in BRAND_ACCOUNTS:
        t = t_statement + timedelta(minutes=r.randrange(20))
        out.append(
            world.post(t, ch, S.CRISIS_STATEMENT[lang], world.brand(ch), lang, boost=5.0, **story)
        )
    for ch, nid, lang, t in r.sample(made, min(len(made), round(15 * k))):
        t = max(t, t_statement) + timedelta(minutes=r.uniform(10, 300))
        out.append(
            world.comment(
                t, ch, S.CRISIS_PUBLIC_ANSWER[lang], world.brand(ch), lang, nid, "reply", **story
            )
        )
    for _ in range(round(20 * k)):  # worried customers elsewhere
        t, lang = t0 + timedelta(hours=r.uniform(30, 80)), "en" if r.random() < 0.2 else "fr"
        out += _dm(
            world,
            t,
            lang,
            world.fill(r.choice(S.CRISIS_WORRIED[lang]), lang, "whatsapp"),
            None,
            "Intoxication Lille",
            **story,
        )
    # 4. The press, from two days after the first complaint; a journalist shares the first ones.
    for hours, lang, title, text in S.CRISIS_ARTICLES:
        t = t0 + timedelta(hours=hours + r.uniform(0, 2))
        site = "www.le-quotidien-du-nord.fr" if hours == S.CRISIS_ARTICLES[0][0] else None
        item = article(world, t, lang, title, text, site=site, **story)
        out.append(item)
        if hours < 100:
            name, handles, followers = T.JOURNALISTS[0]
            who = Person(handles["bluesky"], name, followers, "fr")
            share = f"{'Notre article' if lang == 'fr' else 'Our story'} : {item[1]['title']} {item[1]['url']}"
            out.append(
                world.post(
                    t + timedelta(minutes=r.uniform(5, 60)),
                    "bluesky",
                    share,
                    who,
                    lang,
                    boost=2.0,
                    **story,
                )
            )
    # 5. Calm: reopening, the cause found, a few still waiting for a refund.
    for t in _awake_times(world, t0, round(70 * k), lambda: 96 + r.expovariate(1 / 60)):
        lang, ch = "en" if r.random() < 0.2 else "fr", r.choice(CRISIS_CHANNELS)
        text = world.noise(world.fill(r.choice(S.CRISIS_AFTER[lang]), lang, ch), lang)
        out.append(world.post(t, ch, text, world.person(ch, lang), lang, **story))
    return out


def _dm(
    world: World, t: datetime, lang: str, text: str, answer: str | None, subject: str, **extra: Any
) -> list[Item]:
    """A customer's private message and, one to five hours later, the brand's answer if any."""
    r = world.rng
    ch = r.choice(["whatsapp", "whatsapp", "email", "messenger"])
    extra |= {"conversation_id": f"{ch}:c{int(t.timestamp() * 1000)}{r.randrange(1000):03d}"}
    title = subject if ch == "email" else None
    first = world.record(
        t, ch, "message", "private", text, world.person(ch, lang), lang, title=title, **extra
    )
    if answer is None:
        return [first]
    at, title = t + timedelta(hours=r.uniform(1, 5)), title and "Re: " + title
    extra["parent_id"] = first[1]["native_id"]
    return [
        first,
        world.record(
            at, ch, "message", "private", answer, world.brand(ch), lang, title=title, **extra
        ),
    ]


def _morning(t: datetime) -> datetime:
    """07:40 local time on the day of `t`."""
    return t.replace(hour=7 - utc_offset(t), minute=40, second=0, microsecond=0)


def _awake_times(
    world: World, t0: datetime, n: int, offset_hours: Callable[[], float]
) -> list[datetime]:
    """`n` sorted times `t0 + offset_hours()`, thinned at night."""
    out: list[datetime] = []
    while len(out) < n:
        t = t0 + timedelta(hours=offset_hours())
        if world.awake(t):
            out.append(t)
    return sorted(out)
