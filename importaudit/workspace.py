"""The workspace: everything read once per run (files, parses, declarations, metadata), shared by every target."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from importaudit.config import Config
from importaudit.judge.reach import MAIN_GUARD, FileIndex
from importaudit.model import (
    GuardKind,
    How,
    Import,
    ParsedFile,
    Provider,
    SourceWarning,
)
from importaudit.providers.distributions import DistributionIndex
from importaudit.providers.environment import InstalledEnvironment
from importaudit.providers.names import DisplayNames
from importaudit.providers.stdlib import host_version
from importaudit.requirements import (
    DeclaredSources,
    ProjectDeclaration,
    discover_sources,
    read_project,
)
from importaudit.source.conditions import SUPPORTED_PYTHONS, UNDECLARED, parse_version
from importaudit.source.discover import Project, discover
from importaudit.source.flags import FlagResolver
from importaudit.source.imports import parse_file
from importaudit.source.parsing import FileFacts, LazyTrees, parse_all
from importaudit.targets import project_python_version


@dataclass
class Workspace:
    """Everything read once per run, shared by every target."""

    root: Path
    config: Config
    project: Project
    parsed: FileFacts
    trees: LazyTrees
    declared: DeclaredSources
    declaration: Optional[ProjectDeclaration]
    index: DistributionIndex
    names: DisplayNames
    default_python: tuple[tuple[int, int], str]
    warnings: list[SourceWarning]
    checked_environment: Optional[InstalledEnvironment] = None  # --python: verify against it
    framework_cache: dict[str, Any] = field(default_factory=dict)  # shared by every target's frameworks
    _providers: Optional[dict[str, Provider]] = None
    _indexes: Optional[_Indexes] = None
    _local: Optional[frozenset[str]] = None
    _roots: Optional[dict[str, str]] = None
    _modules: Optional[dict[tuple[str, ...], dict[str, str]]] = None
    _deeper: Optional[dict[tuple[str, tuple[str, ...]], tuple[str, ...]]] = None

    def provider(self, module: str) -> Provider:
        if self._providers is None:
            self._providers = {}
        found = self._providers.get(module)
        if found is None:
            found = self._providers[module] = self.index.provider(module)
        return found

    def local_names(self) -> frozenset[str]:
        """Top-level names importable from some folder of the project when it is on sys.path.

        A file's import root is its nearest ancestor that is not a package: `python manage.py`
        from netbox/ makes netbox/users importable as `users`, a script makes its siblings
        importable. A local name is never reported missing (a false error costs more)."""
        if self._local is None:
            names: set[str] = set()
            for path, root in self.import_roots().items():
                head = path[len(root) + 1 :] if root else path
                head = head.split("/")[0]
                name = head[:-3] if head.endswith(".py") else head
                if name.isidentifier():
                    names.add(name)
            # On sys.path, a folder also makes its namespace directories (no __init__.py) importable:
            # `cd app && gunicorn wsgi` imports app/utils/admin.py as utils.admin.
            roots = {root for root in self.import_roots().values() if root}
            names.update(self.project.index.top_level_names(sorted(roots)))
            if "__init__.py" in self.parsed:  # the audited folder is itself a package (saleor/saleor)
                names.add(self.root.resolve().name)
            # A module run as a script (`if __name__ == "__main__":`) has its own folder first on
            # sys.path, even inside a package: its siblings are importable by their bare names.
            folders = {path.rpartition("/")[0] for path, pf in self.parsed.items() if _is_script(pf)}
            for path in self.parsed:
                folder, _, filename = path.rpartition("/")
                stem = filename[:-3] if filename.endswith(".py") else ""
                if folder and folder in folders and stem != "__init__" and stem.isidentifier():
                    names.add(stem)  # a sibling module
                parent, _, package = folder.rpartition("/")
                if stem == "__init__" and parent and parent in folders and package.isidentifier():
                    names.add(package)  # a sibling package
            self._local = frozenset(names)
        return self._local

    def import_roots(self) -> dict[str, str]:
        """file -> its nearest ancestor folder that is not a package ("" for the root)."""
        if self._roots is None:
            packages = {p.rsplit("/", 1)[0] if "/" in p else "" for p in self.parsed if p.endswith("__init__.py")}
            self._roots = {}
            for path in self.parsed:
                parts = path.split("/")
                cut = len(parts) - 1
                while cut > 0 and "/".join(parts[:cut]) in packages:
                    cut -= 1
                self._roots[path] = "/".join(parts[:cut])
        return self._roots

    def file_indexes(self) -> Mapping[str, FileIndex]:
        """Per-file lookups for reachability, each built once per run on first use (a target's boot
        reaches a fraction of the files: saleor 1,076 of 4,337). Files named like tests are in it
        too: a file's role comes from what boot reaches, not from its name (judge/roles.py)."""
        if self._indexes is None:
            self._indexes = _Indexes(self.parsed)
        return self._indexes

    def modules_map(self, roots: tuple[str, ...]) -> dict[str, str]:
        if self._modules is None:
            self._modules = {}
        if roots not in self._modules:
            self._modules[roots] = _modules_map(self, roots)
        return self._modules[roots]

    def reported_module(self, module: str) -> str:
        """The name a finding shows: the top level, or the namespace prefix that decides."""
        matched = self.provider(module).module
        if "." in matched and module.startswith(matched):
            return matched
        return module.split(".")[0]

    def expand(self, imp: Import) -> list[Import]:
        """`from google.cloud import storage, pubsub_v1` is two imports with two providers."""
        if imp.how is not How.FROM or not imp.names or imp.module.startswith("."):
            return [imp]
        # The same `from X import a, b` stands in many files (msgraph: 276k imports): the
        # provider lookups depend on the names only, so they are done once per distinct pair.
        if self._deeper is None:
            self._deeper = {}
        key = (imp.module, imp.names)
        deeper = self._deeper.get(key)
        if deeper is None:
            base = self.provider(imp.module).module
            deeper = self._deeper[key] = tuple(
                full for full in (f"{imp.module}.{name}" for name in imp.names if name != "*")
                if len(self.provider(full).module) > len(base)
            )
        return [replace(imp, module=full, names=()) for full in deeper] or [imp]


