"""The ini dialect systemd units and supervisor configs share: sections, `key=value`, `\\` continuations."""

from __future__ import annotations

import re

_SECTION = re.compile(r"^\[(?P<name>[^\]]+)\]\s*$")


def ini_sections(text: str) -> list[tuple[str, list[tuple[str, str, int]]]]:
    """[(section, [(key, value, line)])] in order; `\\` continues a line (systemd and supervisor)."""
    sections: list[tuple[str, list[tuple[str, str, int]]]] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not pending and (not line or line.startswith(("#", ";"))):
            continue
        if line.endswith("\\"):
            pending, start = pending + line[:-1] + " ", start or number
            continue
        line, pending, first = pending + line, "", start or number
        start = 0
        match = _SECTION.match(line)
        if match:
            sections.append((match.group("name").strip(), []))
        elif sections and "=" in line:
            key, _, value = line.partition("=")
            sections[-1][1].append((key.strip(), value.strip(), first))
    return sections
