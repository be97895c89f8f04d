"""Issue 12: every construct the grammar checker flags, compiled by real interpreters.

The table's versions are the grammar's history as CPython implements it: the oldest version
whose compiler accepts the construct, and the one before it rejects it. Interpreters are looked
up on PATH, in pyenv and uv's stores; a row whose interpreters are absent is skipped, so the
source of each entry is also written beside it.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from functools import cache
from typing import Optional

import pytest

from importaudit.source.imports import parse_source

HOST = sys.version_info[:2]

# (source, the version the checker must report (None: nothing to report), source of the entry)
HISTORY: list[tuple[str, Optional[tuple[int, int]], str]] = [
    ("if (n := 10) > 5:\n    pass\n", (3, 8), "PEP 572, What's New 3.8"),
    ("def f(a, /, b):\n    pass\n", (3, 8), "PEP 570, What's New 3.8"),
    ("@buttons[0].connect\ndef f():\n    pass\n", (3, 9), "PEP 614, What's New 3.9"),
    # Documented for 3.10, but the 3.9 PEG parser already accepts it: compiled here on 3.9.
    ("with (open('a') as f, open('b') as g):\n    pass\n", (3, 9), "3.9 PEG parser (bpo-12782)"),
    ("match x:\n    case 1:\n        pass\n", (3, 10), "PEP 634, What's New 3.10"),
    ("try:\n    pass\nexcept* ValueError:\n    pass\n", (3, 11), "PEP 654, What's New 3.11"),
    ("x = a[*b]\n", (3, 11), "PEP 646, What's New 3.11"),
    ("x = a[c, *b]\n", (3, 11), "PEP 646, What's New 3.11"),
    ("def f(*args: *Ts):\n    pass\n", (3, 11), "PEP 646, What's New 3.11"),
    ("type Point = tuple[float, float]\n", (3, 12), "PEP 695, What's New 3.12"),
    ("def f[T](x: T) -> T:\n    return x\n", (3, 12), "PEP 695, What's New 3.12"),
    ("class C[T = int]:\n    pass\n", (3, 13), "PEP 696, What's New 3.13"),
    ("x = t'{a}'\n", (3, 14), "PEP 750, What's New 3.14"),
    # Not new syntax: a parenthesized tuple display with a star is PEP 448 (3.5).
    ("x = a[(c, *b)]\n", None, "PEP 448, What's New 3.5"),
    ("x = a[(c, *b), d]\n", None, "PEP 448, What's New 3.5"),
    ("with (a, b):\n    pass\n", None, "a parenthesized tuple: any 3.x"),
]
OLDEST_CHECKED = (3, 8)  # the oldest grammar the table speaks about


@cache
def interpreter(version: tuple[int, int]) -> Optional[str]:
    name = f"python{version[0]}.{version[1]}"
    if version == HOST:
        return sys.executable
    home = os.path.expanduser("~")
    candidates = [
        *sorted(glob.glob(f"{home}/.pyenv/versions/{version[0]}.{version[1]}.*/bin/{name}")),
        *sorted(glob.glob(f"{home}/.local/share/uv/python/cpython-{version[0]}.{version[1]}.*/bin/{name}")),
        shutil.which(name),
    ]
    for path in candidates:
        # A pyenv shim exists for versions it will not run: ask the interpreter what it is.
        if path and _reports(path) == version:
            return path
    return None


def _reports(python: str) -> Optional[tuple[int, int]]:
    try:
        proc = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
    except OSError:
        return None
    words = proc.stdout.split()
    return (int(words[0]), int(words[1])) if proc.returncode == 0 and len(words) == 2 else None


def compiles(version: tuple[int, int], source: str) -> Optional[bool]:
    python = interpreter(version)
    if python is None:
        return None
    code = "import sys\ncompile(sys.stdin.read(), 'snippet', 'exec')"
    proc = subprocess.run([python, "-c", code], input=source, capture_output=True, text=True, timeout=60)
    return proc.returncode == 0


@pytest.mark.parametrize(("source", "needs", "origin"), HISTORY, ids=[h[0].split("\n")[0] for h in HISTORY])
def test_checker_matches_the_grammar_history(source: str, needs: Optional[tuple[int, int]], origin: str) -> None:
    if compiles(HOST, source):
        tree, parsed = parse_source(source, "m.py", "m", False)
        assert tree is not None
        reported = parsed.needs_python[0] if parsed.needs_python else None
        assert reported == needs, f"checker says {reported}, the grammar's history ({origin}) {needs}"
    oldest = needs or OLDEST_CHECKED
    accepted = compiles(oldest, source)
    before = (oldest[0], oldest[1] - 1)
    rejected = None if needs is None else compiles(before, source)
    if accepted is None and rejected is None:
        pytest.skip(f"no Python {oldest[0]}.{oldest[1]} here; the entry rests on {origin}")
    if accepted is not None:
        assert accepted, f"Python {oldest[0]}.{oldest[1]} rejects {source!r}"
    if rejected is not None:
        assert not rejected, f"Python {before[0]}.{before[1]} already accepts {source!r}"
