"""Litestar's CLI: the app `litestar run` serves (--app, LITESTAR_APP, else its autodiscovery)."""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Optional

from importaudit.model import Entry, EntryKind
from importaudit.targets.appspec import CommandContext, Parts, cwd_on_path, last, module_entry, scan_options
from importaudit.targets.console import module_file

# litestar/cli/main.py: the group's own options (before the subcommand).
_GROUP_VALUES = frozenset({"--app", "--app-dir"})
# litestar/cli/commands/core.py `run` options that take a value.
_RUN_VALUES = frozenset(
    {
        "-p", "--port", "-H", "--host", "-W", "--wc", "--web-concurrency", "-F", "--fd", "--file-descriptor",
        "-U", "--uds", "--unix-domain-socket", "-R", "--reload-dir", "-I", "--reload-include", "-E",
        "--reload-exclude", "--ssl-certfile", "--ssl-keyfile",
    }
)  # fmt: skip
# litestar/cli/_utils.py AUTODISCOVERY_FILE_NAMES.
_AUTODISCOVERY = ("app", "application")


def parse_litestar(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """`litestar [--app mod:attr] [--app-dir DIR] SUBCOMMAND ...`: every subcommand loads the app
    (its plugins may add commands); `run` (or a plugin's `... run`) keeps serving."""
    parts.server = "litestar"
    parts.need("litestar")
    options, positionals = scan_options(args, _GROUP_VALUES | _RUN_VALUES)
    parts.one_shot = "run" not in positionals
    app_dir = last(options, "--app-dir")
    here = ctx
    if app_dir:
        here = _in(ctx, app_dir)
        parts.add_path(here.repo_path("."), here, f"--app-dir {app_dir}")
    else:
        cwd_on_path(parts, ctx)  # LitestarEnv.from_env appends the current directory to sys.path
    spec = last(options, "--app") or ctx.env.get("LITESTAR_APP")
    if spec:
        via = "litestar --app" if last(options, "--app") else "litestar (LITESTAR_APP)"
        module, _, attr = spec.partition(":")
        module_entry(spec, parts, here, via, None, "master", not _is_instance(here, module, attr))
        return
    _autodiscover(parts, here)


def _in(ctx: CommandContext, folder: str) -> CommandContext:
    return replace(ctx, cwd=posixpath.normpath(posixpath.join(ctx.cwd, folder)))


def _candidates(ctx: CommandContext) -> Iterator[str]:
    """The modules `_autodiscover_app` imports in turn: app, app/app, app/application, app/*.py..."""

    def paths(base: str, arbitrary: bool) -> Iterator[str]:
        for name in _AUTODISCOVERY:
            dotted = f"{base}.{name}" if base else name
            if _module_file(ctx, dotted) is not None:
                yield dotted
            folder = ctx.repo_path(dotted.replace(".", "/"))
            if arbitrary and folder is not None and ctx.is_dir(folder):
                yield from paths(dotted, False)
                prefix = f"{folder}/" if folder else ""
                for file in sorted(ctx.files):
                    rest = file[len(prefix) :] if file.startswith(prefix) else None
                    if rest and "/" not in rest and rest.endswith(".py") and not rest.startswith((".", "_")):
                        yield f"{dotted}.{rest[:-3]}"

    yield from dict.fromkeys(paths("", True))


def _autodiscover(parts: Parts, ctx: CommandContext) -> None:
    tried = []
    for dotted in _candidates(ctx):
        found = _app_in(ctx, dotted)
        if found is not None:
            attr, call = found
            parts.entries.append(
                Entry(dotted, EntryKind.APP, attr, call, "litestar (autodiscovery)", ctx.location, phase="master")
            )
            return
        tried.append(dotted)
        # Each module tried is imported first: what it imports at module level runs.
        parts.entries.append(
            Entry(dotted, EntryKind.MODULE, via="litestar (autodiscovery)", location=ctx.location, phase="master")
        )
    looked = ", ".join(tried) if tried else "no app.py, app/, application.py or application/"
    parts.unfollowed.append(
        f"litestar finds its app by autodiscovery, and importaudit found no Litestar app or factory "
        f"in {looked}{_where(ctx)}"
    )


def _where(ctx: CommandContext) -> str:
    spot = ctx.location
    return f" ({spot.file}:{spot.line})" if spot is not None and spot.file else ""


def _module_file(ctx: CommandContext, dotted: str) -> Optional[str]:
    base = ctx.repo_path(dotted.replace(".", "/"))
    if base is None:
        return None
    for candidate in (f"{base}.py", f"{base}/__init__.py"):
        if ctx.is_file(candidate.lstrip("/")):
            return candidate.lstrip("/")
    return None


def _tree(ctx: CommandContext, dotted: str) -> Optional[ast.Module]:
    path = _module_file(ctx, dotted) or module_file(dotted, ctx)
    if path is None:
        return None
    try:
        return ast.parse((ctx.root / path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return None


def _is_instance(ctx: CommandContext, dotted: str, attr: str) -> bool:
    """Litestar calls the attribute unless it is a Litestar instance: `attr = Litestar(...)` in the
    module's file (wherever the file is, a factory is what an `--app` spec usually names)."""
    tree = _tree(ctx, dotted)
    return tree is not None and any(
        isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attr for t in stmt.targets)
        for stmt in tree.body
    )


def _returns_litestar(node: Optional[ast.expr]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit(".", 1)[-1] == "Litestar"
    return (isinstance(node, ast.Name) and node.id == "Litestar") or (
        isinstance(node, ast.Attribute) and node.attr == "Litestar"
    )


def _app_in(ctx: CommandContext, dotted: str) -> Optional[tuple[str, bool]]:
    """(attr, is a factory) as `_autodiscover_app` picks it: an `app`/`application` instance, any
    Litestar instance, `create_app`, then a function annotated to return Litestar."""
    tree = _tree(ctx, dotted)
    if tree is None:
        return None
    instances: list[str] = []
    imported: list[str] = []
    functions: dict[str, Optional[ast.expr]] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
            callee = stmt.value.func
            if _returns_litestar(callee):
                instances += [t.id for t in stmt.targets if isinstance(t, ast.Name)]
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[stmt.name] = stmt.returns
        elif isinstance(stmt, ast.ImportFrom):
            imported += [alias.asname or alias.name for alias in stmt.names]
    for name in ("app", "application"):
        # An `app` imported from the project's own module is taken as the instance it names.
        if name in instances or name in imported:
            return name, False
    if instances:
        return instances[0], False
    if "create_app" in functions or "create_app" in imported:
        return "create_app", True
    for name, returns in functions.items():
        if _returns_litestar(returns):
            return name, True
    return None
