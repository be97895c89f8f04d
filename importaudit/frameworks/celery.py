"""Celery: broker and result-backend URLs (transport libraries) and `include=` task modules."""

from __future__ import annotations

import ast
from typing import Optional

from importaudit.frameworks.candidates import candidates
from importaudit.frameworks.context import Collector, FrameworkContext
from importaudit.frameworks.drivers import celery_choice
from importaudit.frameworks.sites import SiteLog, file_sites, replay
from importaudit.frameworks.values import EnvRead, Seq, Text, Value, dotted, resolve_env, texts
from importaudit.frameworks.walk import FileScan, Placed, phase_of
from importaudit.model import Location

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
_MODULE_INCLUDE_KEYS = _INCLUDE_KEYS - {"include"}


class _CeleryReader:
    """Resolves the recorded broker/backend/include sites for one target's environment."""

    def __init__(self, ctx: FrameworkContext, out: Collector) -> None:
        self.out = out
        self.modules = ctx.modules
        self.worker = ctx.worker
        self.boot_paths = ctx.boot_paths
        self.first_party = {name.split(".")[0] for name in ctx.modules}
        self.apps: list[tuple[Location, Optional[str]]] = []  # where Celery(...) apps are created
        self.env = dict(ctx.env)
        self.sqlalchemy = ctx.installed.get("sqlalchemy")

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

    def includes(
        self, value: Optional[Value], via: str, phase: str, placed: Optional[Placed],
        where: Optional[Location] = None,
    ) -> None:
        """`include=` / `imports=`: the worker (and beat) import these modules when they start; any
        other process only when it loads the app's default modules (never at its own boot)."""
        resolved = resolve_env(value, self.env)
        if self.worker and where is not None and not _all_texts(resolved):
            self.out.unfollowed.append(
                f"{where.file}:{where.line}: the Celery app's `{via}` is built in a way importaudit cannot "
                "read, so the task modules it imports when it starts are unknown"
            )
        if phase == "boot" and not self.worker:
            phase = "request"
        for text in texts(resolved):
            if text.value and all(part.isidentifier() for part in text.value.split(".")):
                self.out.add_text(text.value, text, f"Celery {via}", phase, placed=placed)

    def app(self, where: Location, placed: Optional[Placed]) -> None:
        """A `Celery(...)` app is created here (in `function`, or at import when None)."""
        self.apps.append((where, placed.function if placed is not None else None))

    def config(self, value: Optional[Value], where: Location) -> None:
        """`app.config_from_object(...)`: the settings it names decide include/imports/autodiscovery."""
        if not self.worker or where.file not in self.boot_paths:
            return
        resolved = resolve_env(value, self.env)
        name = resolved.value.split(":")[0] if isinstance(resolved, Text) else None
        if name is None:
            why = "names its configuration in a way importaudit cannot read"
        elif name in ("django.conf", "django.conf.settings"):
            if self.out.settings_module is not None:
                return
            why = "reads the Django settings, but no DJANGO_SETTINGS_MODULE was found for this target"
        elif name in self.modules or name.split(".")[0] not in self.first_party:
            return  # a project module (read as settings) or another distribution's
        else:
            why = f"names {name}, which is not a module of the project"
        self.out.unfollowed.append(
            f"{where.file}:{where.line}: the Celery app's config_from_object() {why}, so the task modules "
            "it imports when it starts are unknown"
        )


    def autodiscover(
        self, value: Optional[Value], related: str, where: Location, placed: Optional[Placed]
    ) -> None:
        """`app.autodiscover_tasks()` (the Django apps) or `([...])`: the worker imports each
        package's `tasks` module when it starts; a web process only when a task is first sent."""
        listed = resolve_env(value, self.env)
        packages = [t.value for t in texts(listed)] if listed is not None else list(self.out.django_apps)
        phase = "boot" if self.worker else "request"
        for package in dict.fromkeys(packages):
            module = f"{package}.{related}"
            if module in self.modules:
                self.out.add(module, where, "Celery autodiscover_tasks", phase, placed=placed)


def celery_imports(ctx: FrameworkContext, out: Collector) -> None:
    """Celery(...) calls, `app.conf` assignments/updates and broker settings, in any file."""
    reader = _CeleryReader(ctx, out)
    for path in sorted({*candidates(ctx).brokers, *out.settings_files}):
        replay(file_sites(ctx, "celery", path, _find_sites), reader)
    if ctx.worker:
        _app_found(ctx, out, reader.apps)


