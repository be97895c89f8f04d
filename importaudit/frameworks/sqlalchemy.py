"""SQLAlchemy and Flask-SQLAlchemy: database URLs whose driver create_engine imports."""

from __future__ import annotations

import ast
from typing import Optional

from importaudit.frameworks.candidates import candidates
from importaudit.frameworks.context import Collector, FrameworkContext
from importaudit.frameworks.drivers import sqlalchemy_choice
from importaudit.frameworks.sites import SiteLog, file_sites, replay
from importaudit.frameworks.values import HOLE, CallValue, Dict, EnvRead, Text, Value, dotted, resolve_env
from importaudit.frameworks.walk import FileScan, Placed, phase_of
from importaudit.model import Location

_ENGINE_FACTORIES = frozenset({"create_engine", "create_async_engine"})
_URI_KEYS = frozenset({"SQLALCHEMY_DATABASE_URI"})
_BINDS_KEYS = frozenset({"SQLALCHEMY_BINDS", "SQLALCHEMY_ENGINES"})
_CONFIG_UPDATES = frozenset({"update", "from_mapping"})


class _UrlReader:
    """Resolves the recorded URL sites for one target (its env, its SQLAlchemy version)."""

    def __init__(self, ctx: FrameworkContext, out: Collector) -> None:
        self.out = out
        self.env = dict(ctx.env)
        self.version = ctx.installed.get("sqlalchemy")

    def url(self, value: Optional[Value], where: Location, via: str, placed: Placed) -> None:
        """Emit the driver a URL value needs, or an unresolved entry saying what is missing."""
        value = _url_of(value)
        resolved = resolve_env(value, self.env)
        phase = phase_of(placed)
        if not isinstance(resolved, Text):
            self.out.unknown("", where, via, phase, _unknown_message(value, via), placed)
            return
        if resolved.value.startswith(HOLE):
            message = f"{via}: the database URL is built at run time; the driver is unknown"
            self.out.unknown("", where, via, phase, message, placed)
            return
        choice = sqlalchemy_choice(resolved.value, self.version)
        at = Location(resolved.file, resolved.line, resolved.col)
        for driver in choice.drivers + choice.plugins:
            self.out.add(driver.module, at, via, phase, driver.hint, placed)
        if choice.problem is not None:
            self.out.unknown("", at, via, phase, f"{via}: {choice.problem}", placed)
        if choice.note is not None:
            self.out.notes.append(f"{at.file}:{at.line}: {choice.note}")

    def binds(self, value: Optional[Value], where: Location, via: str, placed: Placed) -> None:
        if isinstance(value, Dict):
            for name, bind in value.entries:
                url = bind.get("url") if isinstance(bind, Dict) else bind
                self.url(url, where, f"{via}['{name}']", placed)


def _url_of(value: Optional[Value]) -> Optional[Value]:
    """`URL.create("postgresql+psycopg2", ...)` and `make_url("...")` as a URL text."""
    if isinstance(value, CallValue):
        name = value.callee.rsplit(".", 1)[-1]
        if name == "create" and value.callee.endswith("URL.create"):
            driver = value.args[0] if value.args else value.kwarg("drivername")
            if isinstance(driver, Text):
                return Text(driver.value + "://", driver.file, driver.line, driver.col)
        if name == "make_url" and value.args:
            return value.args[0]
    return value


def _unknown_message(value: Optional[Value], via: str) -> str:
    if isinstance(value, EnvRead):
        return (
            f"{via}: {value.var} is read from the environment with no default; set a default "
            f"or set {value.var} in the target to tell which database driver is needed"
        )
    return f"{via}: the database URL is not a literal importaudit can read; the driver is unknown"


def sqlalchemy_imports(ctx: FrameworkContext, out: Collector) -> None:
    """create_engine()/engine_from_config() calls and Flask-SQLAlchemy config keys, any file."""
    reader = _UrlReader(ctx, out)
    for path in sorted({*candidates(ctx).engines, *out.settings_files}):
        replay(file_sites(ctx, "sqlalchemy", path, _find_sites), reader)


def _find_sites(log: SiteLog, scan: FileScan) -> None:
    for placed, call in scan.calls():
        _engine_call(log, scan, placed, call)
        _config_update(log, scan, placed, call)
    for placed in scan.placed:
        _config_assignment(log, scan, placed)


def _engine_call(log: SiteLog, scan: FileScan, placed: Placed, call: ast.Call) -> None:
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    where = Location(scan.path, call.lineno, call.col_offset)
    if name in _ENGINE_FACTORIES:
        node = call.args[0] if call.args else _keyword(call, "url")
        if node is not None:
            log.record("url", log.value(scan, placed, node), where, name, placed)
    elif name == "engine_from_config" and call.args:
        evaluator = scan.evaluator(placed)
        config = evaluator.value(call.args[0])
        prefix_value = evaluator.value(_keyword(call, "prefix") or (call.args[1] if len(call.args) > 1 else None))
        prefix = prefix_value.value if isinstance(prefix_value, Text) else "sqlalchemy."
        if isinstance(config, Dict):
            log.record("url", config.get(prefix + "url"), where, name, placed)


def _config_update(log: SiteLog, scan: FileScan, placed: Placed, call: ast.Call) -> None:
    """`app.config.update(SQLALCHEMY_DATABASE_URI=...)` / `.from_mapping({...})`."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr in _CONFIG_UPDATES):
        return
    if not (dotted(func.value) or "").endswith("config"):
        return
    evaluator = scan.evaluator(placed)
    where = Location(scan.path, call.lineno, call.col_offset)
    mapping = evaluator.value(call.args[0]) if call.args else None
    entries = list(mapping.entries) if isinstance(mapping, Dict) else []
    entries += [(kw.arg, evaluator.value(kw.value)) for kw in call.keywords if kw.arg]
    for key, value in entries:
        if key in _URI_KEYS:
            log.record("url", value, where, key, placed)
        elif key in _BINDS_KEYS:
            log.record("binds", value, where, key, placed)


def _config_assignment(log: SiteLog, scan: FileScan, placed: Placed) -> None:
    """`SQLALCHEMY_DATABASE_URI = ...` (module or config class) and `app.config[...] = ...`."""
    stmt = placed.node
    if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
        return
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    for target in targets:
        key: Optional[str] = None
        if isinstance(target, ast.Name):
            key = target.id
        elif (
            isinstance(target, ast.Subscript)
            and (dotted(target.value) or "").endswith("config")
            and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str)
        ):
            key = target.slice.value
        if key not in _URI_KEYS and key not in _BINDS_KEYS:
            continue
        value = log.value(scan, placed, stmt.value)
        where = Location(scan.path, stmt.lineno, stmt.col_offset)
        if key in _URI_KEYS:
            log.record("url", value, where, key, placed)
        else:
            log.record("binds", value, where, key or "", placed)


def _keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None
