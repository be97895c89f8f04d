"""SQLAlchemy / Flask-SQLAlchemy URLs: the DBAPI module create_engine imports, per version."""

from __future__ import annotations

from typing import Optional

import pytest
from frameworks_support import parsed_context

from importaudit.frameworks import FrameworkResult, framework_imports
from importaudit.model import GuardKind, Scope


def analyse(
    source: str,
    installed: Optional[dict[str, str]] = None,
    env: Optional[dict[str, str]] = None,
    path: str = "app/db.py",
) -> FrameworkResult:
    module = path[: -len(".py")].replace("/", ".")
    return framework_imports(parsed_context({path: source}, {module: path}, env, installed))


def drivers(result: FrameworkResult) -> set[tuple[str, Optional[str]]]:
    return {(item.module, item.distribution_hint) for item in result.imports}


SA20 = {"sqlalchemy": "2.0.36"}
SA21 = {"sqlalchemy": "2.1.0"}
SA14 = {"sqlalchemy": "1.4.54"}
PG2 = ("psycopg2", "psycopg2|psycopg2-binary")
PG3 = ("psycopg", "psycopg")


@pytest.mark.parametrize(
    ("url", "installed", "expected"),
    [
        ("postgresql://u@h/db", SA14, {PG2}),
        ("postgresql://u@h/db", SA20, {PG2}),
        ("postgresql://u@h/db", SA21, {PG3}),
        ("postgresql://u@h/db", {"sqlalchemy": "2.1.0b1"}, {PG3}),
        ("postgresql://u@h/db", {}, {("psycopg2", "psycopg2|psycopg2-binary|psycopg")}),
        ("postgresql+psycopg2://u@h/db", SA21, {PG2}),
        ("postgresql+psycopg://u@h/db", SA20, {PG3}),
        ("postgresql+asyncpg://u@h/db", SA20, {("asyncpg", "asyncpg")}),
        ("postgresql+pg8000://u@h/db", SA20, {("pg8000", "pg8000")}),
        ("mysql://u@h/db", SA20, {("MySQLdb", "mysqlclient")}),
        ("mariadb://u@h/db", SA20, {("MySQLdb", "mysqlclient")}),
        ("mysql+pymysql://u@h/db", SA20, {("pymysql", "PyMySQL")}),
        ("mysql+mysqlconnector://u@h/db", SA20, {("mysql.connector", "mysql-connector-python")}),
        ("mysql+aiomysql://u@h/db", SA20, {("aiomysql", "aiomysql")}),
        ("oracle://u@h/db", SA20, {("cx_Oracle", "cx-Oracle")}),
        ("oracle://u@h/db", SA21, {("oracledb", "oracledb")}),
        ("oracle+oracledb://u@h/db", SA20, {("oracledb", "oracledb")}),
        ("mssql://u@h/db", SA20, {("pyodbc", "pyodbc")}),
        ("mssql+pymssql://u@h/db", SA20, {("pymssql", "pymssql")}),
        ("sqlite:///app.db", SA20, set()),
        ("sqlite+aiosqlite:///app.db", SA20, {("aiosqlite", "aiosqlite")}),
        ("snowflake://acct/db", SA20, {("snowflake.sqlalchemy", "snowflake-sqlalchemy")}),
        (
            "cockroachdb+psycopg2://h/db",
            SA20,
            {("sqlalchemy_cockroachdb", "sqlalchemy-cockroachdb"), PG2},
        ),
        ("duckdb:///:memory:", SA20, {("duckdb_engine", "duckdb-engine")}),
    ],
)
def test_url_driver(url: str, installed: dict[str, str], expected: set[tuple[str, str]]) -> None:
    result = analyse(f'from sqlalchemy import create_engine\nengine = create_engine("{url}")\n', installed)
    assert drivers(result) == expected
    assert result.unresolved == ()
    assert all(item.phase == "boot" and item.via == "create_engine" for item in result.imports)


