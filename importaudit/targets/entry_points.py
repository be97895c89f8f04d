"""The project's own entry points (console scripts, paste app factories) and runner scripts, read statically."""

from __future__ import annotations

import configparser
import functools
import posixpath
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from packaging.utils import canonicalize_name

from importaudit.requirements.setuppy import setup_keyword

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

CONSOLE = "console_scripts"
_NAME = "distribution name"  # a pseudo group: the project's own distribution name


@dataclass(frozen=True)
class EntryPoint:
    group: str  # "console_scripts", "paste.app_factory"...
    name: str
    spec: str  # "pkg.mod:func" (or "pkg.mod")
    file: str  # where it is declared, repo-relative
    line: int


@dataclass(frozen=True)
class RunnerScript:
    """A `[tool.pdm.scripts]` or Pipfile `[scripts]` entry: shell text, or a `call` spec."""

    name: str
    command: Optional[str]
    call: Optional[str]
    file: str
    line: int


def _read(root: Path, path: str) -> Optional[str]:
    try:
        return (root / path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _line_of(text: str, name: str) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=", re.M)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _table(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _from_pyproject(path: str, text: str) -> tuple[list[EntryPoint], list[RunnerScript]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return [], []
    points: list[EntryPoint] = []

    def add(group: str, table: dict[str, Any]) -> None:
        for name, value in table.items():
            if isinstance(value, dict):  # poetry: {reference = "...", type = "console"} / {callable = ...}
                value = value.get("reference") or value.get("callable")
            if isinstance(value, str):
                points.append(EntryPoint(group, name, value.strip(), path, _line_of(text, name)))

    add(CONSOLE, _table(data, "project", "scripts"))
    add("gui_scripts", _table(data, "project", "gui-scripts"))
    for group, table in _table(data, "project", "entry-points").items():
        add(group, table if isinstance(table, dict) else {})
    add(CONSOLE, _table(data, "tool", "poetry", "scripts"))
    for group, table in _table(data, "tool", "poetry", "plugins").items():
        add(group, table if isinstance(table, dict) else {})
    for name in (_table(data, "project").get("name"), _table(data, "tool", "poetry").get("name")):
        if isinstance(name, str):
            points.append(EntryPoint(_NAME, name, "", path, _line_of(text, "name")))
    runners: list[RunnerScript] = []
    for name, value in _table(data, "tool", "pdm", "scripts").items():
        line = _line_of(text, name)
        if isinstance(value, str):
            runners.append(RunnerScript(name, value, None, path, line))
        elif isinstance(value, dict):
            command = value.get("cmd") or value.get("shell")
            if isinstance(command, list):
                command = " ".join(str(word) for word in command)
            call = value.get("call")
            runners.append(
                RunnerScript(
                    name,
                    command if isinstance(command, str) else None,
                    call if isinstance(call, str) else None,
                    path,
                    line,
                )
            )
    return points, runners


def _ini_points(path: str, text: str, groups: dict[str, str]) -> list[EntryPoint]:
    points = []
    for group, body in groups.items():
        for raw in body.splitlines():
            name, eq, spec = raw.partition("=")
            if eq and name.strip() and spec.strip():
                spec = spec.split("[", 1)[0].strip()  # `name = mod:func [extra]`
                points.append(EntryPoint(group.strip(), name.strip(), spec, path, _line_of(text, name.strip())))
    return points


def _from_setup_cfg(path: str, text: str) -> list[EntryPoint]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    points = []
    if parser.has_option("metadata", "name"):
        points.append(EntryPoint(_NAME, parser.get("metadata", "name"), "", path, _line_of(text, "name")))
    if parser.has_section("options.entry_points"):
        points += _ini_points(path, text, dict(parser.items("options.entry_points")))
    return points


def _from_setup_py(path: str, text: str) -> list[EntryPoint]:
    name = setup_keyword(text, "name")
    named = [EntryPoint(_NAME, name, "", path, _line_of(text, "name"))] if isinstance(name, str) else []
    return named + _setup_py_points(path, text)


def _setup_py_points(path: str, text: str) -> list[EntryPoint]:
    value = setup_keyword(text, "entry_points")
    groups: dict[str, str] = {}
    if isinstance(value, str):  # the ini form: "[console_scripts]\nname = mod:func"
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read_string(value)
        except configparser.Error:
            return []
        groups = {
            section: "\n".join(f"{k} = {v}" for k, v in parser.items(section)) for section in parser.sections()
        }
    elif isinstance(value, dict):
        for group, items in value.items():
            if isinstance(items, str):
                groups[str(group)] = items
            elif isinstance(items, list):
                groups[str(group)] = "\n".join(str(item) for item in items)
    return _ini_points(path, text, groups)


def _from_pipfile(path: str, text: str) -> list[RunnerScript]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    return [
        RunnerScript(name, value, None, path, _line_of(text, name))
        for name, value in _table(data, "scripts").items()
        if isinstance(value, str)
    ]


@functools.lru_cache(maxsize=64)
def _declared(root: Path, folder: str) -> tuple[tuple[EntryPoint, ...], tuple[RunnerScript, ...]]:
    points: list[EntryPoint] = []
    runners: list[RunnerScript] = []
    for base in dict.fromkeys((folder, "")):
        for name in ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile"):
            path = posixpath.join(base, name) if base else name
            text = _read(root, path)
            if text is None:
                continue
            if name == "pyproject.toml":
                found, more = _from_pyproject(path, text)
                points += found
                runners += more
            elif name == "setup.cfg":
                points += _from_setup_cfg(path, text)
            elif name == "setup.py":
                points += _from_setup_py(path, text)
            else:
                runners += _from_pipfile(path, text)
    return tuple(points), tuple(runners)


def entry_point(root: Path, folder: str, group: str, name: str) -> Optional[EntryPoint]:
    """The project's entry point `name` in `group` (the folder's declarations first, then the root's)."""
    for point in _declared(root, folder)[0]:
        if point.group == group and point.name == name:
            return point
    return None


def is_project(root: Path, folder: str, distribution: str) -> Optional[bool]:
    """Whether `distribution` is the project itself; None when the project declares no name."""
    names = [point.name for point in _declared(root, folder)[0] if point.group == _NAME]
    if not names:
        return None
    return canonicalize_name(distribution) in {canonicalize_name(name) for name in names}


def entry_points(root: Path, folder: str, group: str) -> list[EntryPoint]:
    return [point for point in _declared(root, folder)[0] if point.group == group]


def runner_script(root: Path, folder: str, name: str, tool: str) -> Optional[RunnerScript]:
    """A pdm (pyproject) or pipenv (Pipfile) script called `name`."""
    wanted = "Pipfile" if tool == "pipenv" else "pyproject.toml"
    for script in _declared(root, folder)[1]:
        if script.name == name and posixpath.basename(script.file) == wanted:
            return script
    return None
