"""Extract pouls' messages and bring the French catalogue up to date: `make translations`.

Extraction reads babel.cfg (Python modules and Jinja2 templates under src/pouls) with the
keywords below; the French `.po` then gains every new msgid (empty, or fuzzy when Babel finds a
close old one) and loses those no code uses any more. Translate the entries it lists, remove
their `#, fuzzy` flag, and that is all: pouls reads the `.po` itself (docs/translation.md).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "src" / "pouls" / "locale"
TEMPLATE = LOCALE / "messages.pot"
LANGS = ("fr",)  # English is the msgids themselves

# Calls whose literal arguments are messages. `translate(lang, message, **values)` and
# `translate_plural(lang, singular, plural, n)` are pouls.locale's; QueryError and PeriodError
# carry English messages that pages and the CLI translate where they show them; so does an
# HTTPException detail or a Refusal, which a browser gets in its language, and a UserError.
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "translate": (2,),
    "translate_plural": (2, 3),
    "QueryError": (1,),
    "PeriodError": (1,),
    "HTTPException": (2,),  # its detail, shown translated on the error page
    "Refusal": (2,),  # pouls.web.errors: an HTTP error with values, translated when shown
    "InvalidCheckin": (1,),
    "NoTarget": (1,),
    "UserError": (1,),  # pouls.cli: an error the user can fix, in the command's language
    "say": (1,),  # pouls.cli.context: a message in the command's language
    "say_plural": (1, 2),
}


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else str(getattr(func, "attr", ""))


def extract_python(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: object, options: object
) -> Iterator[tuple[int, str, tuple[str | None, ...], list[str]]]:
    """Babel's extractor for pouls' modules, reading the syntax tree rather than tokens: a
    keyword call nested in another call (`TITLES.get(code, N_("..."))`) is found, and a
    dict or an f-string where a message belongs is never taken for one."""
    calls = [n for n in ast.walk(ast.parse(fileobj.read())) if isinstance(n, ast.Call)]
    for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):  # in reading order
        if (name := _called(node)) in keywords:
            args = tuple(
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                for a in node.args
            )
            yield node.lineno, name, args, []


def formatted_messages(keywords: Mapping[str, Any] = KEYWORDS) -> list[str]:
    """Calls of `keywords` whose message is an f-string: no catalogue can hold it (`file:line`)."""
    found = []
    for path in sorted((ROOT / "src" / "pouls").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if not isinstance(node, ast.Call) or (name := _called(node)) not in keywords:
                continue
            spec = keywords[name] or (1,)
            places = [i for i in spec if isinstance(i, int) and i <= len(node.args)]
            if any(isinstance(node.args[i - 1], ast.JoinedStr) for i in places):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _inside_src(path: str) -> bool:
    relative = Path(path).resolve().relative_to(ROOT)
    parts = relative.parts
    return (not parts or parts[0] == "src") and not any(
        p.startswith((".", "__pycache__")) for p in parts
    )


def extract() -> Catalog:
    """Every message of the code and the templates, each with the files that use it."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        methods, options = parse_mapping_cfg(cfg)
    catalog = Catalog(project="pouls", charset="utf-8", fuzzy=False)
    found = extract_from_dir(
        ROOT,
        methods,
        options,
        keywords=KEYWORDS,
        comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
        directory_filter=_inside_src,
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for message, where in command_help():
        if message in catalog:
            catalog[message].locations.append(where)
        else:
            catalog.add(message, None, [where])
    return catalog


def command_help() -> list[tuple[str, tuple[str, int]]]:
    """The help texts of `pouls` (docstrings, `help=`), read from the command tree typer builds:
    a docstring is a message only where it is a command's help."""
    from pouls.cli.help import help_texts, where
    from pouls.cli.main import command

    return [(text, where(cmd)) for text, cmd in help_texts(command())]


def catalogue(lang: str) -> Path:
    """The `.po` file of `lang`."""
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def read(lang: str) -> Catalog:
    """The catalogue of `lang` as it is on disk."""
    with catalogue(lang).open("rb") as po:
        return read_po(po, locale=lang)


def untranslated(catalog: Catalog) -> Iterator[Message]:
    """Entries with an empty or fuzzy translation (the header left aside)."""
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(strings):
            yield message


def _write(path: Path, catalog: Catalog, **kw: bool) -> None:
    out = BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, **kw)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def update() -> dict[str, list[Message]]:
    """Write messages.pot and bring each language's `.po` up to date; its missing entries."""
    template = extract()
    if TEMPLATE.exists():  # the date of the first extraction: a rerun changes nothing
        with TEMPLATE.open("rb") as old:
            template.creation_date = read_po(old).creation_date
    _write(TEMPLATE, template)
    missing = {}
    for lang in LANGS:
        catalog = read(lang)
        catalog.update(template, update_creation_date=False)
        _write(catalogue(lang), catalog, ignore_obsolete=True)
        missing[lang] = list(untranslated(catalog))
    return missing


def main() -> int:
    missing = update()
    for lang, messages in missing.items():
        for m in messages:
            where = ", ".join(sorted({f for f, _ in m.locations}))
            print(f"{lang}: {'fuzzy' if m.fuzzy else 'missing'}: {m.id!r} ({where})")
    for where in formatted_messages():
        print(f"warning: an f-string where a message belongs, shown untranslated: {where}")
    total = sum(map(len, missing.values()))
    print(f"{TEMPLATE.relative_to(ROOT)} written; {total} entries to translate")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
