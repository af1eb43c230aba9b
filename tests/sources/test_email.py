"""IMAP against a real Dovecot on 127.0.0.1, through the pipeline into a real store."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pouls import pipeline
from pouls.pipeline import Limits, Totals
from pouls.sources.email import EmailSource
from pouls.store import Filters
from pouls.store.sqlite import SQLiteStore
from tests.sources.dovecot import PASSWORD, USERS, Dovecot

PAYLOADS = Path(__file__).parent.parent / "payloads" / "email"


def eml(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes()


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    # Not in tmp_path: Dovecot's unprivileged processes must reach the Maildir and passwd-file,
    # and pytest's folders are private to their owner.
    root = Path(tempfile.mkdtemp(prefix="pouls-dovecot-"))
    root.chmod(0o755)
    dovecot = Dovecot(root / "dovecot")
    dovecot.start()
    yield dovecot
    dovecot.stop()
    shutil.rmtree(root, ignore_errors=True)


_users = iter(USERS)


@pytest.fixture
def user() -> str:
    """A mailbox of its own for each test."""
    return next(_users)


def source(
    server: Dovecot, user: str, errors: list[str] | None = None, **kw: object
) -> EmailSource:
    options: dict[str, object] = {
        "once": True,
        "interval": 0.1,
        "backoff": 0.05,
        "password": PASSWORD,
    }
    options.update(kw)
    return EmailSource(
        name="support",
        workspace="acme",
        host="127.0.0.1",
        port=server.port,
        security="none",
        username=user,
        on_error=errors.append if errors is not None else None,
        **options,  # type: ignore[arg-type]
    )


async def sync(src: EmailSource, store: SQLiteStore) -> Totals:
    return await pipeline.run([src], store, limits=Limits(batch_latency=0.01))


async def test_first_sync_reads_text_html_and_threads(server, user, store) -> None:
    server.deliver(
        user, *(eml(n) for n in ("question.eml", "alternative.eml", "html_only.eml", "reply.eml"))
    )
    totals = await sync(source(server, user), store)
    assert (totals.stored, totals.errors) == (4, {})
    got = {s.native_id: s for s in store.search("acme", limit=10).signals}
    question = got["cmd4521.1@example.fr"]
    assert (question.channel, question.kind, question.visibility) == ("email", "message", "private")
    assert question.title == "Commande 4521 non reçue"
    assert "n’est toujours pas arrivée" in question.text
    assert question.created_at.isoformat() == "2026-10-02T07:12:00+00:00"
    assert question.conversation_id == "email:cmd4521.1@example.fr"
    assert got["hours-77@example.com"].text == "Is the Lyon store open on Sunday?"
    html = got["rep-4521.2@maison-lumiere.example"]
    assert html.text == "Bonjour Inès,\nVotre colis part aujourd'hui."
    reply = got["cmd4521.3@example.fr"]
    assert reply.parent_id == "rep-4521.2@maison-lumiere.example"
    assert reply.conversation_id == question.conversation_id == html.conversation_id
    assert reply.raw is not None and reply.raw["reply_to"] == "ines.perso@example.org"
    # Read-only: the messages stay unread in the mailbox.
    conn = server.client(user)
    conn.select("INBOX", readonly=True)
    assert conn.search(None, "UNSEEN")[1][0].split() == [b"1", b"2", b"3", b"4"]
    conn.logout()


async def test_resume_after_restart_reads_only_new_messages(server, user, store) -> None:
    server.deliver(user, eml("question.eml"), eml("alternative.eml"), eml("html_only.eml"))
    first = await sync(source(server, user, batch_size=2), store)  # two chunks, two cursors
    assert (first.read, first.batches >= 1) == (3, True)
    cursor = store.cursor("acme", "support")
    assert cursor is not None and '"uid": 3' in cursor
    server.deliver(user, eml("reply.eml"))
    second = await sync(source(server, user), store)
    assert (second.read, second.stored, second.duplicates) == (1, 1, 0)
    assert store.count("acme") == 4


async def test_same_message_delivered_twice_is_stored_once(server, user, store) -> None:
    server.deliver(user, eml("question.eml"), eml("question.eml"))
    totals = await sync(source(server, user), store)
    assert (totals.read, store.count("acme")) == (2, 1)


async def test_changed_uidvalidity_rereads_without_duplicates(server, user, store) -> None:
    errors: list[str] = []
    server.deliver(user, eml("question.eml"), eml("reply.eml"), mailbox="Support")
    await sync(source(server, user, errors, mailbox="Support"), store)
    conn = server.client(user)
    conn.delete("Support")  # recreated: a new UIDVALIDITY, UIDs start again at 1
    conn.logout()
    server.deliver(
        user, eml("question.eml"), eml("reply.eml"), eml("alternative.eml"), mailbox="Support"
    )
    totals = await sync(source(server, user, errors, mailbox="Support"), store)
    assert (totals.read, totals.stored, totals.duplicates) == (3, 1, 2)
    assert store.count("acme") == 3
    assert any("UIDVALIDITY changed" in e for e in errors)


async def test_unreadable_message_is_a_dead_letter_and_the_rest_stored(server, user, store) -> None:
    server.deliver(user, eml("bad_charset.eml"), eml("question.eml"))
    totals = await sync(source(server, user), store)
    assert (totals.stored, totals.dead_letters) == (1, 1)
    [dead] = store.dead_letters("acme")
    assert "UID 1" in dead.reason and "x-klingon-7" in dead.reason
    assert PASSWORD not in dead.reason + dead.raw


async def test_wrong_password_is_reported_without_the_password(server, user, store) -> None:
    errors: list[str] = []
    src = source(server, user, errors, password="mauvais-mot-de-passe-42")
    totals = await sync(src, store)
    assert list(totals.errors) == ["acme/support"]
    assert errors and "authentication failed" in errors[0].lower()
    assert not any("mauvais-mot-de-passe-42" in e for e in errors + list(totals.errors.values()))
    [state] = store.sources("acme")
    assert state.last_error is not None and "mauvais-mot-de-passe-42" not in state.last_error


async def test_server_restart_is_survived_with_backoff(server, user, store) -> None:
    errors: list[str] = []
    src = source(server, user, errors, once=False)
    stop = asyncio.Event()
    flow = asyncio.create_task(
        pipeline.run([src], store, limits=Limits(batch_latency=0.01), stop=stop)
    )

    async def until(done: Callable[[], bool]) -> None:
        async with asyncio.timeout(30):
            while not done():
                await asyncio.sleep(0.05)

    try:
        server.deliver(user, eml("question.eml"))
        await until(lambda: store.count("acme") == 1)
        await asyncio.to_thread(server.stop, crash=True)  # the connection drops
        await until(lambda: len(errors) >= 2)
        await asyncio.to_thread(server.start)
        server.deliver(user, eml("reply.eml"))
        await until(lambda: store.count("acme") == 2)
    finally:
        stop.set()
        await flow
    assert all(f"imap 127.0.0.1:{server.port}" in e for e in errors)
    assert (
        store.search("acme", filters=Filters(channel="email")).signals[0].native_id
        == "cmd4521.3@example.fr"
    )


async def test_poison_messages_are_stored_or_dead_letters_and_the_rest_stored(
    server, user, store
) -> None:
    past_9999 = (
        b"From: =?utf-8?Q?In=C3=A8s?= <ines@example.fr>\r\nSubject: Commande 4530\r\n"
        b"Date: Fri, 31 Dec 9999 23:59:59 -1400\r\nMessage-ID: <cmd4530@example.fr>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nToujours rien.\r\n"
    )
    raw_bytes = (  # 8-bit bytes in headers, not encoded: the parser keeps them as surrogates
        b"From: Ren\xe9 <ren\xe9@example.fr>\r\nSubject: Re\xe7u ab\xeem\xe9\r\n"
        b"Message-ID: <cmd4531@example.fr>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nLe pain est ab\xeem\xe9.\r\n"
    )
    server.deliver(user, past_9999, raw_bytes, eml("question.eml"))
    totals = await sync(source(server, user), store)
    assert (totals.stored, totals.dead_letters, totals.errors) == (3, 0, {})
    got = {s.native_id: s for s in store.search("acme").signals}
    late = got["cmd4530@example.fr"]
    assert late.created_at == late.observed_at  # its date was unreadable: the time it was read
    assert got["cmd4531@example.fr"].title == "Re\ufffdu ab\ufffdm\ufffd"
