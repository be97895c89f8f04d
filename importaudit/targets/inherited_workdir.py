"""COPY to a relative destination under a WORKDIR that only an external base image sets."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import Optional

from importaudit.targets.image_state import Copy

# Base images known to leave WORKDIR at `/` (official OS and Python images): a relative COPY
# destination there is relative to `/`. Any other external image may set its own WORKDIR.
_ROOT_WORKDIR_IMAGES = re.compile(
    r"^(?:(?:docker\.io/)?(?:library/)?)(?:python|pypy|debian|ubuntu|alpine|busybox|fedora|centos|rockylinux"
    r"|almalinux|amazonlinux|buildpack-deps|scratch|archlinux|opensuse/leap)(?::[\w.-]+)?(?:@\S+)?$"
)


def workdir_unknown(image: str) -> bool:
    """Whether an external base image may have set a WORKDIR importaudit does not know."""
    return not _ROOT_WORKDIR_IMAGES.match(image.strip().lower())


def loose_match(
    path: str, loose: Sequence[tuple[str, Copy]], files: frozenset[str], dirs: frozenset[str]
) -> Optional[str]:
    """The repo path an absolute container `path` is, through a COPY whose destination was
    relative to an unknown WORKDIR X: `path` = X/<destination under the assumed workdir>/<rest>
    for some X. Only a unique match counts; None when there is none or several."""
    if not path.startswith("/"):
        return None
    found: set[str] = set()
    parts = path.strip("/").split("/")
    for assumed, copy in loose:
        under = posixpath.relpath(copy.dest, assumed) if copy.dest != assumed else "."
        if under.startswith(".."):
            continue
        prefix = [] if under == "." else under.split("/")
        for cut in range(1, len(parts)):  # X is parts[:cut]: never empty, never the whole path
            tail = parts[cut:]
            if tail[: len(prefix)] != prefix:
                continue
            rest = "/".join(tail[len(prefix) :])
            if copy.kind == "file" and not rest:
                found.add(copy.source)
            elif copy.kind == "dir" and rest:
                candidate = posixpath.join(copy.source, rest) if copy.source else rest
                if candidate in files or candidate in dirs:
                    found.add(candidate)
    return found.pop() if len(found) == 1 else None
