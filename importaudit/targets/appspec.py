"""What the server parsers share: a command's context, the parts they collect, app specs."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from importaudit.model import Entry, EntryKind, Install, Location, SourceWarning

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
DOTTED = re.compile(rf"{_IDENT}(?:\.{_IDENT})*")


@dataclass
class CommandContext:
    """Where a command runs: the repo, its current directory, its environment."""

    root: Path
    files: frozenset[str]
    # The current directory as an absolute path: inside a container ("/app"), or "/" + the
    # repo-relative directory for commands that run in a checkout of the repo.
    cwd: str
    env: dict[str, str]
    location: Optional[Location]
    # Maps an absolute path (container or "/"-rooted repo path) to a repo-relative one; None when
    # the path is not a copy of something in the repo.
    path_map: Callable[[str], Optional[str]]
    # Absolute path -> the build step that makes it (`Dockerfile:58 (`kinto init ...`)`), or None
    made_by: Callable[[str], Optional[str]] = lambda path: None
    # Program name -> the build step that installs it as an OS package (`apt-get install uwsgi`)
    os_package: Callable[[str], Optional[str]] = lambda name: None

    def repo_path(self, path: str) -> Optional[str]:
        """A path as the command writes it -> repo-relative ("" = the root), or None."""
        absolute = posixpath.normpath(posixpath.join(self.cwd, path))
        return self.path_map(absolute)

    def is_file(self, path: Optional[str]) -> bool:
        return path is not None and path in self.files

    def is_dir(self, path: Optional[str]) -> bool:
        if path is None:
            return False
        prefix = f"{path}/" if path else ""
        return any(name.startswith(prefix) for name in self.files)


@dataclass
class Parts:
    """What the parsers of one command line collect; becomes a StartCommand."""

    server: Optional[str] = None
    entries: list[Entry] = field(default_factory=list)
    installs: list[Install] = field(default_factory=list)
    env: list[tuple[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)
    # Commands the server itself starts (uWSGI hooks and daemons): (shell text, via, cwd).
    follow_ups: list[tuple[str, str, str]] = field(default_factory=list)
    one_shot: bool = False  # a command that ends (`flask db upgrade`), not the server
    configs: list[str] = field(default_factory=list)  # process-manager configs it starts (repo paths)
    unfollowed: list[str] = field(default_factory=list)  # see StartCommand.unfollowed

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def need(self, distribution: str) -> None:
        if distribution not in self.needs:
            self.needs.append(distribution)

    def add_path(self, path: Optional[str], ctx: CommandContext, written: str) -> None:
        if path is None:
            self.note(f"`{written}` is not a directory copied from the repo")
        elif path not in self.paths:
            self.paths.append(path)

    def server_entry(
        self, module: str, distribution: Optional[str], via: str, ctx: CommandContext, phase: str = "master"
    ) -> None:
        self.entries.append(
            Entry(module, EntryKind.SERVER, via=via, location=ctx.location, distribution=distribution, phase=phase)
        )
        if distribution:
            self.need(distribution)


def not_in_repo(ctx: CommandContext, written: str) -> str:
    """Why a file a command names is not read: not in the repo, and made at build time by a step
    the descriptor shows, when one names it."""
    absolute = posixpath.normpath(posixpath.join(ctx.cwd, written))
    by = ctx.made_by(absolute)
    made = f"made at build time by {by}" if by else "made at build or deploy time?"
    return f"`{written}` is not a file in the repo ({made})"


def cwd_on_path(parts: Parts, ctx: CommandContext) -> None:
    """Servers that import from the current directory: it is a sys.path root when not the root."""
    here = ctx.repo_path(".")
    if here:
        parts.add_path(here, ctx, ctx.cwd)


def split_spec(spec: str) -> tuple[str, Optional[str], bool]:
    """`mod:attr` -> ("mod", "attr", False); `mod:factory(1)` -> ("mod", "factory", True)."""
    module, sep, expr = spec.partition(":")
    if not sep or not expr:
        return module, None, False
    expr = expr.strip()
    call = False
    match = re.fullmatch(rf"(?P<name>{_IDENT}(?:\.{_IDENT})*)\s*(?P<call>\(.*\))?", expr, re.S)
    if match is None:
        return module, expr, False
    if match.group("call"):
        call = True
    return module, match.group("name"), call


def module_for_file(path: str) -> str:
    """The module a script runs as: its stem (the script's directory is sys.path[0])."""
    stem = posixpath.basename(path)
    return stem[:-3] if stem.endswith(".py") else stem


def file_entry(
    path_written: str,
    parts: Parts,
    ctx: CommandContext,
    via: str,
    kind: EntryKind = EntryKind.MODULE,
    attr: Optional[str] = None,
    call: bool = False,
    phase: str = "master",
) -> None:
    """An entry naming a file (`python app.py`, `streamlit run x.py`): kept as Entry.path."""
    repo = ctx.repo_path(path_written)
    if not ctx.is_file(repo):
        if repo is not None and ctx.is_file(f"{repo}.py"):
            repo = f"{repo}.py"
        else:
            parts.note(f"`{path_written}` ({via}) is not a file in the repo")
            if repo is None:
                # A file the image does not take from the repo: what it imports is unknown, and its
                # name is no distribution to install (`fastapi run svc/main.py` is not "add main").
                return
    assert repo is not None
    parent = posixpath.dirname(repo)
    if parent and parent not in parts.paths:
        parts.paths.append(parent)
    parts.entries.append(Entry(module_for_file(repo), kind, attr, call, via, ctx.location, path=repo, phase=phase))


def module_entry(
    spec: str,
    parts: Parts,
    ctx: CommandContext,
    via: str,
    default_attr: Optional[str],
    phase: str,
    factory: bool = False,
) -> None:
    """An entry naming `module[:attr]`; a module that is really a file path becomes a path entry."""
    module, attr, call = split_spec(spec)
    if attr is None:
        attr = default_attr
    if "$" in module or not module:
        parts.note(f"could not tell which module `{spec}` ({via}) names")
        return
    if module.endswith(".py") or "/" in module:
        file_entry(module, parts, ctx, via, EntryKind.APP, attr, call or factory, phase)
        return
    if not DOTTED.fullmatch(module):
        parts.note(f"could not tell which module `{spec}` ({via}) names")
        return
    parts.entries.append(Entry(module, EntryKind.APP, attr, call or factory, via, ctx.location, phase=phase))


def scan_options(
    args: Sequence[str], values: frozenset[str], flags: frozenset[str] = frozenset()
) -> tuple[list[tuple[str, str]], list[str]]:
    """Split argv into ([(option, value)], positionals); flags get value "".

    Options in `values` take the next word unless written `--opt=value`; with an empty `flags` set
    every unknown `--option` is a flag; otherwise unknown long options take a value when the next
    word does not start with "-".
    """
    options: list[tuple[str, str]] = []
    positionals: list[str] = []
    index = 0
    while index < len(args):
        word = args[index]
        if word == "--":
            positionals.extend(args[index + 1 :])
            break
        if word.startswith("-") and len(word) > 1:
            name, eq, value = word.partition("=")
            if eq:
                options.append((name, value))
            elif name in values or (
                name.startswith("-") and not name.startswith("--") and name[:2] in values and len(name) > 2
            ):
                if name not in values:  # -kgevent
                    options.append((name[:2], name[2:]))
                elif index + 1 < len(args):
                    options.append((name, args[index + 1]))
                    index += 1
            elif flags and name not in flags and index + 1 < len(args) and not args[index + 1].startswith("-"):
                options.append((name, args[index + 1]))
                index += 1
            else:
                options.append((name, ""))
        else:
            positionals.append(word)
        index += 1
    return options, positionals


def last(options: Sequence[tuple[str, str]], *names: str) -> Optional[str]:
    """The last value given for any of `names` (later options win, as argparse does)."""
    found = None
    for name, value in options:
        if name in names:
            found = value
    return found


def every(options: Sequence[tuple[str, str]], *names: str) -> list[str]:
    return [value for name, value in options if name in names]
