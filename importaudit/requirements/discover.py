"""Every declared source of a project, classified runtime / development / lock, by precedence.

Precedence of runtime sources (the order of `DeclaredSources.runtime`). Sources nearer the root
come first (depth), then by this rank, then by path:

| rank | runtime source |
|---|---|
| 0 | config `requirements = [...]` / `--requirements FILE`: exactly these, nothing else |
| 1 | a manifest whose lock is beside it: pyproject.toml + poetry.lock / uv.lock / pdm.lock; |
|   | Pipfile + Pipfile.lock |
| 2 | pip-tools inputs: `requirements.in`, any `X.in` compiled to `X.txt` (that `.txt` is a lock) |
| 3 | `requirements.txt` |
| 4 | other runtime requirements files: `requirements-prod.txt`, `requirements/base.txt` ... |
| 5 | project metadata without a lock: pyproject.toml (PEP 621, Poetry, PDM, uv), setup.cfg, |
|   | setup.py: main deps, non-dev extras, Poetry's non-optional non-dev groups |
| 6 | Pipfile without a lock |
| 7 | conda `environment.yml` |

Development sources: files, extras and groups named dev/test/lint/docs/ci/typing/... (see
`common.DEV_WORDS`), Pipfile `[dev-packages]`, PEP 735 / PDM / uv groups. Locks: poetry.lock,
uv.lock, pdm.lock, Pipfile.lock and pip-compile outputs (also listed as runtime when no `.in`
exists beside them, since then they are what the project declares).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from importaudit.model import Requirement, RequirementSet, SourceWarning
from importaudit.requirements.common import parent_of, project_file
from importaudit.requirements.formats import FORMATS, declaration_kind, format_of, pip_tools_pairs, read_source
from importaudit.requirements.project import read_project
from importaudit.safeload import is_file

_MANAGER_LOCKS = ("poetry.lock", "uv.lock", "pdm.lock")
_TABLES = {
    "pyproject": "[project].dependencies",
    "poetry": "[tool.poetry.dependencies]",
    "setup.py": "install_requires",
    "setup.cfg": "[options] install_requires",
}


@dataclass(frozen=True)
class DeclaredSources:
    runtime: tuple[RequirementSet, ...]  # runtime sources by precedence, each flattened
    development: tuple[RequirementSet, ...]  # dev/test/lint/docs groups and files
    locks: tuple[RequirementSet, ...]  # full resolved sets
    conflicts: tuple[SourceWarning, ...]  # disagreements between a directory's sources
    warnings: tuple[SourceWarning, ...]


def _depth(relpath: str) -> int:
    """How deep the declaring project sits: `requirements/base.txt` belongs to the top."""
    parts = relpath.split("/")[:-1]
    if parts and parts[-1].lower() in ("requirements", "reqs"):
        parts = parts[:-1]
    return len(parts)


def _rank(root: Path, rs: RequirementSet, pairs: dict[str, str]) -> int:
    name = rs.source.rsplit("/", 1)[-1]
    directory = parent_of(rs.source)
    if rs.kind in ("pipfile",):
        return 1 if is_file(root / project_file(directory, "Pipfile.lock")) else 6
    if rs.kind == "conda":
        return 7
    if rs.kind in ("requirements", "pip-compile"):
        if rs.source.endswith(".in") or rs.source in pairs.values():
            return 2
        return 3 if name == "requirements.txt" else 4
    has_lock = any(is_file(root / project_file(directory, lock)) for lock in _MANAGER_LOCKS)
    return 1 if has_lock else 5


def source_rank(root: Path, rs: RequirementSet) -> int:
    """The precedence rank of one runtime source (the table above); a compiled file ranks 2."""
    return 2 if rs.kind == "pip-compile" else _rank(root, rs, {})


def discover_sources(
    root: Path, files: Sequence[str], *, only: Sequence[str] = ()
) -> DeclaredSources:
    """Classify every requirement source in `files` (or exactly `only`); see the module doc."""
    warnings: list[SourceWarning] = []
    if only:
        chosen = [rs for path in only for rs in read_source(root, path, force_runtime=True)]
        warnings.extend(w for rs in chosen for w in rs.warnings)
        return DeclaredSources(tuple(chosen), (), (), (), tuple(warnings))
    pairs = pip_tools_pairs(files)
    runtime: list[RequirementSet] = []
    development: list[RequirementSet] = []
    locks: list[RequirementSet] = []
    projects_done: set[str] = set()
    for path in sorted(files):
        fmt = format_of(path)
        if fmt is None and path not in pairs.values():
            continue
        if fmt is not None and fmt.role == "project":
            directory = parent_of(path)
            if directory in projects_done:
                continue
            projects_done.add(directory)
        sets = read_source(root, path)
        for rs in sets:
            warnings.extend(rs.warnings)
            if (fmt is not None and fmt.role == "lock") or path in pairs:
                locks.append(rs)
            elif rs.dev:
                development.append(rs)
            else:
                runtime.append(rs)
                if rs.kind == "pip-compile":
                    locks.append(rs)
    runtime.sort(key=lambda rs: (_depth(rs.source), _rank(root, rs, pairs), rs.source))
    conflicts = _conflicts(root, runtime)
    return DeclaredSources(
        tuple(runtime), tuple(development), tuple(locks), tuple(conflicts), tuple(_unique(warnings))
    )


def _unique(warnings: list[SourceWarning]) -> list[SourceWarning]:
    return sorted(set(warnings), key=lambda w: (w.file, w.line, w.message))


def _own(rs: RequirementSet) -> dict[str, Requirement]:
    """The set's direct requirements written in it or its includes (not an expanded `-e .`)."""
    files = {rs.source, *rs.includes}
    out: dict[str, Requirement] = {}
    for requirement in rs.requirements:
        if (
            requirement.source in files
            and requirement.direct
            and requirement.group in ("main", "conda")
        ):
            out.setdefault(requirement.key, requirement)
    return out


