"""ProjectDeclaration: what a project's own metadata (pyproject, setup.cfg, setup.py) declares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Optional

from importaudit.model import Requirement, SourceWarning
from importaudit.requirements.common import join_relative, parse_requirement, project_file, read_text
from importaudit.requirements.reqfile import read_requirements_file
from importaudit.safeload import is_file


@dataclass(frozen=True)
class ProjectDeclaration:
    """One project directory's declared dependencies, merged from its metadata files."""

    directory: str  # "." or "backend"
    name: Optional[str]  # the project's own distribution name, canonical
    main: tuple[Requirement, ...]  # what `pip install .` installs
    extras: Mapping[str, tuple[Requirement, ...]]  # optional-dependencies / poetry extras
    groups: Mapping[str, tuple[Requirement, ...]]  # PEP 735, poetry, pdm and uv dev groups
    requires_python: Optional[str]
    sources: tuple[str, ...]  # files read
    warnings: tuple[SourceWarning, ...]
    build_backend: Optional[str]
    # Beyond the brief: what the installers need to pick groups.
    optional_groups: tuple[str, ...] = ()  # poetry `[tool.poetry.group.X] optional = true`
    default_groups: Optional[tuple[str, ...]] = None  # uv `[tool.uv] default-groups`
    tool: str = "setuptools"  # "poetry", "pdm", "uv", "setuptools", "hatch", "flit"...


@dataclass
class DeclarationBuilder:
    """The mutable form the readers fill in, frozen once all files of the directory are read."""

    directory: str
    name: Optional[str] = None
    main: list[Requirement] = field(default_factory=list)
    extras: dict[str, list[Requirement]] = field(default_factory=dict)
    groups: dict[str, list[Requirement]] = field(default_factory=dict)
    requires_python: Optional[str] = None
    sources: list[str] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)
    build_backend: Optional[str] = None
    optional_groups: set[str] = field(default_factory=set)
    default_groups: Optional[tuple[str, ...]] = None
    tool: str = "setuptools"
    # Fields pyproject marks dynamic with no setuptools `file =`: setup.cfg/setup.py fill them.
    dynamic: set[str] = field(default_factory=set)
    has_metadata: bool = False
    main_declared: bool = False

    def read_file(self, root: Path, name: str) -> Optional[tuple[str, str]]:
        """The directory's metadata file `name` as (path, text), counted as read.

        None when the directory has no such file, or it cannot be read (then warned).
        """
        source = project_file(self.directory, name)
        if not is_file(root / source):
            return None
        text = read_text(root, source)
        if isinstance(text, SourceWarning):
            self.warnings.append(text)
            return None
        self.sources.append(source)
        return source, text

    def parse_requirements(
        self, items: Iterable[tuple[str, int]], source: str, group: str, dev: bool
    ) -> list[Requirement]:
        """PEP 508 strings (each with its line) -> requirements; an unreadable one becomes a warning."""
        made: list[Requirement] = []
        for text, line in items:
            result = parse_requirement(text, source, line, group=group, dev=dev)
            if isinstance(result, SourceWarning):
                self.warnings.append(result)
            else:
                made.append(result)
        return made

    def read_requirement_files(self, root: Path, names: Iterable[str], group: str, dev: bool) -> list[Requirement]:
        """Requirements files the metadata names (setuptools `file =`, setup.cfg `file:`), read.

        Names are relative to the project; each file counts as read; its requirements join `group`.
        """
        made: list[Requirement] = []
        for name in names:
            relpath = join_relative(self.directory, name)
            read = read_requirements_file(root, relpath, dev=dev)
            self.sources.append(relpath)
            self.warnings.extend(read.warnings)
            made.extend(replace(r, group=group, dev=dev) for r in read.requirements)
        return made

    def freeze(self) -> ProjectDeclaration:
        return ProjectDeclaration(
            directory=self.directory,
            name=self.name,
            main=tuple(self.main),
            extras=MappingProxyType({k: tuple(v) for k, v in sorted(self.extras.items())}),
            groups=MappingProxyType({k: tuple(v) for k, v in sorted(self.groups.items())}),
            requires_python=self.requires_python,
            sources=tuple(self.sources),
            warnings=tuple(self.warnings),
            build_backend=self.build_backend,
            optional_groups=tuple(sorted(self.optional_groups)),
            default_groups=self.default_groups,
            tool=self.tool,
        )
