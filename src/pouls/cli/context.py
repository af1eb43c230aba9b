"""What every command shares: the home folder, the consoles, the language, user errors,
settings and store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from pouls.locale import LANGS, system_language, translate, translate_plural

if TYPE_CHECKING:
    from pouls.config import Settings
    from pouls.store.sqlite import SQLiteStore

# soft_wrap: a message is one line whatever the width; the terminal folds it, rich does not
# cut it mid-phrase (tables are still laid out to the width).
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

_home: Path = Path(".pouls")
_fresh = False  # whether the running command may start a home with nothing in it yet
_lang: str | None = None  # --lang; None: the terminal's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)


class UserError(Exception):
    """Something the user can fix; printed without a trace, exit code 1, in the command's
    language: `message` is an English msgid (extracted by `make translations`) whose
    `%(name)s` holes `values` fill once it is translated."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.template = message
        self.values = values

    def said(self) -> str:
        """The error in the command's language."""
        return say(self.template, **self.values)


def set_lang(lang: str | None) -> None:
    """The language `--lang` chose (fr or en); None goes back to the terminal's."""
    global _lang
    _lang = lang if lang in LANGS else None


def lang() -> str:
    """The language the command speaks: `--lang`, else the terminal's locale, else English."""
    return _lang or system_language()


def say(message: str, **values: Any) -> str:
    """`message` (English, with `%(name)s` holes) in the command's language, filled."""
    return translate(lang(), message, **values)


def say_plural(singular: str, plural: str, n: int, **values: Any) -> str:
    """The form of `singular`/`plural` that `n` takes in the command's language."""
    return translate_plural(lang(), singular, plural, n, **values)


def set_home(path: Path) -> None:
    global _home, _fresh
    _home = path
    _fresh = False


def home() -> Path:
    """The folder holding pouls.toml and the data."""
    return _home


def may_start_fresh() -> None:
    """For the commands that set a home up (`demo`, `up`, `import`): a folder with neither
    pouls.toml nor pouls.db is theirs to start; every other command refuses it."""
    global _fresh
    _fresh = True


def settings() -> Settings:
    """Settings from <home>/pouls.toml (defaults when absent) and POULS_* variables; a home
    with neither pouls.toml nor a database is refused (a mistyped --home would otherwise get
    an empty pouls.db and "No signals yet")."""
    from pouls.config import ConfigError, load

    try:
        loaded = load(_home)
    except ConfigError as exc:
        raise UserError(str(exc)) from exc  # the configuration's own words, with file:line
    if not _fresh and not (_home / "pouls.toml").exists() and not loaded.database_path.exists():
        raise UserError(
            "no pouls installation in %(home)s (no pouls.toml or pouls.db): "
            "run `pouls --home %(home)s init` or check --home.",
            home=str(_home),
        )
    return loaded


def store() -> SQLiteStore:
    """The store named by the settings, created on first use; its signals of the workspaces'
    own accounts marked as the settings declare them (once per change)."""
    from pouls import pipeline
    from pouls.store.sqlite import SQLiteStore

    s = settings()
    s.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds pouls.db: owner only
    opened = SQLiteStore(s.database_path)
    pipeline.sync_own(s, opened)
    return opened


def workspace_id(name: str | None) -> str:
    """The workspace a command acts on: the one named, else the first declared; checked."""
    s = settings()
    ws = name or s.workspaces[0].id
    if s.workspace(ws) is None:
        known = ", ".join(w.id for w in s.workspaces)
        raise UserError(
            "no workspace %(workspace)r in %(file)s; declared: %(known)s",
            workspace=ws,
            file=str(_home / "pouls.toml"),
            known=known,
        )
    return ws
