"""The imports stage: one pass over a file gives imports with scope and guards, calls, bindings."""

from __future__ import annotations

import ast
import json
import sys
import textwrap
from pathlib import Path
from typing import Optional, Union

import pytest

from importaudit.model import Call, GuardKind, Import, ParsedFile, Scope
from importaudit.source.discover import SourceRef
from importaudit.source.imports import parse_file, parse_source


def extract(
    src: Union[str, bytes],
    path: str = "pkg/mod.py",
    module: Optional[str] = "pkg.mod",
    is_package: bool = False,
    **flags: bool,
) -> ParsedFile:
    data = textwrap.dedent(src) if isinstance(src, str) else src
    _, parsed = parse_source(data, path, module, is_package, **flags)
    return parsed


def only(parsed: ParsedFile, module: str) -> Import:
    found = [imp for imp in parsed.imports if imp.module == module]
    assert len(found) == 1, parsed.imports
    return found[0]


def guards(imp: Import) -> list[tuple[str, Optional[str], bool, int]]:
    return [(g.kind.value, g.condition, g.negated, g.line) for g in imp.guards]


# -- statements and relative resolution ------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "module", "is_package", "src", "expected"),
    [
        ("m.py", "m", False, "import a.b.c", [("a.b.c", "import", (), 0)]),
        ("m.py", "m", False, "import a.b as c", [("a.b", "import", (), 0)]),
        ("m.py", "m", False, "import a, b.c", [("a", "import", (), 0), ("b.c", "import", (), 0)]),
        ("m.py", "m", False, "from a.b import c, d", [("a.b", "from", ("c", "d"), 0)]),
        ("m.py", "m", False, "from a import (c as e,\n  d)", [("a", "from", ("c", "d"), 0)]),
        ("m.py", "m", False, "from a import *", [("a", "from", ("*",), 0)]),
        ("pkg/__init__.py", "pkg", True, "from . import x", [("pkg", "from", ("x",), 1)]),
        ("pkg/mod.py", "pkg.mod", False, "from . import x", [("pkg", "from", ("x",), 1)]),
        ("pkg/mod.py", "pkg.mod", False, "from .x import y", [("pkg.x", "from", ("y",), 1)]),
        ("pkg/__init__.py", "pkg", True, "from .x import y", [("pkg.x", "from", ("y",), 1)]),
        ("a/b/c.py", "a.b.c", False, "from ..x import y", [("a.x", "from", ("y",), 2)]),
        ("a/b/__init__.py", "a.b", True, "from .. import y", [("a", "from", ("y",), 2)]),
        # unresolvable: no module name, past the top, a top-level module
        ("my-scripts/x.py", None, False, "from .x import y", [(".x", "from", ("y",), 1)]),
        ("pkg/mod.py", "pkg.mod", False, "from ...x import y", [("...x", "from", ("y",), 3)]),
        ("app.py", "app", False, "from . import x", [(".", "from", ("x",), 1)]),
    ],
)
def test_import_statements(
    path: str, module: Optional[str], is_package: bool, src: str, expected: list[object]
) -> None:
    parsed = extract(src, path, module, is_package)
    got = [(i.module, i.how.value, i.names, i.level) for i in parsed.imports]
    assert got == expected
    assert all(i.location.file == path for i in parsed.imports)


def test_locations_are_line_and_column() -> None:
    parsed = extract("""
        import os

        def f():
            import json
    """)
    assert [(i.location.line, i.location.col) for i in parsed.imports] == [(2, 0), (5, 4)]


