"""The demo's world: its cast, places, rhythm, and how one record is written.

See `pouls.demo`. Deterministic: every choice comes from the `random.Random` given to `World`.
"""

from __future__ import annotations

import bisect
import random
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from pouls.demo import templates as T

FR_SHARE = 0.7
# Relative activity by local hour (France/Belgium) and by weekday (Monday first).
HOURLY = [3, 2, 1, 1, 1, 2, 6, 15, 22, 20, 16, 15, 18, 16, 12, 11, 13, 15, 16, 16, 15, 13, 9, 5]
WEEKLY = [0.9, 0.88, 0.95, 0.95, 1.0, 1.25, 1.1]
# Ordinary traffic: event -> weight, for the history and for the live replay.
MIX: dict[str, float] = {
    "post": 36,
    "comment": 24,
    "reply": 4,
    "message": 14,
    "review": 9,
    "checkin": 6,
}
MIX |= {"article": 0.3, "spam": 0.5}
LIVE_MIX = MIX | {"message": 24, "article": 0.1}
POST_CHANNELS = {"instagram": 26, "facebook": 20, "bluesky": 18, "mastodon": 12, "reddit": 10}
POST_CHANNELS |= {"telegram": 6}
DM_CHANNELS = {"whatsapp": 45, "messenger": 30, "email": 25}
TOPICS = {"hours": 25, "allergens": 15, "order": 22, "loyalty": 20, "job": 10, "cake": 8}
MOODS = {"pos": 45, "neu": 35, "neg": 20}
SUBJECTS_EN = {"hours": "Opening hours", "allergens": "Allergens", "order": "Order problem"}
REPLY_KIND = {"mastodon": "reply", "bluesky": "reply", "telegram": "reply"}  # else "comment"
BRAND = {  # channel -> (handle, followers)
    "instagram": ("maisonlumiere", 48_200),
    "facebook": ("MaisonLumiere", 31_500),
    "bluesky": ("maisonlumiere.bsky.social", 3_100),
    "mastodon": ("maisonlumiere@piaille.fr", 1_250),
    "reddit": ("MaisonLumiere_officiel", 310),
    "telegram": ("maisonlumiere", 2_400),
    "whatsapp": ("+33 1 99 00 42 42", 0),
    "messenger": ("MaisonLumiere", 0),
    "email": ("service-client@maisonlumiere.example", 0),
}
LIKES = {"instagram": 1.6, "facebook": 0.9, "bluesky": 0.8, "mastodon": 0.5, "reddit": 1.2}
SHARES = {"facebook": 0.35, "bluesky": 0.25, "mastodon": 0.3, "instagram": 0.05, "reddit": 0.02}


ACCENTS = "\u0300\u0301\u0302\u0308\u0327"  # combining grave, acute, circumflex, diaeresis, cedilla


class Person(NamedTuple):
    handle: str
    name: str
    followers: int
    lang: str


Shop = tuple[str, str, float, float, str]  # name, city, lat, lon, country
Post = tuple[datetime, str, str]  # time, native id, language
Item = tuple[datetime, dict[str, Any]]  # a record and its time, for sorting


def cum(weights: Mapping[str, float]) -> tuple[list[str], list[float]]:
    keys, total, cum = list(weights), 0.0, []
    for key in keys:
        total += weights[key]
        cum.append(total)
    return keys, cum


def iso(t: datetime) -> str:
    """`2026-10-03T08:12:45+00:00`."""
    return t.astimezone(UTC).isoformat(timespec="seconds")


def utc_offset(t: datetime) -> int:
    """Paris/Brussels offset in hours, near enough: summer time from April to October."""
    return 2 if 4 <= t.month <= 10 else 1


