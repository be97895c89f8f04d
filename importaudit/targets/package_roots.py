"""Where an installed project's packages are imported from, as its build backend declares it."""

from __future__ import annotations

import configparser
import contextlib
import posixpath
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from importaudit.model import Install, InstallKind

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _from_pyproject(data: dict[str, Any]) -> list[str]:
    """Folders that hold the top-level packages (the wheel's root), relative to the project."""
    roots: list[str] = []
    hatch = _get(data, "tool", "hatch", "build")
    for table in (hatch, _get(hatch, "targets", "wheel")):
        sources = _get(table, "sources")
        if isinstance(sources, dict):  # {"src/py" = ""}: that prefix is the wheel's root
            roots += [key for key, value in sources.items() if value in ("", "/")]
        else:
            roots += _strings(sources)
        # `packages = ["src/py/app"]`: each package lands at the wheel's root under its own name
        roots += [posixpath.dirname(p.rstrip("/")) for p in _strings(_get(table, "packages"))]
    setuptools = _get(data, "tool", "setuptools")
    roots += _strings(_get(setuptools, "packages", "find", "where"))
    package_dir = _get(setuptools, "package-dir")
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        roots.append(package_dir[""])
    for package in _get(data, "tool", "poetry", "packages") or []:
        if isinstance(package, dict) and isinstance(package.get("from"), str):
            roots.append(package["from"])
    roots += _strings(_get(data, "tool", "pdm", "build", "package-dir"))
    return roots


def _from_setup_cfg(text: str) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    roots = []
    if parser.has_option("options.packages.find", "where"):
        roots.append(parser.get("options.packages.find", "where").strip())
    if parser.has_option("options", "package_dir"):
        for line in parser.get("options", "package_dir").splitlines():
            key, eq, value = line.partition("=")
            if eq and not key.strip() and value.strip():
                roots.append(value.strip())
    return roots


def project_roots(root: Path, installs: Sequence[Install], files: Sequence[str]) -> list[str]:
    """Repo folders (not the project folder itself) that installing the project puts on sys.path:
    `src/py` for hatch `packages = ["src/py/app"]`, `src` for setuptools `where = ["src"]`."""
    found: list[str] = []
    folders = {posixpath.dirname(name) for name in files}
    for install in installs:
        if install.kind is not InstallKind.PROJECT or "$" in install.spec or "://" in install.spec:
            continue
        project = posixpath.normpath(install.spec.strip("/") or ".")
        project = "" if project == "." else project
        declared: list[str] = []
        with contextlib.suppress(OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            text = (root / project / "pyproject.toml").read_text(encoding="utf-8")
            declared += _from_pyproject(tomllib.loads(text))
        with contextlib.suppress(OSError, UnicodeDecodeError):
            declared += _from_setup_cfg((root / project / "setup.cfg").read_text(encoding="utf-8"))
        for folder in declared:
            path = posixpath.normpath(posixpath.join(project, folder.strip().strip("/")))
            fresh = path not in (".", "") and not path.startswith("..") and path not in found
            if fresh and any(f == path or f.startswith(path + "/") for f in folders):
                found.append(path)
    return found
