"""Database and broker URLs to the driver modules they make a framework import."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class Driver:
    """A module a URL or engine makes the framework import; `hint`: "|"-separated dists."""

    module: str
    hint: Optional[str] = None


@dataclass(frozen=True)
class Choice:
    """What a URL needs: drivers, or a problem saying why it cannot work / be known."""

    drivers: tuple[Driver, ...] = ()
    problem: Optional[str] = None
    note: Optional[str] = None
    plugins: tuple[Driver, ...] = field(default=())


# Django's postgresql backend tries psycopg (3) then psycopg2: any of these satisfies it.
PSYCOPG_ANY = Driver("psycopg2", "psycopg|psycopg2|psycopg2-binary")
PSYCOPG2 = Driver("psycopg2", "psycopg2|psycopg2-binary")
MYSQLDB = Driver("MySQLdb", "mysqlclient")
PYMYSQL = Driver("pymysql", "PyMySQL")

_SA_DRIVERS = {
    "psycopg2": PSYCOPG2,
    "psycopg": Driver("psycopg", "psycopg"),
    "psycopg_async": Driver("psycopg", "psycopg"),
    "asyncpg": Driver("asyncpg", "asyncpg"),
    "pg8000": Driver("pg8000", "pg8000"),
    "psycopg2cffi": Driver("psycopg2cffi", "psycopg2cffi"),
    "pymysql": PYMYSQL,
    "mysqldb": MYSQLDB,
    "mysqlconnector": Driver("mysql.connector", "mysql-connector-python"),
    "aiomysql": Driver("aiomysql", "aiomysql"),
    "asyncmy": Driver("asyncmy", "asyncmy"),
    "mariadbconnector": Driver("mariadb", "mariadb"),
    "cymysql": Driver("cymysql", "cymysql"),
    "pyodbc": Driver("pyodbc", "pyodbc"),
    "pymssql": Driver("pymssql", "pymssql"),
    "aioodbc": Driver("aioodbc", "aioodbc"),
    "mssqlpython": Driver("mssql_python", "mssql-python"),
    "cx_oracle": Driver("cx_Oracle", "cx-Oracle"),
    "oracledb": Driver("oracledb", "oracledb"),
    "oracledb_async": Driver("oracledb", "oracledb"),
    "pysqlite": Driver(""),
    "aiosqlite": Driver("aiosqlite", "aiosqlite"),
    "pysqlcipher": Driver("sqlcipher3", "sqlcipher3|sqlcipher3-binary"),
}
_SA_BUILTIN = frozenset({"postgresql", "mysql", "mariadb", "oracle", "mssql", "sqlite"})
# Third-party dialects registered through the `sqlalchemy.dialects` entry point group.
_SA_PLUGINS = {
    "cockroachdb": Driver("sqlalchemy_cockroachdb", "sqlalchemy-cockroachdb"),
    "snowflake": Driver("snowflake.sqlalchemy", "snowflake-sqlalchemy"),
    "bigquery": Driver("sqlalchemy_bigquery", "sqlalchemy-bigquery"),
    "redshift": Driver("sqlalchemy_redshift", "sqlalchemy-redshift"),
    "clickhouse": Driver("clickhouse_sqlalchemy", "clickhouse-sqlalchemy"),
    "duckdb": Driver("duckdb_engine", "duckdb-engine"),
    "trino": Driver("trino.sqlalchemy", "trino"),
    "databricks": Driver("databricks.sqlalchemy", "databricks-sqlalchemy"),
    "awsathena": Driver("pyathena", "PyAthena"),
}


def url_scheme(url: str) -> Optional[str]:
    """'postgresql+psycopg' from 'postgresql+psycopg://u@h/db'; None without a literal scheme."""
    scheme, sep, _ = url.partition(":")
    if not sep or not scheme or "{" in scheme or not url[len(scheme) :].startswith("://"):
        return None
    return scheme.lower()


def sqlalchemy_version(version: Optional[str]) -> Optional[tuple[int, int]]:
    if not version:
        return None
    try:
        release = Version(version).release
    except InvalidVersion:
        return None
    return (release[0], release[1] if len(release) > 1 else 0)


def sqlalchemy_choice(url: str, version: Optional[str]) -> Choice:
    """The DBAPI module `create_engine(url)` imports, for the SQLAlchemy version installed."""
    scheme = url_scheme(url)
    if scheme is None:
        return Choice(problem=f"the database URL {url!r} has no literal scheme; the driver is unknown")
    dialect, _, driver = scheme.partition("+")
    if dialect == "postgres":
        return Choice(
            problem=(
                "the URL scheme 'postgres://' is not a SQLAlchemy dialect since 1.4 "
                "(NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:postgres); use 'postgresql://'"
            )
        )
    plugin = _SA_PLUGINS.get(dialect)
    if dialect not in _SA_BUILTIN and plugin is None:
        return Choice(problem=f"'{dialect}://' is not a built-in SQLAlchemy dialect; it needs a plugin")
    plugins = (plugin,) if plugin is not None else ()
    if driver:
        found = _SA_DRIVERS.get(driver)
        if found is None:
            if plugin is not None:
                return Choice(plugins=plugins)
            return Choice(problem=f"'{scheme}://' names a driver importaudit does not know: {driver}")
        return Choice(drivers=(found,) if found.module else (), plugins=plugins)
    if plugin is not None:
        return Choice(plugins=plugins)
    return _sqlalchemy_default(dialect, sqlalchemy_version(version))


def _sqlalchemy_default(dialect: str, version: Optional[tuple[int, int]]) -> Choice:
    """Each dialect's default DBAPI; postgresql and oracle changed theirs in 2.1."""
    if dialect in {"mysql", "mariadb"}:
        return Choice(drivers=(MYSQLDB,))
    if dialect == "mssql":
        return Choice(drivers=(_SA_DRIVERS["pyodbc"],))
    if dialect == "sqlite":
        return Choice()
    old = _SA_DRIVERS["psycopg2"] if dialect == "postgresql" else _SA_DRIVERS["cx_oracle"]
    new = _SA_DRIVERS["psycopg"] if dialect == "postgresql" else _SA_DRIVERS["oracledb"]
    if version is None:
        both = Driver(old.module, f"{old.hint}|{new.hint}")
        note = (
            f"'{dialect}://' uses {old.module} before SQLAlchemy 2.1 and {new.module} from 2.1 on; "
            f"the SQLAlchemy version installed is unknown, so either is accepted"
        )
        return Choice(drivers=(both,), note=note)
    return Choice(drivers=(old if version < (2, 1) else new,))