# -- dynamic imports ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ('import importlib\nimportlib.import_module("a.b")', [("a.b", "import_module", 0)]),
        (
            'from importlib import import_module\nx = import_module("a")',
            [("a", "import_module", 0)],
        ),
        ('import importlib as il\nf(il.import_module("a"))', [("a", "import_module", 0)]),
        ('from importlib import import_module as im\nim(name="a")', [("a", "import_module", 0)]),
        ('__import__("a.b")', [("a.b", "__import__", 0)]),
        (
            'MOD = "ujson"\nimport importlib\nimportlib.import_module(MOD)',
            [("ujson", "import_module", 0)],
        ),
        (  # the constant may be assigned after the function that uses it
            'import importlib\ndef f():\n    return importlib.import_module(M)\nM: str = "orjson"',
            [("orjson", "import_module", 0)],
        ),
        (
            'import importlib\nimportlib.import_module(".sub", package=__name__)',
            [("pkg.mod.sub", "import_module", 1)],
        ),
        (
            'import importlib\nimportlib.import_module(".sub", __package__)',
            [("pkg.sub", "import_module", 1)],
        ),
        (
            'import importlib\nimportlib.import_module("..x", package="a.b")',
            [("a.x", "import_module", 2)],
        ),
        ('import importlib\nimportlib.import_module(".sub")', [(".sub", "import_module", 1)]),
        ('__import__("x", globals(), locals(), [], 1)', [("pkg.x", "__import__", 1)]),
        # not a literal module name: nothing recorded
        ("import importlib\nimportlib.import_module(name)", []),
        ('import importlib\nimportlib.import_module("plugins.%s" % name)', []),
        ('import importlib\nimportlib.import_module(f"plugins.{name}")', []),
        ('import importlib\nimportlib.import_module("not a module")', []),
        ('loader.import_module("a")', []),
    ],
)
def test_dynamic_imports(src: str, expected: list[tuple[str, str, int]]) -> None:
    parsed = extract(src)
    got = [(i.module, i.how.value, i.level) for i in parsed.imports if i.how.value != "import"]
    got = [g for g in got if g[1] != "from"]
    assert got == expected


def test_dynamic_import_keeps_scope_and_guards() -> None:
    parsed = extract("""
        import importlib
        def load():
            try:
                return importlib.import_module("ujson")
            except ImportError:
                return None
    """)
    imp = only(parsed, "ujson")
    assert (imp.scope, imp.function) == (Scope.FUNCTION, "load")
    assert guards(imp) == [("except-import", None, False, 4)]


# -- guards ------------------------------------------------------------------------------------

EXCEPT = ("except-import", None, False, 1)
HANDLER = ("handler", None, False, 1)


