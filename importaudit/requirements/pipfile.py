"""Pipenv's Pipfile (`[packages]`, `[dev-packages]`, custom categories) and Pipfile.lock (JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from packaging.utils import canonicalize_name

from importaudit.model import Requirement, SourceWarning
from importaudit.requirements.common import LineFinder, is_dev_name, load_toml, parent_of, project_file, read_text
from importaudit.requirements.reqfile import SourceSet
from importaudit.safeload import as_array, is_file, load_json

_NOT_PACKAGES = frozenset({"source", "requires", "pipenv", "scripts"})
_MARKER_KEYS = (
    "os_name",
    "sys_platform",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_version",
    "python_full_version",
    "implementation_name",
    "implementation_version",
)


def _version(value: Any) -> str:
    text = str(value or "").strip()
    if text in ("", "*"):
        return ""
    return text if text[0] in "<>=!~" else f"=={text}"


def pipfile_requirement(
    name: str, value: Any, source: str, line: int, group: str, dev: bool, *, locked: bool = False
) -> Requirement:
    """One Pipfile(.lock) entry: `"*"`, `"==1.2"` or a table (version, extras, markers, git)."""
    table: dict[str, Any] = value if isinstance(value, dict) else {"version": value}
    markers = [str(table["markers"])] if table.get("markers") else []
    for key in _MARKER_KEYS:
        if isinstance(table.get(key), str):  # pipenv's `sys_platform = "== 'linux'"` shorthand
            markers.append(f"{key} {table[key]}")
    marker = " and ".join(f"({m})" if len(markers) > 1 else m for m in markers) or None
    url = table.get("git") or table.get("file") or table.get("path")
    extras = table.get("extras")
    extras = [extras] if isinstance(extras, str) else as_array(extras)
    return Requirement(
        name=name,
        key=canonicalize_name(name),
        source=source,
        line=line,
        specifier=_version(table.get("version")),
        extras=tuple(sorted(str(e) for e in extras)),
        marker=marker,
        group=group,
        dev=dev,
        url=str(url) if url else None,
        editable=bool(table.get("editable")),
        locked=locked,
    )


def read_pipfile(root: Path, relpath: str) -> tuple[SourceSet, ...]:
    """Pipfile -> a set per category: [packages] runtime, [dev-packages] dev, others by name."""
    text = read_text(root, relpath)
    if isinstance(text, SourceWarning):
        return (SourceSet(source=relpath, kind="pipfile", warnings=(text,)),)
    data = load_toml(text, relpath)
    if isinstance(data, SourceWarning):
        return (SourceSet(source=relpath, kind="pipfile", warnings=(data,)),)
    finder = LineFinder(text)
    requires = data.get("requires", {})
    python = (
        requires.get("python_full_version") or requires.get("python_version")
        if isinstance(requires, dict)
        else None
    )
    requires_python = (
        f"=={python}.*"
        if python and str(python).count(".") == 1
        else (f"=={python}" if python else None)
    )
    sets: list[SourceSet] = []
    for category in sorted(data, key=lambda c: (c != "packages", c != "dev-packages", c)):
        table = data[category]
        if category in _NOT_PACKAGES or not isinstance(table, dict):
            continue
        if category == "packages":
            group, dev = "main", False
        elif category == "dev-packages":
            group, dev = "dev", True
        else:
            group, dev = f"group:{category}", is_dev_name(category)
        requirements = tuple(
            pipfile_requirement(name, value, relpath, finder.find_key(category, name), group, dev)
            for name, value in table.items()
        )
        sets.append(
            SourceSet(
                source=relpath,
                kind="pipfile",
                requirements=requirements,
                dev=dev,
                requires_python=requires_python,
            )
        )
    return tuple(sets) or (
        SourceSet(source=relpath, kind="pipfile", requires_python=requires_python),
    )


def _listed_in_pipfile(root: Path, relpath: str) -> Optional[set[str]]:
    pipfile = project_file(parent_of(relpath), "Pipfile")
    if not is_file(root / pipfile):
        return None
    return {r.key for s in read_pipfile(root, pipfile) for r in s.requirements}


def read_pipfile_lock(root: Path, relpath: str) -> SourceSet:
    """Pipfile.lock -> the locked set: `default` (main), `develop` (dev); it records no graph."""
    text = read_text(root, relpath)
    if isinstance(text, SourceWarning):
        return SourceSet(source=relpath, kind="pipfile.lock", warnings=(text,))
    try:
        data = load_json(text)
    except ValueError as exc:  # LoadError is a ValueError
        line = getattr(exc, "lineno", 1)
        return SourceSet(
            source=relpath,
            kind="pipfile.lock",
            warnings=(SourceWarning(relpath, line, f"invalid JSON: {exc}"),),
        )
    if not isinstance(data, dict):
        return SourceSet(
            source=relpath,
            kind="pipfile.lock",
            warnings=(SourceWarning(relpath, 1, "not a Pipfile.lock object"),),
        )
    finder = LineFinder(text)
    direct = _listed_in_pipfile(root, relpath)
    requirements: list[Requirement] = []
    for section, group, dev in (("default", "main", False), ("develop", "dev", True)):
        table = data.get(section) or {}
        start = finder.find_from(1, f'"{section}"')
        for name, value in sorted(table.items()) if isinstance(table, dict) else []:
            line = finder.find_from(start, f'"{name}": {{', f'"{name}":')
            made = pipfile_requirement(name, value, relpath, line, group, dev, locked=True)
            if direct is not None and made.key not in direct:
                from dataclasses import replace

                made = replace(made, direct=False)
            requirements.append(made)
    meta = data.get("_meta", {}).get("requires", {}) if isinstance(data.get("_meta"), dict) else {}
    python = (
        meta.get("python_full_version") or meta.get("python_version")
        if isinstance(meta, dict)
        else None
    )
    return SourceSet(
        source=relpath,
        kind="pipfile.lock",
        requirements=tuple(requirements),
        requires_python=f"=={python}.*"
        if python and str(python).count(".") == 1
        else (f"=={python}" if python else None),
    )
