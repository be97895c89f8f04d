"""Procfile: one target per process type; `release:` runs before every deploy of web."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path

from importaudit.model import Location, SourceWarning, Target
from importaudit.targets import commands
from importaudit.targets.assemble import command_target, need_entries
from importaudit.targets.buildpacks import platform_installs, project_python_version

_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+)\s*:\s*(?P<command>.*)$")


def read_procfile(root: Path, relpath: str, files: Sequence[str]) -> list[Target]:
    """Targets `Procfile:web`, `Procfile:worker`...; the release command is attached to web."""
    folder = posixpath.dirname(relpath)
    try:
        text = (root / relpath).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [
            Target(
                name=relpath,
                kind="procfile",
                file=relpath,
                warnings=(SourceWarning(relpath, 0, f"could not read: {exc}"),),
            )
        ]
    processes: list[tuple[str, str, int]] = []
    warnings: list[SourceWarning] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            warnings.append(SourceWarning(relpath, number, "not a `name: command` line"))
            continue
        processes.append((match.group("name"), match.group("command").strip(), number))
    if not processes:
        return [
            Target(
                name=relpath,
                kind="procfile",
                file=relpath,
                warnings=tuple(warnings),
                notes=("the Procfile names no process",),
            )
        ]
    version = project_python_version(root, files, folder)
    installs, notes = platform_installs(files, folder, "heroku", Location(relpath, 0))
    release = [(command, number) for name, command, number in processes if name == "release"]
    runs = [(name, command, number) for name, command, number in processes if name != "release"]
    has_web = any(name == "web" for name, _, _ in runs)
    targets = []
    for name, command, number in runs:
        location = Location(relpath, number)
        start = commands.parse_start_command(command, root=root, files=files, workdir=folder, location=location)
        texts = [command]
        extra_entries = []
        extra_notes = list(notes)
        if release and (name == "web" or not has_web):
            for release_command, release_line in release:
                before = commands.parse_start_command(
                    release_command,
                    root=root,
                    files=files,
                    workdir=folder,
                    location=Location(relpath, release_line),
                )
                texts.append(f"release: {release_command}")
                extra_notes.append(f"release runs before each deploy: {release_command}")
                extra_entries += [
                    dataclasses.replace(entry, via="release", phase="master") for entry in before.entries
                ]
                extra_entries += [
                    dataclasses.replace(entry, via="release")
                    for entry in need_entries(before, Location(relpath, release_line))
                ]
        target = command_target(
            name=f"{relpath}:{name}",
            kind="procfile",
            file=relpath,
            line=number,
            start=start,
            command_text=texts,
            installs=installs,
            env=[],
            python=version[0] if version else None,
            python_source=version[1] if version else None,
            notes=extra_notes,
            warnings=warnings,
        )
        if extra_entries:
            target = dataclasses.replace(target, entries=tuple(extra_entries) + target.entries)
        if folder:  # the platform builds the folder holding the Procfile: the rest is not deployed
            target = dataclasses.replace(target, ships=(folder,))
        targets.append(target)
    return targets