class _Indexes(Mapping[str, FileIndex]):
    """path -> FileIndex of every parsed file, each built when first looked up."""

    def __init__(self, parsed: Mapping[str, ParsedFile]) -> None:
        self._parsed = parsed
        self._built: dict[str, FileIndex] = {}

    def __getitem__(self, path: str) -> FileIndex:
        found = self._built.get(path)
        if found is None:
            found = self._built[path] = FileIndex.build(self._parsed[path])
        return found

    def __contains__(self, path: object) -> bool:
        return path in self._parsed

    def __iter__(self) -> Iterator[str]:
        return iter(self._parsed)

    def __len__(self) -> int:
        return len(self._parsed)


def load_workspace(root: Path, config: Config) -> Workspace:
    project = discover(root, exclude=config.exclude, first_party=config.first_party)
    found, trees, warnings = parse_all(root, project.sources, use_cache=True)
    deployed = {path: _as_deployed(pf) for path, pf in found.items()}
    flags = FlagResolver(deployed)
    refs = {ref.path: ref for ref in project.sources}

    def complete(partial: ParsedFile) -> ParsedFile:
        """A partial file's full facts, read when a stage follows it (reach, roles)."""
        try:
            _tree, full = parse_file(root, refs[partial.path])
        except (RecursionError, MemoryError, ValueError):
            return replace(partial, partial=False)  # its imports are all that can be known
        return replace(flags.resolve(_as_deployed(full)), is_test=partial.is_test)

    parsed = FileFacts({path: flags.resolve(pf) for path, pf in deployed.items()}, complete)
    warnings = list(project.warnings) + warnings
    declared = discover_sources(root, project.files, only=config.requirements)
    declaration = read_project(root, ".")
    # Installed metadata is evidence only from the environment the user names with --python: the
    # environment running importaudit is importaudit's own (a CI runner's, a pipx venv), and
    # reading it would make results depend on the machine (CONTRACT, "Evidence and verdicts").
    environment = InstalledEnvironment.from_python(config.python) if config.python else None
    index = DistributionIndex(config.module_map, environment)
    checked = environment if config.python else None
    warnings.extend(declared.warnings)
    if declaration is not None:
        warnings.extend(declaration.warnings)
    return Workspace(
        root=root,
        config=config,
        project=project,
        parsed=parsed,
        trees=trees,
        declared=declared,
        declaration=declaration,
        index=index,
        names=DisplayNames(environment),
        checked_environment=checked,
        default_python=_default_python(root, config, project, declaration, declared),
        warnings=warnings,
    )


