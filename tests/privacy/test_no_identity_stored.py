"""In a pseudonymous workspace no handle, name, e-mail, phone or platform id is stored in clear.

Every connector with recorded payloads ingests copies of them carrying known markers (in the
fields where the platform puts who someone is), through the real routes and sources into a real
store; then the bytes of pouls.db, its WAL and the captured logs must hold none of the markers,
in any case, JSON-escaped or URL-encoded. Check-ins carry no identity and are not here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from email.utils import formataddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiomqtt
import httpx
import pytest
from websockets.asyncio.server import serve

from pouls import pipeline
from pouls.config import Settings, load
from pouls.sinks.mqtt import MqttSink
from pouls.sources.bluesky import BlueskySource
from pouls.sources.email import EmailSource
from pouls.sources.files import FileSource
from pouls.sources.mastodon import MastodonSource
from pouls.sources.mqtt import MqttSource, TopicMap
from pouls.sources.reddit import RedditSource
from pouls.sources.rss import RssSource
from pouls.sources.telegram import TelegramSource
from pouls.sources.webhook import sign
from pouls.store.sqlite import SQLiteStore
from pouls.web.app import create_app
from tests.loopback import Loopback
from tests.sources.dovecot import PASSWORD as IMAP_PASSWORD
from tests.sources.dovecot import USERS, Dovecot
from tests.sources.test_bluesky import FakeJetstream
from tests.sources.test_mastodon import FakeMastodon
from tests.sources.test_meta import APP_SECRET
from tests.sources.test_reddit import FakeReddit
from tests.sources.test_rss import FeedServer
from tests.sources.test_telegram import FakeBotApi

PAYLOADS = Path(__file__).parents[1] / "payloads"

HANDLE = "zqwertz"
FIRST, LAST = "Zéphyrine", "Qwertzou"
NAME = f"{FIRST} {LAST}"
EMAIL = "zephyrine.qwertzou@exemple.org"
PHONE = "+33 6 98 76 54 32"
PHONE_DIGITS = "33698765432"
USER_ID = "7391846250"
DID = f"did:plc:{USER_ID}bskyxyzabcd"
MARKERS = (HANDLE, FIRST, LAST, EMAIL, PHONE, PHONE_DIGITS, "698765432", USER_ID)

CONFIG = """
[[workspaces]]
id = "acme"

[[sources]]
type = "webhook"
name = "forms"
workspace = "acme"
secret_env = "POULS_TEST_FORMS_SECRET"
kind = "message"
visibility = "private"
mapping = { native_id = "submission.id", text = "fields.message", author_handle = "fields.handle", author_name = "fields.name" }

[[sources]]
type = "meta"
name = "meta"
workspace = "acme"
app_secret_env = "POULS_TEST_META_SECRET"
verify_token_env = "POULS_TEST_META_VERIFY"

[[sources]]
type = "telegram"
name = "tgweb"
workspace = "acme"
mode = "webhook"
token_env = "POULS_TEST_TG_TOKEN"
secret_token_env = "POULS_TEST_TG_SECRET"
"""
FORMS_SECRET, TG_SECRET = "forms-secret-for-tests", "telegram-secret-for-tests"


def forms() -> list[bytes]:
    """Every way a marker could be written: as is, lowercase, JSON-escaped, URL-encoded."""
    out: set[bytes] = set()
    for marker in MARKERS:
        for form in (marker, marker.lower()):
            out.add(form.encode())
            out.add(json.dumps(form)[1:-1].encode())
            out.add(quote(form).encode())
            out.add(quote(form).lower().encode())
    return sorted(out)


def assert_nothing_identifies(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    files = {p.name: p.read_bytes() for p in sorted(home.glob("pouls.db*"))}
    assert "pouls.db" in files
    files["log"] = caplog.text.encode()
    found = [
        (name, form.decode())
        for name, data in files.items()
        for form in forms()
        if form in data or form in data.lower()
    ]
    if found:
        dump = store_dump(home)
        raise AssertionError(f"identities stored or logged: {found}\n{dump}")


def store_dump(home: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(home / "pouls.db")
    rows = [str(r) for r in conn.execute("SELECT doc FROM signals")]
    rows += [str(r) for r in conn.execute("SELECT reason, raw, position FROM dead_letters")]
    rows += [str(r) for r in conn.execute("SELECT * FROM cursors")]
    conn.close()
    return "\n".join(rows)


def marked(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        text = text.replace(old, new)
    return text


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POULS_TEST_FORMS_SECRET", FORMS_SECRET)
    monkeypatch.setenv("POULS_TEST_META_SECRET", APP_SECRET)
    monkeypatch.setenv("POULS_TEST_META_VERIFY", "verify")
    monkeypatch.setenv("POULS_TEST_TG_TOKEN", "7000000001:AAH-fictional")
    monkeypatch.setenv("POULS_TEST_TG_SECRET", TG_SECRET)
    (tmp_path / "pouls.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


@pytest.fixture
def settings(home: Path) -> Settings:
    return load(home, environ={})


@pytest.fixture
def db(home: Path) -> Iterator[SQLiteStore]:
    s = SQLiteStore(home / "pouls.db")
    yield s
    s.close()


@pytest.fixture(autouse=True)
def every_log(caplog: pytest.LogCaptureFixture) -> None:
    """pouls' own logs at every level; libraries' at INFO, as `pouls up` logs them (their
    DEBUG lines echo network frames, payloads included)."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="pouls")


