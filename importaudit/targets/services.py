"""Service managers: systemd units (ExecStart=) and supervisor programs (command=) that run Python."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Optional

from packaging.utils import canonicalize_name

from importaudit.model import Location, SourceWarning, Target
from importaudit.targets import commands
from importaudit.targets.assemble import command_target
from importaudit.targets.buildpacks import platform_installs, project_python_version
from importaudit.targets.compose import parse_dotenv
from importaudit.targets.ini_sections import ini_sections as _sections
from importaudit.targets.shell import split_words


def _unit_path_map(workdir: str, unit_dir: str, files: frozenset[str]) -> Callable[[str], Optional[str]]:
    """The working directory is a checkout of the repo; a file missing there but present beside
    the unit is the copy the install guide makes (netbox: contrib/gunicorn.py -> /opt/netbox/)."""
    dirs = {posixpath.dirname(name) for name in files}
    known = set(files) | dirs | {""}
    while True:
        grown = {posixpath.dirname(d) for d in dirs} - dirs
        if not grown:
            break
        dirs |= grown
        known |= grown

    def resolve(path: str) -> Optional[str]:
        base = workdir.rstrip("/")
        if path in (base, workdir):
            return ""
        if base and path.startswith(base + "/"):
            rest = path[len(base) + 1 :]
            if rest in known:
                return rest
            beside = posixpath.join(unit_dir, posixpath.basename(rest)) if unit_dir else posixpath.basename(rest)
            if beside in files:
                return beside
        return None

    return resolve


def _service_target(
    root: Path,
    relpath: str,
    files: Sequence[str],
    name: str,
    command: str,
    line: int,
    workdir: Optional[str],
    env: list[tuple[str, str]],
    before: Sequence[tuple[str, int]],
    notes: list[str],
) -> Optional[Target]:
    """A target when the command runs Python; None for a service that is not this app's."""
    file_set = frozenset(files)
    unit_dir = posixpath.dirname(relpath)
    # ExecStartPre commands run first: parsed as one chain, the server stays the last command.
    chain = " ; ".join([text for text, _ in before] + [command])

    def parse(checkout: Optional[str]) -> commands.StartCommand:
        path_map = _unit_path_map(checkout, unit_dir, file_set) if checkout else None
        return commands.parse_start_command(
            chain, root=root, files=files, env=dict(env), location=Location(relpath, line),
            container_workdir=workdir if checkout else None, path_map=path_map,
        )

    ships: Optional[tuple[str, ...]] = None
    if workdir and workdir.startswith("/"):
        start, sub = _checkout(workdir, file_set, parse)
        if sub:  # it runs inside one folder of the checkout: that folder, and the files it names
            named = sorted({e.path for e in start.entries if e.path and not e.path.startswith(sub + "/")})
            ships = (sub, *named)
    else:
        start = parse(None)
        notes.append("no WorkingDirectory/directory: commands are taken to run in the repo root")
    if start.server is None and not start.entries:
        return None
    texts = [text for text, _ in before] + [command]
    installs, install_notes = platform_installs(files, "", "service", Location(relpath, 0))
    installs = [dataclasses.replace(install, assumed=True) for install in installs]
    specs = ", ".join(install.spec for install in installs) or "nothing"
    notes.append(f"a service unit does not say what its virtualenv holds: assumed {specs}")
    version = project_python_version(root, files)
    provided = _named_executables(command, start, workdir, unit_dir, file_set)
    if provided:
        notes.append(
            f"{command.split()[0]} is named by its path: it exists where the unit runs (else the service "
            f"manager cannot start it), so {', '.join(provided)} is there whatever the assumed environment holds"
        )
    target = command_target(
        name=name,
        kind="platform",
        file=relpath,
        line=line,
        start=start,
        command_text=texts,
        installs=installs,
        env=env,
        python=version[0] if version else None,
        python_source=version[1] if version else None,
        notes=[*notes, *install_notes],
        provided=provided,
    )
    return dataclasses.replace(target, ships=ships)


def _named_executables(
    command: str, start: commands.StartCommand, workdir: Optional[str], unit_dir: str, files: frozenset[str]
) -> list[str]:
    """The distribution of a server the unit starts by absolute path outside the repo
    (`/home/u/.local/bin/gunicorn`): that executable exists by construction, so its own
    distribution is installed wherever it lives, and the assumed environment cannot contradict it.
    Only the program itself: what it imports (a worker class, the app's modules) is still judged."""
    words = [word for word in split_words(command) if not re.match(r"^\w+=", word)]
    if not words or not words[0].startswith("/"):
        return []
    program = posixpath.normpath(words[0])
    if workdir and workdir.startswith("/") and _unit_path_map(workdir, unit_dir, files)(program) in files:
        return []  # a script of the repo's own checkout: followed as such
    name = canonicalize_name(posixpath.basename(program))
    return [
        need
        for need in start.needs
        if any(name.startswith(canonicalize_name(alternative)) for alternative in need.split("|"))
    ]


def _resolved(start: commands.StartCommand, files: frozenset[str]) -> int:
    """How many of the command's own entries are files of the repo from where it runs."""
    roots = start.paths or ("",)
    count = 0
    for entry in start.entries:
        if entry.path is not None:
            count += entry.path in files
        elif entry.distribution is None:
            module = entry.module.replace(".", "/")
            count += any(
                posixpath.join(r, module + ".py") in files or posixpath.join(r, module, "__init__.py") in files
                for r in roots
            )
    return count


