"""What one install command line installs: pip, uv, poetry, pipenv, pdm, conda."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from importaudit.model import Install, InstallKind, Location
from importaudit.targets.install_options import (
    PDM_INSTALL,
    PIP_INSTALL,
    PIPENV_INSTALL,
    POETRY_INSTALL,
    UV_PIP_INSTALL,
    UV_SYNC,
    Options,
)
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


def project_folder(path: str, resolve: PathResolver) -> Optional[str]:
    """The repo folder a project path names; a folder the image holds only some files of
    (`COPY pyproject.toml ./` then `pip install .`) is found through its metadata file."""
    resolved = resolve(path)
    if resolved is None:
        for name in ("pyproject.toml", "setup.py", "setup.cfg"):
            found = resolve(posixpath.join(path, name))
            if found is not None and found.rsplit("/", 1)[-1] == name:
                return found.rpartition("/")[0] or "."
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


def _option(words: Sequence[str], index: int, options: Options) -> tuple[str, Optional[str], int, bool]:
    """(name, value, next index, known) of the option at words[index], per the tool's table.

    `--opt=v`, `--opt v`, `-rFILE` and `-r FILE` are read; an unknown option takes no value.
    """
    word = words[index]
    if word.startswith("--") and "=" in word:
        name, value = word.split("=", 1)
        return name, value, index + 1, options.knows(name)
    if word in options.values:
        following = words[index + 1] if index + 1 < len(words) else None
        return word, following, index + 2, True
    if word in options.flags:
        return word, None, index + 1, True
    if not word.startswith("--") and len(word) > 2 and word[:2] in options.values:
        return word[:2], word[2:], index + 1, True  # -rrequirements.txt
    return word, None, index + 1, False


def _group_install(
    value: str, tool: str, location: Optional[Location], resolve: PathResolver, no_deps: bool
) -> Install:
    """`pip install --group [path:]name`: that dependency group of pyproject.toml, not the project."""
    path, _, group = value.rpartition(":")
    folder = posixpath.dirname(path) if path else "."
    project = project_folder(folder or ".", resolve) if path else project_folder(".", resolve)
    return Install(
        InstallKind.PROJECT, project or ".", location, groups=(group,), tool=tool, no_deps=no_deps, main=False
    )


def _pip(words: Sequence[str], tool: str, location: Optional[Location], resolve: PathResolver) -> InstallParse:
    """`pip install ...` / `pip wheel ...` / `uv pip install ...` after the program words."""
    result = InstallParse()
    if not words or words[0] not in ("install", "wheel", "sync"):
        return result
    sub = words[0]
    options = UV_PIP_INSTALL if tool == "uv" else PIP_INSTALL
    no_deps = "--no-deps" in words
    extras: tuple[str, ...] = ()
    groups: list[str] = []
    raw: list[tuple[str, str]] = []  # (kind, text)
    index = 1
    while index < len(words):
        word = words[index]
        if not word.startswith("-") or word == "-":
            raw.append(("sync" if sub == "sync" else "positional", word))
            index += 1
            continue
        name, value, index, known = _option(words, index, options)
        if not known:
            result.notes.append(f"`{tool} {sub}`: skipped option `{word}`, which importaudit does not know")
            continue
        if value is None:
            if name == "--all-extras":
                extras += ("*",)
            continue
        if name in ("-r", "--requirement", "--requirements"):
            raw.append(("requirements", value))
        elif name in ("-e", "--editable"):
            raw.append(("editable", value))
        elif name in ("-w", "--wheel-dir", "-d", "--dest"):
            result.wheel_dir = value
        elif name in ("--prefix", "--target", "-t", "--root"):
            result.prefix = value
        elif name == "--extra":
            extras += (value,)
        elif name == "--group":
            groups.append(value)
    for kind, text in raw:
        install = _pip_item(kind, text, tool, location, resolve, no_deps, extras)
        result.installs.append(install)
        if install.kind is InstallKind.UNKNOWN and not text.startswith("/wheels"):
            result.notes.append(f"could not tell what `{tool} {sub} {text}` installs")
    for group in groups:
        result.installs.append(_group_install(group, tool, location, resolve, no_deps))
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
        if path or "$" in text:  # `-r $REQS`: one of the repo's requirements files, unknown which
            return Install(InstallKind.REQUIREMENTS, path or text, location, tool=tool, no_deps=no_deps)
        return Install(InstallKind.UNKNOWN, text, location, tool=tool, no_deps=no_deps)
    target, item_extras = _split_extras(text)
    if kind == "editable" or _is_path(target):
        if "://" in target or target.startswith("git+"):
            return Install(InstallKind.UNKNOWN, text, location, tool=tool, no_deps=no_deps)
        project = project_folder(target, resolve)
        if project is None or target.endswith((".whl", ".tar.gz", ".zip")) or "*" in target:
            return Install(InstallKind.UNKNOWN, text, location, tool=tool, no_deps=no_deps)
        return Install(InstallKind.PROJECT, project, location, extras=item_extras, tool=tool, no_deps=no_deps)
    if target.endswith((".whl", ".tar.gz", ".zip")) or "*" in target or "://" in target.split("@")[0]:
        return Install(InstallKind.UNKNOWN, text, location, tool=tool, no_deps=no_deps)
    return Install(InstallKind.PACKAGE, text, location, tool=tool, no_deps=no_deps)


_TOOL_OPTIONS = {"uv": UV_SYNC, "poetry": POETRY_INSTALL, "pipenv": PIPENV_INSTALL, "pdm": PDM_INSTALL}


@dataclass
class _Selection:
    """What a project tool's options select."""

    flags: set[str] = field(default_factory=set)
    groups: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    without: list[str] = field(default_factory=list)
    only: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    folder: str = "."
    output: Optional[str] = None  # `uv export -o FILE` / `poetry export --output FILE`

    def project_install(
        self,
        location: Optional[Location],
        tool: str,
        extras: Sequence[str],
        groups: Sequence[str],
        include_dev: bool,
        main: bool,
    ) -> Install:
        """The project install these options select (an install command's, or an export's)."""
        return Install(
            InstallKind.PROJECT,
            self.folder,
            location,
            extras=tuple(sorted(set(extras))),
            groups=tuple(sorted(set(groups))),
            include_dev=include_dev,
            tool=tool,
            main=main,
            without=tuple(sorted(set(self.without))),
        )


