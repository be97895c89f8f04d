"""Lock files (poetry.lock, uv.lock, pdm.lock): the resolved set, its dependency graph, closures."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508
from packaging.utils import canonicalize_name

from importaudit.model import Requirement, RequirementSet, SourceWarning
from importaudit.requirements.common import LineFinder, load_toml, parent_of, read_text
from importaudit.requirements.reqfile import SourceSet
from importaudit.safeload import as_array, as_table
from importaudit.source.conditions import TargetEnv, marker_holds

_EXTRA_ENTRY = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?[^;]*(;\s*(.*))?$")


@dataclass(frozen=True)
class Edge:
    """One dependency of a locked package."""

    key: str
    marker: Optional[str] = None
    extras: tuple[str, ...] = ()
    optional: bool = False  # poetry: only installed when an extra names it


@dataclass
class LockPackage:
    name: str
    version: str
    line: int
    marker: Optional[str] = None
    groups: set[str] = field(default_factory=set)  # pdm groups / poetry categories
    deps: list[Edge] = field(default_factory=list)
    extras: dict[str, list[Edge]] = field(default_factory=dict)
    dev_groups: dict[str, list[Edge]] = field(default_factory=dict)  # uv root's dev-dependencies
    project: bool = False  # uv: the project itself (editable/virtual source)


@dataclass
class LockData:
    kind: str
    packages: dict[str, LockPackage] = field(default_factory=dict)
    warnings: list[SourceWarning] = field(default_factory=list)
    requires_python: Optional[str] = None


def _edge_from_string(text: str) -> Optional[Edge]:
    try:
        parsed = Pep508(text)
    except InvalidRequirement:
        match = _EXTRA_ENTRY.match(text)  # poetry's "uvloop (>=0.14) ; sys_platform != 'win32'"
        if not match:
            return None
        extras = tuple(e.strip() for e in (match.group(2) or "[]")[1:-1].split(",") if e.strip())
        return Edge(canonicalize_name(match.group(1)), match.group(4), extras)
    marker = str(parsed.marker) if parsed.marker is not None else None
    return Edge(canonicalize_name(parsed.name), marker, tuple(sorted(parsed.extras)))


def _poetry_edges(deps: Any) -> list[Edge]:
    edges: list[Edge] = []
    for name, value in sorted(deps.items()) if isinstance(deps, dict) else []:
        for entry in value if isinstance(value, list) else [value]:
            table = entry if isinstance(entry, dict) else {}
            edges.append(
                Edge(
                    canonicalize_name(name),
                    table.get("markers"),
                    tuple(str(e) for e in table.get("extras") or ()),
                    bool(table.get("optional")),
                )
            )
    return edges


def _uv_edges(entries: Any) -> list[Edge]:
    edges: list[Edge] = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            extras = entry.get("extra") or entry.get("extras") or ()
            edges.append(
                Edge(
                    canonicalize_name(entry["name"]),
                    entry.get("marker"),
                    tuple(str(e) for e in extras),
                )
            )
    return edges


def _package(kind: str, entry: dict[str, Any], line: int) -> LockPackage:
    name = str(entry.get("name"))
    package = LockPackage(name=name, version=str(entry.get("version", "")), line=line)
    markers = entry.get("markers") or entry.get("marker")
    package.marker = markers if isinstance(markers, str) else None
    if kind == "poetry.lock":
        groups = entry.get("groups") or ([entry["category"]] if "category" in entry else [])
        package.groups = {str(g) for g in as_array(groups)}
        package.deps = _poetry_edges(entry.get("dependencies"))
        extras = entry.get("extras") or {}
        for extra, listed in as_table(extras).items():
            package.extras[extra] = [e for e in (_edge_from_string(str(s)) for s in as_array(listed)) if e]
    elif kind == "uv.lock":
        package.deps = _uv_edges(entry.get("dependencies"))
        for extra, listed in as_table(entry.get("optional-dependencies")).items():
            package.extras[extra] = _uv_edges(listed)
        for group, listed in as_table(entry.get("dev-dependencies")).items():
            package.dev_groups[group] = _uv_edges(listed)
        source = entry.get("source") or {}
        package.project = isinstance(source, dict) and ("editable" in source or "virtual" in source)
    else:  # pdm.lock: dependencies are PEP 508 strings, one entry per (name, extras)
        package.groups = {str(g) for g in as_array(entry.get("groups"))}
        deps = as_array(entry.get("dependencies"))
        package.deps = [e for e in (_edge_from_string(str(s)) for s in deps) if e]
    return package


def parse_lock(root: Path, relpath: str) -> LockData:
    """Read one lock file into packages keyed by canonical name (same-name entries merged)."""
    kind = relpath.rsplit("/", 1)[-1]
    data = LockData(kind=kind)
    text = read_text(root, relpath)
    if isinstance(text, SourceWarning):
        data.warnings.append(text)
        return data
    parsed = load_toml(text, relpath)
    if isinstance(parsed, SourceWarning):
        data.warnings.append(parsed)
        return data
    finder = LineFinder(text)
    if isinstance(parsed.get("requires-python"), str):
        data.requires_python = parsed["requires-python"]
    for entry in as_array(parsed.get("package")):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            data.warnings.append(SourceWarning(relpath, 1, "a [[package]] entry without a name"))
            continue
        line = finder.find("package", f'name = "{entry["name"]}"', f"name = '{entry['name']}'")
        package = _package(kind, entry, line)
        key = canonicalize_name(package.name)
        if key in data.packages:  # pdm: `uvicorn` and `uvicorn[standard]` entries; uv: forks
            known = data.packages[key]
            known.deps.extend(e for e in package.deps if e not in known.deps and e.key != key)
            known.groups |= package.groups
            for extra, edges in package.extras.items():
                known.extras.setdefault(extra, []).extend(edges)
        else:
            package.deps = [e for e in package.deps if e.key != key]
            data.packages[key] = package
    return data


def _direct_keys(root: Path, relpath: str) -> Optional[set[str]]:
    from importaudit.requirements.project import read_project  # late: project readers do not need locks

    declaration = read_project(root, parent_of(relpath))
    if declaration is None:
        return None
    listed = {r.key for r in declaration.main}
    listed |= {r.key for reqs in declaration.extras.values() for r in reqs}
    listed |= {r.key for reqs in declaration.groups.values() for r in reqs}
    return listed


def _locked(
    package: LockPackage, source: str, direct: bool, group: str = "main", dev: bool = False
) -> Requirement:
    return Requirement(
        name=package.name,
        key=canonicalize_name(package.name),
        source=source,
        line=package.line,
        specifier=f"=={package.version}" if package.version else "",
        marker=package.marker,
        group=group,
        dev=dev,
        locked=True,
        direct=direct,
    )


def _reach(data: LockData, starts: Iterable[Edge]) -> set[str]:
    """Every package a set of edges brings, through the lock's own dependency lists."""
    seen: set[str] = set()
    queue = [(e.key, e.extras) for e in starts]
    done: set[tuple[str, tuple[str, ...]]] = set()
    while queue:
        key, extras = queue.pop()
        if (key, extras) in done or key not in data.packages:
            continue
        done.add((key, extras))
        seen.add(key)
        package = data.packages[key]
        edges = list(package.deps)
        for extra in extras:
            edges += package.extras.get(extra, [])
        queue += [(e.key, e.extras) for e in edges]
    return seen


