"""Issue 12: names that say an import worked (`ujson = None`, `HAS_X`, find_spec) and version flags."""

from __future__ import annotations

import textwrap
from typing import Optional

import pytest

from importaudit.model import Guard, GuardKind, Import, ParsedFile
from importaudit.source.flags import branch_runs, handler_needed, resolve_imported_flags
from importaudit.source.imports import parse_source


def extract(src: str, path: str = "pkg/mod.py", module: str = "pkg.mod") -> ParsedFile:
    _, parsed = parse_source(textwrap.dedent(src), path, module, path.endswith("__init__.py"))
    return parsed


def at(parsed: ParsedFile, line: int) -> Import:
    found = [imp for imp in parsed.imports if imp.location.line == line]
    assert len(found) == 1, parsed.imports
    return found[0]


def shown(imp: Import) -> list[tuple[str, Optional[str], bool]]:
    return [(g.kind.value, g.condition, g.negated) for g in imp.guards]


SENTINEL = """\
try:
    import ujson
except ImportError:
    ujson = None
"""
FLAG = """\
try:
    import markdown
    import pygments
    HAS_MD = True
except ImportError:
    HAS_MD = False
"""


@pytest.mark.parametrize(
    ("src", "line", "expected"),
    [
        (SENTINEL + "if ujson is not None:\n    from ujson import dumps\n",
         6, [("available", "ujson", False)]),
        (SENTINEL + "if ujson:\n    import a\n", 6, [("available", "ujson", False)]),
        (SENTINEL + "if ujson is None:\n    import a\n", 6, [("available", "ujson", True)]),
        (SENTINEL + "if not ujson:\n    pass\nelse:\n    import a\n",
         8, [("available", "ujson", False)]),
        (FLAG + "if HAS_MD:\n    import a\n", 8, [("available", "markdown,pygments", False)]),
        (FLAG + "if not HAS_MD:\n    import a\n", 8, [("available", "markdown,pygments", True)]),
        # `and`: the body knows both; an `or` tells the body nothing definite
        (SENTINEL + FLAG + "if ujson is not None and HAS_MD:\n    import a\n",
         12, [("available", "ujson", False), ("available", "markdown,pygments", False)]),
        (SENTINEL + FLAG + "if ujson or HAS_MD:\n    import a\n", 12, []),
        # the `True` in the else clause
        ("try:\n    import x\nexcept ImportError:\n    HAS = False\nelse:\n    HAS = True\n"
         "if HAS:\n    import y\n",
         8, [("available", "x", False)]),
        # find_spec flags and direct probes
        ("import importlib.util\nHAVE = importlib.util.find_spec('orjson') is not None\n"
         "if HAVE:\n    import orjson\n",
         4, [("available", "orjson", False)]),
        ("from importlib.util import find_spec\nif find_spec('orjson'):\n    import orjson\n",
         3, [("available", "orjson", False)]),
        # version flags, local
        ("import sys\nPY311 = sys.version_info >= (3, 11)\nif PY311:\n    import tomllib\n"
         "else:\n    import tomli\n",
         6, [("condition", "sys.version_info >= (3, 11)", True)]),
        # early return/raise: the rest of the block knows the flag
        (SENTINEL + "def f():\n    if ujson is None:\n        return\n    import ujson.x\n",
         8, [("available", "ujson", False)]),
        ("import sys\nif sys.version_info < (3, 8):\n    raise RuntimeError\nimport a\n",
         4, [("condition", "sys.version_info < (3, 8)", True)]),
        # cython.compiled: true only in a compiled module, which has cython
        ("try:\n    import cython\nexcept ImportError:\n    from . import shim as cython\n"
         "if cython.compiled:\n    from cython.cimports.libc import math\n", 6, [("available", "cython", False)]),
        # requests' compat.py: the False is set before the try, the handler imports a fallback
        ("has_sj = False\ntry:\n    import simplejson as json\n    has_sj = True\nexcept ImportError:\n"
         "    import json\nif has_sj:\n    from simplejson import JSONDecodeError\n",
         8, [("available", "simplejson", False)]),
        # a flag used as a comprehension's target is not rewritten (once a crash)
        ("import sys\nPY3 = sys.version_info >= (3,)\nif any(PY3 for PY3 in ()):\n    import a\n", 4,
         [("condition", "any((sys.version_info >= (3,) for PY3 in ()))", False)]),
        # a handler that binds something else is no flag: `a` is then just an imported name
        ("try:\n    import a\nexcept ImportError:\n    a = object()\nif a:\n    import b\n",
         6, [("condition", "a", False)]),
    ],
)
def test_flag_guards(src: str, line: int, expected: list[object]) -> None:
    assert shown(at(extract(src), line)) == expected


