"""The `pouls` command run as a user runs it: a real process, a fixed width, no colours."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

POULS = str(Path(sys.executable).with_name("pouls"))


def pouls(
    home: Path, *args: str, stdin: str | None = None, lang: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`pouls --home HOME ARGS...`, its output and exit code (a wide terminal, no colours;
    `lang`: the terminal's LANG, such as fr_FR.UTF-8)."""
    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TERM": "dumb"}
    return subprocess.run(
        [POULS, "--home", str(home), *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=180,
        env=env | ({"LANG": lang} if lang else {}),
    )
