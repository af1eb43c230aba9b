"""The privacy stage: hashed identities that still thread, named workspaces untouched, and a
failure that stores nothing in clear."""

from __future__ import annotations

import json

import msgspec
import pytest

from pouls import pipeline
from pouls.privacy.pseudonyms import Pseudonymiser
from pouls.signals import DeadLetter, Signal
from pouls.sources.email import to_signal as email_signal
from tests.conftest import T0, make_signal

KEY = b"k" * 32
PHONE = "33698765432"


def whatsapp(n: int, sender: str = PHONE, parent: str | None = None) -> Signal:
    message = {"from": sender, "id": f"wamid.HBgL{n}", "timestamp": "1791014400"}
    signal = make_signal(
        n,
        "Bonjour",
        channel="whatsapp",
        kind="message",
        author_handle=sender,
        author_name="Inès Martin",
        conversation_id=f"whatsapp:106540352242922:{sender}",
        parent_id=parent,
        raw={"phone_number_id": "106540352242922", "message": message},
    )
    return msgspec.structs.replace(signal, native_id=f"wamid.HBgL{n}")


def test_the_same_person_gives_the_same_hashed_conversation_and_replies_still_thread() -> None:
    first, second, other = Pseudonymiser(KEY).enrich(
        [whatsapp(1), whatsapp(2, parent="wamid.HBgL1"), whatsapp(3, sender="33611111111")]
    )
    assert first.conversation_id == second.conversation_id != other.conversation_id
    assert first.conversation_id is not None and first.conversation_id.startswith(
        "whatsapp:106540352242922:a_"
    )
    assert second.parent_id == first.native_id != "wamid.HBgL1"
    assert first.raw is not None and first.raw["message"]["from"].startswith("a_")
    assert first.raw["phone_number_id"] == "106540352242922"
    assert PHONE not in json.dumps(msgspec.to_builtins([first, second]))


def test_email_threads_survive_hashing_their_message_ids() -> None:
    head = b"From: =?utf-8?q?In=C3=A8s?= <ines@example.fr>\r\nTo: contact@shop.example\r\n"
    question = email_signal(
        head + b"Subject: Commande\r\nMessage-ID: <q1@example.fr>\r\n\r\nBonjour",
        workspace="acme",
        source="mail",
        uid=1,
        observed_at=T0,
    )
    reply = email_signal(
        head + b"Subject: Re: Commande\r\nMessage-ID: <q2@example.fr>\r\n"
        b"In-Reply-To: <q1@example.fr>\r\nReferences: <q1@example.fr>\r\n\r\nMerci, ines@example.fr",
        workspace="acme",
        source="mail",
        uid=2,
        observed_at=T0,
    )
    q, r = Pseudonymiser(KEY).enrich([question, reply])
    assert r.parent_id == q.native_id and r.conversation_id == q.conversation_id
    assert q.conversation_id == f"email:{q.native_id}"
    stored = json.dumps(msgspec.to_builtins([q, r]))
    assert "ines" not in stored.lower() and "example.fr" not in stored
    assert r.text.startswith("Merci, a_")


def test_a_named_workspace_keeps_everything_but_gains_the_pseudonym() -> None:
    signal = whatsapp(1)
    [kept] = Pseudonymiser(KEY, ["acme"]).enrich([signal])
    assert kept.author is not None and kept.author.startswith("a_")
    assert msgspec.structs.replace(kept, author=None) == signal


def test_concealing_twice_changes_nothing() -> None:
    stage = Pseudonymiser(KEY)
    once = stage.enrich([whatsapp(1, parent="wamid.HBgL0")])
    assert stage.enrich(once) == once


def test_a_url_that_names_its_author_is_dropped_and_others_kept() -> None:
    mastodon = make_signal(
        1,
        "Bravo @jo@toots.example.net, écrivez à zoe@piaille.fr",
        author_handle="@zoe@piaille.fr",
        url="https://piaille.fr/@zoe/1",
    )
    press = make_signal(2, "Article", channel="rss", url="https://journal.example/a/1")
    hidden, article = Pseudonymiser(KEY).enrich([mastodon, press])
    assert hidden.url is None and article.url == "https://journal.example/a/1"
    assert "zoe" not in hidden.text and "@jo" not in hidden.text
    assert hidden.text.startswith("Bravo @a_")


class Broken(Pseudonymiser):
    def _conceal(self, s: Signal) -> Signal:
        raise RuntimeError(f"could not read {s.raw}")


def test_a_failing_privacy_stage_stores_the_signal_stripped_and_logs_no_identity(caplog) -> None:
    [stripped] = pipeline.apply([Broken(KEY)], [whatsapp(1)])
    assert stripped.text == "Bonjour"  # the entry is not lost
    assert (stripped.raw, stripped.url, stripped.native_id, stripped.conversation_id) == (
        None,
        None,
        None,
        None,
    )
    assert stripped.author_handle is None and stripped.author_name is None
    assert PHONE not in caplog.text and "RuntimeError" in caplog.text