def test_unknown_version_says_so() -> None:
    result = analyse('engine = create_engine("postgresql://h/db")\n')
    assert any("2.1" in note and "unknown" in note for note in result.notes)
    assert not analyse('engine = create_engine("postgresql://h/db")\n', SA20).notes


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        ('DB_URL = "mysql+pymysql://h/db"\nengine = create_engine(DB_URL)', {}, ("pymysql", 1)),
        ('engine = sqlalchemy.create_engine(url="mysql+pymysql://h/db")', {}, ("pymysql", 1)),
        (
            'engine = create_async_engine(f"postgresql+asyncpg://{USER}@{HOST}/db")',
            {},
            ("asyncpg", 1),
        ),
        (
            'engine = create_engine("postgresql+psycopg://" + user + "@h/db")',
            {},
            ("psycopg", 1),
        ),
        (
            'import os\nengine = create_engine(os.environ.get("DATABASE_URL", "mysql+pymysql://h/d"))',
            {},
            ("pymysql", 2),
        ),
        (
            'import os\nURL = os.getenv("DATABASE_URL", "sqlite:///x.db")\nengine = create_engine(URL)',
            {"DATABASE_URL": "postgresql+asyncpg://h/db"},
            ("asyncpg", 2),  # the target's value stands where the variable is read
        ),
        (
            'url = URL.create("postgresql+pg8000", username="u")\nengine = create_engine(url)',
            {},
            ("pg8000", 1),
        ),
        (
            'url = make_url("mysql+pymysql://h/db")\nengine = create_engine(url)',
            {},
            ("pymysql", 1),
        ),
        (
            'conf = {"db.url": "mysql+mysqlconnector://h/d"}\nengine = engine_from_config(conf, prefix="db.")',
            {},
            ("mysql.connector", 1),
        ),
        (
            'engine = engine_from_config({"sqlalchemy.url": "postgresql+psycopg://h/d"})',
            {},
            ("psycopg", 1),
        ),
    ],
)
def test_url_sources(source: str, env: dict[str, str], expected: tuple[str, int]) -> None:
    result = analyse(source + "\n", SA20, env)
    assert [(i.module, i.location.line) for i in result.imports] == [expected]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg2://h/db"', {PG2}),
        (
            'app.config.update(SQLALCHEMY_DATABASE_URI="mysql+pymysql://h/db")',
            {("pymysql", "PyMySQL")},
        ),
        (
            'app.config.from_mapping({"SQLALCHEMY_DATABASE_URI": "mysql+pymysql://h/db"})',
            {("pymysql", "PyMySQL")},
        ),
        ('SQLALCHEMY_DATABASE_URI = "postgresql+asyncpg://h/db"', {("asyncpg", "asyncpg")}),
        (
            "import os\nclass Config:\n"
            '    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or "sqlite:///app.db"',
            set(),
        ),
        (
            'class ProductionConfig(Config):\n    SQLALCHEMY_DATABASE_URI = "postgresql://h/db"',
            {PG2},
        ),
        (
            'SQLALCHEMY_BINDS = {"users": "mysql+pymysql://h/u", "logs": {"url": "oracle+oracledb://h/l"}}',
            {("pymysql", "PyMySQL"), ("oracledb", "oracledb")},
        ),
        (
            'app.config["SQLALCHEMY_BINDS"] = {"a": "sqlite://", "b": "mssql+pymssql://h/b"}',
            {("pymssql", "pymssql")},
        ),
    ],
)
def test_flask_sqlalchemy_config(source: str, expected: set[tuple[str, str]]) -> None:
    # Flask's configuration module: its name is what makes it read (it calls nothing telling)
    result = analyse(source + "\n", SA20, path="app/config.py")
    assert drivers(result) == expected
    assert result.unresolved == ()


@pytest.mark.parametrize(
    ("source", "needs"),
    [
        ('engine = create_engine("postgres://u@h/db")', "postgresql://"),
        ('import os\nengine = create_engine(os.environ["DATABASE_URL"])', "DATABASE_URL"),
        ('import os\nengine = create_engine(os.getenv("DB"))', "DB"),
        ('app.config["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL")', "DATABASE_URL"),
        ("def make(settings):\n    return create_engine(settings.url)", "not a literal"),
        ('engine = create_engine(f"{SCHEME}://h/db")', "built at run time"),
        ('engine = create_engine("nosuchdb://h/db")', "plugin"),
    ],
)
def test_unresolved_urls(source: str, needs: str) -> None:
    result = analyse(source + "\n", SA20)
    assert result.imports == ()
    assert len(result.unresolved) == 1 == len(result.unresolved_messages)
    assert needs in result.unresolved_messages[0]
    assert result.unresolved[0].location.file == "app/db.py"


