"""Tiny trees on disk for the tests of the requirements stage."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_tree(root: Path, files: dict[str, str]) -> list[str]:
    """Each file dedented, its leading newline dropped (line 1 is the line after the opening quotes), as UTF-8.

    Folders are made as needed; returns the relative names, sorted, as discovery lists them.
    """
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return sorted(files)
