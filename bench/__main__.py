"""`python -m bench [NAME ...]`: run `main()` of every bench module, or of those named."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def modules() -> list[str]:
    """Names of the bench modules that have a `main()`, in alphabetical order."""
    here = Path(__file__).parent
    names = [m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_")]
    return [n for n in sorted(names) if callable(getattr(_load(n), "main", None))]


def _load(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"bench.{name}")


def main(argv: list[str]) -> int:
    available = modules()
    wanted = argv or available
    unknown = [n for n in wanted if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 1
    for name in wanted:
        print(f"== bench {name}", flush=True)
        _load(name).main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
