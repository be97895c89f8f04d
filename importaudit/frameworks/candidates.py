"""Which files each reader needs to look at, chosen from the one parse's calls and imports."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import Callable, Optional

from importaudit.frameworks.context import FrameworkContext
from importaudit.model import How, ParsedFile

# Calls (last component of the callee) that make a file worth reading, per reader.
_ENGINE_CALLS = frozenset({"create_engine", "create_async_engine", "engine_from_config", "Flask", "SQLAlchemy"})
_CELERY_CALLS = frozenset({"Celery"})
_LOGGING_CALLS = frozenset({"dictConfig", "fileConfig"})
_LOOP_CALLS = frozenset({"import_module", "__import__"})
_SERVER_CALLS = frozenset({"get_wsgi_application", "get_asgi_application"})
_PYMYSQL_CALLS = frozenset({"install_as_MySQLdb"})
# `config.include(...)` / `config.scan(...)`: a Pyramid Configurator's, when the file uses Pyramid
_PYRAMID_CALLS = frozenset({"include", "scan"})
_NAMED_CALLS = (
    _ENGINE_CALLS | _CELERY_CALLS | _LOGGING_CALLS | _LOOP_CALLS | _SERVER_CALLS | _PYMYSQL_CALLS | _PYRAMID_CALLS
)
_ENV_SETDEFAULT = frozenset({"os.environ.setdefault", "environ.setdefault"})
# Reading the environment while imported is what configuration modules do: their module-level
# names (SQLALCHEMY_DATABASE_URI, CELERY_BROKER_URL, logconfig_dict ...) are read as settings.
_ENV_READS = frozenset({"os.environ.get", "environ.get", "os.getenv", "getenv"})
_CONFIG_UPDATES = ("config.update", "config.from_mapping")
_CELERY_UPDATES = ("conf.update",)
_CONFIG_LIBRARIES = frozenset({"decouple", "environ", "dj_database_url", "dotenv"})
_SETTINGS_LIBRARIES = frozenset({"pydantic", "pydantic.v1"})
_SERVER_FILES = frozenset({"manage.py", "wsgi.py", "asgi.py"})
# File or folder names of configuration modules: settings.py, settings_prod.py, local_settings.py,
# config/prod.py, gunicorn.conf.py, celeryconfig.py, configuration.py; a config word must start
# or end the name (not shop_settings_update.py, confirm.py or conftest.py).
_CONFIG_WORDS = frozenset({"settings", "setting", "conf", "config", "configs", "configuration", "gunicorn"})
_CONFIG_ENDINGS = ("config", "settings")
_NAME_PARTS = re.compile(r"[._-]")
_READERS = ("engines", "brokers", "logging", "loops", "servers", "classes", "pyramid")
_callee = attrgetter("callee")
_module = attrgetter("module")


@dataclass(frozen=True)
class Candidates:
    """Sorted paths each reader reads; everything else in the project is never parsed again."""

    engines: tuple[str, ...] = ()  # SQLAlchemy engines and Flask-SQLAlchemy config
    brokers: tuple[str, ...] = ()  # Celery apps and broker settings
    logging: tuple[str, ...] = ()  # dictConfig calls and gunicorn logconfig_dict
    loops: tuple[str, ...] = ()  # importlib.import_module in loops
    servers: tuple[str, ...] = ()  # files that may name DJANGO_SETTINGS_MODULE
    settings_classes: tuple[str, ...] = ()  # pydantic BaseSettings classes
    pymysql: Optional[frozenset[str]] = None  # files calling install_as_MySQLdb (None: unknown)
    pyramid: tuple[str, ...] = ()  # config.include / config.scan calls of a Pyramid app


def candidates(ctx: FrameworkContext) -> Candidates:
    """The files each reader needs, computed once per run (it depends on the project only)."""
    memo = ctx.run.memo
    found = memo.get("candidates")
    if not isinstance(found, Candidates):
        found = memo["candidates"] = select_candidates(ctx.parsed) if ctx.parsed else _everything(ctx)
    return found


def _everything(ctx: FrameworkContext) -> Candidates:
    """Hand-built contexts carry only trees: every reader reads every one (small inputs)."""
    every = tuple(sorted(ctx.trees))
    return Candidates(every, every, every, every, every, every, None, every)


def select_candidates(parsed: Mapping[str, ParsedFile]) -> Candidates:
    """The files whose calls, imports or name say a reader has something to read in them.

    Most files of a big project call nothing of interest: the distinct callees and imported
    modules of the whole project are judged once, and a file is looked at only when it holds
    one of the interesting ones (set operations in C, not a Python loop over every call).
    """
    # No container per file is kept: on a big heap those would set the cyclic GC off.
    files = [item for _, item in sorted(parsed.items()) if item.syntax_error is None]
    callees = _interesting(set(map(_callee, chain.from_iterable(item.calls for item in files))), _call_matters)
    modules = _interesting(set(map(_module, chain.from_iterable(item.imports for item in files))), _module_matters)
    picked: dict[str, list[str]] = {key: [] for key in _READERS}
    pymysql: list[str] = []
    for item in files:
        if (
            callees.isdisjoint(map(_callee, item.calls))
            and modules.isdisjoint(map(_module, item.imports))
            and not _server_by_name(item.path)
            and not _celery_by_name(item.path)
            and not _config_by_name(item)
        ):
            continue
        for key in sorted(reasons(item)):
            picked[key].append(item.path)
        if any(_last(call.callee) in _PYMYSQL_CALLS and call.caller is None for call in item.calls):
            pymysql.append(item.path)
    return Candidates(
        engines=tuple(picked["engines"]),
        brokers=tuple(picked["brokers"]),
        logging=tuple(picked["logging"]),
        loops=tuple(picked["loops"]),
        servers=tuple(picked["servers"]),
        settings_classes=tuple(picked["classes"]),
        pymysql=frozenset(pymysql),
        pyramid=tuple(picked["pyramid"]),
    )


def _interesting(values: Iterable[str], test: Callable[[str], bool]) -> frozenset[str]:
    return frozenset(value for value in values if test(value))


def _call_matters(callee: str) -> bool:
    return (
        _last(callee) in _NAMED_CALLS
        or callee in _ENV_READS
        or callee in _ENV_SETDEFAULT
        or callee.endswith(_CONFIG_UPDATES + _CELERY_UPDATES)
    )


def _module_matters(module: str) -> bool:
    top = module.partition(".")[0]
    return top in _CONFIG_LIBRARIES or top == "pydantic_settings" or module in _SETTINGS_LIBRARIES


def _last(callee: str) -> str:
    return callee.rpartition(".")[2]


def reasons(parsed: ParsedFile) -> set[str]:
    """The readers that must read this file, from its calls, imports and name."""
    found: set[str] = set()
    names: set[str] = set()
    config = _config_by_name(parsed)
    for call in parsed.calls:
        names.add(_last(call.callee))
        if call.callee in _ENV_READS and call.caller is None:
            config = True  # read while the module is imported: settings, not a helper
        elif call.callee in _ENV_SETDEFAULT:
            found.add("servers")
        elif call.callee.endswith(_CONFIG_UPDATES):
            found.add("engines")
        elif call.callee.endswith(_CELERY_UPDATES):
            found.add("brokers")
    for imp in parsed.imports:
        top = imp.module.partition(".")[0]
        if top in _CONFIG_LIBRARIES:
            config = True
        # `class S(BaseSettings)` / `(pydantic.BaseSettings)`; not every `from pydantic import BaseModel`
        plain_import = imp.how is How.STATEMENT and imp.module in _SETTINGS_LIBRARIES
        if plain_import or top == "pydantic_settings" or "BaseSettings" in imp.names:
            found.add("classes")
    for key, wanted in (
        ("engines", _ENGINE_CALLS),
        ("brokers", _CELERY_CALLS),
        ("logging", _LOGGING_CALLS),
        ("loops", _LOOP_CALLS),
        ("servers", _SERVER_CALLS),
    ):
        if not names.isdisjoint(wanted):
            found.add(key)
    if _server_by_name(parsed.path):
        found.add("servers")
    if not names.isdisjoint(_PYRAMID_CALLS) and (
        "includeme" in parsed.functions or any(imp.module.partition(".")[0] == "pyramid" for imp in parsed.imports)
    ):
        found.add("pyramid")
    if config and not _is_migration(parsed.path):
        found.update(("engines", "brokers", "logging"))
    if _celery_by_name(parsed.path):
        found.add("brokers")  # proj/celery.py, celery_app.py: CELERY_IMPORTS, app.conf.* set there
    return found


def _server_by_name(path: str) -> bool:
    """manage.py, wsgi.py, asgi.py: may set DJANGO_SETTINGS_MODULE by assignment."""
    return path.rpartition("/")[2] in _SERVER_FILES


def _celery_by_name(path: str) -> bool:
    words = _NAME_PARTS.split(path.rpartition("/")[2].lower())
    return "celery" in (words[0], words[-2] if len(words) > 1 else "")


def _config_by_name(parsed: ParsedFile) -> bool:
    """A configuration module by its name; tests and migrations never are."""
    if parsed.is_test or _is_migration(parsed.path):
        return False
    return is_config_path(parsed.path)


def _is_migration(path: str) -> bool:
    return "/migrations/" in f"/{path}"


def is_config_path(path: str) -> bool:
    """settings.py, config/prod.py, gunicorn.conf.py, celeryconfig.py: a configuration module."""
    lowered = path.lower()
    if "conf" not in lowered and "setting" not in lowered and "gunicorn" not in lowered:
        return False
    parts = lowered.split("/")
    if parts[-1].endswith(".py"):
        parts[-1] = parts[-1][: -len(".py")]
    for part in parts:
        words = _NAME_PARTS.split(part)
        if words[0] in _CONFIG_WORDS or words[-1] in _CONFIG_WORDS or part.endswith(_CONFIG_ENDINGS):
            return True
    return False


def calls_install_as_mysqldb(ctx: FrameworkContext, path: str) -> bool:
    """False only when the parse shows the file never calls install_as_MySQLdb at module level."""
    known = candidates(ctx).pymysql
    return known is None or path in known or path not in ctx.parsed
