"""What a project tool's options select (uv sync/export, poetry, pipenv, pdm) and which folder it reads."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from importaudit.model import Install, InstallKind, Location
from importaudit.targets.install_options import (
    PDM_INSTALL,
    PIPENV_INSTALL,
    POETRY_INSTALL,
    UV_SYNC,
    Options,
    read_option,
)

# A path as the command writes it -> repo-relative path ("" = the root); None = not in the repo.
PathResolver = Callable[[str], Optional[str]]

# The files each project tool reads from its working directory: the manifest and its lock.
METADATA = ("pyproject.toml", "setup.py", "setup.cfg")
MANIFESTS = {
    "uv": ("pyproject.toml", "uv.lock"),
    "poetry": ("pyproject.toml", "poetry.lock"),
    "pdm": ("pyproject.toml", "pdm.lock"),
    "pipenv": ("Pipfile", "Pipfile.lock"),
}


def project_folder(path: str, resolve: PathResolver, names: Sequence[str] = METADATA) -> Optional[str]:
    """The repo folder a project path names. The files the installer reads there decide it, each
    traced to where it came from (`COPY backend/pyproject.toml backend/pdm.lock /app/` makes /app
    the backend folder, whatever else was copied beside them); a folder none of them is known in
    stands for the folder it was copied from."""
    for name in names:
        found = resolve(posixpath.join(path, name))
        if found is not None and found.rsplit("/", 1)[-1] == name:
            return found.rpartition("/")[0] or "."
    resolved = resolve(path)
    if resolved is None:
        return None
    return resolved or "."


_TOOL_OPTIONS = {"uv": UV_SYNC, "poetry": POETRY_INSTALL, "pipenv": PIPENV_INSTALL, "pdm": PDM_INSTALL}


@dataclass
class Selection:
    """What a project tool's options select."""

    flags: set[str] = field(default_factory=set)
    groups: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    only: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    folder: str = "."
    output: Optional[str] = None  # `uv export -o FILE` / `poetry export --output FILE`
    folder_named: bool = False  # `--project DIR` / `-C DIR` named the folder
    located: bool = True  # the folder is known (named, or found where the tool looks)

    def project_install(
        self,
        location: Optional[Location],
        tool: str,
        extras: Sequence[str],
        groups: Sequence[str],
        include_dev: bool,
        main: bool,
    ) -> Install:
        """The project install these options select (an install command's, or an export's)."""
        return Install(
            InstallKind.PROJECT,
            self.folder,
            location,
            extras=tuple(sorted(set(extras))),
            groups=tuple(sorted(set(groups))),
            include_dev=include_dev,
            tool=tool,
            main=main,
            without=tuple(sorted(set(self.without))),
        )


def select(
    tool: str, words: Sequence[str], resolve: PathResolver, notes: list[str], options: Optional[Options] = None
) -> Selection:
    """What `tool words[0] ...` selects, its options read with the tool's table."""
    chosen = Selection()
    options = options or _TOOL_OPTIONS[tool]
    index = 1
    while index < len(words):
        word = words[index]
        if not word.startswith("-") or word == "-":
            chosen.packages.append(word)
            index += 1
            continue
        name, value, index, known = read_option(words, index, options)
        if not known:
            notes.append(f"`{tool} {words[0]}`: skipped option `{word}`, which importaudit does not know")
            continue
        if value is None:
            chosen.flags.add(name)
            continue
        values = [v for v in re.split(r"[,\s]+", value) if v]
        if name in ("--group", "--with", "-G"):
            chosen.groups += values
        elif name in ("--extra", "-E", "--extras"):
            chosen.extras += values
        elif name in ("--without", "--no-group"):
            chosen.without += values
        elif name in ("--only", "--only-group"):
            chosen.only += values
        elif name == "--categories":  # pipenv: Pipfile sections ("packages" is the main one)
            chosen.groups += values
        elif name in ("-o", "--output", "--output-file"):
            chosen.output = value
        elif name in ("-r", "--requirements") and tool == "pipenv":
            chosen.requirements.append(value)
        elif name in ("--project", "--directory", "-C", "-P", "-p") and (tool != "uv" or name != "-p"):
            chosen.folder = project_folder(value, resolve, MANIFESTS.get(tool, METADATA)) or "."
            chosen.folder_named = True
        elif name == "--package":
            chosen.groups.append(f"package:{value}")  # a uv workspace member, found by the reader
    if not chosen.folder_named:
        found = manifest_folder(resolve, MANIFESTS.get(tool, METADATA))
        chosen.folder, chosen.located = found or ".", found is not None
    return chosen


def manifest_folder(resolve: PathResolver, names: Sequence[str]) -> Optional[str]:
    """The project a tool run in the working directory installs. uv, poetry, pdm and pipenv read
    the manifest in that directory or the nearest one above it (`COPY pyproject.toml /` then
    `poetry install` in /app): in an image, the repo file COPY put there. Else the folder the
    working directory is a copy of; None when nothing says which project it is."""
    for up in ("", "..", "../..", "../../.."):
        for name in names:
            found = resolve(posixpath.join(up, name) if up else f"./{name}")
            if found is not None and found.rsplit("/", 1)[-1] == name:
                return found.rpartition("/")[0] or "."
    resolved = resolve(".")
    return None if resolved is None else resolved or "."


def uv_selection(chosen: Selection) -> tuple[bool, bool, tuple[str, ...], tuple[str, ...]]:
    """uv sync: (main, default groups, groups, extras) from its options (uv 0.9 reference)."""
    flags = chosen.flags
    if "--only-dev" in flags:
        return False, False, ("dev",), ()
    if chosen.only:
        return False, False, tuple(chosen.only), ()
    include_dev = not ({"--no-dev", "--no-default-groups"} & flags) and "dev" not in chosen.without
    groups = list(chosen.groups) + (["*"] if "--all-groups" in flags else [])
    extras = list(chosen.extras) + (["*"] if "--all-extras" in flags else [])
    return True, include_dev, tuple(groups), tuple(extras)


def poetry_selection(chosen: Selection) -> tuple[bool, bool, tuple[str, ...], tuple[str, ...]]:
    """poetry install: `--only` is exact (main among them or not); `--with` adds optional groups."""
    flags = chosen.flags
    extras = list(chosen.extras) + (["*"] if "--all-extras" in flags else [])
    if "--only-root" in flags:
        return False, False, (), ()
    if chosen.only:
        only = tuple(chosen.only)  # "main" among the groups marks the selection exact
        return "main" in only, False, tuple(sorted({*only, "main"})), tuple(extras)
    include_dev = "--no-dev" not in flags
    groups = list(chosen.groups) + (["*"] if "--all-groups" in flags else [])
    return True, include_dev, tuple(groups), tuple(extras)
