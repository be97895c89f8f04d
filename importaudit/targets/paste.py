"""PasteDeploy ini files (`pserve x.ini`, `gunicorn --paste x.ini`): the app factory they load."""

from __future__ import annotations

import configparser
import posixpath
from typing import Optional

from importaudit.frameworks.pyramid import includes_of
from importaudit.model import Entry, EntryKind, Location
from importaudit.targets.appspec import CommandContext, Parts, not_in_repo
from importaudit.targets.entry_points import entry_point, is_project

_FACTORY_GROUPS = ("paste.app_factory", "paste.composite_factory", "paste.filter_app_factory")


def _parser(ctx: CommandContext, repo: str) -> Optional[configparser.ConfigParser]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string((ctx.root / repo).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return parser


def paste_app(written: str, parts: Parts, ctx: CommandContext, via: str, phase: str = "master") -> None:
    """`x.ini[#name]`: follow `[app:name]`/`[pipeline:name]` to the factory it `use`s; an entry that
    calls it, or a note naming the file and section that could not be followed."""
    path, _, name = written.partition("#")
    path = path.removeprefix("config:")
    repo = ctx.repo_path(path)
    if not ctx.is_file(repo):
        why = f"{via}: {not_in_repo(ctx, path)}: its app is unknown"
        parts.note(why)
        parts.unfollowed.append(why)
        return
    assert repo is not None
    _follow(repo, name or "main", parts, ctx, via, 0, phase)


def _follow(repo: str, name: str, parts: Parts, ctx: CommandContext, via: str, depth: int, phase: str) -> None:
    parser = _parser(ctx, repo)
    if parser is None or depth > 4:
        parts.note(f"{via}: could not read `{repo}`")
        return
    for kind in ("app", "pipeline", "composite"):
        section = f"{kind}:{name}"
        if not parser.has_section(section):
            continue
        values = dict(parser.items(section))
        where = f"{repo} [{section}]"
        if kind == "pipeline":
            steps = values.get("pipeline", "").split()
            if steps:
                _follow(repo, steps[-1], parts, ctx, via, depth + 1, phase)
            else:
                parts.note(f"{via}: {where} has no `pipeline =`")
            return
        if kind == "composite":
            parts.note(f"{via}: {where} is a composite app: its parts are not followed")
            return
        _use(values, where, repo, parts, ctx, via, depth, phase)
        return
    parts.note(f"{via}: `{repo}` has no [app:{name}] or [pipeline:{name}] section")


def _use(
    values: dict[str, str],
    where: str,
    repo: str,
    parts: Parts,
    ctx: CommandContext,
    via: str,
    depth: int,
    phase: str,
) -> None:
    use = values.get("use", "").strip()
    factory = values.get("paste.app_factory", "").strip()
    spec: Optional[str] = None
    if factory:
        spec = factory
    elif use.startswith("call:"):
        spec = use[5:]
    elif use.startswith("egg:"):
        dist, _, point = use[4:].partition("#")
        folder = ctx.repo_path(".") or ""
        if is_project(ctx.root, folder, dist) is False:
            parts.note(f"{via}: {where} uses `{use}`, another distribution's app: its entry points are not read")
            return
        found = next(
            (
                ep
                for group in _FACTORY_GROUPS
                if (ep := entry_point(ctx.root, folder, group, point or "main")) is not None
            ),
            None,
        )
        if found is None:
            parts.note(
                f"{via}: {where} uses `{use}`, an entry point the project does not declare "
                f"(distribution {dist}'s own is not read)"
            )
            return
        spec = found.spec
    elif use.startswith("config:"):
        other = posixpath.normpath(posixpath.join(posixpath.dirname(repo), use[7:]))
        if ctx.is_file(other):
            _follow(other, "main", parts, ctx, via, depth + 1, phase)
        else:
            parts.note(f"{via}: {where} uses `{use}`, which is not a file in the repo")
        return
    if not spec:
        parts.note(f"{via}: {where} names no app factory (`use =`)")
        return
    module, _, attr = spec.partition(":")
    parts.entries.append(
        Entry(
            module.strip(),
            EntryKind.APP,
            attr.strip() or None,
            bool(attr.strip()),
            f"{via} ({where})",
            ctx.location or Location(repo, 0),
            phase=phase,
        )
    )
    _includes(values, where, repo, parts, ctx, via, phase)


def _includes(
    values: dict[str, str], where: str, repo: str, parts: Parts, ctx: CommandContext, via: str, phase: str
) -> None:
    """`pyramid.includes` of the app's section: the Configurator built with these settings includes
    each one (imports it and calls its `includeme`) while the app factory runs."""
    names = includes_of(values.get("pyramid.includes", ""))
    if not names:
        return
    try:
        lines = (ctx.root / repo).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    line = next((i for i, text in enumerate(lines, 1) if text.strip().startswith("pyramid.includes")), 0)
    for name in names:
        module, _, attr = name.partition(":")
        parts.entries.append(
            Entry(module, EntryKind.APP, attr or "includeme", True, f"{via} ({where} pyramid.includes)",
                  Location(repo, line), phase=phase)
        )