def stages(settings: Settings, store: SQLiteStore) -> list[Any]:
    return pipeline.stages_for(settings, store, enrich=False)


async def ingest(
    sources: Sequence[Any],
    settings: Settings,
    store: SQLiteStore,
    done: Callable[[], bool],
    during: Callable[[], Any] | None = None,
) -> pipeline.Totals:
    """The real pipeline with the workspace's stages, until `done()` holds (15 s at most)."""
    stop = asyncio.Event()
    run = asyncio.create_task(
        pipeline.run(
            sources,
            store,
            stages=stages(settings, store),
            limits=pipeline.Limits(batch_latency=0.01),
            stop=stop,
        )
    )
    try:
        async with asyncio.timeout(15):
            while not done() and not run.done():
                if during is not None:
                    await during()
                await asyncio.sleep(0.05)
    finally:
        stop.set()
    return await run


def web(settings: Settings, store: SQLiteStore) -> httpx.AsyncClient:
    app = create_app(settings, store)
    app.state.stages = stages(settings, store)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pouls")


async def assert_pages_show_no_identity(client: httpx.AsyncClient, store: SQLiteStore) -> None:
    """What an admin of the workspace reads: the API, the wall, each signal's page, dead letters."""
    from pouls.access import digest
    from pouls.access.passwords import hash_password

    user = store.users.add("ana@acme.fr", hash_password("un mot de passe de test"))
    store.users.grant(user, "acme", "admin")
    store.users.add_token(user, "tests", digest("pouls_privacy-test-token"), None)
    auth = {"Authorization": "Bearer pouls_privacy-test-token"}
    listed = await client.get("/api/v1/signals?ws=acme&limit=500", headers=auth)
    assert listed.status_code == 200
    pages = [listed.text, (await client.get("/?ws=acme", headers=auth)).text]
    for signal in listed.json()["signals"]:
        page = await client.get(f"/signals/{signal['id']}?ws=acme", headers=auth)
        assert page.status_code == 200
        pages.append(page.text)
    pages.append((await client.get("/api/v1/dead-letters?ws=acme", headers=auth)).text)
    shown = "\n".join(pages).encode()
    assert [f.decode() for f in forms() if f in shown or f in shown.lower()] == []


def dead_count(store: SQLiteStore) -> int:
    return len(store.dead_letters("acme"))


# -- pushed: generic webhook, Meta, Telegram webhook -------------------------------------------


async def test_generic_webhook_keeps_no_identity(settings, db, home, caplog) -> None:
    form = json.loads((PAYLOADS / "webhook" / "form.json").read_text())
    form["fields"] |= {"email": EMAIL, "name": NAME, "handle": f"@{HANDLE}", "phone": PHONE}
    broken = {"id": "b-9", "text": 42, "author_handle": HANDLE, "email": EMAIL, "tel": PHONE}
    async with web(settings, db) as client:
        for body in (
            json.dumps(form).encode(),
            json.dumps(broken).encode(),
            f"pas du JSON: écrivez à {EMAIL} ou au {PHONE}".encode(),
        ):
            headers = {"X-Signature-256": sign(FORMS_SECRET, body)}
            answer = await client.post("/ingest/forms", content=body, headers=headers)
            assert answer.status_code < 500, answer.text
        await assert_pages_show_no_identity(client, db)
    assert (db.count("acme"), dead_count(db)) == (1, 2)
    assert_nothing_identifies(home, caplog)