_DJANGO_ENGINES = {
    "django.db.backends.postgresql": (PSYCOPG_ANY,),
    "django.db.backends.postgresql_psycopg2": (PSYCOPG_ANY,),
    "django.contrib.gis.db.backends.postgis": (PSYCOPG_ANY,),
    "django.db.backends.mysql": (MYSQLDB,),
    "django.contrib.gis.db.backends.mysql": (MYSQLDB,),
    "django.db.backends.oracle": (Driver("oracledb", "oracledb|cx-Oracle"),),
    "django.contrib.gis.db.backends.oracle": (Driver("oracledb", "oracledb|cx-Oracle"),),
    "django.db.backends.sqlite3": (),
    "django.contrib.gis.db.backends.spatialite": (),
    "mssql": (Driver("mssql", "mssql-django"), Driver("pyodbc", "pyodbc")),
    "sql_server.pyodbc": (
        Driver("sql_server.pyodbc", "django-mssql-backend|django-pyodbc-azure"),
        Driver("pyodbc", "pyodbc"),
    ),
    "django_cockroachdb": (Driver("django_cockroachdb", "django-cockroachdb"), PSYCOPG_ANY),
    "django_redshift_backend": (
        Driver("django_redshift_backend", "django-redshift-backend"),
        PSYCOPG_ANY,
    ),
    "mysql.connector.django": (Driver("mysql.connector", "mysql-connector-python"),),
}
# Wrapping engines (connection pools, Prometheus) end in the wrapped backend's name.
_BACKEND_SUFFIX = {
    "postgresql": (PSYCOPG_ANY,),
    "postgis": (PSYCOPG_ANY,),
    "postgresql_psycopg2": (PSYCOPG_ANY,),
    "mysql": (MYSQLDB,),
    "oracle": (Driver("oracledb", "oracledb|cx-Oracle"),),
}


# Every distribution that is the driver of some Django engine: an ENGINE only the deploy's
# environment knows can be served by the target when it installs one of them.
ANY_DJANGO_DRIVER = "|".join(sorted({
    hint for drivers in _DJANGO_ENGINES.values() for driver in drivers if driver.hint
    for hint in driver.hint.split("|")
}))


def django_engine_drivers(engine: str, pymysql_as_mysqldb: bool) -> tuple[Driver, ...]:
    """What loading a Django DATABASES ENGINE imports (the engine too, when not Django's)."""
    drivers = _DJANGO_ENGINES.get(engine)
    if drivers is None:
        own = () if engine.startswith("django.") else (Driver(engine),)
        drivers = own + _BACKEND_SUFFIX.get(engine.rsplit(".", 1)[-1], ())
    if pymysql_as_mysqldb:
        drivers = tuple(PYMYSQL if driver == MYSQLDB else driver for driver in drivers)
    return drivers