@pytest.mark.parametrize(
    ("src", "module", "expected"),
    [
        ("try:\n import a\nexcept ImportError:\n import b", "a", [EXCEPT]),
        ("try:\n import a\nexcept ImportError:\n import b", "b", [HANDLER]),
        ("try:\n import a\nexcept ModuleNotFoundError as e:\n pass", "a", [EXCEPT]),
        ("try:\n import a\nexcept (KeyError, ImportError):\n pass", "a", [EXCEPT]),
        ("try:\n import a\nexcept Exception:\n pass", "a", [EXCEPT]),
        ("try:\n import a\nexcept BaseException:\n pass", "a", [EXCEPT]),
        ("try:\n import a\nexcept:\n pass", "a", [EXCEPT]),
        ("try:\n pass\nexcept ImportError:\n pass\nelse:\n import a", "a", [EXCEPT]),
        ("try:\n import a\nexcept ImportError:\n pass\nfinally:\n import f", "f", []),
        ("try:\n import a\nexcept KeyError:\n import b", "a", []),
        ("try:\n import a\nexcept KeyError:\n import b", "b", []),
        ("try:\n import a\nexcept KeyError:\n import b\nexcept ImportError:\n import c", "b", []),
        (
            "try:\n import a\nexcept KeyError:\n import b\nexcept ImportError:\n import c",
            "c",
            [HANDLER],
        ),
        (
            "import contextlib\nwith contextlib.suppress(ImportError):\n import a",
            "a",
            [("suppress", None, False, 2)],
        ),
        (
            "from contextlib import suppress\nwith suppress(KeyError, ModuleNotFoundError):\n import a",
            "a",
            [("suppress", None, False, 2)],
        ),
        ("from contextlib import suppress\nwith suppress(KeyError):\n import a", "a", []),
        ("with open('f') as h:\n import a", "a", []),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n import a",
            "a",
            [("type-checking", None, False, 2)],
        ),
        (
            "import typing\nif typing.TYPE_CHECKING:\n import a",
            "a",
            [("type-checking", None, False, 2)],
        ),
        (
            "import typing as t\nif t.TYPE_CHECKING:\n import a",
            "a",
            [("type-checking", None, False, 2)],
        ),
        (
            "from typing import TYPE_CHECKING as TC\nif TC:\n import a",
            "a",
            [("type-checking", None, False, 2)],
        ),
        (
            "import typing_extensions\nif typing_extensions.TYPE_CHECKING:\n import a",
            "a",
            [("type-checking", None, False, 2)],
        ),
        (
            "TYPE_CHECKING = False\nif TYPE_CHECKING:\n import a",
            "a",
            [("type-checking", None, False, 2)],
        ),
        ("if False:\n import a", "a", [("type-checking", None, False, 1)]),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n import a\nelse:\n import b",
            "b",
            [],
        ),
        (
            "from typing import TYPE_CHECKING\nif not TYPE_CHECKING:\n import a\nelse:\n import b",
            "a",
            [],
        ),
        (
            "from typing import TYPE_CHECKING\nif not TYPE_CHECKING:\n import a\nelse:\n import b",
            "b",
            [("type-checking", None, False, 2)],
        ),
        (
            "import sys\nif sys.version_info >= (3, 11):\n import a\nelse:\n import b",
            "a",
            [("condition", "sys.version_info >= (3, 11)", False, 2)],
        ),
        (
            "import sys\nif sys.version_info >= (3, 11):\n import a\nelse:\n import b",
            "b",
            [("condition", "sys.version_info >= (3, 11)", True, 2)],
        ),
        (
            "from sys import version_info\nif version_info < (3, 8):\n import a",
            "a",
            [("condition", "sys.version_info < (3, 8)", False, 2)],
        ),
        (
            "from sys import version_info as vi\nif vi[:2] < (3, 8):\n import a",
            "a",
            [("condition", "sys.version_info[:2] < (3, 8)", False, 2)],
        ),
        (
            "from sys import platform\nif platform == 'win32':\n import a",
            "a",
            [("condition", "sys.platform == 'win32'", False, 2)],
        ),
        (
            "import sys as _sys\nif _sys.platform.startswith('linux'):\n import a",
            "a",
            [("condition", "sys.platform.startswith('linux')", False, 2)],
        ),
        (
            "import os\nif os.name == 'nt':\n import a",
            "a",
            [("condition", "os.name == 'nt'", False, 2)],
        ),
        (
            "import platform\nif platform.system() == 'Windows':\n import a",
            "a",
            [("condition", "platform.system() == 'Windows'", False, 2)],
        ),
        (
            "import sys\nif sys.platform == 'win32':\n import a\nelif sys.platform == 'darwin':\n import b",
            "b",
            [
                ("condition", "sys.platform == 'win32'", True, 2),
                ("condition", "sys.platform == 'darwin'", False, 4),
            ],
        ),
        # configuration decides the branch: a condition importaudit may not know (issue 12)
        ("if settings.DEBUG:\n import a", "a", [("condition", "settings.DEBUG", False, 1)]),
        ("if platform == 'x':\n import a", "a", []),  # a local name, not sys.platform
        (
            "if __name__ == '__main__':\n import a",
            "a",
            [("condition", "__name__ == '__main__'", False, 1)],
        ),
        (
            'if "__main__" == __name__:\n import a',
            "a",
            [("condition", "__name__ == '__main__'", False, 1)],
        ),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n try:\n  import a\n except ImportError:\n  pass",
            "a",
            [("type-checking", None, False, 2), ("except-import", None, False, 3)],
        ),
    ],
)
def test_guards(src: str, module: str, expected: list[object]) -> None:
    assert guards(only(extract(src), module)) == expected


def test_fallback_pair_shares_the_try_line() -> None:
    parsed = extract("""
        import sys
        try:
            import tomllib
        except ImportError:
            import tomli as tomllib
    """)
    first, second = only(parsed, "tomllib"), only(parsed, "tomli")
    assert first.guards[0].kind is GuardKind.EXCEPT_IMPORT
    assert second.guards[0].kind is GuardKind.HANDLER
    assert first.guards[0].line == second.guards[0].line == 3


# -- scopes, functions, calls, bindings -----------------------------------------------------------


