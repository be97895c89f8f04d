"""Find the Django settings module a target uses and read its values statically."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

from importaudit.frameworks.candidates import calls_install_as_mysqldb, candidates
from importaudit.frameworks.context import FrameworkContext
from importaudit.frameworks.evaluate import Evaluator
from importaudit.frameworks.split_settings import SplitSettings, uses_split_settings
from importaudit.frameworks.values import HOLE, Const, EnvRead, Namespace, Seq, Text, dotted, resolve_env
from importaudit.frameworks.walk import FileScan, module_level
from importaudit.model import Location

SETTINGS_VAR = "DJANGO_SETTINGS_MODULE"
_APP_FACTORIES = frozenset({"get_wsgi_application", "get_asgi_application"})


@dataclass(frozen=True)
class SettingsSite:
    """Where a file names the settings module (`os.environ.setdefault(...)`)."""

    module: str
    location: Location
    rank: int  # 0 reached at boot, 1 wsgi/asgi, 2 manage.py, 3 other


@dataclass
class Settings:
    """The settings module's namespace after its star-import chain, and the files read."""

    module: str
    namespace: Namespace = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # (including file, line, included file) of each django-split-settings include(): the included
    # file runs as part of the including module
    included: list[tuple[str, int, str]] = field(default_factory=list)
    # (module, path or None) of every first-party lookup made: a later target whose modules
    # map agrees on all of them (and whose env is the same) reads the very same settings.
    lookups: list[tuple[str, Optional[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class _FileSites:
    """What one file says about the settings module (a per-run fact of the file)."""

    named: tuple[Text, ...]
    factory: bool  # builds the WSGI/ASGI application


def find_settings_module(ctx: FrameworkContext) -> Optional[tuple[str, Location]]:
    """The target's DJANGO_SETTINGS_MODULE, else the best setdefault() in wsgi/asgi/manage.py."""
    sites = sorted(_settings_sites(ctx), key=lambda s: (s.rank, s.location.file, s.location.line))
    from_env = ctx.env.get(SETTINGS_VAR, "").strip()
    if from_env:
        # The environment wins over setdefault(); locate it at the file that would have set it.
        where = sites[0].location if sites else _server_file(ctx)
        return from_env, where
    if not sites:
        return None
    return sites[0].module, sites[0].location


def _settings_sites(ctx: FrameworkContext) -> list[SettingsSite]:
    sites: list[SettingsSite] = []
    for path in candidates(ctx).servers:
        found = _file_sites(ctx, path)
        if path in ctx.boot_paths:
            rank = 0
        elif found.factory:
            rank = 1
        else:
            rank = 2 if path.rsplit("/", 1)[-1] == "manage.py" else 3
        sites.extend(SettingsSite(t.value, Location(path, t.line, t.col), rank) for t in found.named)
    return sites


def _file_sites(ctx: FrameworkContext, path: str) -> _FileSites:
    key = "django-sites:" + path
    found = ctx.run.memo.get(key)
    if not isinstance(found, _FileSites):
        scan = ctx.scan(path)
        found = ctx.run.memo[key] = _scan_for_settings(scan) if scan is not None else _FileSites((), False)
    return found


def _scan_for_settings(scan: FileScan) -> _FileSites:
    """The settings modules a file names, and whether it builds the WSGI/ASGI app."""
    named: list[Text] = []
    factory = False
    for _, call in scan.calls():
        callee = dotted(call.func) or ""
        if callee.rsplit(".", 1)[-1] in _APP_FACTORIES:
            factory = True
        elif callee in {"os.environ.setdefault", "environ.setdefault"} and len(call.args) == 2:
            key, value = call.args
            if _is_str(key, SETTINGS_VAR) and isinstance(value, ast.Constant) and isinstance(value.value, str):
                named.append(Text(value.value, "", value.lineno, value.col_offset))
    for placed in scan.placed:
        node = placed.node
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            literal = node.value
            for target in node.targets:
                if (
                    isinstance(target, ast.Subscript)
                    and dotted(target.value) in {"os.environ", "environ"}
                    and _is_str(target.slice, SETTINGS_VAR)
                    and isinstance(literal.value, str)
                ):
                    named.append(Text(literal.value, "", literal.lineno, literal.col_offset))
    return _FileSites(tuple(named), factory)


def _is_str(node: ast.AST, expected: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == expected


def _server_file(ctx: FrameworkContext) -> Location:
    """The wsgi/asgi file (the one calling get_wsgi_application), line 0; ("", 0) if none."""
    for path in candidates(ctx).servers:
        if _file_sites(ctx, path).factory:
            return Location(path, 0)
    return Location("", 0)


def read_settings(module: str, ctx: FrameworkContext) -> Settings:
    """Module-level assignments of the settings module, following `from .base import *`.

    Read once per run for each (module, environment): targets differ only in what they set.
    """
    key = "django-settings:" + module
    env = tuple(sorted(ctx.env.items()))
    earlier: list[tuple[tuple[tuple[str, str], ...], Settings]] = ctx.run.memo.setdefault(key, [])
    for seen_env, settings in earlier:
        if seen_env == env and all(ctx.modules.get(name) == path for name, path in settings.lookups):
            return settings
    settings = Settings(module)
    settings.namespace = _load(module, ctx, settings, ())
    earlier.append((env, settings))
    return settings


def _tree_of(module: str, ctx: FrameworkContext, settings: Settings) -> Optional[tuple[str, ast.Module]]:
    settings.lookups.append((module, ctx.modules.get(module)))
    return ctx.tree_of(module)


def _load(module: str, ctx: FrameworkContext, settings: Settings, seen: tuple[str, ...]) -> Namespace:
    found = _tree_of(module, ctx, settings)
    if found is None:
        settings.notes.append(
            f"the settings module {module} is not a file of the project; its strings are unknown"
        )
        return {}
    if module in seen:
        return {}
    path, tree = found
    settings.files.append(path)
    evaluator = Evaluator(path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]

    def on_import(node: ast.ImportFrom, guarded: bool) -> None:
        source = _absolute(node, package)
        if source is None or _tree_of(source, ctx, settings) is None:
            return  # a third-party import: its values are not settings strings
        if guarded:
            # `try: from .local import * / except ImportError: pass`: an optional override
            # that the deploy usually lacks; reading it would invent settings.
            settings.notes.append(f"{path}:{node.lineno}: skipped the guarded import of {source}")
            return
        names = _load(source, ctx, settings, (*seen, module))
        for alias in node.names:
            if alias.name == "*":
                evaluator.namespace.update({k: v for k, v in names.items() if not k.startswith("_")})
            elif alias.name in names:
                evaluator.namespace[alias.asname or alias.name] = names[alias.name]

    def decide(test: ast.expr) -> Optional[bool]:
        return _decide(test, evaluator, ctx)

    if uses_split_settings(tree):
        split = SplitSettings(ctx, settings.files, settings.notes, settings.included, evaluator, on_import, decide,
                              path)
        split.attach()
    evaluator.run(tree.body, on_import, decide)
    return evaluator.namespace


def _absolute(node: ast.ImportFrom, package: str) -> Optional[str]:
    if node.level == 0:
        return node.module
    parts = package.split(".") if package else []
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    if node.module:
        base.append(node.module)
    return ".".join(base) or None


def _decide(test: ast.expr, evaluator: Evaluator, ctx: FrameworkContext) -> Optional[bool]:
    """True/False for `ENV == "production"`-style tests the target's environment decides."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _decide(test.operand, evaluator, ctx)
        return None if inner is None else not inner
    if isinstance(test, (ast.Name, ast.Attribute)):
        return env_truth(evaluator.value(test), ctx.env)
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    left = evaluator.value(test.left)
    right = evaluator.value(test.comparators[0])
    op = test.ops[0]
    if isinstance(op, (ast.In, ast.NotIn)) and dotted(test.comparators[0]) in {
        "os.environ",
        "environ",
    }:
        if isinstance(left, Text):
            present = left.value in ctx.env
            return present if isinstance(op, ast.In) else not present
        return None
    if not _from_env(left) and not _from_env(right):
        return None  # only environment-driven branches are decided; DEBUG & co run both
    lhs, rhs = resolve_env(left, ctx.env), resolve_env(right, ctx.env)
    if not isinstance(lhs, Text):
        return None
    if isinstance(op, (ast.Eq, ast.NotEq)) and isinstance(rhs, Text):
        return (lhs.value == rhs.value) == isinstance(op, ast.Eq)
    if isinstance(op, (ast.In, ast.NotIn)) and isinstance(rhs, Seq):
        options = {item.value for item in rhs.items if isinstance(item, Text)}
        return (lhs.value in options) == isinstance(op, ast.In)
    return None


_TRUE_WORDS = frozenset({"true", "on", "ok", "y", "yes", "1", "t"})
_FALSE_WORDS = frozenset({"false", "off", "n", "no", "0", "f", ""})


def env_truth(value: object, env: Mapping[str, str]) -> Optional[bool]:
    """`if DEBUG:` where DEBUG is read from a variable the target's environment sets: its truth.

    Only a value the target fixes decides a branch; an unset variable (a secret set in the
    platform's dashboard) leaves both branches in."""
    if not isinstance(value, EnvRead) or value.var not in env:
        return None
    text = env[value.var].strip()
    if value.cast != "bool":
        return bool(text)  # os.environ.get("DEBUG"): any non-empty string is true
    word = text.lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    return None


def _from_env(value: object) -> bool:
    return isinstance(value, EnvRead)


# What a process that starts Django imports: the WSGI/ASGI handlers, the management CLI, setup().
_DJANGO_STARTERS = frozenset({"django.core.wsgi", "django.core.asgi", "django.core.management"})
_DJANGO_CALLS = frozenset({"get_wsgi_application", "get_asgi_application", "execute_from_command_line",
                           "django.setup"})


def runs_django(ctx: FrameworkContext) -> Optional[Location]:
    """Where a file the target runs at boot starts Django (first by path), or None.

    Only a target whose boot reaches such a file needs its settings read: a Flask app that
    happens to sit next to a Django project does not."""
    if not ctx.parsed:
        return None
    for path in sorted(ctx.boot_paths):
        parsed = ctx.parsed.get(path)
        if parsed is None:
            continue
        # The call that starts Django is where it starts (wsgi.py's `application = get_wsgi_application()`),
        # not the import of that function on line 1; an import alone (a helper module) is the fallback.
        for call in parsed.calls:
            if call.callee in _DJANGO_CALLS:
                return Location(path, call.line)
        for imp in parsed.imports:
            if imp.module in _DJANGO_STARTERS or (
                imp.module == "django" and any(n in ("setup",) for n in imp.names)
            ):
                return imp.location
    return None


def assignment_line(ctx: FrameworkContext, files: list[str], name: str) -> Optional[tuple[str, int]]:
    """The last module-level statement of the settings chain that binds or changes `name`."""
    found: Optional[tuple[str, int]] = None
    for path in files:
        tree = ctx.tree(path)
        if tree is None:
            continue
        for stmt in ast.walk(tree):
            if not isinstance(stmt, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)):
                continue
            if isinstance(stmt, ast.Assign):
                hit = any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)
            elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
                hit = isinstance(stmt.target, ast.Name) and stmt.target.id == name
            else:
                func = stmt.value.func if isinstance(stmt.value, ast.Call) else None
                hit = isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and func.value.id == name
            if hit:
                found = (path, stmt.lineno)
    return found


def installs_pymysql_as_mysqldb(ctx: FrameworkContext, settings: Settings) -> bool:
    """`pymysql.install_as_MySQLdb()` at module level: boot files, settings, package inits."""
    candidates_ = set(ctx.boot_paths) | set(settings.files)
    parts = settings.module.split(".")
    for depth in range(1, len(parts)):
        path = ctx.modules.get(".".join(parts[:depth]))
        if path is not None:
            candidates_.add(path)
    # The parse says which files call it at all: only those are read (once per run).
    return any(_installs_pymysql(ctx, path) for path in sorted(candidates_) if calls_install_as_mysqldb(ctx, path))


def _installs_pymysql(ctx: FrameworkContext, path: str) -> bool:
    key = "pymysql:" + path
    found = ctx.run.memo.get(key)
    if not isinstance(found, bool):
        tree = ctx.tree(path)
        found = ctx.run.memo[key] = tree is not None and any(
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and (dotted(stmt.value.func) or "").endswith("install_as_MySQLdb")
            for stmt in module_level(tree)
        )
    return found


def literal_settings(namespace: Namespace, env: Mapping[str, str] = {}) -> tuple[tuple[str, object], ...]:
    """Settings whose value is a literal (a bool, a number, a string, a list of strings), or is
    read from a variable the target's environment sets (`DEBUG = env.bool("DEBUG")` with
    `DEBUG=False` in the Dockerfile): `if settings.DEBUG:` in the app is then decided."""
    out: list[tuple[str, object]] = []
    for name, value in sorted(namespace.items()):
        literal = _literal(value)
        if literal is _NOT_LITERAL and isinstance(value, EnvRead) and value.var in env:
            truth = env_truth(value, env)
            literal = truth if value.cast == "bool" and truth is not None else (
                env[value.var] if value.cast != "bool" else _NOT_LITERAL)
        if literal is not _NOT_LITERAL and name.isupper():
            out.append((name, literal))
    return tuple(out)


_NOT_LITERAL = object()


def _literal(value: object) -> object:
    if isinstance(value, Const) and isinstance(value.value, (bool, int, str, type(None))):
        return value.value
    if isinstance(value, Text) and HOLE not in value.value and not value.guards:
        # `try: import debug_toolbar; INSTALLED_APPS += ["debug_toolbar"]`: only if it imports
        return value.value
    if isinstance(value, Seq):
        items = tuple(_literal(item) for item in value.items)
        return items if all(isinstance(item, str) for item in items) else _NOT_LITERAL
    return _NOT_LITERAL
