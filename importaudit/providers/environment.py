"""Installed distributions read from site-packages: an oracle for module -> dist, not the deploy."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import importlib_metadata
from packaging.utils import canonicalize_name

from importaudit.model import AuditError

# Extension-module suffixes are "name.cpython-311-x86_64-linux-gnu.so", "name.abi3.so", "name.pyd".
_MODULE_SUFFIXES = (".py", ".so", ".pyd")
# Root-level helpers that installers write and that no application imports.
_HELPER_PREFIXES = ("__editable__", "_editable_impl_", "__pycache__")


@dataclass(frozen=True)
class InstalledDist:
    key: str  # canonical name
    name: str
    version: str
    requires: tuple[str, ...]  # raw Requires-Dist strings
    modules: tuple[str, ...]  # import prefixes it provides


def _module_name(filename: str) -> Optional[str]:
    """'mod.py' / 'mod.cpython-311-x86_64-linux-gnu.so' -> 'mod'; None for data files."""
    if not filename.endswith(_MODULE_SUFFIXES):
        return None
    name = filename.split(".", 1)[0]
    if not name.isidentifier() or name.endswith("__mypyc") or name.startswith(_HELPER_PREFIXES):
        return None
    return name


def module_prefixes(paths: Iterable[str]) -> tuple[str, ...]:
    """The import prefixes a distribution's file list provides (RECORD paths, '/' separated).

    A directory without `__init__.py` in the list is a namespace portion, so the prefix goes down
    to the first regular package: google/cloud/storage/__init__.py -> "google.cloud.storage".
    """
    files: list[tuple[str, str]] = []  # (directory, file name)
    packages: set[str] = set()
    for raw in paths:
        path = raw.replace("\\", "/").lstrip("/")
        while path.startswith("./"):
            path = path[2:]
        if "__pycache__" in path or path.startswith(("../", "bin/", "Scripts/")):
            continue
        directory, _, name = path.rpartition("/")
        files.append((directory, name))
        if name in ("__init__.py", "__init__.pyi"):
            packages.add(directory)
    found: set[str] = set()
    # Thousands of files share a few directories: decide each directory once.
    by_directory: dict[str, Optional[str]] = {}
    for directory, name in files:
        if directory not in by_directory:
            by_directory[directory] = _package_prefix(directory, packages)
        prefix = by_directory[directory]
        if prefix:
            found.add(prefix)
        elif prefix is None:
            module = _module_name(name)
            if module is not None and module != "__init__":
                found.add(f"{directory.replace('/', '.')}.{module}" if directory else module)
    # Keep the shortest prefix: google.cloud.storage covers google.cloud.storage.blob.
    ordered = sorted(found)
    kept = [name for name in ordered if not _covered(name, found)]
    return tuple(kept)


def _package_prefix(directory: str, packages: set[str]) -> Optional[str]:
    """The first regular package on the way down to `directory`; None for a namespace-only path,
    "" for a path no import can reach (data directories such as foo.libs or foo-1.0.data)."""
    if not directory:
        return None
    parts = directory.split("/")
    if not all(part.isidentifier() for part in parts):
        return ""
    for depth in range(1, len(parts) + 1):
        candidate = "/".join(parts[:depth])
        if candidate in packages:
            return candidate.replace("/", ".")
    return None


def _covered(name: str, found: set[str]) -> bool:
    parts = name.split(".")
    return any(".".join(parts[:depth]) in found for depth in range(1, len(parts)))


def _top_level(dist: Any) -> tuple[str, ...]:
    text = dist.read_text("top_level.txt") or ""
    names = {line.strip().replace("/", ".") for line in text.splitlines()}
    valid = (name for name in names if name and all(p.isidentifier() for p in name.split(".")))
    return tuple(sorted(valid))


def _read_dist(dist: Any) -> Optional[InstalledDist]:
    # Any: importlib_metadata's Distribution / IDistribution types differ across its versions.
    try:
        metadata = dist.metadata  # parsed once: `dist.requires` would parse it again
        name = metadata["Name"] if metadata is not None else None
        if not name:
            return None
        requires = metadata.get_all("Requires-Dist")
        if requires is None:
            requires = dist.requires  # egg-info keeps them in requires.txt
        # RECORD read directly: Distribution.files stats every path (slow on big environments,
        # and newer importlib_metadata drops the missing ones).
        record = dist.read_text("RECORD")
        rows = csv.reader(record.splitlines()) if record else ()
        modules = module_prefixes(row[0] for row in rows if row)
        if not modules:
            # Editable installs, RECORD-less dists: top_level.txt (setuptools) if any, else none.
            modules = _top_level(dist)
        return InstalledDist(
            key=canonicalize_name(name),
            name=str(name),
            version=str(metadata["Version"] or ""),
            requires=tuple(str(r) for r in requires or ()),
            modules=modules,
        )
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


class InstalledEnvironment:
    """Distributions found on some site-packages paths, and the prefix -> dists index built once."""

    def __init__(
        self, dists: Iterable[InstalledDist], python_version: Optional[tuple[int, int]] = None
    ) -> None:
        by_key: dict[str, InstalledDist] = {}
        for dist in dists:
            # The first one on the path wins, as for the import system (a src-layout editable
            # install can show the same dist twice).
            by_key.setdefault(dist.key, dist)
        self._dists = tuple(by_key[key] for key in sorted(by_key))
        self._by_key = by_key
        index: dict[str, set[str]] = {}
        for dist in self._dists:
            for module in dist.modules:
                index.setdefault(module, set()).add(dist.key)
        self._index = {module: tuple(sorted(keys)) for module, keys in index.items()}
        self.python_version = python_version

    @classmethod
    def from_paths(cls, paths: Sequence[str]) -> InstalledEnvironment:
        found: list[InstalledDist] = []
        for path in paths:
            if not path or not os.path.isdir(path):
                continue
            try:
                dists = list(importlib_metadata.distributions(path=[path]))
            except (OSError, ValueError):
                continue
            for dist in dists:
                read = _read_dist(dist)
                if read is not None:
                    found.append(read)
        return cls(found)

    @classmethod
    def current(cls) -> InstalledEnvironment:
        # '' is the working directory (the audited project): its metadata is not installed.
        env = cls.from_paths([path for path in sys.path if path])
        env.python_version = (sys.version_info[0], sys.version_info[1])
        return env

    @classmethod
    def from_python(cls, python: str) -> InstalledEnvironment:
        # Only the interpreter runs, from the filesystem root so that no project directory lands
        # on its sys.path (not -I: that would also hide the user site a `pip install --user` fills).
        code = "import sys,json;print(json.dumps([sys.path, list(sys.version_info[:2])]))"
        try:
            done = subprocess.run(
                [python, "-c", code],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
                cwd=os.path.abspath(os.sep),
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise AuditError(f"--python {python}: cannot run it ({exc})") from exc
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise AuditError(f"--python {python}: exited with {done.returncode}: {last}")
        try:
            paths, version = json.loads(done.stdout.strip().splitlines()[-1])
            major, minor = int(version[0]), int(version[1])
        except (ValueError, IndexError, TypeError) as exc:
            raise AuditError(f"--python {python}: did not print its sys.path") from exc
        env = cls.from_paths([str(path) for path in paths if isinstance(path, str) and path])
        env.python_version = (major, minor)
        return env

    def get(self, key: str) -> Optional[InstalledDist]:
        return self._by_key.get(canonicalize_name(key))

    def dists(self) -> tuple[InstalledDist, ...]:
        return self._dists

    def providers(self, module: str) -> tuple[str, tuple[str, ...]]:
        """(matched prefix, dist keys) by the longest dotted prefix; ("", ()) if none."""
        parts = module.split(".")
        for depth in range(len(parts), 0, -1):
            prefix = ".".join(parts[:depth])
            keys = self._index.get(prefix)
            if keys:
                return prefix, keys
        return "", ()
