"""Shares and signed scores as every page writes them: the dashboard's tiles and the reports.

A share (the negative share) is a percent, `12 %`; a signed score (the net sentiment, from
−100 % to +100 %) carries its sign, `+12 %` or `−7 %`, with a true minus sign and never `−0 %`;
their changes are in percentage points, `+3,2 pts`. A share of a period with no rated signal is
unknown (None) and shows as `—`: 0 % would claim that nothing was negative.
"""

from __future__ import annotations

from pouls.locale.formats import number, percent

NNBSP = "\u202f"  # French puts a narrow no-break space between a number and its unit
MINUS = "\u2212"
NONE = "—"  # a share or a change that cannot be computed


def score(lang: str, value: float | None, signed: bool = False) -> str:
    """`12 %`, or `+12 %` / `−7 %` when `signed`; rounded to whole percents as shown, so a tiny
    negative never reads `−0 %`; `—` for None.

    >>> score("fr", 0.123), score("en", -0.0736, True), score("en", -0.003, True), score("en", None)
    ('12\u00a0%', '−7%', '0%', '—')
    """
    if value is None:
        return NONE
    value = round(value, 2)
    text = percent(lang, abs(value))
    if value == 0:
        return text
    if value < 0:
        return MINUS + text
    return ("+" if signed else "") + text


def points(lang: str, delta: float | None) -> str:
    """A difference of shares in percentage points (`delta` a fraction: 0.032 is 3.2 points):
    `+3,2 pts`, `−50 pts`, `0 pts`; `—` for None.

    >>> points("fr", 0.032), points("en", -0.5), points("en", 0.0), points("en", None)
    ('+3,2\u202fpts', '−50 pts', '0 pts', '—')
    """
    if delta is None:
        return NONE
    sign = "+" if delta > 0.0005 else (MINUS if delta < -0.0005 else "")
    text = sign + number(lang, round(abs(delta) * 100, 1), 1)
    return text + (NNBSP if lang == "fr" else " ") + "pts"
