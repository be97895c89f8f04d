"""Console scripts: the project's own (`[project.scripts]`...) run their function; pserve reads its ini."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Optional

from importaudit.model import Entry, EntryKind
from importaudit.targets.appspec import DOTTED, CommandContext, Parts, module_entry, not_in_repo, scan_options
from importaudit.targets.click_routes import click_route, route_summary
from importaudit.targets.entry_points import CONSOLE, EntryPoint, entry_point
from importaudit.targets.launchers import environ_sets, imported_modules, launches
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


@dataclass(frozen=True)
class Handoff:
    """A command line a Python program runs: exec'd, or a dependency's program run in-process."""

    argv: tuple[str, ...]
    where: str  # "console script `x` (pyproject.toml:4) -> pserve (in-process) (x/cli.py:9)"
    computed: bool = False  # its arguments are built at run time: what it runs is not known
    passthrough: bool = False  # the program's own arguments, run as a command (`exec "$@"`)


def project_script(program: str, ctx: CommandContext) -> Optional[EntryPoint]:
    """The project's own console script called `program`, if it declares one."""
    if not program or "/" in program:
        return None
    return entry_point(ctx.root, ctx.repo_path(".") or "", CONSOLE, program)


def run_function(
    spec: str, parts: Parts, ctx: CommandContext, via: str, args: Sequence[str] = ()
) -> list[Handoff]:
    """`module:function` runs at start (with `args` as its argv): an entry that calls it, the app
    specs it hands to a server (`uvicorn.run("pkg.app:app")`), and the command lines it executes
    or programs it runs in-process (returned, to be followed)."""
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
    return follow_launches(module, function or None, parts, ctx, via, args)


def follow_launches(
    module: str, function: Optional[str], parts: Parts, ctx: CommandContext, via: str, args: Sequence[str] = ()
) -> list[Handoff]:
    """Read the module's file (and `function`'s body) for the servers it starts."""
    path = module_file(module, ctx)
    if path is None:
        return []
    handoffs = _launched(path, function, False, parts, ctx, via, args)
    found = click_route(ctx.root, path, function, args) if function else None
    if found is not None:
        # The argv selects a command of the click group the function runs: a server's own CLI
        # mounted there takes the rest of the argv; a project command runs its function.
        where = f"{via} -> {route_summary(found)} ({path}:{found.line})"
        if found.program is not None:
            handoffs.append(Handoff((found.program, *found.argv), where))
        elif found.function is not None:
            handoffs += _launched(path, found.function, False, parts, ctx, where, found.argv, only_function=True)
    return handoffs


def file_launches(
    path: str, parts: Parts, ctx: CommandContext, via: str, args: Sequence[str] = ()
) -> list[Handoff]:
    """A file run as the main module (`python app.py`): the servers its body starts."""
    return _launched(path, None, True, parts, ctx, via, args)


def program_env(
    ctx: CommandContext, path: Optional[str], function: Optional[str], as_main: bool = False
) -> dict[str, str]:
    """The environment a program runs with once `function` of `path` (or its module body) has run:
    its literal `os.environ.setdefault` / `os.environ[...] =` writes on top of the command's own."""
    env = dict(ctx.env)
    for key, value, overrides in environ_sets(ctx.root, path, function, as_main) if path else ():
        if overrides or key not in env:
            env[key] = value
    return env


def _launched(
    path: str,
    function: Optional[str],
    as_main: bool,
    parts: Parts,
    ctx: CommandContext,
    via: str,
    args: Sequence[str],
    only_function: bool = False,
) -> list[Handoff]:
    handoffs: list[Handoff] = []
    found = [] if only_function else [(path, launch) for launch in launches(ctx.root, path, None, as_main)]
    if function:
        found += [(path, launch) for launch in launches(ctx.root, path, function)]
    # One import away: `from proj.cli import manager` then `manager()` in the main block.
    for module in [] if only_function else imported_modules(ctx.root, path):
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
        elif launch.program is not None:
            # Computed arguments: the script's own are kept, for what they name (a config file).
            own = tuple(args) if launch.own_args or launch.computed else launch.argv
            handoffs.append(Handoff((launch.program, *own), where, launch.computed))
        elif launch.own_args:  # the program's own arguments are the command it becomes
            handoffs.append(Handoff(tuple(args), where, passthrough=True))
        elif launch.computed:
            handoffs.append(Handoff((), where, computed=True))
        elif launch.argv:
            handoffs.append(Handoff(launch.argv, where))
    return handoffs


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
    # A package under a folder of its own (src/py/app, hatch `packages`): the one file that is it.
    tails = (f"/{base}.py", f"/{base}/__init__.py")
    found = {name for name in ctx.files if name.endswith(tails)}
    return found.pop() if len(found) == 1 else None


def function_ctx(spec: str, parts: Parts, ctx: CommandContext) -> CommandContext:
    """The context a function's hand-offs run in: the environment it sets first (setdefault...)."""
    module, _, function = spec.partition(":")
    path = module_file(module.strip(), ctx)
    return with_env(parts, ctx, program_env(ctx, path, function.strip() or None))


def with_env(parts: Parts, ctx: CommandContext, env: dict[str, str]) -> CommandContext:
    """What the program put in os.environ holds for its whole process: the target's env has it too."""
    for key, value in env.items():
        if ctx.env.get(key) != value and (key, value) not in parts.env:
            parts.env.append((key, value))
    return replace(ctx, env=env)


# Server configuration files a command may name (an ini that says which app to load).
_CONFIG_SUFFIXES = (".ini", ".conf", ".cfg", ".toml", ".yaml", ".yml", ".json", ".py")


def unknown_handoff(handoff: Handoff, ctx: CommandContext) -> str:
    """Why a program handed arguments built at run time serves something nobody can name, with
    the config files its own arguments name that the repo does not hold (made at build time?)."""
    if not handoff.argv:
        return f"{handoff.where}: execs a command built at run time: what runs is not known"
    configs = [
        not_in_repo(ctx, word)
        for word in handoff.argv[1:]
        if word.endswith(_CONFIG_SUFFIXES) and not ctx.is_file(ctx.repo_path(word))
    ]
    return (
        f"{handoff.where}: {handoff.argv[0]} is handed arguments built at run time: what it serves is not known"
        + "".join(f"; {config}" for config in configs)
    )
