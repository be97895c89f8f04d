"""Which files the readers look at (from the one parse's facts), and what one run computes once."""

from __future__ import annotations

import ast
import sys
import textwrap
from collections.abc import Iterator, Mapping
from typing import Any, Optional

import pytest
from frameworks_support import package_modules

from importaudit.frameworks import FrameworkContext, FrameworkResult, framework_imports
from importaudit.frameworks.candidates import Candidates, is_config_path, select_candidates
from importaudit.frameworks.walk import FileScan, placed_statements
from importaudit.model import ParsedFile
from importaudit.source.imports import parse_source

READERS = ("engines", "brokers", "logging", "loops", "servers", "settings_classes")
CONFIG = {"engines", "brokers", "logging"}


def facts(path: str, source: str, is_test: bool = False) -> ParsedFile:
    module = path[: -len(".py")].replace("/", ".")
    return parse_source(textwrap.dedent(source), path, module, path.endswith("__init__.py"), is_test=is_test)[1]


def readers_of(chosen: Candidates, path: str) -> set[str]:
    return {name for name in READERS if path in getattr(chosen, name)}


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("app/db.py", "from sqlalchemy import create_engine\ne = create_engine(URL)\n", {"engines"}),
        ("app/db.py", "import sqlalchemy as sa\ne = sa.create_async_engine(URL)\n", {"engines"}),
        ("app/db.py", "def f(c):\n    return engine_from_config(c)\n", {"engines"}),
        ("app/models.py", "from sqlalchemy import Column\nclass A:\n    x = Column()\n", set()),
        ("app/__init__.py", "app = Flask(__name__)\napp.config['X'] = 1\n", {"engines"}),
        ("app/__init__.py", "app.config.update(SQLALCHEMY_DATABASE_URI=u)\n", {"engines"}),
        ("proj/tasks.py", "app = Celery('p')\n", {"brokers"}),
        ("proj/tasks.py", "app.conf.update(broker_url=u)\n", {"brokers"}),
        ("proj/celery.py", "CELERY_IMPORTS = ('proj.tasks',)\n", {"brokers"}),
        ("proj/tasks.py", "from celery import shared_task\n", set()),
        ("app/log.py", "import logging.config\nlogging.config.dictConfig(C)\n", {"logging"}),
        ("app/log.py", "import logging\nlog = logging.getLogger(__name__)\n", set()),
        ("app/plugins.py", "for n in X:\n    importlib.import_module(n)\n", {"loops"}),
        ("app/plugins.py", "for n in X:\n    __import__(n)\n", {"loops"}),
        ("mysite/wsgi.py", "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 's')\n", {"servers"}),
        ("mysite/srv.py", "application = get_asgi_application()\n", {"servers"}),
        ("manage.py", "os.environ['DJANGO_SETTINGS_MODULE'] = 's'\n", {"servers"}),
        ("app/config.py", "X = 1\n", CONFIG),
        ("mysite/settings/prod.py", "X = 1\n", CONFIG),
        ("gunicorn.conf.py", "logconfig_dict = {}\n", CONFIG),
        ("app/env.py", "import os\nDB = os.environ.get('DB')\n", CONFIG),
        ("app/env.py", "import os\nDB = os.getenv('DB', 'x')\n", CONFIG),
        ("app/env.py", "import decouple\n", CONFIG),
        ("app/util.py", "import os\ndef f():\n    return os.environ.get('X')\n", set()),
        ("app/migrations/0001_initial.py", "import os\nX = os.environ.get('A')\n", set()),
        ("app/migrations/0002_config.py", "X = 1\n", set()),
        ("app/shop_settings_update.py", "X = 1\n", set()),
        ("app/conftest.py", "X = 1\n", set()),
        (
            "app/core/config.py",
            "from pydantic_settings import BaseSettings\nclass S(BaseSettings):\n    u: str = 'x'\n",
            CONFIG | {"settings_classes"},
        ),
        ("app/s.py", "from pydantic import BaseSettings\n", {"settings_classes"}),
        ("app/s.py", "import pydantic\nclass S(pydantic.BaseSettings):\n    u: str = 'x'\n", {"settings_classes"}),
        ("app/schemas.py", "from pydantic import BaseModel\nclass A(BaseModel):\n    x: int\n", set()),
        ("app/broken.py", "create_engine(\n", set()),
    ],
)
def test_files_each_reader_reads(path: str, source: str, expected: set[str]) -> None:
    chosen = select_candidates({path: facts(path, source)})
    assert readers_of(chosen, path) == expected


