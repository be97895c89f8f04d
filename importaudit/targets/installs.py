"""What one install command line installs: pip, uv, poetry, pipenv, pdm, conda."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from importaudit.model import Install, InstallKind, Location
from importaudit.targets.cli_options import PIP_VALUES
from importaudit.targets.shell import is_python, program_name

# A path as the command writes it -> repo-relative path ("" = the root); None = not in the repo.
PathResolver = Callable[[str], Optional[str]]

_PIP_PROGRAMS = re.compile(r"pip(?:[23](?:\.\d+)?)?")


@dataclass
class InstallParse:
    """The installs one command performs, plus what the Dockerfile reader needs to follow stages."""

    installs: list[Install] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    wheel_dir: Optional[str] = None  # `pip wheel -w DIR`: installs say what DIR's wheels hold
    prefix: Optional[str] = None  # `pip install --prefix DIR` / `--target DIR`


def _option_value(words: Sequence[str], index: int) -> tuple[Optional[str], int]:
    """Value of the option at words[index] (`--opt=v` or `--opt v`) and the next index."""
    word = words[index]
    if word.startswith("--") and "=" in word:
        return word.split("=", 1)[1], index + 1
    if not word.startswith("--") and len(word) > 2:  # -rrequirements.txt
        return word[2:], index + 1
    if index + 1 < len(words):
        return words[index + 1], index + 2
    return None, index + 1


def _project(path: str, resolve: PathResolver) -> Optional[str]:
    resolved = resolve(path)
    if resolved is None:
        return None
    return resolved or "."


def _split_extras(spec: str) -> tuple[str, tuple[str, ...]]:
    match = re.fullmatch(r"(?P<path>.*?)\[(?P<extras>[^\]]*)\]", spec)
    if not match:
        return spec, ()
    extras = tuple(sorted(e.strip() for e in match.group("extras").split(",") if e.strip()))
    return match.group("path"), extras


def _is_path(spec: str) -> bool:
    return (
        spec in (".", "..")
        or spec.startswith(("./", "../", "/", "~"))
        or ("/" in spec and "://" not in spec and "@" not in spec and not spec.endswith(".whl"))
    )


def _pip(words: Sequence[str], tool: str, location: Optional[Location], resolve: PathResolver) -> InstallParse:
    """`pip install ...` / `pip wheel ...` / `uv pip install ...` after the program words."""
    result = InstallParse()
    if not words or words[0] not in ("install", "wheel", "sync"):
        return result
    sub = words[0]
    no_deps = "--no-deps" in words
    extras: tuple[str, ...] = ()
    raw: list[tuple[str, str]] = []  # (kind, text)
    index = 1
    while index < len(words):
        word = words[index]
        name = word.split("=", 1)[0]
        if name in ("-r", "--requirement") or (word.startswith("-r") and not word.startswith("--")):
            value, index = _option_value(words, index)
            if value:
                raw.append(("requirements", value))
            continue
        if name in ("-e", "--editable"):
            value, index = _option_value(words, index)
            if value:
                raw.append(("editable", value))
            continue
        if name in ("-w", "--wheel-dir", "--prefix", "--target", "-t", "--root"):
            folder, index = _option_value(words, index)
            if name in ("-w", "--wheel-dir"):
                result.wheel_dir = folder
            else:
                result.prefix = folder
            continue
        if name == "--extra":
            value, index = _option_value(words, index)
            extras += (value,) if value else ()
            continue
        if name in PIP_VALUES:
            _, index = _option_value(words, index)
            continue
        if word.startswith("-"):
            index += 1
            continue
        raw.append(("sync" if sub == "sync" else "positional", word))
        index += 1
    for kind, text in raw:
        install = _pip_item(kind, text, tool, location, resolve, no_deps, extras)
        result.installs.append(install)
        if install.kind is InstallKind.UNKNOWN and not text.startswith("/wheels"):
            result.notes.append(f"could not tell what `{tool} {sub} {text}` installs")
    return result


def _pip_item(
    kind: str,
    text: str,
    tool: str,
    location: Optional[Location],
    resolve: PathResolver,
    no_deps: bool,
    extras: tuple[str, ...],
) -> Install:
    if kind in ("requirements", "sync"):
        path = resolve(text)
        if path and path.rsplit("/", 1)[-1] in ("pyproject.toml", "setup.py", "setup.cfg"):
            folder = path.rpartition("/")[0] or "."
            return Install(InstallKind.PROJECT, folder, location, extras=extras, tool=tool, no_deps=no_deps)
        if path:
            return Install(InstallKind.REQUIREMENTS, path, location, tool=tool, no_deps=no_deps)
        return Install(InstallKind.UNKNOWN, text, location, tool=tool, no_deps=no_deps)
    target, item_extras = _split_extras(text)
    if kind == "editable" or _is_path(target):
        if "://" in target or target.startswith("git+"):
            return Install(InstallKind.UNKNOWN, text, location, tool=tool, no_deps=no_deps)
        project = _project(target, resolve)
        if project is None or target.endswith((".whl", ".tar.gz", ".zip")) or "*" in target:
            return Install(InstallKind.UNKNOWN, text, location, tool=tool, no_deps=no_deps)
        return Install(InstallKind.PROJECT, project, location, extras=item_extras, tool=tool, no_deps=no_deps)
    if target.endswith((".whl", ".tar.gz", ".zip")) or "*" in target or "://" in target.split("@")[0]:
        return Install(InstallKind.UNKNOWN, text, location, tool=tool, no_deps=no_deps)
    return Install(InstallKind.PACKAGE, text, location, tool=tool, no_deps=no_deps)


def _project_tool(
    tool: str, words: Sequence[str], location: Optional[Location], resolve: PathResolver
) -> InstallParse:
    """`uv sync`, `poetry install`, `pipenv install`, `pdm install` and friends."""
    result = InstallParse()
    if not words:
        return result
    sub = words[0]
    flags = set()
    groups: list[str] = []
    extras: list[str] = []
    without: list[str] = []
    only: list[str] = []
    folder = "."
    packages: list[str] = []
    index = 1
    while index < len(words):
        word = words[index]
        name = word.split("=", 1)[0]
        if name in (
            "--group",
            "--with",
            "-G",
            "--extra",
            "-E",
            "--extras",
            "--without",
            "--only",
            "--only-group",
            "--project",
            "--directory",
            "-C",
            "--python",
            "-p",
            "--index-url",
            "--python-platform",
            "--no-group",
            "--categories",
            "--package",
        ):
            value, index = _option_value(words, index)
            values = [v for v in re.split(r"[,\s]+", value or "") if v]
            if name in ("--group", "--with", "-G"):
                groups += values
            elif name in ("--extra", "-E", "--extras"):
                extras += values
            elif name in ("--without", "--no-group"):
                without += values
            elif name in ("--only", "--only-group"):
                only += values
            elif name in ("--project", "--directory", "-C"):
                folder = _project(value or ".", resolve) or "."
            elif name == "--package" and value:
                groups.append(f"package:{value}")  # a uv workspace member, found by the reader
            continue
        if word.startswith("-"):
            flags.add(name)
        else:
            packages.append(word)
        index += 1
    if (tool in ("poetry", "pdm", "uv", "pipenv") and sub == "add") or (
        tool == "pipenv" and sub == "install" and packages
    ):
        for package in packages:
            result.installs.append(Install(InstallKind.PACKAGE, package, location, tool=tool))
        return result
    if tool == "uv":
        include_dev = not ({"--no-dev", "--no-default-groups", "--only-group"} & flags) and not (
            only or "dev" in without
        )
    elif tool == "poetry":
        include_dev = (
            not ({"--no-dev", "--only-root"} & flags) and not only and not ({"dev", "test"} & set(without))
        )
    elif tool == "pdm":
        include_dev = not ({"--prod", "--production"} & flags)
    else:  # pipenv
        include_dev = "--dev" in flags or "-d" in flags
    chosen = tuple(sorted(set(only or groups)))
    if "--all-extras" in flags or "--all-groups" in flags:
        result.notes.append(
            f"`{tool} {sub}` installs every extra/group: "
            + ("--all-extras" if "--all-extras" in flags else "--all-groups")
        )
    result.installs.append(
        Install(
            InstallKind.PROJECT,
            folder,
            location,
            extras=tuple(sorted(set(extras))),
            groups=chosen,
            include_dev=include_dev or "dev" in chosen,
            tool=tool,
        )
    )
    return result


_PROJECT_SUBCOMMANDS = {
    "uv": ("sync",),
    "poetry": ("install", "sync", "add"),
    "pipenv": ("install", "sync"),
    "pdm": ("install", "sync", "add"),
}


def parse_install(
    words: Sequence[str], *, location: Optional[Location] = None, resolve: PathResolver
) -> Optional[InstallParse]:
    """The installs of one simple command; None when the command installs nothing Python."""
    if not words:
        return None
    program = program_name(words[0])
    rest = list(words[1:])
    if is_python(words[0]):
        while rest and rest[0].startswith("-") and rest[0] not in ("-m",):
            rest = rest[1:]
        if len(rest) >= 2 and rest[0] == "-m" and rest[1] in ("pip", "uv", "poetry", "pipenv"):
            program, rest = rest[1], rest[2:]
        else:
            return None
    if _PIP_PROGRAMS.fullmatch(program):
        parsed = _pip(rest, "pip", location, resolve)
        return parsed if rest and rest[0] in ("install", "wheel") else None
    if program == "uv" and rest[:1] == ["pip"]:
        return _pip(rest[1:], "uv", location, resolve) if rest[1:2] in (["install"], ["sync"]) else None
    if program == "pip-sync":
        return _pip(["sync", *rest], "pip", location, resolve)
    if program in _PROJECT_SUBCOMMANDS and rest and rest[0] in _PROJECT_SUBCOMMANDS[program]:
        return _project_tool(program, rest, location, resolve)
    if program in ("conda", "mamba", "micromamba") and rest[:1] == ["install"]:
        result = InstallParse()
        for word in rest[1:]:
            if not word.startswith("-"):
                result.installs.append(Install(InstallKind.PACKAGE, word, location, tool="conda"))
        return result
    if program in ("conda", "mamba", "micromamba") and rest[:2] in (["env", "create"], ["env", "update"]):
        result = InstallParse()
        result.installs.append(Install(InstallKind.UNKNOWN, " ".join(words), location, tool="conda"))
        result.notes.append(f"could not tell what `{' '.join(words)}` installs")
        return result
    return None