def _uv_groups(data: LockData) -> None:
    """uv.lock names no group on its entries: they follow from the project's own entry, whose
    dependencies are main, `optional-dependencies` extras and `dev-dependencies` groups."""
    if data.kind != "uv.lock":
        return
    roots = [p for p in data.packages.values() if p.project]
    if not roots:
        return
    main = _reach(data, [e for p in roots for e in p.deps])
    for p in roots:
        for kind, table in (("extra", p.extras), ("group", p.dev_groups)):
            for name, edges in sorted(table.items()):
                for key in _reach(data, edges) - main:
                    package = data.packages[key]
                    if not package.project:
                        package.groups.add(name if kind == "group" else f"extra:{name}")


def read_lock(root: Path, relpath: str) -> SourceSet:
    """The whole resolved set of a lock (every package, locked=True), with its graph."""
    data = parse_lock(root, relpath)
    direct = _direct_keys(root, relpath)
    requirements = []
    _uv_groups(data)
    for key, package in sorted(data.packages.items()):
        if package.project:
            continue
        is_direct = direct is None or key in direct
        dev = bool(package.groups) and not ({"main", "default"} & package.groups)
        # Name the lock's own group (pdm's "test", a Poetry group) so a message can point at it.
        named = sorted(package.groups - {"main", "default", "dev"})
        group = (named[0] if named[0].startswith("extra:") else f"group:{named[0]}") if named else "dev"
        group = group if dev else "main"
        requirements.append(_locked(package, relpath, is_direct, group, dev))
    graph = tuple(
        (key, tuple(sorted({e.key for e in p.deps if not e.optional})))
        for key, p in sorted(data.packages.items())
    )
    return SourceSet(
        source=relpath,
        kind=data.kind,
        requirements=tuple(requirements),
        warnings=tuple(data.warnings),
        requires_python=data.requires_python,
        graph=graph,
    )


