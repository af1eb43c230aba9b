"""The rules pouls runs: those of the store, which pouls.toml seeds (docs/settings.md).

One source of truth: the watcher, the rule pages, the API and `pouls rule` read the store. At
each start a rule of pouls.toml is written there (origin `config`) unless someone changed it
since in the web app or the CLI (the store's version wins, and the log says so) or deleted it
(declined: not seeded again). A rule of the file not yet seeded is listed as it will be.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import msgspec

from pouls.config import Rule, Settings
from pouls.store.declined import Declined
from pouls.store.sqlite import SQLiteStore
from pouls.store.watch import RuleExists, WatchStore
from pouls.watch.rules import problems

log = logging.getLogger("pouls.watch")


class Entry(msgspec.Struct, kw_only=True, frozen=True):
    """A rule with where it came from: `config` (pouls.toml), `cli` or `web`."""

    rule: Rule
    origin: str
    updated_at: datetime | None = None
    in_file: bool = False  # pouls.toml declares a rule of that name


class RuleRefused(Exception):
    """The rule cannot run; `problems` say why, in the caller's language."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def entries(settings: Settings, book: WatchStore, workspace: str | None = None) -> list[Entry]:
    """Every rule of one workspace (or all), by workspace and name."""
    declared = {(r.workspace, r.name) for r in settings.file.rules}
    out: dict[tuple[str, str], Entry] = {}
    for stored in book.rules(workspace):
        try:
            rule = msgspec.json.decode(stored.doc, type=Rule)
        except msgspec.ValidationError as exc:  # written by an older pouls: say so, run the rest
            log.warning("rule %s/%s cannot be read: %s", stored.workspace, stored.name, exc)
            continue
        key = (stored.workspace, stored.name)
        out[key] = Entry(
            rule=rule, origin=stored.origin, updated_at=stored.updated_at, in_file=key in declared
        )
    declined = Declined(book.store).names("rule")
    for rule in settings.file.rules:
        key = (rule.workspace, rule.name)
        if workspace not in (None, rule.workspace) or key in out or key in declined:
            continue
        out[key] = Entry(rule=rule, origin="config", in_file=True)  # seeded at the next start
    return [out[k] for k in sorted(out)]


def rules_of(settings: Settings, book: WatchStore) -> list[Rule]:
    """The rules to run, in every workspace."""
    return [e.rule for e in entries(settings, book)]


def sync_rules(settings: Settings, book: WatchStore) -> list[str]:
    """Seed the store with the rules of pouls.toml; returns the names written.

    A file rule nobody changed elsewhere follows the file (changed, or removed when its lines
    are gone); one changed in the web app or CLI keeps that version; one deleted there stays
    deleted.
    """
    declared = {(r.workspace, r.name): r for r in settings.file.rules}
    declined = Declined(book.store).names("rule")
    stored = {(r.workspace, r.name): r for r in book.rules()}
    for key, gone in stored.items():
        if gone.origin == "config" and key not in declared:
            book.remove_rule(*key)
    written = []
    for key, rule in declared.items():
        old = stored.get(key)
        if key in declined:
            continue
        if old is not None and old.origin != "config":
            if old.doc != msgspec.json.encode(rule):
                log.info(
                    "rule %s/%s: pouls.toml differs, the version changed in the %s is kept",
                    *key,
                    "web app" if old.origin == "web" else "CLI",
                )
            continue
        doc = msgspec.json.encode(rule)
        if old is None or old.doc != doc:
            book.add_rule(*key, doc, replace=True, origin="config")
            written.append(rule.name)
    return written


def save(
    settings: Settings,
    store: SQLiteStore,
    rule: Rule,
    *,
    origin: str,
    create: bool,
    say: Callable[[str], str] = str,
) -> None:
    """Store a rule after checking it can run: `RuleRefused` with the reasons, `RuleExists`
    when `create` finds the name taken, `KeyError` when an update finds none."""
    topics = {t.name for t in store.topics.list(rule.workspace)}
    found = problems(rule, settings, topics, say)
    if found:
        raise RuleRefused(found)
    book = WatchStore(store)
    known = any(e.rule.name == rule.name for e in entries(settings, book, rule.workspace))
    if create and known:
        raise RuleExists(rule.name)
    if not create and not known:
        raise KeyError(rule.name)
    book.add_rule(rule.workspace, rule.name, msgspec.json.encode(rule), replace=True, origin=origin)
    Declined(store).forget(rule.workspace, "rule", rule.name)


def delete(settings: Settings, store: SQLiteStore, workspace: str, name: str) -> bool:
    """Remove a rule; one pouls.toml declares is not seeded again. False when there was none."""
    book = WatchStore(store)
    entry = next((e for e in entries(settings, book, workspace) if e.rule.name == name), None)
    if entry is None:
        return False
    if entry.in_file:
        Declined(store).add(workspace, "rule", name)
    book.remove_rule(workspace, name)
    return True