async def test_meta_webhooks_keep_no_identity(settings, db, home, caplog) -> None:
    import hashlib
    import hmac

    swaps = {
        "Inès Martin": NAME,
        "33698765432": PHONE_DIGITS,
        "6543210987654321": USER_ID,
        "1234567890123456": USER_ID,
        "17841400000000001": USER_ID,
        "lea.deco": HANDLE,
    }
    names = ("whatsapp_text", "whatsapp_image_reply", "messenger_message", "instagram_comment")
    bodies = [marked((PAYLOADS / "meta" / f"{n}.json").read_text(), swaps) for n in names]
    bodies.append(marked(bodies[0], {'"timestamp"': '"when"'}))  # unreadable: a dead letter
    async with web(settings, db) as client:
        for text in bodies:
            body = text.encode()
            signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
            answer = await client.post(
                "/hooks/meta/meta", content=body, headers={"X-Hub-Signature-256": signature}
            )
            assert answer.status_code == 200, answer.text
        await assert_pages_show_no_identity(client, db)
    assert db.count("acme") >= 4 and dead_count(db) >= 1
    assert_nothing_identifies(home, caplog)


TELEGRAM_SWAPS = {"camille_rx": HANDLE, "Camille": FIRST, "Roux": LAST, "51234567": USER_ID}


def telegram_updates() -> list[dict[str, Any]]:
    text = (PAYLOADS / "telegram" / "getUpdates.json").read_text()
    updates: list[dict[str, Any]] = json.loads(marked(text, TELEGRAM_SWAPS))["result"]
    contact = {"first_name": FIRST, "last_name": LAST, "phone_number": PHONE, "user_id": 1}
    updates.append(
        {
            "update_id": 870007,
            "message": {
                "message_id": 313,
                "from": updates[0]["message"]["from"],
                "date": "pas une date",
                "contact": contact,
            },
        }
    )
    return updates


async def test_telegram_webhook_keeps_no_identity(settings, db, home, caplog) -> None:
    async with web(settings, db) as client:
        for update in telegram_updates():
            answer = await client.post(
                "/hooks/telegram/tgweb",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
            )
            assert answer.status_code == 200, answer.text
    assert db.count("acme") == 3 and dead_count(db) == 2
    assert_nothing_identifies(home, caplog)


# -- polled: Telegram, Mastodon, Bluesky, Reddit, RSS, IMAP, MQTT, files -----------------------


async def test_telegram_polling_keeps_no_identity(settings, db, home, caplog) -> None:
    server = Loopback().start()
    try:
        bot = FakeBotApi(server)
        bot.updates = telegram_updates()
        token = "7000000001:AAH-fictional-SECRET-token"
        src = TelegramSource(
            name="bot",
            workspace="acme",
            token=token,
            api_base_url=server.url,
            poll_timeout=1,
            backoff=0.01,
        )
        await ingest([src], settings, db, lambda: db.cursor("acme", "bot") == "870008")
    finally:
        server.stop()
    assert db.count("acme") == 3 and dead_count(db) == 2
    assert_nothing_identifies(home, caplog)


async def test_mastodon_keeps_no_identity(settings, db, home, caplog) -> None:
    server = Loopback().start()
    try:
        fake = FakeMastodon(server)
        text = (PAYLOADS / "mastodon" / "tag-fournil.json").read_text()
        timeline = json.loads(marked(text, {"Camille Roux": NAME, "camille": HANDLE}))
        timeline[0]["account"]["note"] = f"<p>Contact : {EMAIL}, {PHONE}</p>"
        timeline.append({"id": "113500000000000009", "account": timeline[0]["account"]})
        fake.timeline = timeline
        src = MastodonSource(
            name="masto",
            workspace="acme",
            api_base_url=server.url,
            access_token="tok",
            hashtags=["#fournil"],
            heartbeat_timeout=5.0,
            backoff=0.01,
        )
        await ingest([src], settings, db, lambda: db.count("acme") >= 3 and dead_count(db) == 1)
    finally:
        server.stop()
    assert_nothing_identifies(home, caplog)


@pytest.fixture
async def jetstream() -> AsyncIterator[FakeJetstream]:
    fake = FakeJetstream()
    async with serve(fake.handle, "127.0.0.1", 0) as server:
        fake.server = server
        yield fake
        fake.closing.set()


async def test_bluesky_keeps_no_identity(settings, db, home, caplog, jetstream) -> None:
    text = (PAYLOADS / "bluesky" / "jetstream.jsonl").read_text()
    jetstream.events = marked(text, {"did:plc:camille4fournil2026xyz": DID}).splitlines()
    src = BlueskySource(
        name="sky",
        workspace="acme",
        jetstream_url=jetstream.url,
        keywords=["Fournil"],
        backoff=0.01,
        heartbeat_timeout=5,
    )
    await ingest([src], settings, db, lambda: db.count("acme") >= 2 and dead_count(db) >= 2)
    assert_nothing_identifies(home, caplog)