def select(
    tool: str, words: Sequence[str], resolve: PathResolver, notes: list[str], options: Optional[Options] = None
) -> _Selection:
    """What `tool words[0] ...` selects, its options read with the tool's table."""
    chosen = _Selection()
    options = options or _TOOL_OPTIONS[tool]
    index = 1
    while index < len(words):
        word = words[index]
        if not word.startswith("-") or word == "-":
            chosen.packages.append(word)
            index += 1
            continue
        name, value, index, known = _option(words, index, options)
        if not known:
            notes.append(f"`{tool} {words[0]}`: skipped option `{word}`, which importaudit does not know")
            continue
        if value is None:
            chosen.flags.add(name)
            continue
        values = [v for v in re.split(r"[,\s]+", value) if v]
        if name in ("--group", "--with", "-G"):
            chosen.groups += values
        elif name in ("--extra", "-E", "--extras"):
            chosen.extras += values
        elif name in ("--without", "--no-group"):
            chosen.without += values
        elif name in ("--only", "--only-group"):
            chosen.only += values
        elif name == "--categories":  # pipenv: Pipfile sections ("packages" is the main one)
            chosen.groups += values
        elif name in ("-o", "--output", "--output-file"):
            chosen.output = value
        elif name in ("-r", "--requirements") and tool == "pipenv":
            chosen.requirements.append(value)
        elif name in ("--project", "--directory", "-C", "-P", "-p") and (tool != "uv" or name != "-p"):
            chosen.folder = project_folder(value, resolve) or "."
        elif name == "--package":
            chosen.groups.append(f"package:{value}")  # a uv workspace member, found by the reader
    return chosen


def uv_selection(chosen: _Selection) -> tuple[bool, bool, tuple[str, ...], tuple[str, ...]]:
    """uv sync: (main, default groups, groups, extras) from its options (uv 0.9 reference)."""
    flags = chosen.flags
    if "--only-dev" in flags:
        return False, False, ("dev",), ()
    if chosen.only:
        return False, False, tuple(chosen.only), ()
    include_dev = not ({"--no-dev", "--no-default-groups"} & flags) and "dev" not in chosen.without
    groups = list(chosen.groups) + (["*"] if "--all-groups" in flags else [])
    extras = list(chosen.extras) + (["*"] if "--all-extras" in flags else [])
    return True, include_dev, tuple(groups), tuple(extras)


def poetry_selection(chosen: _Selection) -> tuple[bool, bool, tuple[str, ...], tuple[str, ...]]:
    """poetry install: `--only` is exact (main among them or not); `--with` adds optional groups."""
    flags = chosen.flags
    extras = list(chosen.extras) + (["*"] if "--all-extras" in flags else [])
    if "--only-root" in flags:
        return False, False, (), ()
    if chosen.only:
        only = tuple(chosen.only)  # "main" among the groups marks the selection exact
        return "main" in only, False, tuple(sorted({*only, "main"})), tuple(extras)
    include_dev = "--no-dev" not in flags
    groups = list(chosen.groups) + (["*"] if "--all-groups" in flags else [])
    return True, include_dev, tuple(groups), tuple(extras)


def _project_tool(
    tool: str, words: Sequence[str], location: Optional[Location], resolve: PathResolver
) -> InstallParse:
    """`uv sync`, `poetry install`, `pipenv install`, `pdm install` and friends."""
    result = InstallParse()
    if not words:
        return result
    sub = words[0]
    chosen = select(tool, words, resolve, result.notes)
    if sub == "add" or (tool == "pipenv" and (chosen.packages or chosen.requirements)):
        for package in chosen.packages:
            result.installs.append(Install(InstallKind.PACKAGE, package, location, tool=tool))
        for path in chosen.requirements:  # pipenv install -r FILE imports and installs that file
            found = resolve(path)
            kind = InstallKind.REQUIREMENTS if found else InstallKind.UNKNOWN
            result.installs.append(Install(kind, found or path, location, tool="pip"))
        return result
    flags = chosen.flags
    main = True
    extras = tuple(chosen.extras)
    groups = tuple(chosen.groups)
    if tool == "uv":
        main, include_dev, groups, extras = uv_selection(chosen)
    elif tool == "poetry":
        main, include_dev, groups, extras = poetry_selection(chosen)
    elif tool == "pdm":
        # pdm installs the default group and every dev group unless --prod; -G names an
        # optional-dependencies group or a dev group; `:all` is every one.
        include_dev = not ({"--prod", "--production"} & flags)
        main = "--no-default" not in flags
        named = tuple("*" if g == ":all" else g for g in groups)
        groups, extras = named, named
    else:  # pipenv: [packages], and [dev-packages] with --dev
        include_dev = bool({"--dev", "-d", "--dev-only"} & flags)
    if "--all-extras" in flags or "--all-groups" in flags:
        result.notes.append(
            f"`{tool} {sub}` installs every extra/group: "
            + ("--all-extras" if "--all-extras" in flags else "--all-groups")
        )
    result.installs.append(chosen.project_install(location, tool, extras, groups, include_dev, main))
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
