"""Procfile: one target per process type; `release:` runs before every deploy of web."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from importaudit.model import Entry, Location, SourceWarning, Target
from importaudit.targets import commands
from importaudit.targets.assemble import command_target, image_target, need_entries
from importaudit.targets.buildpacks import platform_installs, project_python_version
from importaudit.targets.dockerfile import read_image

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
    image_file = platform_image(files, folder)
    if image_file is not None:
        return _in_image(root, relpath, files, image_file, processes, warnings)
    version = project_python_version(root, files, folder)
    installs, notes = platform_installs(files, folder, "heroku", Location(relpath, 0))
    doubt = _buildpack_doubt(root, files, folder)
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
        if doubt:
            target = dataclasses.replace(target, install_doubt=doubt)
        if folder:  # the platform builds the folder holding the Procfile: the rest is not deployed
            target = dataclasses.replace(target, ships=(folder,))
        targets.append(target)
    return targets


# A Dockerfile that only a platform building images for Procfile processes reads: Cabotage builds
# Dockerfile.cabotage (else Dockerfile) and runs the Procfile's processes in that image.
_PLATFORM_DOCKERFILES = ("Dockerfile.cabotage",)
# What pins a buildpack build although a Dockerfile sits beside the Procfile: Dokku's `.buildpacks`,
# a runtime.txt (read only by Heroku / Cloud Foundry buildpacks), a Cloud Foundry manifest.
_BUILDPACK_FILES = (".buildpacks", "runtime.txt", "project.toml")
_CF_MANIFEST = re.compile(r"^manifest[\w.-]*\.ya?ml$")


def platform_image(files: Sequence[str], folder: str) -> Optional[str]:
    """The Dockerfile whose image runs this folder's Procfile, when the repo says so definitively."""
    present = set(files)
    for name in _PLATFORM_DOCKERFILES:
        path = posixpath.join(folder, name) if folder else name
        if path in present:
            return path
    return None


def _buildpack_doubt(root: Path, files: Sequence[str], folder: str) -> Optional[str]:
    """Why the buildpack's installs are only a guess: a Dockerfile beside the Procfile is what Dokku
    builds and runs the processes in, and nothing in the repo pins a buildpack build instead."""
    dockerfile = posixpath.join(folder, "Dockerfile") if folder else "Dockerfile"
    if dockerfile not in set(files):
        return None
    here = [name for name in files if posixpath.dirname(name) == folder]
    names = {posixpath.basename(name) for name in here}
    if names & set(_BUILDPACK_FILES) or any(_CF_MANIFEST.match(name) for name in names):
        return None
    app_json = posixpath.join(folder, "app.json") if folder else "app.json"
    try:
        if app_json in set(files) and '"buildpacks"' in (root / app_json).read_text(encoding="utf-8"):
            return None
    except (OSError, UnicodeDecodeError):
        pass
    return (
        f"the environment the Procfile runs in ({dockerfile} sits beside it: Dokku would run its "
        "processes in that image, Heroku in a buildpack's; nothing in the repo pins either)"
    )


def _in_image(
    root: Path,
    relpath: str,
    files: Sequence[str],
    image_file: str,
    processes: list[tuple[str, str, int]],
    warnings: list[SourceWarning],
) -> list[Target]:
    """Each process runs in the image: its installs, Python and ENV; `release:` before web."""
    folder = posixpath.dirname(relpath)
    image = read_image(root, image_file, files, None, folder)
    release = [(command, number) for name, command, number in processes if name == "release"]
    runs = [(name, command, number) for name, command, number in processes if name != "release"]
    has_web = any(name == "web" for name, _, _ in runs)
    note = f"the platform runs this Procfile in the image {image_file} builds"
    targets = []
    for name, command, number in runs:
        target = image_target(root, image, name=f"{relpath}:{name}", kind="procfile", file=relpath,
                              command=command, line=number)
        extra: list[Entry] = []
        texts = [command]
        if release and (name == "web" or not has_web):
            for release_command, release_line in release:
                before = image_target(root, image, name=relpath, kind="procfile", file=relpath,
                                      command=release_command, line=release_line)
                texts.append(f"release: {release_command}")
                extra += [dataclasses.replace(e, via="release", phase="master") for e in before.entries]
        targets.append(
            dataclasses.replace(
                target,
                entries=tuple(extra) + target.entries,
                commands=tuple(texts),
                notes=(note, *target.notes),
                warnings=(*target.warnings, *warnings),
            )
        )
    return targets
