"""Console scripts: the project's own (`[project.scripts]`...) run their function; pserve reads its ini."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from importaudit.model import Entry, EntryKind
from importaudit.targets.appspec import DOTTED, CommandContext, Parts, module_entry, scan_options
from importaudit.targets.entry_points import CONSOLE, EntryPoint, entry_point
from importaudit.targets.launchers import imported_modules, launches
from importaudit.targets.paste import paste_app

_PSERVE_VALUES = frozenset({"-n", "--app-name", "-s", "--server", "--server-name", "--reload-interval"})


def parse_pserve(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """`pserve [options] config.ini[#name] [var=value]` (pyramid): the ini's app factory."""
    parts.server = "pserve"
    parts.need("pyramid")
    options, positionals = scan_options(args, _PSERVE_VALUES)
    if not positionals:
        parts.note("pserve is given no config file")
        return
    name = next((value for option, value in options if option in ("-n", "--app-name")), "")
    written = positionals[0] if "#" in positionals[0] or not name else f"{positionals[0]}#{name}"
    paste_app(written, parts, ctx, "pserve")


def project_script(program: str, ctx: CommandContext) -> Optional[EntryPoint]:
    """The project's own console script called `program`, if it declares one."""
    if not program or "/" in program:
        return None
    return entry_point(ctx.root, ctx.repo_path(".") or "", CONSOLE, program)


def run_function(spec: str, parts: Parts, ctx: CommandContext, via: str) -> list[tuple[str, ...]]:
    """`module:function` runs at start: an entry that calls it, the app specs it hands to a server
    (`uvicorn.run("pkg.app:app")`), and the command lines it executes (returned, to be followed)."""
    module, _, function = spec.partition(":")
    module, function = module.strip(), function.strip()
    if not DOTTED.fullmatch(module) or (function and not DOTTED.fullmatch(function)):
        parts.note(f"could not tell which function `{spec}` ({via}) names")
        return []
    parts.server = parts.server or via
    parts.entries.append(
        Entry(
            module,
            EntryKind.APP if function else EntryKind.MODULE,
            function or None,
            bool(function),
            via,
            ctx.location,
            phase="master",
        )
    )
    return follow_launches(module, function or None, parts, ctx, via)


def follow_launches(
    module: str, function: Optional[str], parts: Parts, ctx: CommandContext, via: str
) -> list[tuple[str, ...]]:
    """Read the module's file (and `function`'s body) for the servers it starts."""
    path = module_file(module, ctx)
    if path is None:
        return []
    return _launched(path, function, False, parts, ctx, via)


def file_launches(path: str, parts: Parts, ctx: CommandContext, via: str) -> list[tuple[str, ...]]:
    """A file run as the main module (`python app.py`): the servers its body starts."""
    return _launched(path, None, True, parts, ctx, via)


def _launched(
    path: str, function: Optional[str], as_main: bool, parts: Parts, ctx: CommandContext, via: str
) -> list[tuple[str, ...]]:
    argvs: list[tuple[str, ...]] = []
    found = [(path, launch) for launch in launches(ctx.root, path, None, as_main)]
    if function:
        found += [(path, launch) for launch in launches(ctx.root, path, function)]
    # One import away: `from proj.cli import manager` then `manager()` in the main block.
    for module in imported_modules(ctx.root, path):
        other = module_file(module, ctx)
        if other is not None and other != path:
            found += [(other, launch) for launch in launches(ctx.root, other, None)]
    for where_file, launch in found:
        where = f"{via} -> {launch.via} ({where_file}:{launch.line})"
        if launch.factory is not None:
            spec = launch.factory if "." in launch.factory else f"{_dotted_of(where_file)}.{launch.factory}"
            module, _, attr = spec.rpartition(".")
            module_entry(f"{module}:{attr}()", parts, ctx, where, None, "master")
            continue
        if launch.app is not None:
            if launch.distribution:
                parts.need(launch.distribution)
            module_entry(launch.app, parts, ctx, where, None, "master")
        elif launch.argv:
            argvs.append(launch.argv)
    return argvs


def _dotted_of(path: str) -> str:
    """The module a repo file is imported as (from the root, or from src/)."""
    stem = path[:-3] if path.endswith(".py") else path
    stem = stem[: -len("/__init__")] if stem.endswith("/__init__") else stem
    stem = stem[4:] if stem.startswith("src/") else stem
    return stem.replace("/", ".")


def module_file(module: str, ctx: CommandContext) -> Optional[str]:
    """The repo file of a dotted module, from the current directory or the repo root."""
    base = module.replace(".", "/")
    for root in dict.fromkeys((ctx.repo_path(".") or "", "", "src")):
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            path = f"{root}/{candidate}" if root else candidate
            if path in ctx.files:
                return path
    return None
