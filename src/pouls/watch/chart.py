"""A small PNG chart of a series for alerts: bars, the baseline as a line, the alert in red.

Written with the standard library (zlib and the PNG format, RFC 2083): an e-mail needs a
picture of the spike, not a plotting library; labels are in the message beside it.
"""

from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT, MARGIN = 480, 140, 6
BACKGROUND = (255, 255, 255)
BAR = (148, 163, 184)  # slate
ALERT = (220, 38, 38)  # red
BASELINE = (37, 99, 235)  # blue
AXIS = (203, 213, 225)


def png(
    values: list[float], *, baseline: float | None = None, alert_from: int | None = None
) -> bytes:
    """Bars for `values`, red from index `alert_from` on, a dashed line at `baseline`."""
    pixels = [[BACKGROUND] * WIDTH for _ in range(HEIGHT)]
    top = max([*values, baseline or 0.0, 1e-9])
    inner_h = HEIGHT - 2 * MARGIN
    n = max(1, len(values))
    slot = (WIDTH - 2 * MARGIN) / n
    for x in range(MARGIN, WIDTH - MARGIN):
        pixels[HEIGHT - MARGIN][x] = AXIS
    for i, v in enumerate(values):
        h = round(inner_h * max(0.0, v) / top)
        x0 = MARGIN + round(i * slot)
        x1 = max(x0 + 1, MARGIN + round((i + 1) * slot) - 1)
        colour = ALERT if alert_from is not None and i >= alert_from else BAR
        for y in range(HEIGHT - MARGIN - h, HEIGHT - MARGIN):
            row = pixels[y]
            for x in range(x0, x1):
                row[x] = colour
    if baseline is not None and baseline > 0:
        y = HEIGHT - MARGIN - round(inner_h * baseline / top)
        for x in range(MARGIN, WIDTH - MARGIN):
            if (x // 6) % 2 == 0:
                pixels[max(0, y)][x] = BASELINE
                pixels[max(0, y - 1)][x] = BASELINE
    return encode(pixels)


def encode(pixels: list[list[tuple[int, int, int]]]) -> bytes:
    """RGB rows as a PNG file."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