def lock_graph(rs: RequirementSet) -> Mapping[str, tuple[str, ...]]:
    """canonical name -> its dependency names, for sets that know it (locks, pip-compile)."""
    return dict(rs.graph) if isinstance(rs, SourceSet) else {}


def locked_closure(
    root: Path, relpath: str, starts: Iterable[Requirement], env: TargetEnv
) -> tuple[tuple[Requirement, ...], tuple[SourceWarning, ...]]:
    """What installing `starts` from this lock brings: each reached package, locked=True.

    Edges whose marker is false on the target are not followed (a Windows-only dependency of a
    dependency is never installed on Linux); the direct requirements themselves keep their
    declared marker unfiltered, for the rules stage to judge.
    """
    data = parse_lock(root, relpath)
    warnings = list(data.warnings)
    reached: dict[str, Requirement] = {}
    done: set[tuple[str, tuple[str, ...]]] = set()
    queue: list[tuple[str, tuple[str, ...], Requirement]] = []
    for start in starts:
        if start.key not in data.packages:
            warnings.append(
                SourceWarning(
                    start.source,
                    start.line,
                    f"{start.name} is declared but not in {relpath} (lock out of date?)",
                )
            )
            reached.setdefault(start.key, start)
            continue
        package = data.packages[start.key]
        locked = replace(
            _locked(package, relpath, True, start.group, start.dev), marker=start.marker
        )
        reached.setdefault(start.key, locked)
        queue.append((start.key, start.extras, reached[start.key]))
    while queue:
        key, extras, origin = queue.pop(0)
        if (key, extras) in done or key not in data.packages:
            continue
        done.add((key, extras))
        package = data.packages[key]
        edges = [e for e in package.deps if not e.optional]
        for extra in extras:
            wanted = canonicalize_name(extra)
            for name, listed in package.extras.items():
                if canonicalize_name(name) == wanted:
                    edges.extend(listed)
        for edge in edges:
            if not marker_holds(edge.marker, env, extras):
                continue
            if edge.key not in data.packages:
                continue
            if edge.key not in reached:
                reached[edge.key] = _locked(
                    data.packages[edge.key], relpath, False, origin.group, origin.dev
                )
            queue.append((edge.key, edge.extras, origin))
    ordered = sorted(reached.values(), key=lambda r: (not r.direct, r.key))
    return tuple(ordered), tuple(warnings)
