"""Standard-library module names of each CPython version, and what replaces the removed ones."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Optional

from packaging.utils import canonicalize_name

Version = tuple[int, int]

# Not stdlib, but python:<=3.11 images and venvs shipped setuptools, which provides these; on
# 3.12+ they are absent unless setuptools is declared.
DEFAULT_PRESENT_BEFORE_312 = ("setuptools", "pkg_resources", "_distutils_hack")

# PyPI distributions that install a removed module under its own import name (so the import
# works again once one of them is declared). tomli is not here: it installs `tomli`, not `tomllib`.
REPLACEMENTS: dict[str, tuple[str, ...]] = {
    "distutils": ("setuptools", "standard-distutils"),
    "imp": ("zombie-imp",),
    "asyncore": ("pyasyncore", "standard-asyncore"),
    "asynchat": ("pyasynchat", "standard-asynchat"),
    "smtpd": ("standard-smtpd",),
    "cgi": ("legacy-cgi", "standard-cgi"),
    "cgitb": ("legacy-cgi", "standard-cgitb"),
    "audioop": ("audioop-lts",),
    "aifc": ("standard-aifc",),
    "chunk": ("standard-chunk",),
    "crypt": ("standard-crypt",),
    "imghdr": ("standard-imghdr",),
    "mailcap": ("standard-mailcap",),
    "nntplib": ("standard-nntplib",),
    "pipes": ("standard-pipes",),
    "sndhdr": ("standard-sndhdr",),
    "sunau": ("standard-sunau",),
    "telnetlib": ("standard-telnetlib",),
    "uu": ("standard-uu",),
    "xdrlib": ("standard-xdrlib",),
}

# Distributions whose module the standard library already has: the stdlib comes first on
# sys.path, so declaring them never provides anything (and some break tooling).
_SHADOWING_DISTS = {
    "enum34": "enum",
    "futures": "concurrent.futures",
    "typing": "typing",
    "asyncio": "asyncio",
    "pathlib": "pathlib",
    "dataclasses": "dataclasses",
    "contextvars": "contextvars",
    "argparse": "argparse",
    "configparser": "configparser",
    "ipaddress": "ipaddress",
    "statistics": "statistics",
    "importlib": "importlib",
    "uuid": "uuid",
    "hashlib": "hashlib",
    "logging": "logging",
    "ssl": "ssl",
    "secrets": "secrets",
}


@dataclass(frozen=True)
class StdlibChange:
    module: str  # the name that changed ("distutils", "wsgiref.types")
    kind: str  # "removed" or "added"
    version: Version  # the version that removed/added it
    replacements: tuple[str, ...]  # PyPI stand-ins that install the same import name


def _parse(text: str) -> Version:
    major, minor = text.split(".")
    return int(major), int(minor)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    # Beside this module (importlib.resources fails when "importaudit" resolves as a namespace).
    text = (Path(__file__).parent.parent / "data" / "stdlib.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@lru_cache(maxsize=1)
def _all_names() -> dict[Version, frozenset[str]]:
    data = _data()
    current = set(data["base"])
    names = {_parse(data["base_version"]): frozenset(current)}
    for version_text, delta in sorted(data["deltas"].items(), key=lambda item: _parse(item[0])):
        current = (current | set(delta["added"])) - set(delta["removed"])
        names[_parse(version_text)] = frozenset(current)
    return names


def known_versions() -> tuple[Version, ...]:
    return tuple(sorted(_all_names()))


def host_version() -> Version:
    return sys.version_info[0], sys.version_info[1]


def _clamp(version: Version) -> Version:
    # An older or newer interpreter than the data knows is judged as the nearest known one.
    versions = known_versions()
    return min(max(version, versions[0]), versions[-1])


def stdlib_names(version: Version) -> frozenset[str]:
    """Top-level standard-library module names of that version (other platforms' included)."""
    return _all_names()[_clamp(version)]


def _notable(module: str) -> Optional[str]:
    """The longest dotted prefix of `module` whose presence the data tracks, if any."""
    data = _data()
    parts = module.split(".")
    for depth in range(len(parts), 1, -1):
        prefix = ".".join(parts[:depth])
        if (
            prefix in data["submodules_added"]
            or prefix in data["submodules_removed"]
            or prefix in data["submodules_always"]
        ):
            return prefix
    return None


def _present(name: str, version: Version) -> bool:
    """Whether a top-level name or a tracked submodule exists in that version."""
    version = _clamp(version)
    if "." not in name:
        return name in _all_names()[version]
    data = _data()
    if not _present(name.split(".")[0], version):
        return False
    if name in data["submodules_added"]:
        return version >= _parse(data["submodules_added"][name])
    if name in data["submodules_removed"]:
        return version < _parse(data["submodules_removed"][name])
    return True


@cache  # a pure function of its data; msgraph asks 1.5 million times
def is_stdlib(module: str, version: Version) -> bool:
    """Whether `import module` finds the standard library on that version (dotted names too)."""
    top = module.split(".")[0]
    if not _present(top, version):
        return False
    notable = _notable(module)
    return notable is None or _present(notable, version)


def stdlib_change(module: str, version: Version) -> Optional[StdlibChange]:
    """For a module that is stdlib in some known version but not in `version`: what changed."""
    if not module or is_stdlib(module, version):
        return None
    top = module.split(".")[0]
    notable = _notable(module)
    unit = top if not _present(top, version) else notable
    if unit is None or not _present_anywhere(unit):
        return None
    asked = _clamp(version)
    versions = known_versions()
    before = [v for v in versions if v < asked and _present(unit, v)]
    if before:
        removed_in = next(v for v in versions if v > before[-1])
        return StdlibChange(unit, "removed", removed_in, REPLACEMENTS.get(unit, ()))
    added_in = next(v for v in versions if v > asked and _present(unit, v))
    return StdlibChange(unit, "added", added_in, ())


def _present_anywhere(name: str) -> bool:
    return any(_present(name, version) for version in known_versions())


def shadowed_by_stdlib(dist_key: str, version: Version) -> bool:
    """A distribution named like a stdlib module (typing, enum34, futures...): never satisfies."""
    key = canonicalize_name(dist_key)
    module = _SHADOWING_DISTS.get(key, key.replace("-", "_"))
    return is_stdlib(module, version)
