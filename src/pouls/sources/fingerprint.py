"""Where a file import stopped, tied to the bytes it had read by then.

A position alone cannot tell the weekly `mentions.csv` from last week's: the saved cursor also
holds a hash of the file's first bytes and of every byte before the position, so that a run
continues only a file that grew, and reads a different, replaced or truncated one from its start.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

HEAD = 4096  # bytes whose hash tells another file from the same file changed further on
_CHUNK = 1 << 20


class Resume(StrEnum):
    """What a run found where the last one stopped, and so where it reads from."""

    FIRST = "first"  # never read: from the start
    APPENDED = "appended"  # the same bytes up to the position, more after: continue
    UNCHANGED = "unchanged"  # the same bytes and nothing after: nothing to read
    DIFFERENT = "different"  # another file under the same name: from its start
    CHANGED = "changed"  # same beginning, changed or cut before the position: from the start
    UNVERIFIED = "unverified"  # saved by an older pouls, without fingerprint: from the start


@dataclass(frozen=True, slots=True)
class Position:
    """A saved cursor: the byte offset, the lines before it, and the hashes of what it covers."""

    offset: int
    line: int
    head: str
    digest: str

    def encode(self) -> str:
        """The cursor text saved in the store."""
        data = {"offset": self.offset, "line": self.line, "head": self.head, "sha256": self.digest}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str) -> Position | None:
        """The position a cursor holds; None for a cursor without fingerprint."""
        try:
            data = json.loads(text)
            position = cls(int(data["offset"]), int(data["line"]), data["head"], data["sha256"])
        except (ValueError, TypeError, KeyError):
            return None
        if position.offset < 0 or not isinstance(position.head, str):
            return None
        return position


class Fingerprint:
    """The running offset, line count and hashes of the bytes read from a file's start."""

    def __init__(self) -> None:
        self.offset = 0
        self.line = 0
        self._head = bytearray()
        self._digest = hashlib.sha256()

    def feed(self, data: bytes, lines: int = 1) -> None:
        """Account for the next bytes of the file, which hold `lines` lines."""
        if len(self._head) < HEAD:
            self._head += data[: HEAD - len(self._head)]
        self._digest.update(data)
        self.offset += len(data)
        self.line += lines

    def position(self) -> Position:
        """The cursor to save after what was fed so far."""
        head = hashlib.sha256(self._head).hexdigest()
        return Position(self.offset, self.line, head, self._digest.hexdigest())


def resume(path: Path, cursor: str | None) -> tuple[Resume, Fingerprint]:
    """How a run goes on from the saved cursor, with the fingerprint of the bytes it skips."""
    if cursor is None:
        return Resume.FIRST, Fingerprint()
    saved = Position.decode(cursor)
    if saved is None:
        return Resume.UNVERIFIED, Fingerprint()
    seen = Fingerprint()
    with path.open("rb") as f:
        while seen.offset < saved.offset:
            chunk = f.read(min(_CHUNK, saved.offset - seen.offset))
            if not chunk:
                break
            seen.feed(chunk, lines=0)
        more = bool(f.read(1))
    now = seen.position()
    if now.head != saved.head:
        return Resume.DIFFERENT, Fingerprint()
    if now.offset < saved.offset or now.digest != saved.digest:
        return Resume.CHANGED, Fingerprint()
    seen.line = saved.line
    return (Resume.APPENDED if more else Resume.UNCHANGED), seen