@pytest.mark.parametrize(
    ("source", "phase", "scope", "function"),
    [
        ('engine = create_engine("mysql://h/db")', "boot", Scope.MODULE, None),
        (
            'def create_app():\n    engine = create_engine("mysql://h/db")',
            "request",
            Scope.FUNCTION,
            "create_app",
        ),
        (
            'class Db:\n    def connect(self):\n        return create_engine("mysql://h/db")',
            "request",
            Scope.FUNCTION,
            "Db.connect",
        ),
        ('class Config:\n    SQLALCHEMY_DATABASE_URI = "mysql://h/db"', "boot", Scope.CLASS, None),
    ],
)
def test_phase_and_scope(source: str, phase: str, scope: Scope, function: Optional[str]) -> None:
    (item,) = analyse(source + "\n", SA20, path="app/config.py").imports
    assert (item.phase, item.scope, item.function) == (phase, scope, function)


def test_function_local_url_is_read() -> None:
    source = 'def create_app():\n    url = "mysql+pymysql://h/db"\n    return create_engine(url)\n'
    (item,) = analyse(source, SA20).imports
    assert (item.module, item.location.line, item.function) == ("pymysql", 2, "create_app")


def test_guarded_engine_keeps_its_guard() -> None:
    source = 'try:\n    engine = create_engine("mysql://h/db")\nexcept ImportError:\n    engine = None\n'
    (item,) = analyse(source, SA20).imports
    assert [g.kind for g in item.guards] == [GuardKind.EXCEPT_IMPORT]


def analyse_files(files: dict[str, str], env: Optional[dict[str, str]] = None) -> FrameworkResult:
    modules = {path[:-3].replace("/", "."): path for path in files}
    return framework_imports(parsed_context(files, modules, env, SA20))


SETTINGS_V2 = """
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")
    database_url: str = "postgresql+asyncpg://u@h/db"
    cache_url: str = Field(default="redis://h")
    secret: str
settings = Settings()
"""
SETTINGS_V1 = """
from pydantic import BaseSettings
class Settings(BaseSettings):
    DATABASE_URL: str = "mysql+pymysql://u@h/db"
    class Config:
        env_file = ".env"
"""


@pytest.mark.parametrize(
    ("config", "db", "env", "expected"),
    [
        (SETTINGS_V2, "engine = create_async_engine(settings.database_url)", {}, {("asyncpg", 6)}),
        (SETTINGS_V2, "engine = create_async_engine(str(settings.database_url))", {}, {("asyncpg", 6)}),
        (
            SETTINGS_V2,
            "engine = create_engine(settings.database_url)",
            {"APP_DATABASE_URL": "mysql+pymysql://h/d"},
            {("pymysql", 6)},
        ),
        (SETTINGS_V1, "engine = create_engine(get_settings().DATABASE_URL)", {}, {("pymysql", 4)}),
        (
            SETTINGS_V1.replace('env_file = ".env"', 'env_prefix = "SVC_"'),
            "engine = create_engine(get_settings().DATABASE_URL)",
            {"SVC_DATABASE_URL": "postgresql+asyncpg://h/d", "DATABASE_URL": "sqlite://"},
            {("asyncpg", 4)},
        ),
        (
            SETTINGS_V1,
            'app = Flask(__name__)\napp.config["SQLALCHEMY_DATABASE_URI"] = settings.DATABASE_URL',
            {},
            {("pymysql", 4)},
        ),
    ],
)
def test_pydantic_settings_fields(
    config: str, db: str, env: dict[str, str], expected: set[tuple[str, int]]
) -> None:
    result = analyse_files({"app/config.py": config, "app/db.py": db + "\n"}, env)
    assert {(i.module, i.location.line) for i in result.imports} == expected
    assert {i.location.file for i in result.imports} == {"app/config.py"}
    assert result.unresolved == ()


def test_settings_field_without_default_is_unresolved() -> None:
    result = analyse_files({"app/config.py": SETTINGS_V2, "app/db.py": "e = create_engine(settings.secret)\n"})
    assert result.imports == ()
    assert "APP_SECRET" in result.unresolved_messages[0]
