"""Helpers shared by the tests of targets and start commands: tiny trees on disk, entries, expectations."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Optional

from importaudit.targets.commands import StartCommand


def write_files(root: Path, files: dict[str, str]) -> list[str]:
    """Each file dedented under root (folders made as needed); the names, sorted, as discovery lists them."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return sorted(files)


def in_srv(path: str) -> Optional[str]:
    """Container path -> repo path, for commands run in a container with the repo copied to /srv."""
    return path[len("/srv/") :] if path.startswith("/srv/") else ("" if path == "/srv" else None)


def start_entries(start: StartCommand) -> list[tuple[str, str, str, str]]:
    return [(e.spec, e.kind.value, e.via, e.phase) for e in start.entries]


def check_start(start: StartCommand, expected: dict[str, Any]) -> None:
    """Every fact a table row names holds; "notes": [] means no note at all, else each fragment is in one."""
    if "server" in expected:
        assert start.server == expected["server"]
    if "entries" in expected:
        assert start_entries(start) == expected["entries"]
    if "needs" in expected:
        assert list(start.needs) == expected["needs"]
    if "paths" in expected:
        assert list(start.paths) == expected["paths"]
    if "env" in expected:
        assert list(start.env) == expected["env"]
    if "installs" in expected:
        assert [(i.kind.value, i.spec, i.tool, i.include_dev) for i in start.installs] == expected["installs"]
    if "notes" in expected:
        if not expected["notes"]:
            assert start.notes == (), start.notes
        for fragment in expected["notes"]:
            assert any(fragment in note for note in start.notes), start.notes


# Django's own manage.py (what startproject writes, trimmed): what makes a manage.py Django's.
DJANGO_MANAGE = (
    "import os\nimport sys\n"
    'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
    "from django.core.management import execute_from_command_line\n"
    "execute_from_command_line(sys.argv)\n"
)