def _app_found(ctx: FrameworkContext, out: Collector, apps: list[tuple[Location, Optional[str]]]) -> None:
    """CONTRACT: a worker `boots` only when its Celery app was found (and so its include/imports/
    autodiscovery read): a `Celery(...)` created at import by a file the worker's boot reaches.
    An app made in a factory counts when reach runs the factory (the audit checks that)."""
    reached = [(where, function) for where, function in apps if where.file in ctx.boot_paths]
    if any(function is None for _, function in reached):
        return
    named = ctx.celery_app or "its app"
    files = ", ".join(sorted(ctx.boot_paths)[:3]) + (" ..." if len(ctx.boot_paths) > 3 else "")
    found = (
        f"importaudit found no Celery(...) app created in the files it reaches ({files})" if ctx.boot_paths
        else "importaudit could not find that module in the project"
    )
    message = (f"{ctx.celery_app_at or '?'}: celery loads {named}, but {found}, so the task modules it imports "
               "when it starts were not read")
    if reached:  # created in functions: found when reach runs one of them
        out.celery_factories.append(
            (tuple((where.file, function) for where, function in reached if function is not None), message))
        return
    out.unfollowed.append(message)


def _find_sites(log: SiteLog, scan: FileScan) -> None:
    for placed, call in scan.calls():
        _celery_call(log, scan, placed, call)
    for placed in scan.placed:
        _assignment(log, scan, placed)


def _celery_call(log: SiteLog, scan: FileScan, placed: Placed, call: ast.Call) -> None:
    name = dotted(call.func) or ""
    if name.rsplit(".", 1)[-1] == "autodiscover_tasks":
        _autodiscover(log, scan, placed, call)
        return
    if name.rsplit(".", 1)[-1] == "config_from_object" and call.args:
        value = scan.evaluator(placed).value(call.args[0])
        log.record("config", value, Location(scan.path, call.lineno, call.col_offset))
        return
    if name.rsplit(".", 1)[-1] == "Celery":
        log.record("app", Location(scan.path, call.lineno, call.col_offset), placed)
        urls, includes = _APP_KEYWORDS, frozenset({"include"})
    elif name.endswith("conf.update"):
        urls, includes = _CONF_KEYS, _INCLUDE_KEYS
    else:
        return
    where = Location(scan.path, call.lineno, call.col_offset)
    phase = phase_of(placed)
    for keyword in call.keywords:
        if keyword.arg in urls:
            log.record("url", log.value(scan, placed, keyword.value), where, urls[keyword.arg], phase, placed)
        elif keyword.arg in includes:
            log.record("includes", scan.evaluator(placed).value(keyword.value), keyword.arg, phase, placed, where)


def _assignment(log: SiteLog, scan: FileScan, placed: Placed) -> None:
    stmt = placed.node
    if not isinstance(stmt, (ast.Assign, ast.AnnAssign)) or stmt.value is None:
        return
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    for target in targets:
        where = Location(scan.path, stmt.lineno, stmt.col_offset)
        if isinstance(target, ast.Attribute) and (dotted(target.value) or "").endswith("conf"):
            if target.attr not in _CONF_KEYS and target.attr not in _INCLUDE_KEYS:
                continue
            value = log.value(scan, placed, stmt.value)
            if target.attr in _CONF_KEYS:
                log.record("url", value, where, _CONF_KEYS[target.attr], phase_of(placed), placed)
            elif target.attr in _INCLUDE_KEYS:
                log.record("includes", value, target.attr, phase_of(placed), placed, where)
        elif isinstance(target, ast.Name) and placed.function is None:
            if target.id in _SETTING_NAMES:
                value = log.value(scan, placed, stmt.value)
                log.record("url", value, where, _SETTING_NAMES[target.id], "request", placed)
            elif target.id in _MODULE_INCLUDE_KEYS:
                log.record("includes", log.value(scan, placed, stmt.value), target.id, "request", placed)


def _autodiscover(log: SiteLog, scan: FileScan, placed: Placed, call: ast.Call) -> None:
    """autodiscover_tasks(packages=None, related_name="tasks"): a literal list, else the Django
    apps (no argument, a lambda over settings.INSTALLED_APPS)."""
    first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "packages"), None)
    value = None
    if first is not None and not isinstance(first, ast.Lambda):
        value = scan.evaluator(placed).value(first)
        if value is None:
            return  # a list importaudit cannot read: nothing is claimed
    related_node = call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords if k.arg == "related_name"), None)
    related = related_node.value if isinstance(related_node, ast.Constant) and isinstance(
        related_node.value, str) else "tasks"
    log.record("autodiscover", value, related, Location(scan.path, call.lineno, call.col_offset), placed)


def _all_texts(value: Optional[Value]) -> bool:
    """A string or a list of strings, all read (what include=/imports= must be to be known)."""
    if isinstance(value, Text):
        return True
    return isinstance(value, Seq) and all(isinstance(item, Text) for item in value.items)
