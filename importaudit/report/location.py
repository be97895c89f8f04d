"""Where the audited folder sits in its repository, so that CI output names files from the root."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Optional


def repo_root(folder: Path, env: Mapping[str, str]) -> Optional[Path]:
    """GITHUB_WORKSPACE when the folder is inside it (the Action's checkout), else the git top level
    (the nearest folder holding `.git`, a directory or a worktree's file), else None."""
    here = folder.resolve()
    workspace = env.get("GITHUB_WORKSPACE")
    if workspace:
        base = Path(workspace).resolve()
        if here == base or base in here.parents:
            return base
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def repo_prefix(folder: Path, env: Optional[Mapping[str, str]] = None) -> str:
    """The audited folder relative to the repository root, with `/` ("" at the root or outside one)."""
    base = repo_root(folder, os.environ if env is None else env)
    if base is None:
        return ""
    relative = folder.resolve().relative_to(base).as_posix()
    return "" if relative == "." else relative
