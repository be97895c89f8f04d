"""Celery: broker and result-backend URLs (transport libraries) and `include=` task modules."""

from __future__ import annotations

import ast
from typing import Optional

from ..model import Location
from .context import Collector, FrameworkContext
from .drivers import celery_choice
from .settings_classes import field_value, settings_fields
from .values import EnvRead, Text, Value, dotted, resolve_env, texts
from .walk import FileScan, Placed, phase_of

# Celery(...) keyword -> what it configures
_APP_KEYWORDS = {"broker": "broker", "backend": "result backend"}
# conf attributes / `app.conf.update(...)` keys (new lowercase and old uppercase names)
_CONF_KEYS = {
    "broker_url": "broker",
    "BROKER_URL": "broker",
    "broker_read_url": "broker",
    "broker_write_url": "broker",
    "result_backend": "result backend",
    "CELERY_RESULT_BACKEND": "result backend",
}
# Module-level settings (celeryconfig.py, Django settings with namespace="CELERY", Flask config):
# only read when a task is sent (web) or the worker starts; the pipeline knows which it runs.
_SETTING_NAMES = {
    **_CONF_KEYS,
    "CELERY_BROKER_URL": "broker",
    "CELERY_BROKER_READ_URL": "broker",
    "CELERY_BROKER_WRITE_URL": "broker",
}
_INCLUDE_KEYS = frozenset({"include", "imports", "CELERY_IMPORTS", "CELERY_INCLUDE"})


class _CeleryReader:
    def __init__(self, ctx: FrameworkContext, out: Collector) -> None:
        self.out = out
        self.env = dict(ctx.env)
        self.sqlalchemy = ctx.installed.get("sqlalchemy")
        self.fields = settings_fields(ctx, out)

    def value(self, scan: FileScan, placed: Placed, node: ast.expr) -> Optional[Value]:
        """The URL expression's value; a pydantic settings field when it reads one."""
        value = scan.evaluator(placed).value(node)
        return value if value is not None else field_value(node, self.fields)

    def url(
        self,
        value: Optional[Value],
        where: Location,
        via: str,
        phase: str,
        placed: Optional[Placed],
    ) -> None:
        resolved = resolve_env(value, self.env)
        if not isinstance(resolved, Text):
            if isinstance(value, EnvRead):
                message = (
                    f"Celery {via}: {value.var} is read from the environment with no default; "
                    f"set a default or set {value.var} in the target to tell the transport"
                )
                self.out.unknown("", where, f"Celery {via}", phase, message, placed)
            return
        choice = celery_choice(resolved.value, self.sqlalchemy)
        at = Location(resolved.file, resolved.line, resolved.col)
        for driver in choice.drivers + choice.plugins:
            self.out.add(driver.module, at, f"Celery {via}", phase, driver.hint, placed)
        if choice.problem is not None:
            self.out.unknown("", at, f"Celery {via}", phase, choice.problem, placed)

    def includes(self, value: Optional[Value], via: str, phase: str, placed: Optional[Placed]) -> None:
        for text in texts(resolve_env(value, self.env)):
            if text.value and all(part.isidentifier() for part in text.value.split(".")):
                self.out.add_text(text.value, text, f"Celery {via}", phase, placed=placed)


def celery_imports(ctx: FrameworkContext, out: Collector) -> None:
    """Celery(...) calls, `app.conf` assignments/updates and broker settings, in any file."""
    reader = _CeleryReader(ctx, out)
    for path, tree in ctx.sorted_trees():
        scan = out.scan(path, tree)
        for placed, call in scan.calls():
            _celery_call(reader, scan, placed, call)
        for placed in scan.placed:
            _assignment(reader, scan, placed)


def _celery_call(reader: _CeleryReader, scan: FileScan, placed: Placed, call: ast.Call) -> None:
    name = dotted(call.func) or ""
    evaluator = scan.evaluator(placed)
    where = Location(scan.path, call.lineno, call.col_offset)
    phase = phase_of(placed)
    if name.rsplit(".", 1)[-1] == "Celery":
        for keyword in call.keywords:
            if keyword.arg in _APP_KEYWORDS:
                reader.url(
                    reader.value(scan, placed, keyword.value), where, _APP_KEYWORDS[keyword.arg], phase, placed
                )
            elif keyword.arg == "include":
                reader.includes(evaluator.value(keyword.value), "include", phase, placed)
    elif name.endswith("conf.update"):
        for keyword in call.keywords:
            if keyword.arg in _CONF_KEYS:
                reader.url(
                    reader.value(scan, placed, keyword.value), where, _CONF_KEYS[keyword.arg], phase, placed
                )
            elif keyword.arg in _INCLUDE_KEYS:
                reader.includes(evaluator.value(keyword.value), keyword.arg, phase, placed)


def _assignment(reader: _CeleryReader, scan: FileScan, placed: Placed) -> None:
    stmt = placed.node
    if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
        return
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    for target in targets:
        where = Location(scan.path, stmt.lineno, stmt.col_offset)
        if isinstance(target, ast.Attribute) and (dotted(target.value) or "").endswith("conf"):
            value = reader.value(scan, placed, stmt.value)
            if target.attr in _CONF_KEYS:
                reader.url(value, where, _CONF_KEYS[target.attr], phase_of(placed), placed)
            elif target.attr in _INCLUDE_KEYS:
                reader.includes(value, target.attr, phase_of(placed), placed)
        elif isinstance(target, ast.Name) and placed.function is None:
            value = reader.value(scan, placed, stmt.value)
            if target.id in _SETTING_NAMES:
                reader.url(value, where, _SETTING_NAMES[target.id], "request", placed)
            elif target.id in _INCLUDE_KEYS - {"include"}:
                reader.includes(value, target.id, "request", placed)
