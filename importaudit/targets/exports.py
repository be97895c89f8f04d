"""`uv export`, `poetry export`, `pdm export` in a build: the file they write holds the project's
dependencies, selected by the same options as the tool's install (uv 0.9 `uv export`,
poetry-plugin-export 1.8, PDM 2.22 `pdm export`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from importaudit.model import Install, Location
from importaudit.targets.install_options import PDM_INSTALL, POETRY_EXPORT, UV_EXPORT, Options
from importaudit.targets.project_selection import PathResolver, poetry_selection, select, uv_selection
from importaudit.targets.shell import program_name

_EXPORT_OPTIONS = {
    "uv": UV_EXPORT,
    "poetry": POETRY_EXPORT,
    "pdm": Options(
        PDM_INSTALL.values | frozenset({"-o", "--output", "-f", "--format"}),
        PDM_INSTALL.flags | frozenset({"--without-hashes", "--no-hashes", "--self", "--editable-self"}),
    ),
}


def parse_export(
    words: Sequence[str], location: Optional[Location], resolve: PathResolver, notes: list[str]
) -> Optional[tuple[str, Install]]:
    """(the file written, what it holds as a project Install), or None when it writes no file."""
    tool = program_name(words[0])
    if tool not in _EXPORT_OPTIONS or words[1:2] != ["export"]:
        return None
    chosen = select(tool, words[1:], resolve, notes, _EXPORT_OPTIONS[tool])
    if chosen.output is None:
        return None
    flags = chosen.flags
    if tool == "uv":  # like `uv sync`: the default groups unless --no-dev
        main, include_dev, groups, extras = uv_selection(chosen)
    elif tool == "poetry":  # exports the main group only, unless --with/--only/--dev name more
        main, _, groups, extras = poetry_selection(chosen)
        include_dev = "--dev" in flags
        if not chosen.only:
            groups = tuple(sorted({*groups, "main"})) if not include_dev else groups
    else:  # pdm: the default group and the dev groups unless --prod
        main, include_dev = "--no-default" not in flags, not ({"--prod", "--production"} & flags)
        groups = extras = tuple("*" if g == ":all" else g for g in chosen.groups)
    return chosen.output, chosen.project_install(location, tool, extras, groups, include_dev, main)


# Build front-ends that write the project's wheel, and their output option (default `dist/`):
# uv 0.9 `uv build -o/--out-dir`, build 1.2 `python -m build -o/--outdir`, Poetry 2.1
# `poetry build -o/--output`, PDM 2.22 `pdm build -d/--dest`, hatch `hatch build` (dist/).
_BUILD_OUTPUT = {
    "uv": ("-o", "--out-dir"),
    "build": ("-o", "--outdir"),
    "poetry": ("-o", "--output"),
    "pdm": ("-d", "--dest"),
    "hatch": (),
}


def parse_build(words: Sequence[str]) -> Optional[tuple[str, str]]:
    """(the folder the wheel goes to, the project folder) of a build command, as written."""
    tool = program_name(words[0])
    rest = list(words[1:])
    if tool.startswith("python") and rest[:2] == ["-m", "build"]:
        tool, rest = "build", rest[2:]
    elif tool in _BUILD_OUTPUT and tool != "build" and rest[:1] == ["build"]:
        rest = rest[1:]
    else:
        return None
    output, project = "", "."
    index = 0
    while index < len(rest):
        word = rest[index]
        name, _, value = word.partition("=")
        if name in _BUILD_OUTPUT[tool]:
            output = value or (rest[index + 1] if index + 1 < len(rest) else "")
            index += 1 if value else 2
            continue
        if not word.startswith("-") and tool in ("uv", "build"):
            project = word  # `uv build SRC`, `python -m build SRC`
        index += 1
    return output or (project.rstrip("/") + "/dist" if project != "." else "dist"), project
