"""What a buildpack platform (Heroku, nixpacks, Render) installs and which Python it picks."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Optional

from importaudit.model import Install, InstallKind, Location
from importaudit.source.conditions import parse_version

_VERSION_FILES = (".python-version", "runtime.txt", ".tool-versions")


def _join(folder: str, name: str) -> str:
    return posixpath.join(folder, name) if folder else name


def _read(root: Path, path: str) -> Optional[str]:
    try:
        return (root / path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def project_python_version(root: Path, files: Sequence[str], folder: str = "") -> Optional[tuple[str, str]]:
    """(version "3.12", source file) from .python-version, runtime.txt or .tool-versions."""
    present = set(files)
    for name in _VERSION_FILES:
        path = _join(folder, name)
        if path not in present:
            continue
        text = _read(root, path)
        if text is None:
            continue
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if name == ".tool-versions":
                words = line.split()
                if len(words) < 2 or words[0] != "python":
                    continue
                line = words[1]
            version = parse_version(line)
            if version is not None:
                return f"{version[0]}.{version[1]}", path
            break
    return None


def platform_installs(
    files: Sequence[str], folder: str = "", flavor: str = "heroku", location: Optional[Location] = None
) -> tuple[list[Install], list[str]]:
    """What the platform's Python buildpack installs from the app directory, and notes.

    Heroku (heroku-buildpack-python lib/package_manager.sh) needs exactly one of
    requirements.txt, Pipfile.lock, poetry.lock, uv.lock; nixpacks and Render also fall back to
    `pip install .` for a bare pyproject.toml.
    """
    present = set(files)
    has = {
        name: _join(folder, name) in present
        for name in (
            "requirements.txt",
            "Pipfile",
            "Pipfile.lock",
            "poetry.lock",
            "uv.lock",
            "pdm.lock",
            "pyproject.toml",
            "setup.py",
        )
    }
    installs: list[Install] = []
    notes: list[str] = []
    project = folder or "."
    if has["requirements.txt"]:
        installs.append(Install(InstallKind.REQUIREMENTS, _join(folder, "requirements.txt"), location, tool="pip"))
    if has["Pipfile.lock"] or (has["Pipfile"] and flavor != "heroku"):
        installs.append(Install(InstallKind.PROJECT, project, location, tool="pipenv"))
    elif has["Pipfile"]:
        notes.append("Pipfile without Pipfile.lock: the Heroku buildpack refuses to build")
    if has["poetry.lock"]:
        installs.append(Install(InstallKind.PROJECT, project, location, groups=("main",), tool="poetry"))
    if has["uv.lock"]:
        installs.append(Install(InstallKind.PROJECT, project, location, tool="uv"))
    if has["pdm.lock"] and flavor != "heroku":
        installs.append(Install(InstallKind.PROJECT, project, location, tool="pdm"))
    if flavor == "heroku" and len(installs) > 1:
        notes.append(
            "more than one of requirements.txt, Pipfile.lock, poetry.lock, uv.lock: "
            "the Heroku buildpack refuses to build"
        )
    if not installs and (has["pyproject.toml"] or has["setup.py"]):
        if flavor == "heroku":
            notes.append(
                "no requirements.txt, Pipfile.lock, poetry.lock or uv.lock: the Heroku "
                "buildpack cannot tell how to install this app"
            )
        else:
            installs.append(Install(InstallKind.PROJECT, project, location, tool="pip"))
    if not installs and not notes:
        notes.append("nothing for the platform to install (no requirements.txt, lock file or pyproject.toml)")
    if flavor == "heroku" and len(installs) > 1:
        installs = installs[:1]
    return installs, notes
