"""The keys of stored documents remembered between dashboards: never stale, bounded."""

from __future__ import annotations

from pouls.analyse.keys import keys_of
from pouls.signals import Signal, encode
from pouls.store.keymemo import KeyMemo, memo_for
from tests.conftest import make_signal


def counting() -> tuple[KeyMemo, list[Signal]]:
    seen: list[Signal] = []

    def keys(signal: Signal):  # type: ignore[no-untyped-def]
        seen.append(signal)
        return keys_of(signal)

    return KeyMemo(keys, size=2), seen


def test_a_document_read_again_is_not_read_twice() -> None:
    memo, seen = counting()
    doc = encode(make_signal(1, "croissant #boulangerie @fournil", author_handle="@ana"))
    first = memo.keys(doc)
    assert first == tuple(
        keys_of(make_signal(1, "croissant #boulangerie @fournil", author_handle="@ana"))
    )
    assert memo.keys(bytes(doc)) == first  # the same bytes from another read
    assert len(seen) == 1 and (memo.hits, memo.misses) == (1, 1)


def test_a_changed_signal_gets_its_new_keys() -> None:
    memo, seen = counting()
    before = memo.keys(encode(make_signal(1, "croissant", author_handle="@ana")))
    after = memo.keys(encode(make_signal(1, "croissant brûlé", author_handle="@ana")))
    assert ("term", "brule", "brule") in after and ("term", "brule", "brule") not in before
    assert len(seen) == 2


def test_the_oldest_documents_are_forgotten_first() -> None:
    memo, seen = counting()
    docs = [encode(make_signal(i, f"mot{i}")) for i in range(3)]
    for doc in docs:
        memo.keys(doc)
    memo.keys(docs[2])  # remembered
    memo.keys(docs[0])  # forgotten (size 2): read again
    assert len(seen) == 4 and memo.hits == 1


def test_one_memo_per_keys_function() -> None:
    assert memo_for(keys_of) is memo_for(keys_of)
