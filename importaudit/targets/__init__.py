"""Deploy targets: a registry of descriptor readers (Dockerfile, Procfile, compose, platforms)."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Optional

from importaudit.model import SourceWarning, Target
from importaudit.safeload import is_file
from importaudit.targets.assemble import image_target
from importaudit.targets.buildpacks import project_python_version
from importaudit.targets.cloudfoundry import MANIFEST_NAMES, read_cf_manifest
from importaudit.targets.compose import read_compose
from importaudit.targets.dockerfile import read_image
from importaudit.targets.platforms import read_app_yaml, read_fly, read_nixpacks, read_railway, read_render
from importaudit.targets.procfile import read_procfile
from importaudit.targets.services import read_supervisor, read_systemd

__all__ = ["READERS", "descriptor_path", "project_python_version", "read_dockerfile", "read_targets"]

Reader = Callable[[Path, str, Sequence[str]], list[Target]]


def read_dockerfile(
    root: Path,
    relpath: str,
    stage: Optional[str] = None,
    files: Optional[Sequence[str]] = None,
    *,
    name: Optional[str] = None,
    context: Optional[str] = None,
) -> Target:
    """The target a Dockerfile builds: its final stage, or `stage` (a compose build.target).
    `relpath` may be absolute (a descriptor outside the project): `context` then says where its
    COPY sources are ("" = the project root)."""
    names = list(files) if files is not None else _walk(root)
    image = read_image(root, relpath, names, stage, context=context)
    return image_target(root, image, name=name or relpath, kind="dockerfile", file=relpath)


def descriptor_path(root: Path, dockerfile: Path) -> str:
    """How findings name a descriptor given on the command line: relative to the project when it
    is inside it, else its absolute path."""
    full = dockerfile.resolve()
    try:
        return full.relative_to(root.resolve()).as_posix()
    except ValueError:
        return full.as_posix()


def _read_dockerfile(root: Path, relpath: str, files: Sequence[str]) -> list[Target]:
    return [read_dockerfile(root, relpath, None, files)]


# File-name patterns (matched on the base name) and the reader for each descriptor.
READERS: tuple[tuple[tuple[str, ...], Reader], ...] = (
    (
        ("Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*"),
        _read_dockerfile,
    ),
    (("Procfile",), read_procfile),
    # podman-compose's default names too (its COMPOSE_DEFAULT_LS): podman-compose.y*ml, container-compose.y*ml.
    (
        (
            "docker-compose.yml",
            "docker-compose.yaml",
            "compose.yml",
            "compose.yaml",
            "podman-compose.yml",
            "podman-compose.yaml",
            "container-compose.yml",
            "container-compose.yaml",
        ),
        read_compose,
    ),
    (("render.yaml",), read_render),
    (("app.yaml",), read_app_yaml),
    (("fly.toml",), read_fly),
    (MANIFEST_NAMES, read_cf_manifest),
    (("railway.json", "railway.toml"), read_railway),
    (("nixpacks.toml",), read_nixpacks),
    (("*.service",), read_systemd),
    (("supervisord.conf", "*.conf"), read_supervisor),
)
# Dockerfile.* names that are not Dockerfiles.
_NOT_DOCKERFILES = (".dockerignore", ".md", ".txt", ".orig", ".bak", ".j2", ".tpl", ".template")


def _reader_for(path: str) -> Optional[Reader]:
    base = posixpath.basename(path)
    for patterns, reader in READERS:
        if any(fnmatch.fnmatchcase(base, pattern) for pattern in patterns):
            if reader is _read_dockerfile and base.lower().endswith(_NOT_DOCKERFILES):
                return None
            return reader
    return None


# Folders whose descriptors build development containers, not deploys.
_DEV_CONTAINER_DIRS = frozenset({".devcontainer", ".worktree-container"})
# Commands that keep a container alive for someone to exec into: nothing is served.
_IDLE = re.compile(r"^\s*(?:exec\s+)?(?:sleep\s+(?:infinity|inf)|tail\s+-f\s+/dev/null|sleep\s+\d{6,})\s*$")


def is_dev_container(target: Target) -> bool:
    """A target for development (a devcontainer, or a container that only idles): not a deploy."""
    if target.file and set(target.file.split("/")[:-1]) & _DEV_CONTAINER_DIRS:
        return True
    return bool(target.commands) and all(_IDLE.match(command) for command in target.commands)


def read_targets(root: Path, files: Sequence[str]) -> tuple[Target, ...]:
    """Every deploy target the project's descriptors define, sorted by name; never raises.

    Development containers (.devcontainer/, `command: sleep infinity`) are left out.
    """
    targets: list[Target] = []
    for path in sorted(files):
        if set(path.split("/")[:-1]) & _DEV_CONTAINER_DIRS:
            continue
        reader = _reader_for(path)
        if reader is None:
            continue
        try:
            targets += reader(root, path, files)
        except (RecursionError, ValueError, TypeError, AttributeError, KeyError) as exc:
            # A reader bug on odd input must not stop the audit: the descriptor becomes a
            # target that says so, and its verdict is unknown.
            targets.append(
                Target(
                    name=path,
                    kind="platform",
                    file=path,
                    notes=("could not read the descriptor",),
                    warnings=(SourceWarning(path, 0, f"{type(exc).__name__}: {exc}"),),
                )
            )
    # A supervisord config that another deploy starts runs inside that deploy (its image, its
    # installs): its programs are not deploys of their own with an environment guessed for them.
    started = {path for target in targets for path in target.starts}
    targets = [t for t in targets if not (t.file in started and t.name != t.file and t.kind == "platform")]
    unique: dict[str, Target] = {}
    for target in targets:
        if not is_dev_container(target):
            unique.setdefault(target.name, target)
    return tuple(sorted(unique.values(), key=lambda target: target.name))


def _walk(root: Path) -> list[str]:
    skip = {".git", "node_modules", ".venv", "venv", "__pycache__"}
    names = []
    for path in root.rglob("*"):
        relative = path.relative_to(root).as_posix()
        if is_file(path) and not (set(relative.split("/")) & skip):
            names.append(relative)
    return sorted(names)
