"""Poisoned copies of recorded platform payloads, and the checks every polled decoder must pass.

`poisoned(doc)` picks a few places in a recorded JSON document and swaps each value for one a
platform should never send (a lone surrogate, a dict where text is expected, 1e30, NaN, a
missing key), so the decoders meet the shapes of real answers with bad values inside.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator, Sequence
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pouls.signals import DeadLetter, Signal
from pouls.store.sqlite import SQLiteStore

# Bounded: each property runs in a few seconds; the function-scoped store is shared by examples.
# Derandomized, as the other property tests: `make test` fails on a change, not on luck.
# POULS_FUZZ_EXAMPLES raises the count for a longer hunt (each found case becomes a test).
FUZZ = settings(
    max_examples=int(os.environ.get("POULS_FUZZ_EXAMPLES", "150")),
    deadline=None,
    derandomize="POULS_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_TEXTS = [
    "\ud800",
    "a\udcffb",
    "\udbff\udfff",
    "\x00",
    "",
    " ",
    "9999-99-99T99:99:99Z",
    "0000-00-00",
    "-1",
    "NaN",
    "<p>&#xD800;&#0;</p>",
    "\u202e\ufeff",
    "x" * 5000,
]
ODD_NUMBERS = [99999999999999999999, -99999999999999999999, 2**63, 1e30, -1e30, 0, -1, 1e-300]
ODD_FLOATS = [float("nan"), float("inf"), float("-inf")]

poison: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(ODD_TEXTS),
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(ODD_FLOATS),
    st.sampled_from([None, True, False, {}, [], {"a": 1}, [1, "x"], [None]]),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=20),
    st.integers(),
    st.floats(),
)


@st.composite
def poisoned(draw: st.DrawFn, doc: Any, most: int = 4) -> Any:
    """`doc` with up to `most` of its values replaced by poison or (in an object) removed."""
    out = copy.deepcopy(doc)
    paths = list(_paths(out))
    for _ in range(draw(st.integers(0, most))):
        path = draw(st.sampled_from(paths)) if paths else ()
        if not path:
            return copy.deepcopy(draw(poison))  # the whole document
        parent = out
        for step in path[:-1]:
            if not isinstance(parent, dict | list):
                break
            try:
                parent = parent[step]
            except (KeyError, IndexError, TypeError):
                break
        else:
            last = path[-1]
            if isinstance(parent, dict) and last in parent and draw(st.integers(0, 3)) == 0:
                del parent[last]  # a missing key
            elif isinstance(parent, dict) or (
                isinstance(parent, list) and isinstance(last, int) and last < len(parent)
            ):
                parent[last] = copy.deepcopy(draw(poison))  # a copy: later places may be in it
    return out


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*at, index))


def dumps(doc: Any) -> str:
    """JSON as a platform would send it: lone surrogates written as `\\ud800` escapes."""
    return json.dumps(doc, allow_nan=True)


def assert_accounted(
    signals: Sequence[Signal], dead: Sequence[DeadLetter], expected: int, what: str = "entry"
) -> None:
    """Every entry became a signal or a dead letter that says why and where."""
    assert len(signals) + len(dead) == expected, (
        f"{expected} {what}(s) in, {len(signals)} signals + {len(dead)} dead letters out"
    )
    for letter in dead:
        assert letter.reason.strip(), letter
        assert letter.position, letter


def assert_writable(
    store: SQLiteStore, signals: Sequence[Signal], dead: Sequence[DeadLetter]
) -> None:
    """The real store takes the whole batch, and reads every signal back."""
    store.put(signals, dead_letters=dead)
    for signal in signals:
        assert store.get(signal.workspace, signal.id) is not None, signal