class Raising(Pseudonymiser):
    def enrich(self, batch: list[Signal]) -> list[Signal]:
        raise RuntimeError(f"boom on {batch[0].author_handle}")


def test_the_privacy_stage_is_never_skipped_when_the_whole_batch_fails(caplog) -> None:
    [stripped] = pipeline.apply([Raising(KEY)], [whatsapp(1)])
    assert stripped.author_handle is None and stripped.raw is None
    assert stripped.conversation_id is None
    assert PHONE not in caplog.text


def test_dead_letters_lose_identities_but_keep_their_reason_and_shape() -> None:
    letters = [
        DeadLetter(
            workspace="acme",
            source="bot",
            reason="not a Telegram update (KeyError: 'chat')",
            raw=json.dumps({"message": {"from": {"id": 51234567, "username": "camille_rx"}}}),
            position="update:870005",
        ),
        DeadLetter(
            workspace="acme",
            source="mail",
            reason="unreadable (LookupError: x-klingon)",
            raw="From: Camille Roux <camille@example.net>\r\nSubject: Offre\r\n\r\nappelez le "
            "06 12 34 56 78 ou @camille_rx",
            position="7:3",
        ),
    ]
    telegram, mail = pipeline.redact([Pseudonymiser(KEY)], letters)
    assert telegram.reason == letters[0].reason and telegram.position == "update:870005"
    assert json.loads(telegram.raw)["message"]["from"]["username"].startswith("a_")
    assert "51234567" not in telegram.raw and "camille" not in telegram.raw
    assert mail.raw.startswith("From: a_") and "Subject: Offre" in mail.raw
    for secret in ("Camille", "camille", "06 12 34 56 78"):
        assert secret not in mail.raw
    [kept] = pipeline.redact([Pseudonymiser(KEY, ["acme"])], letters[:1])
    assert kept == letters[0]


async def test_replies_say_why_they_cannot_reach_a_pseudonymised_sender() -> None:
    from pouls.sinks import email, meta
    from pouls.sinks.reply import Reply, TelegramReplies

    [hidden] = Pseudonymiser(KEY).enrich([whatsapp(1)])
    with pytest.raises(meta.SendError, match="identities"):
        await meta.GraphSink(access_token="t", graph_url="http://127.0.0.1:9").reply(hidden, "Ok")
    mail = email_signal(
        b"From: ines@example.fr\r\nSubject: Commande\r\nMessage-ID: <q1@example.fr>\r\n\r\nBonjour",
        workspace="acme",
        source="mail",
        uid=1,
        observed_at=T0,
    )
    [hidden_mail] = Pseudonymiser(KEY).enrich([mail])
    with pytest.raises(email.SendError, match="identities"):
        email.SmtpSink(host="127.0.0.1", sender="shop@example.org").compose(hidden_mail, "Ok")
    private = make_signal(1, "Bonjour", channel="telegram", author_handle="@zoe")
    private = msgspec.structs.replace(private, native_id="51234567:311")
    [hidden_chat] = Pseudonymiser(KEY).enrich([private])
    sent = await TelegramReplies(token="t", api_base_url="http://127.0.0.1:9").send(
        Reply(signal=hidden_chat, text="Ok")
    )
    assert sent.status == "failed" and sent.error is not None and "identities" in sent.error


def test_mentions_of_the_brands_own_accounts_are_kept() -> None:
    said = make_signal(1, "Merci @MaisonLumiere et @zoe pour la lampe", author_handle="@jo")
    [hidden] = Pseudonymiser(KEY, own_accounts={"acme": ["@maisonlumiere"]}).enrich([said])
    assert hidden.text.startswith("Merci @MaisonLumiere et @a_")
    assert "zoe" not in hidden.text


def test_a_dead_letter_cut_short_or_with_a_lone_surrogate_is_still_redacted_and_storable(
    store,
) -> None:
    whole = json.dumps({"message": {"from": {"id": 51234567, "username": "camille_rx"}}})
    cut = DeadLetter(workspace="acme", source="bot", reason="cut", raw=whole[:-2], position="1")
    lone = DeadLetter(
        workspace="acme", source="forms", reason="bad", raw='{"t": "\\ud800", "email": "a@b.fr"}'
    )
    redacted = pipeline.redact([Pseudonymiser(KEY)], [cut, lone])
    assert "51234567" not in redacted[0].raw and "camille" not in redacted[0].raw
    assert "a@b.fr" not in redacted[1].raw
    assert store.put([], dead_letters=redacted).dead_letters == 2
