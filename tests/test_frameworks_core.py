"""The shared machinery: static evaluation, statement placement, import loops, robustness."""

from __future__ import annotations

import ast
import textwrap
from typing import Optional

import pytest
from frameworks_support import parsed_context

from importaudit.frameworks import FrameworkResult, framework_imports
from importaudit.frameworks.evaluate import Evaluator
from importaudit.frameworks.values import CallValue, Const, Dict, EnvRead, Seq, Text, Value
from importaudit.frameworks.walk import placed_statements
from importaudit.model import GuardKind, How, Scope


def namespace(source: str) -> dict[str, Value]:
    evaluator = Evaluator("f.py")
    evaluator.run(ast.parse(textwrap.dedent(source)).body)
    return evaluator.namespace


def plain(value: Optional[Value]) -> object:
    """A value as plain Python data, to compare against literals."""
    if isinstance(value, Text):
        return value.value
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Seq):
        return [plain(item) for item in value.items]
    if isinstance(value, Dict):
        return {key: plain(item) for key, item in value.entries}
    if isinstance(value, EnvRead):
        return ("env", value.var, plain(value.default))
    if isinstance(value, CallValue):
        return ("call", value.callee)
    return None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('X = "a"', "a"),
        ("X = [1, True, None]", [1, True, None]),
        ('D = {"a": 1}\nD["b"] = 2\nX = D', {"a": 1, "b": 2}),
        ('D = {"a": {"b": 1}}\nD["a"]["c"] = 2\nX = D', {"a": {"b": 1, "c": 2}}),
        ('D = {"a": 1}\nD.update({"b": 2})\nX = D', {"a": 1, "b": 2}),
        ('D = {"a": 1}\nD.update(b=2)\nX = D', {"a": 1, "b": 2}),
        ('D = {"a": 1}\nD.update(load())\nX = D', {"a": 1, "**": ("call", "load")}),
        ('D = {"a": 1}\nD.setdefault("a", 5)\nD.setdefault("b", 6)\nX = D', {"a": 1, "b": 6}),
        ('A = {"a": 1}\nX = {**A, "b": 2}', {"a": 1, "b": 2}),
        ('A = {"a": 1}\nX = A | {"a": 3}', {"a": 3}),
        ("X = dict(a=1)", {"a": 1}),
        ('X = list(("a", "b"))', ["a", "b"]),
        ('L = ["a", "b"]\nX = L[1]', "b"),
        ('X = f"pg://{HOST}/db"', "pg://{?}/db"),
        ('H = "h"\nX = f"pg://{H}/db"', "pg://h/db"),
        ('X = "pg://%s/db" % host', "pg://%s/db"),
        ('X = "pg://{}/db".format(host)', "pg://{}/db"),
        ('X = os.environ.get("A")', ("env", "A", None)),
        ('X = os.getenv("A", "d")', ("env", "A", "d")),
        ('X = os.environ["A"]', ("env", "A", None)),
        ('X = os.environ.get("A") or "d"', ("env", "A", "d")),
        ('X = config("A", default="d")', ("env", "A", "d")),
        ('X = env.str("A", default="d")', ("env", "A", "d")),
        ('X = "a"\nX = compute()', ("call", "compute")),
        ("X = lambda: 1", None),
        ('X = ["a"]\nif FLAG:\n    X = ["b"]', ["b", "a"]),
        ('if FLAG:\n    X = {"k": ["a"]}\nelse:\n    X = {"k": ["b"]}', {"k": ["a", "b"]}),
    ],
)
def test_evaluator(source: str, expected: object) -> None:
    assert plain(namespace(source).get("X")) == expected


def test_text_keeps_the_guards_of_its_branch() -> None:
    values = namespace(
        "try:\n    X = 'a'\nexcept ImportError:\n    pass\nif not FLAG:\n    Y = 'b'\n"
    )
    x, y = values["X"], values["Y"]
    assert isinstance(x, Text) and isinstance(y, Text)
    assert [g.kind for g in x.guards] == [GuardKind.EXCEPT_IMPORT]
    assert [(g.kind, g.condition) for g in y.guards] == [(GuardKind.CONDITION, "not FLAG")]


