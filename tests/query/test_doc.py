"""The examples of the query language reference and of the package docstring stay true."""

from __future__ import annotations

import doctest
from pathlib import Path

import pouls.query

DOC = Path(__file__).parents[2] / "docs" / "query-language.md"


def test_reference_examples_run() -> None:
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 20


def test_package_docstring_examples_run() -> None:
    result = doctest.testmod(pouls.query)
    assert result.failed == 0 and result.attempted > 0
