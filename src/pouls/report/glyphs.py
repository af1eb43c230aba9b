"""Characters the PDF's fonts cannot draw, written as words instead of empty boxes.

Signals are full of emoji (🙄, 💛) and a server seldom has a font for them: Debian's
fonts-noto-color-emoji is not installed with pouls, and WeasyPrint draws a missing glyph as a
box. Before a report becomes a PDF, each symbol that no installed font covers (as fontconfig
reports them) becomes its Unicode name in brackets, `[face with rolling eyes]`; the joiners and
variation selectors that only shape emoji are dropped. A server that installs an emoji font
keeps its emoji. The HTML report is left as it is: the reader's browser has its own fonts.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import unicodedata

# What may be an emoji or a pictograph: symbols (So), and the modifiers and joiners of emoji.
_SHAPERS = {0x200D, 0xFE0E, 0xFE0F, 0x20E3} | set(range(0x1F3FB, 0x1F400))  # ZWJ, VS, skin
_EMOJI_RANGES = ((0x2190, 0x2BFF), (0x1F000, 0x1FAFF))  # when fontconfig cannot be asked


@functools.cache
def covered() -> tuple[tuple[int, int], ...] | None:
    """The code point ranges some installed font draws, from `fc-list`; None when unknown."""
    fc = shutil.which("fc-list")
    if fc is None:
        return None
    try:
        out = subprocess.run(
            [fc, "--format", "%{charset}\n"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    spans = set()
    for part in out.split():
        first, _, last = part.partition("-")
        try:
            spans.add((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    return tuple(sorted(spans)) or None


def drawable(char: str, spans: tuple[tuple[int, int], ...] | None) -> bool:
    """Whether a font can draw `char` (without fontconfig: not an emoji-range symbol)."""
    code = ord(char)
    if spans is None:
        return not any(a <= code <= b for a, b in _EMOJI_RANGES)
    return any(a <= code <= b for a, b in spans)


_SYMBOL = re.compile(r"[^\x00-\u218f]")  # everything from the arrows up: the only suspects


def printable(text: str, spans: tuple[tuple[int, int], ...] | None = ()) -> str:
    """`text` with the symbols no font draws written as their names; letters of any script
    and anything drawable are kept.

    >>> printable("super 🙄💛 !", spans=((0x20, 0x7E),))
    'super [face with rolling eyes][yellow heart] !'
    >>> printable("❤️ ok", spans=((0x20, 0x7E), (0x2764, 0x2764)))
    '❤ ok'
    """
    table = covered() if spans == () else spans

    def word(m: re.Match[str]) -> str:
        char = m.group(0)
        if ord(char) in _SHAPERS:
            return ""
        if not unicodedata.category(char).startswith("S") or drawable(char, table):
            return char
        return "[" + unicodedata.name(char, "symbol").lower() + "]"

    return _SYMBOL.sub(word, text)