_DJ_URL_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
    "psql": "django.db.backends.postgresql",
    "postgis": "django.contrib.gis.db.backends.postgis",
    "mysql": "django.db.backends.mysql",
    "mysql2": "django.db.backends.mysql",
    "mysqlgis": "django.contrib.gis.db.backends.mysql",
    "mysql-connector": "mysql.connector.django",
    "oracle": "django.db.backends.oracle",
    "oraclegis": "django.contrib.gis.db.backends.oracle",
    "sqlite": "django.db.backends.sqlite3",
    "spatialite": "django.contrib.gis.db.backends.spatialite",
    "redshift": "django_redshift_backend",
    "cockroach": "django_cockroachdb",
    "cockroachdb": "django_cockroachdb",
    "mssqlms": "mssql",
    "timescale": "timescale.db.backends.postgresql",
    "timescalegis": "timescale.db.backends.postgis",
    "prometheus_postgresql": "django_prometheus.db.backends.postgresql",
    "prometheus_mysql": "django_prometheus.db.backends.mysql",
    "prometheus_sqlite": "django_prometheus.db.backends.sqlite3",
}


def django_url_engine(url: str, library: str) -> Optional[str]:
    """The ENGINE dj-database-url / django-environ pick for a URL; None when unknown."""
    scheme = url_scheme(url)
    if scheme is None:
        return None
    if scheme == "mssql":  # the two libraries disagree on this one
        return "mssql" if library == "environ" else "sql_server.pyodbc"
    return _DJ_URL_ENGINES.get(scheme)


_CELERY_SCHEMES = {
    "redis": (Driver("redis", "redis"),),
    "rediss": (Driver("redis", "redis"),),
    "sentinel": (Driver("redis", "redis"),),
    "redis+socket": (Driver("redis", "redis"),),
    "amqp": (Driver("amqp", "amqp"),),
    "amqps": (Driver("amqp", "amqp"),),
    "pyamqp": (Driver("amqp", "amqp"),),
    "rpc": (Driver("amqp", "amqp"),),
    "librabbitmq": (Driver("librabbitmq", "librabbitmq"),),
    "sqs": (Driver("boto3", "boto3"), Driver("pycurl", "pycurl")),
    "mongodb": (Driver("pymongo", "pymongo"),),
    "zookeeper": (Driver("kazoo", "kazoo"),),
    "confluentkafka": (Driver("confluent_kafka", "confluent-kafka"),),
    "gcpubsub": (Driver("google.cloud.pubsub_v1", "google-cloud-pubsub"),),
    "azureservicebus": (Driver("azure.servicebus", "azure-servicebus"),),
    "azurestoragequeues": (Driver("azure.storage.queue", "azure-storage-queue"),),
    "s3": (Driver("boto3", "boto3"),),
    "dynamodb": (Driver("boto3", "boto3"),),
    "elasticsearch": (Driver("elasticsearch", "elasticsearch"),),
    "cassandra": (Driver("cassandra", "cassandra-driver"),),
    "azureblockblob": (Driver("azure.storage.blob", "azure-storage-blob"),),
    "gs": (Driver("google.cloud.storage", "google-cloud-storage"),),
    "consul": (Driver("consul", "python-consul"),),
    "cache+memcached": (Driver("pylibmc", "pylibmc|python-memcached"),),
    "django-db": (Driver("django_celery_results", "django-celery-results"),),
    "django-cache": (Driver("django_celery_results", "django-celery-results"),),
    "memory": (),
    "filesystem": (),
    "file": (),
    "cache+memory": (),
    "disabled": (),
}


def celery_choice(url: str, sqlalchemy: Optional[str]) -> Choice:
    """What a Celery broker / result-backend URL makes kombu or celery import."""
    bare = url.strip()
    if bare in {"django-db", "django-cache", "rpc", "disabled", "memory"}:
        bare += "://"
    scheme = url_scheme(bare)
    if scheme is None:
        return Choice(problem=f"the Celery URL {url!r} has no literal scheme; its transport is unknown")
    if scheme.startswith("db+"):
        inner = sqlalchemy_choice(bare[3:], sqlalchemy)
        sa = Driver("sqlalchemy", "SQLAlchemy")
        return Choice((sa, *inner.drivers), inner.problem, inner.note, inner.plugins)
    found = _CELERY_SCHEMES.get(scheme)
    if found is None:
        return Choice(problem=f"'{scheme}://' is a Celery transport importaudit does not know")
    return Choice(drivers=found)