def test_configuration_tests_are_conditions() -> None:
    parsed = extract(
        "import os\nfrom django.conf import settings\n"
        "if 'debug_toolbar' in settings.INSTALLED_APPS:\n    import debug_toolbar\n"
        "if os.environ.get('SENTRY_DSN'):\n    import sentry_sdk\n"
        "DEBUG = os.getenv('DEBUG') == '1'\nif DEBUG:\n    import werkzeug_debug\n"
        "if config['x']:\n    import c\n"
        "if counter:\n    import local_only\n"
        "import sys\ntesting = 'test' in sys.argv\nif testing:\n    import coverage\n"
    )
    assert shown(at(parsed, 4)) == [("condition", "'debug_toolbar' in django.conf.settings.INSTALLED_APPS", False)]
    assert shown(at(parsed, 6)) == [("condition", "os.environ.get('SENTRY_DSN')", False)]
    assert shown(at(parsed, 9)) == [("condition", "os.getenv('DEBUG') == '1'", False)]
    assert shown(at(parsed, 11)) == [("condition", "config['x']", False)]
    assert shown(at(parsed, 13)) == []  # a local name: nothing to know
    # tock's manage.py: a flag read from the command line is a condition, not a certainty
    assert shown(at(parsed, 17)) == [("condition", "'test' in sys.argv", False)]


def test_flags_imported_from_a_project_module() -> None:
    compat = extract(
        "import sys\nPY311 = sys.version_info >= (3, 11)\n" + SENTINEL, "pkg/compat.py", "pkg.compat"
    )
    assert dict(compat.flags) == {"PY311": "sys.version_info >= (3, 11)", "ujson": "available:ujson"}
    user = extract(
        "from .compat import PY311, ujson\nif PY311:\n    import tomllib\nelse:\n    import tomli\n"
        "if ujson is not None:\n    import ujson.x\n",
        "pkg/app.py", "pkg.app",
    )
    # a re-export (`from .compat import PY311` in pkg/__init__.py) is followed too
    init = extract("from .compat import PY311\n", "pkg/__init__.py", "pkg")
    other = extract("from pkg import PY311\nif not PY311:\n    import tomli\n", "other.py", "other")
    resolved = resolve_imported_flags({"a": compat, "b": user, "c": init, "d": other})
    assert shown(at(resolved["b"], 5)) == [("condition", "sys.version_info >= (3, 11)", True)]
    assert shown(at(resolved["b"], 7)) == [("available", "ujson", False)]
    assert shown(at(resolved["d"], 3)) == [("condition", "not sys.version_info >= (3, 11)", False)]


def test_branch_runs_and_fallback_chains() -> None:
    present = {"ujson"}.__contains__
    yes = Import("x", at(extract("import x"), 1).location, guards=(Guard(GuardKind.AVAILABLE, "ujson"),))
    no = Import("x", yes.location, guards=(Guard(GuardKind.AVAILABLE, "ujson", negated=True),))
    assert branch_runs(yes, present) and not branch_runs(no, present)
    assert not branch_runs(yes, lambda _m: False)
    # four deep: the innermost fallback runs only when every try around it failed
    chain = extract(
        "try:\n    import a\nexcept ImportError:\n    try:\n        import b\n    except ImportError:\n"
        "        try:\n            import c\n        except ImportError:\n            import d\n"
    )
    inner = at(chain, 10)
    assert handler_needed(inner, {1: True, 4: True, 7: True})
    assert not handler_needed(inner, {1: False, 4: True, 7: True})  # `a` is there: d never imports