def _checkout(
    workdir: str, files: frozenset[str], parse: Callable[[Optional[str]], commands.StartCommand]
) -> tuple[commands.StartCommand, str]:
    """(the command as it runs, the repo folder the working directory is). The working directory is
    the checkout itself, or a folder of it (/srv/app/backend with the app in backend/): a folder
    only when the command's modules resolve from there and not from the checkout's root (a repo
    with a package named like the checkout, /home/debian/asu with asu/, stays the root)."""
    parts = workdir.strip("/").split("/")
    dirs = {posixpath.dirname(name) for name in files}
    dirs |= {d.rsplit("/", n)[0] for d in list(dirs) for n in range(1, d.count("/") + 1)}
    best, best_sub = parse(workdir), ""
    score = _resolved(best, files)
    for start_at in range(1, len(parts)):  # longest folder first; never the whole path
        sub = "/".join(parts[start_at:])
        if sub not in dirs:
            continue
        found = parse("/" + "/".join(parts[:start_at]))
        if _resolved(found, files) > score:
            best, best_sub, score = found, sub, _resolved(found, files)
    return best, best_sub


def _read(root: Path, relpath: str) -> tuple[Optional[str], list[SourceWarning]]:
    try:
        return (root / relpath).read_text(encoding="utf-8-sig"), []
    except (OSError, UnicodeDecodeError) as exc:
        return None, [SourceWarning(relpath, 0, f"could not read: {exc.__class__.__name__}")]


def _exec_line(value: str) -> str:
    """systemd's ExecStart prefixes (`-`, `@`, `:`, `+`, `!`) are not part of the command."""
    return value.lstrip("-@:+!").strip()


def read_systemd(root: Path, relpath: str, files: Sequence[str]) -> list[Target]:
    """A `.service` unit whose ExecStart runs Python is a target named after the unit file."""
    text, warnings = _read(root, relpath)
    if text is None:
        return [Target(name=relpath, kind="platform", file=relpath, warnings=tuple(warnings))]
    pairs = [pair for section, items in _sections(text) if section == "Service" for pair in items]
    exec_start: Optional[tuple[str, int]] = None
    before: list[tuple[str, int]] = []
    workdir: Optional[str] = None
    env: list[tuple[str, str]] = []
    notes: list[str] = []
    env_files: list[tuple[str, int]] = []
    for key, value, line in pairs:
        if key == "ExecStart":
            exec_start = (_exec_line(value), line) if value else None  # `ExecStart=` resets
        elif key == "ExecStartPre" and value:
            before.append((_exec_line(value), line))
        elif key == "WorkingDirectory":
            workdir = value.lstrip("-") or None
        elif key == "Environment":
            for word in split_words(value):
                name, eq, item = word.partition("=")
                if eq:
                    env.append((name, item))
        elif key == "EnvironmentFile" and value:
            env_files.append((value, line))
    if exec_start is None:
        return []
    # systemd: what the files set overrides Environment=; a later file overrides an earlier one.
    for value, line in env_files:
        pairs_read, note = _environment_file(root, relpath, files, workdir, value, line)
        env += pairs_read
        if note:
            notes.append(note)
    target = _service_target(
        root, relpath, files, relpath, exec_start[0], exec_start[1], workdir, env, before, notes
    )
    return [] if target is None else [target]


def _environment_file(
    root: Path, relpath: str, files: Sequence[str], workdir: Optional[str], value: str, line: int
) -> tuple[list[tuple[str, str]], Optional[str]]:
    """`EnvironmentFile=[-]/path`: read when the repo holds it (under WorkingDirectory, which is a
    checkout of the repo, or beside the unit as the copy an install guide makes)."""
    optional = value.startswith("-")
    path = value.lstrip("-").strip()
    repo: Optional[str] = None
    if workdir and workdir.startswith("/"):
        repo = _unit_path_map(workdir, posixpath.dirname(relpath), frozenset(files))(posixpath.normpath(path))
    if repo is None or repo not in set(files):
        beside = posixpath.join(posixpath.dirname(relpath), posixpath.basename(path))
        repo = beside if beside in set(files) else None
    if repo is None:
        kind = "optional (`-`), " if optional else ""
        return [], f"{relpath}:{line}: EnvironmentFile {path} ({kind}not in the repo): its variables are unknown"
    try:
        text = (root / repo).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return [], f"{relpath}:{line}: EnvironmentFile {repo} could not be read: its variables are unknown"
    return parse_dotenv("\n".join(x for x in text.splitlines() if not x.lstrip().startswith(";"))), None


def read_supervisor(root: Path, relpath: str, files: Sequence[str]) -> list[Target]:
    """Each `[program:x]` of a supervisor config that runs Python is a target `FILE:x`."""
    text, _ = _read(root, relpath)
    if text is None or "[program:" not in text:  # most .conf files are not supervisor's
        return []
    targets = []
    for section, items in _sections(text):
        if not section.startswith("program:"):
            continue
        values = {key: (value, line) for key, value, line in items}
        if "command" not in values:
            continue
        command, line = values["command"]
        workdir = values.get("directory", ("", 0))[0] or None
        env = []
        for item in re.split(r",(?=\s*\w+=)", values.get("environment", ("", 0))[0]):
            name, eq, value = item.strip().partition("=")
            if eq:
                env.append((name, value.strip("\"'")))
        target = _service_target(
            root, relpath, files, f"{relpath}:{section[len('program:') :]}", command, line, workdir, env, (), []
        )
        if target is not None:
            targets.append(target)
    return targets
