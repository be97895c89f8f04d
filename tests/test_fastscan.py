"""The fast import scan gives exactly the full visitor's Import records, or declines to answer."""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Optional

import pytest

from importaudit.source.fastscan import scan_imports
from importaudit.source.imports import parse_source

STDLIB = Path(sysconfig.get_paths()["stdlib"])


def _module(root: Path, path: Path) -> tuple[Optional[str], bool]:
    """A dotted name as discover would give (None where a folder is no identifier)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    if not all(part.isidentifier() for part in parts):
        return None, is_package
    return ".".join(parts) or "root", is_package


def differential(roots: Iterable[Path], limit: Optional[int] = None) -> tuple[int, int, list[str]]:
    """(files that parse, files the fast path answered, mismatches) over the .py files."""
    parsed = answered = 0
    mismatches: list[str] = []
    for root, path in _files(roots, limit):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        relpath = path.relative_to(root).as_posix()
        module, is_package = _module(root, path)
        try:
            _tree, full = parse_source(data, relpath, module, is_package)
        except (RecursionError, MemoryError, ValueError):
            continue
        if full.syntax_error is not None:
            continue
        parsed += 1
        fast = scan_imports(data, relpath, module, is_package)
        if fast is None:
            continue
        answered += 1
        if fast != full.imports:
            mismatches.append(str(path))
    return parsed, answered, mismatches


def _files(roots: Iterable[Path], limit: Optional[int]) -> Iterator[tuple[Path, Path]]:
    count = 0
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                if name.endswith(".py"):
                    yield root, Path(folder) / name
                    count += 1
                    if limit is not None and count >= limit:
                        return


CASES = {
    "plain": (b"import os\nimport a.b as c, d\nfrom x.y import (p,\n    q as r,)  # trailing\n", True),
    "relative": (b"from . import x\nfrom ..up import y\nfrom .import z\nfrom ... import w\n", True),
    "strings and comments": (b'"""import nope\n"""\nx = "import no"  # import no\nimport yes\n', True),
    "continuation": (b"from a import \\\n    b, \\\n    c\nimport e . f\n", True),
    "ignore comment": (
        b"from a import (  # importaudit: ignore[missing]\n  b)\nimport c  # importaudit: ignore\n",
        True,
    ),
    "star": (b"from os.path import *\n", True),
    "guarded": (b"try:\n    import x\nexcept ImportError:\n    x = None\n", False),
    "in a function": (b"def f():\n    import x\n", False),
    "one-line if": (b"if True: import x\n", False),
    "semicolon": (b"import a; import b\n", False),
    "dynamic": (b"import importlib\nm = importlib.import_module('x')\n", False),
    "dunder": (b"m = __import__('x')\n", False),
    # Django's import_string imports the module where it is called: the visitor records it.
    "import_string": (
        b"from django.utils.module_loading import import_string\n\n\ndef f():\n"
        b"    return import_string('pkg.mod.Command')\n",
        False,
    ),
    "after a raising branch": (
        b"import sys\nif sys.platform != 'win32':\n    raise ImportError('win')\nimport x\n",
        False,
    ),
    "latin-1 cookie": (b"# -*- coding: latin-1 -*-\nimport x\n", False),
    "non-ascii code": ("import x\nnaïve = 1\n".encode(), False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_scan_answers_exactly_or_declines(name: str) -> None:
    data, answers = CASES[name]
    full = parse_source(data, "pkg/sub/mod.py", "pkg.sub.mod", False)[1]
    assert full.syntax_error is None
    fast = scan_imports(data, "pkg/sub/mod.py", "pkg.sub.mod", False)
    if answers:
        assert fast == full.imports
        assert fast
    else:
        assert fast is None


def test_fast_scan_matches_the_visitor_on_a_sample_of_the_standard_library() -> None:
    parsed, answered, mismatches = differential([STDLIB], limit=150)
    assert mismatches == []
    assert parsed > 100
    assert answered > parsed // 4  # it does answer for a good share, not decline everything


@pytest.mark.differential
def test_fast_scan_matches_the_visitor_on_every_file_of_the_roots() -> None:
    """The full run: IMPORTAUDIT_DIFF_ROOTS (os.pathsep-separated), else stdlib and site-packages."""
    given = os.environ.get("IMPORTAUDIT_DIFF_ROOTS")
    default = [STDLIB, Path(sysconfig.get_paths()["purelib"])]
    roots = [Path(p) for p in given.split(os.pathsep)] if given else default
    parsed, answered, mismatches = differential(roots)
    print(f"differential: {parsed} files parsed, fast path answered {answered}, {len(mismatches)} mismatches")
    assert mismatches == [], mismatches[:20]
