"""A project directory's metadata merged (pyproject, setup.cfg, setup.py) and expanded."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from packaging.utils import canonicalize_name

from importaudit.model import Requirement
from importaudit.requirements.declaration import DeclarationBuilder, ProjectDeclaration
from importaudit.requirements.pyproject import read_pyproject
from importaudit.requirements.setupcfg import read_setup_cfg
from importaudit.requirements.setuppy import read_setup_py

# read_project is called again for `-e .` lines inside files that the project itself reads
# (setuptools `dynamic = {file = ...}`): this stack breaks that loop.
_READING: list[tuple[str, str]] = []


def read_project(root: Path, directory: str = ".") -> Optional[ProjectDeclaration]:
    """The declaration of the project in `directory`; None when it has no project metadata.

    pyproject.toml is read first; setup.cfg then setup.py fill only what it left undeclared
    (a `dynamic` field, or no [project] table at all), which is also setuptools' behaviour.
    """
    directory = directory.strip("/") or "."
    key = (str(root), directory)
    if key in _READING:
        return None
    _READING.append(key)
    try:
        builder = DeclarationBuilder(directory=directory)
        read_pyproject(root, builder)
        read_setup_cfg(root, builder)
        read_setup_py(root, builder)
    finally:
        _READING.remove(key)
    if not builder.has_metadata and not builder.warnings:
        return None
    return builder.freeze()


def _expand(
    declaration: ProjectDeclaration, requirements: Iterable[Requirement], seen: set[str]
) -> list[Requirement]:
    """Replace `myproj[a,b]` (the project naming itself) with the requirements of extras a, b."""
    out: list[Requirement] = []
    for requirement in requirements:
        if declaration.name and requirement.key == declaration.name and not requirement.url:
            for extra in requirement.extras:
                name = _extra_name(declaration, extra)
                if name is not None and name not in seen:
                    seen.add(name)
                    out.extend(_expand(declaration, declaration.extras[name], seen))
            continue
        out.append(requirement)
    return out


def _extra_name(declaration: ProjectDeclaration, extra: str) -> Optional[str]:
    wanted = canonicalize_name(extra)
    return next((name for name in declaration.extras if canonicalize_name(name) == wanted), None)


def project_requirements(
    declaration: ProjectDeclaration, extras: Iterable[str], groups: Iterable[str], *, main: bool = True
) -> tuple[Requirement, ...]:
    """What installing the project with these extras and groups brings, self-references expanded.

    `main=False` leaves out the main dependencies (`pip install --group g`, `uv sync --only-group
    g`). An extra or group the project does not declare is skipped silently (pip does the same for
    extras, with a warning on its console that the audit cannot see anyway).
    """
    seen: set[str] = set()
    chosen: list[Requirement] = list(declaration.main) if main else []
    for extra in extras:
        name = "*" if extra == "*" else _extra_name(declaration, extra)
        names = sorted(declaration.extras) if name == "*" else ([name] if name else [])
        for found in names:
            if found not in seen:
                seen.add(found)
                chosen.extend(declaration.extras[found])
    wanted_groups = {canonicalize_name(g) for g in groups}
    for group_name, requirements in declaration.groups.items():
        if "*" in wanted_groups or canonicalize_name(group_name) in wanted_groups:
            chosen.extend(requirements)
    expanded = _expand(declaration, chosen, seen)
    unique: dict[tuple[str, int, str, str], Requirement] = {}
    for requirement in expanded:
        unique.setdefault(
            (requirement.source, requirement.line, requirement.key, requirement.group), requirement
        )
    return tuple(unique.values())