def test_test_files_are_not_configuration_by_name() -> None:
    path = "tests/settings.py"
    assert readers_of(select_candidates({path: facts(path, "X = 1\n", is_test=True)}), path) == set()
    assert readers_of(select_candidates({path: facts(path, "X = 1\n")}), path) == CONFIG


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import pymysql\npymysql.install_as_MySQLdb()\n", True),
        ("if x:\n    pymysql.install_as_MySQLdb()\n", True),
        ("def setup():\n    pymysql.install_as_MySQLdb()\n", False),
        ("x = 1\n", False),
    ],
)
def test_files_installing_pymysql(source: str, expected: bool) -> None:
    chosen = select_candidates({"mysite/__init__.py": facts("mysite/__init__.py", source)})
    assert chosen.pymysql is not None
    assert ("mysite/__init__.py" in chosen.pymysql) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("mysite/settings.py", True),
        ("mysite/settings/base.py", True),
        ("mysite/settings_prod.py", True),
        ("mysite/local_settings.py", True),
        ("gunicorn.conf.py", True),
        ("gunicorn_config.py", True),
        ("celeryconfig.py", True),
        ("app/core/config.py", True),
        ("config/prod.py", True),
        ("netbox/configuration_example.py", True),
        ("shop/shop_settings_update.py", False),
        ("tax/tax_configuration_update.py", False),
        ("app/confirm.py", False),
        ("app/conftest.py", False),
        ("app/db.py", False),
    ],
)
def test_configuration_module_names(path: str, expected: bool) -> None:
    assert is_config_path(path) is expected


# -- the pipeline's lazy trees: looked up per file, never iterated ----------------------------


class LookupOnly(Mapping[str, ast.Module]):
    """Trees parsed on first access (like the pipeline's); iterating them fails the test."""

    def __init__(self, sources: dict[str, str], iterable: bool = False) -> None:
        self.sources = sources
        self.iterable = iterable  # hand-built contexts (no parse facts) may iterate
        self.looked_up: list[str] = []

    def __getitem__(self, path: str) -> ast.Module:
        self.looked_up.append(path)
        if path not in self.sources:
            raise KeyError(path)
        return ast.parse(textwrap.dedent(self.sources[path]))

    def __iter__(self) -> Iterator[str]:
        if not self.iterable:
            raise AssertionError("the readers iterated every tree of the project")
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)


WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_wsgi_application()
"""
PROJECT = {
    "mysite/__init__.py": "",
    "mysite/wsgi.py": WSGI,
    "mysite/settings.py": """
        import os
        INSTALLED_APPS = ["blog"]
        ROOT_URLCONF = "mysite.urls"
        DATABASES = {"default": {"ENGINE": os.environ.get("ENGINE", "django.db.backends.mysql")}}
    """,
    "mysite/urls.py": "from django.urls import include, path\nurlpatterns = [path('', include('blog.urls'))]\n",
    "blog/__init__.py": "",
    "blog/models.py": "from django.db import models\nclass Post(models.Model):\n    pass\n",
    "blog/urls.py": "urlpatterns = []\n",
    "blog/views.py": "from django.shortcuts import render\ndef index(request):\n    return render(request, 'x')\n",
    "app/db.py": 'SQLALCHEMY_DATABASE_URI = "postgresql+asyncpg://h/db"\n',
}


def run(
    sources: dict[str, str],
    env: Optional[dict[str, str]] = None,
    cache: Optional[dict[str, Any]] = None,
    with_parsed: bool = True,
    modules: Optional[dict[str, str]] = None,
) -> tuple[FrameworkResult, LookupOnly]:
    trees = LookupOnly(sources, iterable=not with_parsed)
    if modules is None:
        modules = package_modules(list(sources))
    parsed = {path: facts(path, source) for path, source in sources.items()} if with_parsed else {}
    ctx = FrameworkContext(trees, modules, env or {}, parsed=parsed, cache=cache if cache is not None else {})
    return framework_imports(ctx), trees


def test_only_selected_and_named_files_are_parsed() -> None:
    result, trees = run(PROJECT)
    assert result.settings_module == "mysite.settings"
    assert {"blog", "blog.models", "MySQLdb", "blog.urls"} <= {i.module for i in result.imports}
    # wsgi (names the settings), settings and urlconfs (named by settings); never blog/views.py
    assert sorted(set(trees.looked_up)) == [
        "blog/urls.py",
        "mysite/settings.py",
        "mysite/urls.py",
        "mysite/wsgi.py",
    ]
    assert len(trees.looked_up) == len(set(trees.looked_up))  # each file parsed once


def test_without_parse_facts_every_tree_is_read() -> None:
    """Hand-built contexts (no `parsed`) keep the old behaviour: a bare SQLALCHEMY_* anywhere."""
    with_facts, _ = run(PROJECT)
    without, trees = run(PROJECT, with_parsed=False)
    assert "asyncpg" not in {i.module for i in with_facts.imports}  # app/db.py calls nothing telling
    assert "asyncpg" in {i.module for i in without.imports}
    assert "blog/views.py" in trees.looked_up


def test_one_cache_serves_every_target_and_keeps_their_environments_apart() -> None:
    cache: dict[str, Any] = {}
    first, first_trees = run(PROJECT, cache=cache)
    second, second_trees = run(PROJECT, {"ENGINE": "django.db.backends.postgresql"}, cache=cache)
    third, third_trees = run(PROJECT, cache=cache)
    assert "MySQLdb" in {i.module for i in first.imports}
    assert "psycopg2" in {i.module for i in second.imports}
    assert "MySQLdb" not in {i.module for i in second.imports}
    assert third == first
    assert first_trees.looked_up and second_trees.looked_up == [] == third_trees.looked_up


def test_cached_settings_are_not_reused_for_other_import_roots() -> None:
    cache: dict[str, Any] = {}
    run(PROJECT, cache=cache)
    modules = {"mysite.wsgi": "mysite/wsgi.py"}  # a target whose roots lack the settings module
    result, _ = run(PROJECT, cache=cache, modules=modules)
    assert any("not a file of the project" in note for note in result.notes)
    assert "MySQLdb" not in {i.module for i in result.imports}


def test_settings_selected_by_environment_are_read_per_environment() -> None:
    sources = {
        "mysite/wsgi.py": WSGI,
        "mysite/settings.py": "INSTALLED_APPS = ['a']\n",
        "mysite/prod.py": "INSTALLED_APPS = ['b']\n",
    }
    cache: dict[str, Any] = {}
    default, _ = run(sources, cache=cache)
    prod, _ = run(sources, {"DJANGO_SETTINGS_MODULE": "mysite.prod"}, cache=cache)
    assert "a" in {i.module for i in default.imports} and "b" not in {i.module for i in default.imports}
    assert "b" in {i.module for i in prod.imports} and "a" not in {i.module for i in prod.imports}


# -- one pass per file: calls with the statement that holds them -------------------------------

CALLS = """
@decorate(a())
def f(x: ann() = default()):
    y = g(h())
    lambda: inner()
    [c() for _ in d()]
    try:
        t()
    except e():
        handler()
class C(base()):
    k = v()
    def m(self):
        return w()
with ctx() as z:
    body()
if test():
    yes()
else:
    no()
"""
# The match statement parses only on 3.10+ (the tool itself runs on 3.9).
MATCH = """
match subject():
    case 1 if guard():
        in_case()
"""


def reference_calls(tree: ast.Module) -> list[tuple[int, str]]:
    """Each call with the line of its innermost placed statement, by walking each statement."""
    found = []
    for placed in placed_statements(tree):
        stack = [c for c in ast.iter_child_nodes(placed.node) if not isinstance(c, ast.stmt)]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Call):
                found.append((placed.node.lineno, ast.unparse(node.func)))
            stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt))
    return sorted(found)


def test_calls_by_statement_in_one_pass() -> None:
    has_match = sys.version_info >= (3, 10)
    tree = ast.parse(CALLS + (MATCH if has_match else ""))
    got = sorted((placed.node.lineno, ast.unparse(call.func)) for placed, call in FileScan("m.py", tree).calls())
    assert got == reference_calls(tree)
    names = {name for _, name in got}
    assert {"decorate", "a", "ann", "default", "inner", "c", "d", "e", "handler", "base", "w"} <= names
    if has_match:
        assert "in_case" not in names  # statements in a match case are not placed
        assert "guard" in names and "subject" in names