def test_scopes_and_functions() -> None:
    parsed = extract("""
        import top
        class C:
            import in_class
            def m(self):
                import in_method
            class Inner:
                import in_inner_class
        def outer():
            import in_outer
            def inner():
                import in_inner
            class Local:
                import in_local_class
            return lambda: __import__("in_lambda")
        async def handler():
            import in_async
    """)
    got = {i.module: (i.scope, i.function) for i in parsed.imports}
    assert got == {
        "top": (Scope.MODULE, None),
        "in_class": (Scope.CLASS, None),
        "in_method": (Scope.FUNCTION, "C.m"),
        "in_inner_class": (Scope.CLASS, None),
        "in_outer": (Scope.FUNCTION, "outer"),
        "in_inner": (Scope.FUNCTION, "outer.inner"),
        "in_local_class": (Scope.FUNCTION, "outer"),
        "in_lambda": (Scope.FUNCTION, "outer.<lambda>"),
        "in_async": (Scope.FUNCTION, "handler"),
    }
    assert parsed.functions == ("C.m", "outer", "outer.inner", "handler")


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("app = create_app()", [Call("create_app", None, 1)]),
        ("def f():\n    build()\n    build()", [Call("build", "f", 2)]),
        ("def f():\n    x.y.z(1)", [Call("x.y.z", "f", 2)]),
        ("x()()", [Call("x", None, 1)]),
        ("a[0]()", []),
        ("@app.route('/')\ndef index():\n    pass", [Call("app.route", None, 1)]),
        (
            "class C:\n    @login_required\n    def m(self):\n        pass",
            [Call("login_required", None, 2)],
        ),
        ("def f(x=default()):\n    pass", [Call("default", None, 1)]),
        (
            "class C(Base.make()):\n    x = setup()",
            [Call("Base.make", None, 1), Call("setup", None, 2)],
        ),
        ("def f():\n    g()\ndef h():\n    g()", [Call("g", "f", 2), Call("g", "h", 4)]),
    ],
)
def test_calls(src: str, expected: list[Call]) -> None:
    assert list(extract(src).calls) == expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("from x import name as alias", [("alias", "x.name")]),
        ("from x import a, b", [("a", "x.a"), ("b", "x.b")]),
        ("import a.b as c", [("c", "a.b")]),
        ("import a.b", [("a", "a")]),
        ("from . import sib", [("sib", "pkg.sib")]),
        ("from .x import y", [("y", "pkg.x.y")]),
        ("from x import *", []),
        ("def f():\n    from x import y", []),  # module level only
        ("class C:\n    import x", []),
        (
            "try:\n    import json as j\nexcept ImportError:\n    import simplejson as j",
            [("j", "json"), ("j", "simplejson")],
        ),
    ],
)
def test_bindings(src: str, expected: list[tuple[str, str]]) -> None:
    assert list(extract(src).bindings) == expected


# -- inline ignores ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        ("import a", None),
        ("import a  # importaudit: ignore", frozenset()),
        ("import a  # importaudit: ignore[missing]", frozenset({"missing"})),
        ("import a  # importaudit:ignore[missing, unused ]", frozenset({"missing", "unused"})),
        ("import a  # noqa  # importaudit: ignore[dev-only]", frozenset({"dev-only"})),
        ("import a  # importaudit: ignored-not", None),
        ("from a import (  # importaudit: ignore[missing]\n    b,\n)", frozenset({"missing"})),
        (
            "from a import (\n    b,  # importaudit: ignore[unused]\n    c,\n)",
            frozenset({"unused"}),
        ),
        (
            "from a import (\n    b,  # importaudit: ignore[unused]\n    c,  # importaudit: ignore\n)",
            frozenset(),
        ),
        (
            "import importlib\nm = importlib.import_module(\n    'a',  # importaudit: ignore\n)",
            frozenset(),
        ),
        ("import b  # importaudit: ignore\nimport a", None),
    ],
)
def test_inline_ignores(src: str, expected: Optional[frozenset[str]]) -> None:
    assert only(extract(src), "a").ignore == expected


# -- grammar features ----------------------------------------------------------------------------

HOST = sys.version_info[:2]