async def test_reddit_keeps_no_identity(settings, db, home, caplog) -> None:
    server = Loopback().start()
    try:
        fake = FakeReddit(server)
        text = (PAYLOADS / "reddit" / "new-posts.json").read_text()
        fake.posts = json.loads(
            marked(text, {"boulange_fan": HANDLE, "t2_boulan": f"t2_{USER_ID}", "t2_sam": HANDLE})
        )
        for post in fake.posts:
            post["data"]["author"] = HANDLE
        src = RedditSource(
            name="reddit",
            workspace="acme",
            user_agent="linux:pouls-test:0.1 (by /u/pouls_dev)",
            token="tok",
            base_url=server.url,
            subreddits=["r/fournil"],
            interval=0.05,
            backoff=0.01,
        )
        await ingest([src], settings, db, lambda: db.count("acme") >= 1 and dead_count(db) >= 1)
    finally:
        server.stop()
    assert_nothing_identifies(home, caplog)


async def test_rss_keeps_no_identity(settings, db, home, caplog) -> None:
    feed = FeedServer()
    feed.thread.start()
    try:
        text = (PAYLOADS / "rss" / "press.rss.xml").read_text()
        author = f"<item>\n      <author>{EMAIL} ({NAME})</author>"
        body = text.replace("<item>", author, 1).encode()
        from tests.sources.test_rss import Response

        feed.routes["/feed.xml"] = Response(body)
        src = RssSource(name="press", workspace="acme", url=feed.url("/feed.xml"), once=True)
        await ingest([src], settings, db, lambda: db.count("acme") >= 2)
    finally:
        feed.httpd.shutdown()
        feed.httpd.server_close()
    assert_nothing_identifies(home, caplog)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    root = Path(tempfile.mkdtemp(prefix="pouls-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root / "dovecot")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def eml(name: str) -> bytes:
    sender = formataddr((NAME, EMAIL))
    lines = []
    for line in (PAYLOADS / "email" / name).read_text().split("\r\n"):
        if line.startswith(("From:", "Reply-To:")):
            line = line.split(":", 1)[0] + ": " + sender
        elif line.startswith("To:"):
            line = f"To: {formataddr((NAME, EMAIL))}, contact@maison-lumiere.example"
        lines.append(line)
    return "\r\n".join(lines).encode()


async def test_email_keeps_no_identity(settings, db, home, caplog, dovecot) -> None:
    user = USERS[-1]
    dovecot.deliver(user, *(eml(n) for n in ("question.eml", "reply.eml", "bad_charset.eml")))
    src = EmailSource(
        name="support",
        workspace="acme",
        host="127.0.0.1",
        port=dovecot.port,
        security="none",
        username=user,
        password=IMAP_PASSWORD,
        once=True,
        interval=0.1,
        backoff=0.05,
    )
    await ingest([src], settings, db, lambda: db.count("acme") == 2 and dead_count(db) == 1)
    assert_nothing_identifies(home, caplog)


async def test_mqtt_keeps_no_identity(settings, db, home, caplog) -> None:
    import uuid

    prefix = f"pouls-test/{uuid.uuid4().hex[:12]}"
    user = {"name": NAME, "email": EMAIL, "phone": PHONE, "handle": HANDLE}
    reading = {"temperature": 19.5, "unit": "°C", "ts": "2026-10-03T06:30:00+02:00", "user": user}
    sink = MqttSink(backoff=0.05)

    async def publish() -> None:
        await sink.publish(f"{prefix}/zigbee/chambre", json.dumps(reading).encode())
        await sink.publish(f"{prefix}/zigbee/salon", f"de {EMAIL}, {PHONE}".encode())

    client_id = "pouls-t-" + prefix.rsplit("/", 1)[1]
    src = MqttSource(
        name="maison",
        workspace="acme",
        topics=[TopicMap(filter=f"{prefix}/zigbee/#", value="temperature", time="ts")],
        client_id=client_id,
        backoff=0.05,
    )
    try:
        await ingest(
            [src], settings, db, lambda: db.count("acme") >= 1 and dead_count(db) >= 1, publish
        )
    finally:
        async with aiomqtt.Client("127.0.0.1", identifier=client_id, clean_session=True):
            pass
    assert_nothing_identifies(home, caplog)


async def test_file_import_keeps_no_identity(settings, db, home, caplog, tmp_path) -> None:
    rows = [
        {"id": "i-1", "text": "Très bon pain", "author_handle": f"@{HANDLE}", "author_name": NAME},
        {"id": "i-2", "text": "Appelez-moi", "author": USER_ID, "email": EMAIL, "phone": PHONE},
        {"id": "i-3", "text": 42, "author_handle": HANDLE, "author_name": NAME, "email": EMAIL},
    ]
    path = tmp_path / "import.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    src = FileSource(name="import", workspace="acme", path=path)
    totals = await ingest([src], settings, db, lambda: False)
    assert (totals.stored, totals.dead_letters) == (2, 1)
    assert_nothing_identifies(home, caplog)