class World:
    """The cast, the places and the bookkeeping shared by ordinary traffic and the stories."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()
        self.posts: dict[str, list[Post]] = {c: [] for c in POST_CHANNELS}
        self.people: dict[tuple[str, str], tuple[list[Person], list[float]]] = {}
        for channel in [*POST_CHANNELS, *DM_CHANNELS, "reviews", "checkin"]:
            for lang, size in (("fr", 260), ("en", 110)):
                pool = [self._invent(channel, lang) for _ in range(size)]
                cum, total = [], 0.0
                for rank in range(size):  # a few people write a lot, most write once
                    total += 1 / (rank + 1) ** 0.9
                    cum.append(total)
                self.people[(channel, lang)] = (pool, cum)

    # -- people and places -------------------------------------------------------------------
    def _invent(self, channel: str, lang: str) -> Person:
        r = self.rng
        first = r.choice(T.FIRST_FR if lang == "fr" else T.FIRST_EN)
        last = r.choice(T.LAST_FR if lang == "fr" else T.LAST_EN)
        f, la, n = _ascii(first).lower(), _ascii(last).lower().replace("'", ""), r.randrange(100)
        handle = {
            "mastodon": f"{f}_{la[0]}@{r.choice(T.MASTODON_HOSTS)}",
            "bluesky": f"{f}{la}{n}.bsky.social",
            "reddit": f"{r.choice(['Petit', 'Gros', 'Old', 'Lazy', 'Chat'])}{f.title()}{n}",
            "whatsapp": _phone(r, lang),
            "email": f"{f}.{la}{n}@{r.choice(T.MAIL_HOSTS)}",
        }.get(channel, f"{f}.{la}{n}")
        name = f"{first} {last[0]}." if channel in ("reviews", "reddit") else f"{first} {last}"
        followers = 0 if channel in DM_CHANNELS else int(r.lognormvariate(5.0, 1.3))
        return Person(handle, name, followers, lang)

    def person(self, channel: str, lang: str) -> Person:
        pool, cum = self.people[(channel, lang)]
        return self.rng.choices(pool, cum_weights=cum)[0]

    def brand(self, channel: str) -> Person:
        handle, followers = BRAND[channel]
        return Person(handle, "Maison Lumière", followers, "fr")

    def lang(self) -> str:
        return "fr" if self.rng.random() < FR_SHARE else "en"

    def shop(self, index: int | None = None) -> Shop:
        return T.SHOPS[self.rng.randrange(len(T.SHOPS)) if index is None else index]

    def geo(self, shop: Shop) -> dict[str, Any]:
        g = self.rng.gauss
        lat, lon = round(shop[2] + g(0, 0.0008), 5), round(shop[3] + g(0, 0.0008), 5)
        return {"lat": lat, "lon": lon, "place": f"Maison Lumière {shop[0]}", "country": shop[4]}

    # -- texts ---------------------------------------------------------------------------------
    def fill(
        self, template: str, lang: str, channel: str, shop: Shop | None = None, **fixed: str
    ) -> str:
        """`template` with its slots filled (see `pouls.demo.templates`), `fixed` ones as given."""
        shop = shop or self.shop()
        r, fr = self.rng, lang == "fr"
        price = r.uniform(1.3, 4.9)
        product = r.choice(T.PRODUCTS_FR if fr else T.PRODUCTS_EN)
        the, a = _articles(product, fr)
        values = {
            "product": product,
            "the_product": the,
            "The_product": the[0].upper() + the[1:],
            "a_product": a,
            "city": shop[1],
            "shop": shop[0],
            "competitor": r.choice(T.COMPETITORS),
            "price": f"{price:.2f} €".replace(".", ",") if fr else f"€{price:.2f}",
            "pos": r.choice(T.POS),
            "neg": r.choice(T.NEG),
            "day": r.choice(T.DAYS_FR if fr else T.DAYS_EN),
            "order": str(r.randrange(100_000, 999_999)),
            "brand": BRAND.get(channel, BRAND["instagram"])[0],
        }
        if "{friend}" in template:
            pool = channel if (channel, lang) in self.people else "instagram"
            values["friend"] = "@" + self.person(pool, lang).handle
        return template.format_map(values | fixed).replace("  ", " ").strip()

    def noise(self, text: str, lang: str, angry: bool = False, tags: bool = False) -> str:
        """What people do to text: typos, no accents, no capitals, shouting, hashtags."""
        r = self.rng
        if r.random() < 0.06:
            words = text.split(" ")
            i = r.randrange(len(words))
            w = words[i]
            if len(w) > 4 and w.isalpha():
                j = r.randrange(1, len(w) - 2)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
                text = " ".join(words)
        if lang == "fr" and r.random() < 0.06:
            text = _ascii(text)
        roll = r.random()
        if angry and roll < 0.15:
            text = text.upper().rstrip(".") + " !!!"
        elif roll < 0.05:
            text = text.lower()
        if tags and r.random() < 0.25 and "#" not in text:
            chosen = r.sample(T.TAGS, r.randint(1, 2)) + (["#bakery"] if lang == "en" else [])
            text += " " + " ".join(chosen)
        return text

    # -- records -------------------------------------------------------------------------------
    def record(
        self,
        t: datetime,
        channel: str,
        kind: str,
        visibility: str,
        text: str,
        who: Person,
        lang: str,
        **extra: Any,
    ) -> Item:
        """One record; `extra` keys left at None are left out."""
        stamp = int(t.timestamp() * 1000)
        native = f"{channel}:{stamp}{self.rng.randrange(1000):03d}"
        while native in self.ids:
            native = f"{channel}:{stamp}{self.rng.randrange(1000):03d}"
        self.ids.add(native)
        rec: dict[str, Any] = {"native_id": native, "channel": channel, "kind": kind}
        rec |= {"visibility": visibility, "created_at": iso(t), "text": text}
        if extra.get("title"):
            rec["title"] = extra.pop("title")
        rec |= {"author_handle": who.handle, "author_name": who.name, "demo_lang": lang}
        rec |= {k: v for k, v in extra.items() if v is not None}
        return t, rec

    def metrics(self, channel: str, who: Person, boost: float = 1.0) -> dict[str, int]:
        r = self.rng
        likes = int((who.followers + 20) ** 0.55 * boost * LIKES.get(channel, 0.6) * r.random())
        shares = int(likes * SHARES.get(channel, 0.1) * r.random() * boost**0.5)
        replies = int(likes * 0.15 * r.random())
        return {"likes": likes, "shares": shares, "replies": replies, "followers": who.followers}

    def post(
        self,
        t: datetime,
        channel: str,
        text: str,
        who: Person,
        lang: str,
        boost: float = 1.0,
        **extra: Any,
    ) -> Item:
        """A public post; `boost` multiplies its engagement (virality)."""
        if channel == "reddit" and "title" not in extra:
            extra["title"] = text if len(text) < 90 else text[:86].rsplit(" ", 1)[0] + "…"
        extra["metrics"] = self.metrics(channel, who, boost)
        item = self.record(t, channel, "post", "public", text, who, lang, **extra)
        bisect.insort(self.posts[channel], (t, item[1]["native_id"], lang))
        return item

    def comment(
        self,
        t: datetime,
        channel: str,
        text: str,
        who: Person,
        lang: str,
        parent: str,
        kind: str | None = None,
        **extra: Any,
    ) -> Item:
        """A public comment (or reply) on the post `parent`, in its thread."""
        kind = kind or REPLY_KIND.get(channel, "comment")
        extra |= {"parent_id": parent, "conversation_id": parent}
        extra["metrics"] = self.metrics(channel, who, 0.15)
        return self.record(t, channel, kind, "public", text, who, lang, **extra)

    def recent_post(self, channel: str, t: datetime, hours: float = 48) -> Post | None:
        """A post on `channel` published in the `hours` before `t`, or None."""
        posts = self.posts[channel]
        hi = bisect.bisect_right(posts, (t, "\uffff"))
        lo = bisect.bisect_left(posts, (t - timedelta(hours=hours), ""))
        return posts[self.rng.randrange(lo, hi)] if hi > lo else None

    def times(self, start: datetime, end: datetime, n: int) -> list[datetime]:
        """`n` sorted times in [start, end), following the daily and weekly rhythm."""
        r = self.rng
        first = start.replace(minute=0, second=0, microsecond=0)
        slots = int((end - first).total_seconds() // 3600) + 1
        cum, total, day_mood = [], 0.0, 1.0
        for h in range(slots):
            t = first + timedelta(hours=h)
            local = t + timedelta(hours=utc_offset(t))
            if h == 0 or local.hour == 0:
                day_mood = r.uniform(0.85, 1.15)
            total += HOURLY[local.hour] * WEEKLY[local.weekday()] * day_mood
            cum.append(total)
        hours = r.choices(range(slots), cum_weights=cum, k=n * 2)
        out = [first + timedelta(hours=h, seconds=r.uniform(0, 3600)) for h in hours]
        return sorted([t for t in out if start <= t < end][:n])

    def awake(self, t: datetime) -> bool:
        """Keep `t` with the probability people are up at that local hour."""
        local_hour = (t.hour + utc_offset(t)) % 24
        return self.rng.random() < HOURLY[local_hour] / max(HOURLY)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in ACCENTS))


def _articles(product: str, fr: bool) -> tuple[str, str]:
    """("le croissant", "un croissant"), ("l'éclair", "un éclair"), ("the tart", "a tart")."""
    if not fr:
        return f"the {product}", ("an " if product[0] in "aeiou" else "a ") + product
    if product[0] in "aeiouéh":
        return f"l'{product}", ("une " if product in T.FEMININE else "un ") + product
    if product in T.FEMININE:
        return f"la {product}", f"une {product}"
    return f"le {product}", f"un {product}"


def _phone(r: random.Random, lang: str) -> str:
    if lang == "en":
        return f"+44 7700 900{r.randrange(1000):03d}"  # Ofcom's range for fiction
    if r.random() < 0.2:
        return f"+32 470 00 {r.randrange(100):02d} {r.randrange(100):02d}"
    return f"+33 6 39 98 {r.randrange(100):02d} {r.randrange(100):02d}"  # ARCEP's fiction range


def article(
    world: World,
    t: datetime,
    lang: str,
    title: str,
    text: str,
    site: str | None = None,
    **extra: Any,
) -> Item:
    """A press article on a fictional news site of the right language (or on `site`)."""
    r = world.rng
    sites = [s for s in T.NEWS_SITES if s[2] == lang and site in (None, s[0])]
    site, name, _, section = r.choice(sites)
    shop = world.shop()
    title, text = world.fill(title, lang, "rss", shop), world.fill(text, lang, "rss", shop)
    slug = "-".join("".join(c if c.isalnum() else " " for c in _ascii(title).lower()).split()[:9])
    url = f"https://{site}/{section}/{slug}-{int(t.timestamp()) % 1_000_000}.html"
    pool = T.FIRST_FR if lang == "fr" else T.FIRST_EN
    who = Person(site, f"{r.choice(pool)} {r.choice(T.LAST_FR)}, {name}", 0, lang)
    extra |= {"title": title, "url": url}
    return world.record(t, "rss", "article", "press", text, who, lang, **extra)