# Code that is never part of a deploy's boot: build scripts and docs configuration. setup.py runs in
# pip's isolated build environment (which has setuptools); docs/conf.py runs under Sphinx with the
# docs requirements. They are checked like tests: against runtime plus development requirements.
_TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "conftest.py"})
_TOOLING_DIRS = frozenset({"docs", "doc"})


def _as_deployed(parsed: ParsedFile) -> ParsedFile:
    parts = parsed.path.split("/")
    if parts[-1] == "setup.py":
        return replace(parsed, imports=(), is_test=True)  # its imports are the build backend's
    if parts[-1] in _TOOLING_FILES or parts[0] in _TOOLING_DIRS:
        return replace(parsed, is_test=True)
    return parsed


def _default_python(
    root: Path, config: Config, project: Project, declaration: Optional[ProjectDeclaration],
    declared: DeclaredSources,
) -> tuple[tuple[int, int], str]:
    if config.python_version:
        return config.python_version, "--python-version"
    if config.python:
        return _python_of(config.python), f"--python {config.python}"
    found = project_python_version(root, project.files)
    if found is not None:
        version = parse_version(found[0])
        if version is not None:
            return version, found[1]
    if declaration is not None and declaration.requires_python:
        lower = _lower_bound(declaration.requires_python)
        if lower is not None:
            return lower, f"requires-python {declaration.requires_python}"
    for rs in declared.runtime:  # Pipfile [requires] python_version, environment.yml python=3.X
        if rs.requires_python:
            lower = _lower_bound(rs.requires_python)
            if lower is not None:
                return lower, f"{rs.source} (python {rs.requires_python.lstrip('=').rstrip('.*')})"
    return SUPPORTED_PYTHONS[-1], UNDECLARED


def _is_script(parsed: ParsedFile) -> bool:
    guards = [g for call in parsed.calls for g in call.guards] + [g for i in parsed.imports for g in i.guards]
    return any(g.kind is GuardKind.CONDITION and g.condition == MAIN_GUARD for g in guards)


def _python_of(python: str) -> tuple[int, int]:
    version = InstalledEnvironment.from_python(python).python_version
    return version if version is not None else host_version()


def _lower_bound(spec: str) -> Optional[tuple[int, int]]:
    try:
        specifiers = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    for minor in range(6, 20):
        if f"3.{minor}.99" in specifiers or f"3.{minor}.0" in specifiers:
            return (3, minor)
    return None


# ---------------------------------------------------------------------------------------------
# Targets


def _modules_map(ws: Workspace, roots: Sequence[str]) -> dict[str, str]:
    """dotted module -> file, under the target's roots first, then each file's own import root."""
    out: dict[str, str] = {}
    for ref in ws.project.sources:
        for root in roots:
            name = ws.project.index.module_for(ref.path, root)
            if name and name not in out:
                out[name] = ref.path
    for path, local_root in ws.import_roots().items():
        name = ws.project.index.module_for(path, local_root)
        if name and name not in out:
            out[name] = path
    return out
