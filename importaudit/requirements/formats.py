"""The registry of requirement formats: which reader a file goes to, and what role its sets play."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional

from importaudit.model import RequirementSet, SourceWarning
from importaudit.requirements.common import is_dev_file, is_dev_name, parent_of
from importaudit.requirements.conda import read_environment
from importaudit.requirements.declaration import ProjectDeclaration
from importaudit.requirements.locks import read_lock
from importaudit.requirements.pipfile import read_pipfile, read_pipfile_lock
from importaudit.requirements.project import read_project
from importaudit.requirements.reqfile import SourceSet, read_requirements_file
from importaudit.safeload import is_file

Reader = Callable[[Path, str], tuple[RequirementSet, ...]]


@dataclass(frozen=True)
class Format:
    """One file format: the file names it claims and its reader (one file -> one or more sets)."""

    kind: str
    patterns: tuple[str, ...]  # fnmatch patterns on the lower-cased file name, or "dir/*.ext"
    read: Reader
    role: str  # "declaration" (runtime or dev by name), "lock", "project" (read per directory)

    def matches(self, relpath: str) -> bool:
        name = relpath.rsplit("/", 1)[-1].lower()
        parent = parent_of(relpath).rsplit("/", 1)[-1].lower()
        for pattern in self.patterns:
            if "/" in pattern:
                folder, _, file_pattern = pattern.partition("/")
                if parent == folder and fnmatch.fnmatch(name, file_pattern):
                    return True
            elif fnmatch.fnmatch(name, pattern):
                return True
        return False


def _requirements(root: Path, relpath: str) -> tuple[RequirementSet, ...]:
    return (read_requirements_file(root, relpath),)


def _pipfile(root: Path, relpath: str) -> tuple[RequirementSet, ...]:
    return read_pipfile(root, relpath)


def _pipfile_lock(root: Path, relpath: str) -> tuple[RequirementSet, ...]:
    return (read_pipfile_lock(root, relpath),)


def _lock(root: Path, relpath: str) -> tuple[RequirementSet, ...]:
    return (read_lock(root, relpath),)


def _conda(root: Path, relpath: str) -> tuple[RequirementSet, ...]:
    return (read_environment(root, relpath),)


def _project(root: Path, relpath: str) -> tuple[RequirementSet, ...]:
    declaration = read_project(root, parent_of(relpath))
    return declaration_sets(declaration) if declaration is not None else ()


def declaration_kind(declaration: ProjectDeclaration) -> tuple[str, str]:
    """(kind, source file) of a project's main declaration, for set names and messages."""
    sources = [
        s
        for s in declaration.sources
        if s.rsplit("/", 1)[-1] in ("pyproject.toml", "setup.cfg", "setup.py")
    ]
    first = (
        sources[0]
        if sources
        else (declaration.sources[0] if declaration.sources else "pyproject.toml")
    )
    if declaration.tool == "poetry":
        return "poetry", first
    base = first.rsplit("/", 1)[-1]
    kind = "pyproject" if base == "pyproject.toml" else base
    main_files = {r.source for r in declaration.main}
    if kind == "pyproject" and main_files and not (main_files & {first}):
        other = sorted(main_files)[0]
        if other.endswith(("setup.py", "setup.cfg")):
            return other.rsplit("/", 1)[-1], other
    return kind, first


def declaration_sets(declaration: ProjectDeclaration) -> tuple[RequirementSet, ...]:
    """A project declaration as sets: main, one per extra, one per group (dev by name)."""
    kind, source = declaration_kind(declaration)
    sets: list[RequirementSet] = [
        SourceSet(
            source=source,
            kind=kind,
            requirements=declaration.main,
            warnings=declaration.warnings,
            requires_python=declaration.requires_python,
        )
    ]
    for name, requirements in declaration.extras.items():
        sets.append(
            SourceSet(source=source, kind=kind, requirements=requirements, dev=is_dev_name(name))
        )
    optional = set(declaration.optional_groups)
    for name, requirements in declaration.groups.items():
        # Only Poetry installs non-optional groups by default; other groups are dev tooling.
        runtime = declaration.tool == "poetry" and name not in optional and not is_dev_name(name)
        sets.append(
            SourceSet(
                source=source,
                kind=kind,
                requirements=tuple(replace(r, dev=r.dev or not runtime) for r in requirements),
                dev=not runtime,
            )
        )
    return tuple(sets)


FORMATS: tuple[Format, ...] = (
    Format(
        "requirements",
        ("*requirements*.txt", "requirements/*.txt", "reqs/*.txt"),
        _requirements,
        "declaration",
    ),
    Format("pip-tools", ("*requirements*.in", "requirements/*.in"), _requirements, "declaration"),
    Format("pipfile.lock", ("pipfile.lock",), _pipfile_lock, "lock"),
    Format("pipfile", ("pipfile",), _pipfile, "declaration"),
    Format("lock", ("poetry.lock", "uv.lock", "pdm.lock"), _lock, "lock"),
    Format("project", ("pyproject.toml", "setup.cfg", "setup.py"), _project, "project"),
    Format(
        "conda",
        ("environment*.yml", "environment*.yaml", "conda*.yml", "conda*.yaml"),
        _conda,
        "declaration",
    ),
)


_SUFFIXES = (".txt", ".in", ".lock", ".toml", ".cfg", ".yml", ".yaml")


def format_of(relpath: str) -> Optional[Format]:
    """The format that claims this file, if any (most files are ruled out by their suffix)."""
    name = relpath.rsplit("/", 1)[-1].lower()
    if not name.endswith(_SUFFIXES) and name not in ("pipfile", "setup.py"):
        return None
    return next((f for f in FORMATS if f.matches(relpath)), None)


def read_source(
    root: Path, relpath: str, *, force_runtime: bool = False
) -> tuple[RequirementSet, ...]:
    """Read any supported file into its sets; an unknown name is read as a requirements file."""
    found = format_of(relpath)
    if found is None or (force_runtime and found.kind in ("requirements", "pip-tools")):
        dev = False if force_runtime else is_dev_file(relpath)
        if not is_file(root / relpath):
            return (
                SourceSet(
                    source=relpath,
                    kind="requirements",
                    warnings=(SourceWarning(relpath, 0, "file not found"),),
                ),
            )
        return (read_requirements_file(root, relpath, dev=dev),)
    return found.read(root, relpath)


def pip_tools_pairs(files: Sequence[str]) -> dict[str, str]:
    """compiled .txt -> its .in, for every X.in with an X.txt beside it (MANIFEST.in is not one)."""
    present = set(files)
    pairs: dict[str, str] = {}
    for path in files:
        if path.endswith(".in") and path.rsplit("/", 1)[-1] != "MANIFEST.in":
            compiled = path[: -len(".in")] + ".txt"
            if compiled in present:
                pairs[compiled] = path
    return pairs