def test_placed_statements() -> None:
    tree = ast.parse(
        textwrap.dedent(
            """
            from typing import TYPE_CHECKING
            import contextlib
            if TYPE_CHECKING:
                a = 1
            with contextlib.suppress(ImportError):
                b = 1
            class C:
                c = 1
                def m(self):
                    d = 1
            def f():
                try:
                    e = 1
                except ImportError:
                    g = 1
            """
        )
    )
    placed = {
        p.node.targets[0].id: p  # type: ignore[attr-defined]
        for p in placed_statements(tree)
        if isinstance(p.node, ast.Assign)
    }
    summary = {
        name: (p.scope, p.function, tuple(g.kind for g in p.guards)) for name, p in placed.items()
    }
    assert summary == {
        "a": (Scope.MODULE, None, (GuardKind.TYPE_CHECKING,)),
        "b": (Scope.MODULE, None, (GuardKind.SUPPRESS,)),
        "c": (Scope.CLASS, None, ()),
        "d": (Scope.FUNCTION, "C.m", ()),
        "e": (Scope.FUNCTION, "f", (GuardKind.EXCEPT_IMPORT,)),
        "g": (Scope.FUNCTION, "f", (GuardKind.HANDLER,)),
    }


def analyse(files: dict[str, str]) -> FrameworkResult:
    modules = {path[:-3].replace("/", "."): path for path in files}
    return framework_imports(parsed_context(files, modules))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'import importlib\nfor name in ["a.x", "b"]:\n    importlib.import_module(name)',
            {("a.x", How.IMPORT_MODULE, "boot", 2), ("b", How.IMPORT_MODULE, "boot", 2)},
        ),
        (
            'PLUGINS = ("p1", "p2")\nfor p in PLUGINS:\n    import_module(f"plugins.{p}")',
            {
                ("plugins.p1", How.IMPORT_MODULE, "boot", 1),
                ("plugins.p2", How.IMPORT_MODULE, "boot", 1),
            },
        ),
        (
            'for p in ["a"]:\n    mod = __import__("pkg." + p)',
            {("pkg.a", How.DUNDER_IMPORT, "boot", 1)},
        ),
        (
            'def load():\n    for p in ["a"]:\n        importlib.import_module(p)',
            {("a", How.IMPORT_MODULE, "request", 2)},
        ),
        ("for p in discover():\n    importlib.import_module(p)", set()),
        ('for p in ["a"]:\n    importlib.import_module(p, package="pkg")', set()),
        ('for p in [".a"]:\n    importlib.import_module(p)', set()),
        ('for p in ["a"]:\n    importlib.import_module(other)', set()),
        ('for p, q in [("a", "b")]:\n    importlib.import_module(p)', set()),
    ],
)
def test_import_loops(source: str, expected: set[tuple[str, How, str, int]]) -> None:
    result = analyse({"app/plugins.py": source + "\n"})
    got = {(i.module, i.how, i.phase, i.location.line) for i in result.imports}
    assert got == expected


def test_loop_import_in_function_records_the_function() -> None:
    source = 'def load():\n    for p in ["a"]:\n        importlib.import_module(p)\n'
    (item,) = analyse({"m.py": source}).imports
    assert (item.scope, item.function, item.via) == (
        Scope.FUNCTION,
        "load",
        "importlib.import_module loop",
    )


ODD = [
    "x = 1",
    "D = {}\nD[1] = 2\nD['a'][0] = 3\n(a, b) = 1, 2\n",
    "L = []\nL.insert('x', 'y')\nL.remove(1)\nL.extend(gen())\nL.append()\n",
    "X = [*unknown, 'a']\nY = {**unknown}\nZ = -1\nW = b'bytes'\n",
    "create_engine()\ncreate_engine(*args)\nengine_from_config()\nCelery(**kw)\n",
    "app.config['SQLALCHEMY_DATABASE_URI']: str = None\napp.conf.broker_url = None\n",
    "for x in 'abc':\n    importlib.import_module(x)\n",
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE')\n",
    "async def f():\n    async with x:\n        create_engine('mysql://h')\n",
    "if a:\n    pass\nelif b:\n    X = 1\nelse:\n    X = 2\nwhile True:\n    break\n",
]


def test_odd_code_never_stops_a_reader() -> None:
    files = {f"m{i}.py": source for i, source in enumerate(ODD)}
    result = analyse(files)
    assert not [note for note in result.notes if "stopped early" in note]


def test_output_is_sorted_and_independent_of_input_order() -> None:
    files = {
        "b.py": 'create_engine("mysql://h")\nCelery("x", broker="redis://h")\n',
        "a.py": 'for n in ["z", "y"]:\n    importlib.import_module(n)\n',
    }
    forward = analyse(files)
    backward = analyse(dict(reversed(list(files.items()))))
    assert forward == backward
    keys = [(i.location.file, i.location.line, i.location.col, i.module) for i in forward.imports]
    assert keys == sorted(keys)
    assert [i.module for i in forward.imports] == ["z", "y", "MySQLdb", "redis"]  # by column