@pytest.mark.parametrize(
    ("src", "expected", "host_needs"),
    [
        ("import os\nx = 1", None, (3, 9)),
        ("if (n := 10) > 5:\n    pass", ((3, 8), "assignment expression", 1), (3, 9)),
        ("def f(a, /, b):\n    pass", ((3, 8), "positional-only parameters", 1), (3, 9)),
        ("@buttons[0].connect\ndef f():\n    pass", ((3, 9), "decorator expression", 1), (3, 9)),
        ("@a.b(1)\ndef f():\n    pass", None, (3, 9)),
        (
            "with (open('a') as f, open('b') as g):\n    pass",
            ((3, 9), "parenthesized context managers", 1),
            (3, 9),
        ),
        (
            "if x:\n    with (\n        open('a') as f,\n        open('b'),\n    ):\n        pass",
            ((3, 9), "parenthesized context managers", 2),
            (3, 9),
        ),
        ("with (a, b):\n    pass", None, (3, 9)),
        ("with (a) as b, (c):\n    pass", None, (3, 9)),
        ("with (a), b:\n    pass", None, (3, 9)),
        (
            "x = (y := 1)\nmatch x:\n    case 1:\n        pass",
            ((3, 10), "match statement", 2),
            (3, 10),
        ),
        ("try:\n    pass\nexcept* ValueError:\n    pass", ((3, 11), "except* clause", 1), (3, 11)),
        ("x = a[*b]", ((3, 11), "starred expression in subscript", 1), (3, 11)),
        ("type Point = tuple[float, float]", ((3, 12), "type statement", 1), (3, 12)),
        ("def f[T](x: T) -> T:\n    return x", ((3, 12), "type parameter list", 1), (3, 12)),
        ("class C[T]:\n    pass", ((3, 12), "type parameter list", 1), (3, 12)),
    ],
)
def test_needs_python(src: str, expected: object, host_needs: tuple[int, int]) -> None:
    if host_needs > HOST:
        pytest.skip(f"the host Python {HOST} cannot parse this")
    parsed = extract(src)
    assert parsed.syntax_error is None
    assert parsed.needs_python == expected


# -- reading bytes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "imports", "error_line", "message_part"),
    [
        (b"import os\nx = 1\x00\n", [], 2, "null bytes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", [], 3, ""),
        (b"import os\ns = '\xe9t\xe9'\n", [], 2, "utf-8"),
        (b"# -*- coding: latin-1 -*-\nimport os\ns = '\xe9t\xe9'\n", ["os"], None, ""),
        (b"\xef\xbb\xbfimport os\n", ["os"], None, ""),
        (b"# coding: no-such-codec\nimport os\n", [], 1, "no-such-codec"),
        (b"import os\r\nif x:\r\n    import json\r\n", ["os", "json"], None, ""),
        (b"import os\n\ndef f(:\n    pass\n", [], 3, ""),
        (b"x = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n", [], 1, ""),
        (b"x = " + b"+".join([b"a"] * 100_000) + b"\n", [], 1, ""),
    ],
)
def test_reading_never_raises(
    data: bytes, imports: list[str], error_line: Optional[int], message_part: str
) -> None:
    parsed = extract(data)
    assert [i.module for i in parsed.imports] == imports
    if error_line is None:
        assert parsed.syntax_error is None
    else:
        assert parsed.syntax_error is not None
        assert parsed.syntax_error.location == parsed.syntax_error.location.__class__("pkg/mod.py", error_line)
        assert message_part in parsed.syntax_error.message
        assert parsed.syntax_error.message


def test_crlf_lines_and_multiline_ignore() -> None:
    data = b"import os\r\nfrom a import (\r\n    b,  # importaudit: ignore\r\n)\r\nimport c\r\n"
    parsed = extract(data)
    assert [(i.module, i.location.line, i.ignore) for i in parsed.imports] == [
        ("os", 1, None),
        ("a", 2, frozenset()),
        ("c", 5, None),
    ]


def test_tree_is_returned_for_reuse() -> None:
    tree, _ = parse_source("X = 1\n", "settings.py", "settings", False)
    assert isinstance(tree, ast.Module)
    assert isinstance(tree.body[0], ast.Assign)
    assert parse_source(b"def (:\n", "bad.py", "bad", False)[0] is None


# -- notebooks -----------------------------------------------------------------------------------


