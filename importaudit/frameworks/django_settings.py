"""Find the Django settings module a target uses and read its values statically."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..model import Location
from .context import FrameworkContext
from .evaluate import Evaluator
from .values import EnvRead, Namespace, Seq, Text, dotted, resolve_env
from .walk import FileScan, module_level

# Gives the (cached) FileScan of a file: the collector's cache, or a fresh scan.
Scanner = Callable[[str, ast.Module], FileScan]

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


def find_settings_module(ctx: FrameworkContext, scans: Optional[Scanner] = None) -> Optional[tuple[str, Location]]:
    """The target's DJANGO_SETTINGS_MODULE, else the best setdefault() in wsgi/asgi/manage.py."""
    scan = scans or FileScan
    sites = sorted(_settings_sites(ctx, scan), key=lambda s: (s.rank, s.location.file, s.location.line))
    from_env = ctx.env.get(SETTINGS_VAR, "").strip()
    if from_env:
        # The environment wins over setdefault(); locate it at the file that would have set it.
        where = sites[0].location if sites else _server_file(ctx, scan)
        return from_env, where
    if not sites:
        return None
    return sites[0].module, sites[0].location


def _settings_sites(ctx: FrameworkContext, scan: Scanner) -> list[SettingsSite]:
    sites: list[SettingsSite] = []
    for path, tree in ctx.sorted_trees():
        named, factory = _scan_for_settings(scan(path, tree))
        if path in ctx.boot_paths:
            rank = 0
        elif factory:
            rank = 1
        else:
            rank = 2 if path.rsplit("/", 1)[-1] == "manage.py" else 3
        sites.extend(SettingsSite(t.value, Location(path, t.line, t.col), rank) for t in named)
    return sites


def _scan_for_settings(scan: FileScan) -> tuple[list[Text], bool]:
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
    return named, factory


def _is_str(node: ast.AST, expected: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == expected


def _server_file(ctx: FrameworkContext, scan: Scanner) -> Location:
    """The wsgi/asgi file (the one calling get_wsgi_application), line 0; ("", 0) if none."""
    for path, tree in ctx.sorted_trees():
        if _scan_for_settings(scan(path, tree))[1]:
            return Location(path, 0)
    return Location("", 0)


def read_settings(module: str, ctx: FrameworkContext) -> Settings:
    """Module-level assignments of the settings module, following `from .base import *`."""
    settings = Settings(module)
    settings.namespace = _load(module, ctx, settings, ())
    return settings


def _load(module: str, ctx: FrameworkContext, settings: Settings, seen: tuple[str, ...]) -> Namespace:
    found = ctx.tree_of(module)
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
        if source is None or ctx.tree_of(source) is None:
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


def _from_env(value: object) -> bool:
    return isinstance(value, EnvRead)


def installs_pymysql_as_mysqldb(ctx: FrameworkContext, settings: Settings) -> bool:
    """`pymysql.install_as_MySQLdb()` at module level: boot files, settings, package inits."""
    candidates = set(ctx.boot_paths) | set(settings.files)
    parts = settings.module.split(".")
    for depth in range(1, len(parts)):
        found = ctx.tree_of(".".join(parts[:depth]))
        if found is not None:
            candidates.add(found[0])
    for path in sorted(candidates):
        tree = ctx.trees.get(path)
        if tree is None:
            continue
        for stmt in module_level(tree):
            if (
                isinstance(stmt, ast.Expr)
                and isinstance(stmt.value, ast.Call)
                and (dotted(stmt.value.func) or "").endswith("install_as_MySQLdb")
            ):
                return True
    return False
