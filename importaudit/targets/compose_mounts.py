"""A compose service's bind mounts and working_dir: repo files the container sees at run time."""

from __future__ import annotations

import dataclasses
import posixpath
from typing import Any, Optional

from importaudit.targets.image_state import Copy, Image


def _bind(volume: Any) -> Optional[tuple[str, str]]:
    """(host path, container path) of a bind mount, short (`./src:/app:ro`) or long syntax."""
    if isinstance(volume, dict):
        if volume.get("type", "bind") != "bind":
            return None
        source, target = volume.get("source"), volume.get("target")
        return (source, target) if isinstance(source, str) and isinstance(target, str) else None
    if not isinstance(volume, str) or ":" not in volume:
        return None
    source, _, rest = volume.partition(":")
    return source, rest.split(":", 1)[0]


def mounts(volumes: Any, folder: str, files: frozenset[str], dirs: frozenset[str]) -> list[Copy]:
    """Bind mounts of repo paths (host paths relative to the compose file's folder), as copies
    into the container; named volumes, absolute host paths and paths outside the repo are not."""
    found: list[Copy] = []
    for volume in volumes if isinstance(volumes, list) else []:
        pair = _bind(volume)
        if pair is None:
            continue
        source, target = pair
        if not source.startswith(".") or not target.startswith("/"):
            continue  # a named volume, a host path outside the checkout (/var/run/docker.sock, ~)
        repo = posixpath.normpath(posixpath.join(folder, source))
        if repo == "..":
            continue
        if repo.startswith("../"):
            continue
        repo = "" if repo == "." else repo
        dest = posixpath.normpath(target)
        if repo in files:
            found.append(Copy(dest, repo, "file"))
        elif repo == "" or repo in dirs:
            found.append(Copy(dest, repo, "dir"))
    return found


def with_mounts(image: Image, service: dict[str, Any], folder: str) -> Image:
    """The image as the service runs it: bind-mounted repo paths cover what the image holds there
    (they are mounted over it, so they come last), and `working_dir:` replaces WORKDIR."""
    binds = mounts(service.get("volumes"), folder, image.files, image.dirs)
    workdir = service.get("working_dir")
    if not binds and not isinstance(workdir, str):
        return image
    stage = dataclasses.replace(image.stage, copies=[*image.stage.copies, *binds])
    if isinstance(workdir, str) and workdir.startswith("/"):
        stage.workdir = posixpath.normpath(workdir)
    return dataclasses.replace(image, stage=stage)