def notebook(*cells: tuple[str, str], metadata: Optional[dict[str, object]] = None) -> bytes:
    doc: dict[str, object] = {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
            for kind, source in cells
        ],
        "metadata": metadata if metadata is not None else {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(doc).encode()


def nb_imports(data: bytes) -> list[tuple[str, int]]:
    parsed = extract(data, "analysis.ipynb", None, is_notebook=True)
    assert parsed.is_notebook
    return [(i.module, i.location.line) for i in parsed.imports]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([("code", "import pandas as pd\nimport numpy")], [("pandas", 1), ("numpy", 2)]),
        (
            [
                ("code", "%matplotlib inline\n!pip install x\nimport pandas"),
                ("code", "df?\nimport sklearn"),
            ],
            [("pandas", 3), ("sklearn", 5)],
        ),
        ([("markdown", "import nothing\n# title"), ("code", "import a")], [("a", 1)]),
        ([("code", "%%bash\nimport not_python\necho hi"), ("code", "import a")], [("a", 4)]),
        ([("code", "files = !ls\nx = %time f()\nimport a")], [("a", 3)]),
        ([("code", "if x:\n    !pip install y\nimport a")], [("a", 3)]),
        ([("code", "!pip install \\\n    flask\nimport a")], [("a", 3)]),
        ([("code", "import a  # why?")], [("a", 1)]),
        # one cell that does not parse does not hide the others
        ([("code", "import a"), ("code", "def (:"), ("code", "import b")], [("a", 1), ("b", 3)]),
    ],
)
def test_notebook_cells(cells: list[tuple[str, str]], expected: list[tuple[str, int]]) -> None:
    assert nb_imports(notebook(*cells)) == expected


def test_notebook_without_language_info_is_read() -> None:
    data = notebook(("code", "import requests"), metadata={"kernelspec": {"name": "python3"}})
    assert nb_imports(data) == [("requests", 1)]


def test_notebook_in_another_language_is_skipped() -> None:
    data = notebook(("code", "library(ggplot2)"), metadata={"language_info": {"name": "R"}})
    parsed = extract(data, "r.ipynb", None, is_notebook=True)
    assert parsed.imports == () and parsed.syntax_error is None


def test_notebook_nbformat3_worksheets() -> None:
    doc = {"worksheets": [{"cells": [{"cell_type": "code", "input": ["import flask\n"]}]}]}
    assert nb_imports(json.dumps(doc).encode()) == [("flask", 1)]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b'{"cells": [\n  {"cell_type": "code",\n  oops}\n]}', 3),
        (b"[1, 2]", 1),
        (b'{"cells": 3}', 1),
        (b"\xff\xfe\x00garbage", 1),
    ],
)
def test_bad_notebook_is_a_syntax_error(data: bytes, line: int) -> None:
    parsed = extract(data, "bad.ipynb", None, is_notebook=True)
    assert parsed.syntax_error is not None
    assert parsed.syntax_error.location.line == line
    assert parsed.imports == ()


def test_notebook_cell_syntax_error_line_is_in_the_joined_cells() -> None:
    parsed = extract(notebook(("code", "import a\nimport b"), ("code", "x = (")), "n.ipynb", None,
                     is_notebook=True)  # fmt: skip
    assert parsed.syntax_error is not None
    assert parsed.syntax_error.location.line == 3


# -- parse_file --------------------------------------------------------------------------------


def test_parse_file_reads_once_and_carries_the_ref(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_bytes(b"import pytest\n")
    ref = SourceRef("tests/test_x.py", "tests.test_x", False, True, False)
    tree, parsed = parse_file(tmp_path, ref)
    assert tree is not None
    assert (parsed.path, parsed.module, parsed.is_test) == ("tests/test_x.py", "tests.test_x", True)
    assert [i.module for i in parsed.imports] == ["pytest"]


def test_parse_file_unreadable_is_a_syntax_error(tmp_path: Path) -> None:
    ref = SourceRef("gone.py", "gone", False, False, False)
    tree, parsed = parse_file(tmp_path, ref)
    assert tree is None
    assert parsed.syntax_error is not None
    assert "cannot read" in parsed.syntax_error.message
