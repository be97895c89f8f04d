"""What one Install (a pip, poetry, uv, pipenv, pdm or conda step of a target) brings."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Optional

from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on 3.9/3.10 only
    pass

from importaudit.model import Install, InstallKind, Requirement, SourceWarning
from importaudit.requirements.common import (
    is_dev_name,
    is_local_path,
    join_relative,
    parse_requirement,
    project_file,
)
from importaudit.requirements.conda import _conda_requirement, read_environment
from importaudit.requirements.declaration import ProjectDeclaration
from importaudit.requirements.locks import locked_closure
from importaudit.requirements.pipfile import read_pipfile, read_pipfile_lock
from importaudit.requirements.project import project_requirements, read_project
from importaudit.requirements.reqfile import read_requirements_file
from importaudit.safeload import is_dir, is_file, load_toml
from importaudit.source.conditions import TargetEnv

Result = tuple[tuple[Requirement, ...], tuple[SourceWarning, ...]]
_LOCKS = {"poetry": "poetry.lock", "uv": "uv.lock", "pdm": "pdm.lock"}
# Where a local project's own requirements are read from (what `-e .` in a file brings along).
_METADATA_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def requirements_for_install(root: Path, install: Install, env: TargetEnv) -> Result:
    """The requirements one Install brings; markers are kept, never filtered (the rules judge them).

    Lock-driven installs (poetry/uv/pdm with their lock next to the project) give the locked
    closure, each entry locked=True and direct= whether the project lists it.
    """
    where = install.location
    source, line = (where.file, where.line) if where is not None else ("<command>", 0)
    if install.kind is InstallKind.UNKNOWN:
        return (), ()
    if install.no_deps and install.kind in (InstallKind.PACKAGE, InstallKind.REQUIREMENTS):
        # `pip install --no-deps X` / `-r FILE`: exactly what it names, none of their requirements;
        # a local project the file names (`-e .`) comes without the dependencies its metadata lists
        got, warned = requirements_for_install(root, replace(install, no_deps=False), env)
        named = [r for r in got if r.source.rsplit("/", 1)[-1] not in _METADATA_FILES]
        return tuple(replace(r, no_deps=True) for r in named), warned
    if install.kind is InstallKind.PACKAGE:
        if install.tool == "conda":
            made_conda = _conda_requirement(install.spec, source, line, False)
            return ((made_conda,) if made_conda else ()), ()
        made = parse_requirement(install.spec, source, line)
        if isinstance(made, SourceWarning):
            return (), (made,)
        if made.url and is_local_path(made.url):
            directory = join_relative(".", made.url)
            as_project = replace(
                install, kind=InstallKind.PROJECT, spec=directory, extras=made.extras
            )
            return _project(root, as_project, env, source, line)
        return (made,), ()
    if install.kind is InstallKind.REQUIREMENTS:
        return _requirements_file(root, install)
    if install.no_deps:  # `pip install --no-deps .` (or its wheel): the project alone, first-party
        return (), ()
    return _project(root, install, env, source, line)


def _requirements_file(root: Path, install: Install) -> Result:
    spec = install.spec.strip("/")
    name = spec.rsplit("/", 1)[-1]
    if name.endswith((".yml", ".yaml")):
        read = read_environment(root, spec)
    elif name == "Pipfile.lock":
        read = read_pipfile_lock(root, spec)
        chosen = tuple(r for r in read.requirements if not r.dev)
        return chosen, read.warnings
    elif name == "Pipfile":
        sets = read_pipfile(root, spec)
        return tuple(r for s in sets if not s.dev for r in s.requirements), tuple(
            w for s in sets for w in s.warnings
        )
    else:
        read = read_requirements_file(root, spec)
    return read.requirements, read.warnings


def _workspace_package(root: Path, directory: str, name: str) -> Optional[str]:
    """The folder of the uv workspace package named `name` (`uv sync --package name`).

    uv's workspace holds the root project itself (its `[project]`) as well as the members its
    `[tool.uv.workspace].members` globs name.
    """
    wanted = canonicalize_name(name)
    own = read_project(root, directory)
    if own is not None and own.name == wanted:
        return directory
    try:
        data = load_toml((root / project_file(directory, "pyproject.toml")).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):  # TOMLDecodeError and LoadError are ValueErrors
        return None
    members = data.get("tool", {}).get("uv", {}).get("workspace", {}).get("members", [])
    base = root / directory
    for pattern in members if isinstance(members, list) else []:
        for folder in sorted(base.glob(str(pattern))):
            relative = folder.relative_to(root).as_posix()
            declaration = read_project(root, relative) if is_dir(folder) else None
            if declaration is not None and declaration.name == wanted:
                return relative
    return None


def _project(root: Path, install: Install, env: TargetEnv, source: str, line: int) -> Result:
    directory = join_relative(".", install.spec or ".")
    packages = [g.split(":", 1)[1] for g in install.groups if g.startswith("package:")]
    if not packages:
        return _declared(root, directory, install, env, source, line, directory)
    # uv accepts `--package` several times and installs each named package.
    install = replace(install, groups=tuple(g for g in install.groups if not g.startswith("package:")))
    requirements: list[Requirement] = []
    warnings: list[SourceWarning] = []
    for name in packages:
        member = _workspace_package(root, directory, name)
        if member is None:
            warnings.append(SourceWarning(source, line, f"no uv workspace package named {name} in {directory}"))
            continue
        got, said = _declared(root, member, install, env, source, line, directory)
        requirements.extend(r for r in got if r not in requirements)
        warnings.extend(w for w in said if w not in warnings)
    return tuple(requirements), tuple(warnings)


def _declared(
    root: Path, directory: str, install: Install, env: TargetEnv, source: str, line: int, workspace: str
) -> Result:
    """What installing the project in `directory` brings; a workspace member's lock is the workspace's."""
    if install.tool == "pipenv":
        return _pipenv(root, directory, install, source, line)
    declaration = read_project(root, directory)
    if declaration is None:
        return (), (
            SourceWarning(
                source,
                line,
                f"no project metadata (pyproject.toml, setup.py, setup.cfg) in {directory}",
            ),
        )
    groups = _groups(declaration, install)
    direct = project_requirements(declaration, install.extras, groups, main=install.main)
    warnings = declaration.warnings
    lock = _LOCKS.get(install.tool)
    for folder in dict.fromkeys((directory, workspace)) if lock else ():
        if is_file(root / project_file(folder, lock or "")):
            locked, lock_warnings = locked_closure(root, project_file(folder, lock or ""), direct, env)
            return locked, warnings + lock_warnings
    return direct, warnings


def _groups(declaration: ProjectDeclaration, install: Install) -> tuple[str, ...]:
    """The dependency groups the tool installs, from its defaults and the Install's options.

    `include_dev` means "the tool's default groups": Poetry's non-optional groups (else its
    non-dev ones), uv's
    `default-groups` (else `dev`), PDM's dev groups; `without` removes groups from those.
    """
    # Poetry calls its main dependencies the "main" group; a PEP 735 group may be named main too.
    asked = tuple(g for g in install.groups if g != "main" or install.tool != "poetry")
    without = {canonicalize_name(g) for g in install.without}
    defaults: list[str] = []
    if install.tool == "poetry" and "main" in install.groups:
        return asked  # `--only main,x` (what the buildpack runs): exactly those
    if install.tool == "poetry":
        # Without its dev groups (`--no-dev`, a buildpack), Poetry still installs the others.
        optional = {canonicalize_name(g) for g in declaration.optional_groups}
        defaults = [
            g for g in declaration.groups
            if canonicalize_name(g) not in optional and (install.include_dev or not is_dev_name(g))
        ]
    elif install.include_dev and install.tool == "uv":
        uv_defaults = declaration.default_groups if declaration.default_groups is not None else ("dev",)
        defaults = list(declaration.groups) if "*" in uv_defaults else list(uv_defaults)
    elif install.include_dev and install.tool == "pdm":
        defaults = list(declaration.groups)
    if "*" in asked:
        defaults, asked = list(declaration.groups), tuple(g for g in asked if g != "*")
    kept = [g for g in defaults if canonicalize_name(g) not in without]
    return tuple(sorted(set(kept) | set(asked)))  # pip: `pip install .` installs no group


def _pipenv(root: Path, directory: str, install: Install, source: str, line: int) -> Result:
    lock = project_file(directory, "Pipfile.lock")
    pipfile = project_file(directory, "Pipfile")
    if is_file(root / lock):
        read = read_pipfile_lock(root, lock)
        chosen = tuple(r for r in read.requirements if install.include_dev or not r.dev)
        return chosen, read.warnings
    if is_file(root / pipfile):
        sets = read_pipfile(root, pipfile)
        wanted = {canonicalize_name(g) for g in install.groups}
        chosen_sets = [
            s
            for s in sets
            if (not s.dev and all(r.group == "main" for r in s.requirements))
            or (install.include_dev and any(r.group == "dev" for r in s.requirements))
            or any(canonicalize_name(r.group.split(":", 1)[-1]) in wanted for r in s.requirements)
        ]
        return (
            tuple(r for s in chosen_sets for r in s.requirements),
            tuple(w for s in sets for w in s.warnings),
        )
    return (), (
        SourceWarning(source, line, f"pipenv install: no Pipfile or Pipfile.lock in {directory}"),
    )