def _conflicts(root: Path, runtime: list[RequirementSet]) -> list[SourceWarning]:
    """requirements.txt against the project's main dependencies, per directory."""
    found: list[SourceWarning] = []
    directories = sorted({parent_of(rs.source) for rs in runtime})
    for directory in directories:
        reqfile = next(
            (
                rs
                for rs in runtime
                if parent_of(rs.source) == directory
                and rs.kind in ("requirements", "pip-compile")
                and not rs.source.endswith(".in")
            ),
            None,
        )
        declaration = read_project(root, directory)
        if reqfile is None or declaration is None or not declaration.main:
            continue
        kind, meta = declaration_kind(declaration)
        main_files = {r.source for r in declaration.main}
        if reqfile.source in main_files or set(reqfile.includes) & main_files:
            continue  # the project reads this very file (setuptools dynamic / file:)
        table = f"{meta} {_TABLES.get(kind, 'dependencies')}"
        listed = _own(reqfile)
        declared = {r.key: r for r in declaration.main if not r.url or r.key}
        for key, requirement in sorted(listed.items()):
            other = declared.get(key)
            if other is None:
                found.append(
                    SourceWarning(
                        requirement.source,
                        requirement.line,
                        f"{requirement.name} is in {requirement.source} but not in {table}",
                    )
                )
            elif _pins_differ(requirement, other):
                found.append(
                    SourceWarning(
                        requirement.source,
                        requirement.line,
                        f"{requirement.name} is pinned {requirement.specifier} in "
                        f"{requirement.source} but {other.specifier} in {table}",
                    )
                )
        for key, requirement in sorted(declared.items()):
            if key not in listed and key:
                found.append(
                    SourceWarning(
                        requirement.source,
                        requirement.line,
                        f"{requirement.name} is in {table} but not in {reqfile.source}",
                    )
                )
    return found


def _pins_differ(left: Requirement, right: Requirement) -> bool:
    return (
        left.specifier.startswith("==")
        and right.specifier.startswith("==")
        and "," not in left.specifier + right.specifier
        and left.specifier != right.specifier
    )


__all__ = ["FORMATS", "DeclaredSources", "discover_sources"]
