"""A Python environment copied from an image importaudit cannot read: an install it cannot see into."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import Optional

from importaudit.model import Install, InstallKind, Location
from importaudit.targets.image_state import Stage

# Paths that hold installed packages: a virtualenv, site-packages, a user or system install.
_ENVIRONMENT = re.compile(
    r"(?:^|/)(?:\.?venv|\.?virtualenv|site-packages|dist-packages)(?:/|$)|^/usr/local/lib/python3|^/root/\.local(?:/|$)"
)


def foreign_environments(
    origin: str, found: Optional[Stage], sources: Sequence[str], location: Location
) -> list[Install]:
    """`COPY --from=X /app/.venv ./.venv` where X is an external image (or a stage of one that
    installs nothing importaudit read): the packages it brings are unknown, which is an opaque
    install step (tool "image"), never "installs nothing"."""
    if found is not None and (found.installs or not found.workdir_unknown):
        return []  # a stage whose installs were read: copy_from_stage carries them over
    installs = []
    for source in sources:
        path = posixpath.normpath(posixpath.join(found.workdir if found else "/", source))
        if _ENVIRONMENT.search(path):
            where = found.image if found is not None else origin
            installs.append(Install(InstallKind.UNKNOWN, f"{path} from {where}", location, tool="image"))
    return installs
