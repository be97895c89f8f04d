"""What a project with no deploy descriptor installs: what `pip install .` (or its tool) gives.

The runtime belongs to the top-most project of the tree (a folder's `requirements/` files belong
to that folder): its main dependencies (`[project].dependencies`, `install_requires`, Poetry's
main group), read through its lock when one is beside it (`uv sync --no-dev`, `poetry install
--only main`, `pdm install --prod`, `pipenv install`), or, when it has no project metadata
declaring dependencies, its requirements files of the best rank (`requirements.txt` first).
Extras and dependency groups are not runtime; nested projects (`examples/demo/pyproject.toml`)
belong to their own folder.
"""

from __future__ import annotations

from pathlib import Path

from importaudit.model import Install, InstallKind, Requirement, RequirementSet, SourceWarning
from importaudit.requirements.common import parent_of, project_file
from importaudit.requirements.discover import DeclaredSources, source_rank
from importaudit.requirements.install import requirements_for_install
from importaudit.requirements.project import read_project
from importaudit.safeload import is_file
from importaudit.source.conditions import TargetEnv

_PROJECT_KINDS = frozenset({"pyproject", "poetry", "setup.py", "setup.cfg", "pdm", "uv", "flit", "hatch"})
_LOCK_TOOLS = (("uv.lock", "uv"), ("poetry.lock", "poetry"), ("pdm.lock", "pdm"))


def owner(source: str) -> str:
    """The project folder a source belongs to: `requirements/base.txt` belongs to the top."""
    folder = parent_of(source)
    head, _, last = folder.rpartition("/")
    if last.lower() in ("requirements", "reqs"):
        return head or "."
    return folder


def _depth(folder: str) -> int:
    return 0 if folder == "." else folder.count("/") + 1


def _project_install(root: Path, folder: str, tool_hint: str) -> Install:
    tool = next((t for lock, t in _LOCK_TOOLS if is_file(root / project_file(folder, lock))), tool_hint)
    groups = ("main",) if tool == "poetry" else ()  # `poetry install --only main`
    return Install(InstallKind.PROJECT, folder, tool=tool, groups=groups)


def implicit_runtime(
    root: Path, declared: DeclaredSources, env: TargetEnv
) -> tuple[list[Requirement], list[SourceWarning]]:
    """The requirements the implicit `project` target installs (see the module docstring)."""
    if not declared.runtime:
        return [r for rs in declared.locks for r in rs.requirements if not r.dev], []
    top = min(_depth(owner(rs.source)) for rs in declared.runtime)
    folders = sorted({owner(rs.source) for rs in declared.runtime if _depth(owner(rs.source)) == top})
    reqs: list[Requirement] = []
    warnings: list[SourceWarning] = []
    for folder in folders:
        sets = [rs for rs in declared.runtime if owner(rs.source) == folder]
        got, warned = _folder_runtime(root, folder, sets, env)
        reqs += got
        warnings += warned
    return reqs, warnings


def nested_runtimes(
    root: Path, declared: DeclaredSources, env: TargetEnv
) -> dict[str, tuple[Requirement, ...]]:
    """Each nested project below the top-most ones (`examples/demo`): its own runtime, for its files."""
    if not declared.runtime:
        return {}
    top = min(_depth(owner(rs.source)) for rs in declared.runtime)
    out: dict[str, tuple[Requirement, ...]] = {}
    for folder in sorted({owner(rs.source) for rs in declared.runtime if _depth(owner(rs.source)) > top}):
        sets = [rs for rs in declared.runtime if owner(rs.source) == folder]
        out[folder] = _folder_runtime(root, folder, sets, env)[0]
    return out


def _folder_runtime(
    root: Path, folder: str, sets: list[RequirementSet], env: TargetEnv
) -> tuple[tuple[Requirement, ...], tuple[SourceWarning, ...]]:
    files = [rs for rs in sets if rs.kind in ("requirements", "pip-compile")]
    declaration = read_project(root, folder)
    if declaration is not None and (declaration.main or not files):
        install = _project_install(root, folder, "pip")
        got, warned = requirements_for_install(root, install, env)
        return got, tuple(w for w in warned if w not in declaration.warnings)
    if any(rs.kind == "pipfile" for rs in sets):
        return requirements_for_install(root, Install(InstallKind.PROJECT, folder, tool="pipenv"), env)
    chosen = files or [rs for rs in sets if rs.kind not in _PROJECT_KINDS]
    if not chosen:
        return (), ()
    best = min(source_rank(root, rs) for rs in chosen)
    return tuple(r for rs in chosen if source_rank(root, rs) == best for r in rs.requirements if not r.dev), ()
