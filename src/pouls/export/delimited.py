"""CSV as spreadsheets open it: UTF-8 with a BOM, `,` or `;`, formulas defused, in chunks.

The BOM is what makes Excel read the file as UTF-8 (without it, `é` shows as `Ã©`). A `;`
file is the one French Excel opens in columns; it also writes decimals with a comma (`0,82`),
as that Excel reads numbers. A text cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading `'`, so a spreadsheet shows it as text instead of running it as a formula
(CSV injection: a signal's text is written by strangers).

Lines are made here rather than by `csv.writer`, which tests every character of every cell
against the line terminator with a function call and was half the time of a large export:
a cell is quoted as `csv.QUOTE_MINIMAL` quotes it (when it holds the separator, a `"`, a
carriage return or a line feed; its `"` doubled), found with C-speed `in` tests over the row's
text cells at once. tests/export/test_delimited.py checks every line against `csv.writer`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, tzinfo

from pouls.export.columns import NAMES
from pouls.signals import Signal
from pouls.signals.inputs import text as writable

BOM = "\ufeff"
SEPARATORS = (",", ";")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_FIRST = frozenset("".join(FORMULA_STARTS))
CHUNK_ROWS = 1000  # rows per chunk handed to the response or the file: ~350 KB
LINE_END = "\r\n"


def defuse(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates.

    >>> [defuse(t) for t in ["=1+1", "-20 % ce soir", "@zoe", "bonjour"]]
    ["'=1+1", "'-20 % ce soir", "'@zoe", 'bonjour']
    """
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(signals: Iterable[Signal], tz: tzinfo, sep: str = ",") -> Iterator[bytes]:
    """The header, then the signals' rows, as UTF-8 bytes a thousand rows at a time."""
    if sep not in SEPARATORS:
        raise ValueError(f"separator must be one of {SEPARATORS}")
    lines = csv_lines(tz, sep)
    head = BOM + sep.join(NAMES) + LINE_END
    remaining = iter(signals)
    while batch := list(itertools.islice(remaining, CHUNK_ROWS)):
        chunk = head + "".join(lines(batch))
        try:
            data = chunk.encode()
        except UnicodeEncodeError:  # a lone surrogate, which no stored signal holds
            data = writable(chunk).encode()
        yield data
        head = ""
    if head:  # nothing to export: the header alone
        yield head.encode()


def csv_lines(tz: tzinfo, sep: str) -> Callable[[Sequence[Signal]], list[str]]:
    """A function making the CSV lines (`\\r\\n` ended) of a batch of signals, in the order of
    `COLUMNS`: text defused and quoted where needed, times ISO 8601 (UTC, then local to the
    second), numbers as Python writes them (`repr`), with a decimal comma for `;`, flags
    `true`/`false`, nothing for a missing value."""
    point = "," if sep == ";" else "."
    first = FORMULA_FIRST
    clock = _Clock(tz)

    def decimal(v: float | None) -> str:
        return "" if v is None else repr(v).replace(".", point)

    def lines(batch: Sequence[Signal]) -> list[str]:
        out = []
        for s in batch:
            sentiment, metrics, geo = s.sentiment, s.metrics, s.geo
            # The cells that may hold any character, the id first (quoted, never defused).
            cells = [
                s.id,
                s.workspace,
                s.source,
                s.lang or "",
                s.author or "",
                s.author_handle or "",
                s.author_name or "",
                s.title or "",
                s.text,
                s.url or "",
                ", ".join(s.topics),
                (geo.country or "") if geo else "",
                (geo.place or "") if geo else "",
                s.native_id or "",
                s.conversation_id or "",
                s.parent_id or "",
            ]
            for k in range(1, 16):
                cell = cells[k]
                if cell and cell[0] in first:
                    cells[k] = "'" + cell
            joined = "".join(cells)
            if sep in joined or '"' in joined or "\r" in joined or "\n" in joined:
                cells = [_quote(c, sep) for c in cells]
            i, ws, src, lang, au, handle, name, title, txt, url, top, cc, place, nat, conv, par = (
                cells
            )
            utc, local = clock.strings(s.created_at)
            if metrics:
                v = metrics.likes
                likes = "" if v is None else repr(v)
                v = metrics.shares
                shares = "" if v is None else repr(v)
                v = metrics.replies
                replies = "" if v is None else repr(v)
                v = metrics.followers
                followers = "" if v is None else repr(v)
            else:
                likes = shares = replies = followers = ""
            out.append(
                sep.join(
                    (
                        i,
                        ws,
                        src,
                        s.channel,
                        s.kind,
                        s.visibility,
                        utc,
                        local,
                        lang,
                        au,
                        handle,
                        name,
                        title,
                        txt,
                        url,
                        sentiment.label if sentiment else "",
                        decimal(sentiment.score) if sentiment else "",
                        decimal(max(s.toxicity.values())) if s.toxicity else "",
                        decimal(s.scam),
                        top,
                        likes,
                        shares,
                        replies,
                        followers,
                        cc,
                        place,
                        "true" if s.own else "false",
                        nat,
                        conv,
                        par,
                    )
                )
                + LINE_END
            )
        return out

    return lines


def _quote(cell: str, sep: str) -> str:
    """The cell as `csv.QUOTE_MINIMAL` writes it with this separator and `\\r\\n` lines."""
    if sep in cell or '"' in cell or "\r" in cell or "\n" in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell


class _Clock:
    """`created_at` as ISO 8601 in UTC and as local time to the second, the two time cells.

    `isoformat` and `astimezone` were a third of a row's time. Rows come newest first, many in
    the same hour: the date and hour of both strings are made once an hour, and the minutes and
    seconds copied, when the zone keeps one whole-hour offset through that hour (a clock change
    happens on an hour in most zones). Anything else (another offset, a time not in UTC) is
    formatted by `datetime` itself, as the cells always were.
    """

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.hour: tuple[int, int, int, int] | None = None
        self.heads: tuple[str, str] | None = None

    def strings(self, created: datetime) -> tuple[str, str]:
        hour = (created.year, created.month, created.day, created.hour)
        if hour != self.hour:
            self.hour, self.heads = hour, self._heads(created)
        if self.heads is None:
            local = created.astimezone(self.tz).isoformat(" ")[:19]
            return created.isoformat(), local
        utc_head, local_head = self.heads
        tail = f"{created.minute:02d}:{created.second:02d}"
        us = created.microsecond
        utc = f"{utc_head}{tail}.{us:06d}+00:00" if us else f"{utc_head}{tail}+00:00"
        return utc, local_head + tail

    def _heads(self, created: datetime) -> tuple[str, str] | None:
        """`YYYY-MM-DDTHH:` in UTC and `YYYY-MM-DD HH:` local for the hour of `created`, or
        None when its minutes and seconds cannot be copied into both."""
        if created.tzinfo is not UTC:
            return None
        start = created.replace(minute=0, second=0, microsecond=0)
        first, last = start.astimezone(self.tz), (start + _HOUR_END).astimezone(self.tz)
        offset = first.utcoffset()
        if offset is None or offset != last.utcoffset() or offset % _HOUR:
            return None
        return start.isoformat()[:14], first.isoformat(" ")[:14]


_HOUR = timedelta(hours=1)
_HOUR_END = timedelta(minutes=59, seconds=59, microseconds=999_999)
