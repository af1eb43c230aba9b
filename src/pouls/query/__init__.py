"""The query language: one grammar and AST, a streaming matcher and SQL compilers that agree.

    >>> from pouls.query import Matcher, compile_sqlite, parse, render
    >>> node = parse("(nike OR adidas) -job lang:fr")
    >>> render(node)
    '(nike OR adidas) AND NOT job AND lang:fr'
    >>> matcher = Matcher({"brands": node, "school": "école"})
    >>> matcher.match({"text": "Nike sponsorise l'École du sport", "lang": "fr"})
    ['brands', 'school']
    >>> plan = compile_sqlite(node)   # the store runs plan.condition() over `signals`
    >>> plan.match, plan.where, plan.exact  # doctest: +ELLIPSIS
    ('(("nike") OR ("adidas")) NOT ("job")', "(lower(coalesce(signals.lang, '')) = ? OR ...)", True)

Errors: `parse` raises `QueryError` with `.message` (plain English), `.column` (1-based) and
`.code` (stable, for translations). The reference is docs/query-language.md.
"""

from pouls.query.matcher import Matcher
from pouls.query.nodes import (
    FIELDS,
    And,
    Emoji,
    Field,
    Hashtag,
    Mention,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Raw,
    Wildcard,
    Word,
)
from pouls.query.parser import QueryError, parse
from pouls.query.render import render
from pouls.query.sqlite import SqlPlan, compile_sqlite
from pouls.query.tokens import Tokens, fold, site_of, tokenize, words

__all__ = [
    "FIELDS",
    "And",
    "Emoji",
    "Field",
    "Hashtag",
    "Matcher",
    "Mention",
    "Near",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "QueryError",
    "Raw",
    "SqlPlan",
    "Tokens",
    "Wildcard",
    "Word",
    "compile_sqlite",
    "fold",
    "parse",
    "render",
    "site_of",
    "tokenize",
    "words",
]
