"""What one install command line installs: pip, uv, poetry, pipenv, pdm, conda."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Optional

from importaudit.model import Install, InstallKind, Location
from importaudit.targets.install_options import PIP_INSTALL, UV_PIP_INSTALL, UV_RUN_VALUED, read_option
from importaudit.targets.project_selection import (
    MANIFESTS,
    METADATA,
    PathResolver,
    poetry_selection,
    project_folder,
    select,
    uv_selection,
)
from importaudit.targets.shell import is_python, program_name

_PIP_PROGRAMS = re.compile(r"pip(?:[23](?:\.\d+)?)?")


@dataclass
class InstallParse:
    """The installs one command performs, plus what the Dockerfile reader needs to follow stages."""

    installs: list[Install] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    wheel_dir: Optional[str] = None  # `pip wheel -w DIR`: installs say what DIR's wheels hold
    prefix: Optional[str] = None  # `pip install --prefix DIR` / `--target DIR`


_SUBSTITUTION = re.compile(r"\$\((?P<dollar>[^)]*)\)|`(?P<tick>[^`]*)`")
_VARIABLE = re.compile(r"\$\{?(?P<name>[A-Za-z_][A-Za-z0-9_]*)")


def opaque_reason(spec: str, unset: Collection[str] = ()) -> str:
    """Why what an install step names is only known when it runs; `unset`: build arguments
    declared without a default."""
    substitution = _SUBSTITUTION.search(spec)
    if substitution:
        command = (substitution["dollar"] or substitution["tick"] or "").split()
        if command[:1] in (["cat"], ["<"]) and len(command) > 1:
            return f"{' '.join(command[1:])} is not a repo file the image holds"
        return "its words are the output of a command importaudit does not run"
    variable = _VARIABLE.search(spec)
    if variable:
        name = variable["name"]
        if name in unset:
            return f"build argument {name} has no default: only `--build-arg {name}=...` says what it holds"
        return f"${name} is not set by the descriptor: its value comes from the build's environment"
    if "://" in spec or spec.startswith("git+"):
        return "a URL: importaudit does not fetch what it points to"
    if spec.endswith((".whl", ".tar.gz", ".zip")) or any(c in spec for c in "*?["):
        return "wheels or archives no stage builds from the repo"
    return "importaudit cannot tell what it installs"


def split_extras(spec: str) -> tuple[str, tuple[str, ...]]:
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
    command = f"uv pip {sub}" if tool == "uv" else f"{tool} {sub}"  # as written, for the notes
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
        name, value, index, known = read_option(words, index, options)
        if not known:
            result.notes.append(f"`{command}`: skipped option `{word}`, which importaudit does not know")
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
            result.notes.append(f"could not tell what `{command} {text}` installs")
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
    target, item_extras = split_extras(text)
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
    if not chosen.located:  # no manifest where it runs, and no repo folder copied there
        result.installs.append(Install(InstallKind.UNKNOWN, f"{tool} {sub}", location, tool=tool))
        wanted = " or ".join(MANIFESTS.get(tool, METADATA))
        result.notes.append(f"could not tell which project `{tool} {sub}` installs: no {wanted} is known "
                            "where it runs or above")
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
    runs_inner = rest[:1] == ["run"] and len(rest) > 1 and not rest[1].startswith("-")
    if program == "uv" and rest[:1] == ["run"]:
        return _uv_run(rest[1:], location, resolve)
    if program in ("poetry", "pipenv", "pdm") and runs_inner:
        # `poetry run pip install X`: the command runs in the project's environment, and what it
        # installs is installed there (the project tool's own sync, if any, is not read here).
        return parse_install(rest[1:], location=location, resolve=resolve)
    if _PIP_PROGRAMS.fullmatch(program):
        rest = _after_pip_general_options(rest)
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


# pip 25's general options that take a value (`pip --cache-dir DIR install ...`); the others are flags.
_PIP_GENERAL_VALUED = frozenset({
    "--python", "--log", "--log-file", "--local-log", "--proxy", "--retries", "--timeout", "--exists-action",
    "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--use-feature", "--use-deprecated",
    "--resume-retries", "--keyring-provider",
})


def _after_pip_general_options(words: list[str]) -> list[str]:
    """pip's general options may come before the subcommand (`pip --no-cache-dir install --user x`)."""
    rest = list(words)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in _PIP_GENERAL_VALUED and rest:
            rest.pop(0)
    return rest


# uv 0.9 `uv run` options that `uv sync` shares (the sync `uv run` does first).
_UV_SYNC_SHARED = frozenset({
    "--extra", "--group", "--no-dev", "--only-dev", "--only-group", "--no-group", "--all-extras",
    "--all-groups", "--no-default-groups", "--frozen", "--locked", "--package", "--project", "--directory",
})


def _uv_run(words: Sequence[str], location: Optional[Location], resolve: PathResolver) -> Optional[InstallParse]:
    """`uv run [options] CMD` in a build step: uv first syncs the project into its .venv (with the
    dev group, unless an option says otherwise), then CMD may install more (`uv run pip install x`)."""
    index, sync, flags, result = 0, ["sync"], set(), InstallParse()
    while index < len(words) and words[index].startswith("-"):
        name, eq, value = words[index].partition("=")
        if name == "--":
            index += 1
            break
        taken = [words[index]]
        if name in UV_RUN_VALUED and not eq and index + 1 < len(words):
            value = words[index + 1]
            taken.append(value)
        if name == "--with":
            packages = [p for p in value.split(",") if p]
            result.installs += [Install(InstallKind.PACKAGE, p, location, tool="uv") for p in packages]
        if name in _UV_SYNC_SHARED:
            sync += taken
        flags.add(name)
        index += len(taken)
    if not ({"--no-sync", "--no-project", "--script"} & flags):
        synced = _project_tool("uv", sync, location, resolve)
        result.installs += synced.installs
        result.notes += synced.notes
    inner = parse_install(list(words[index:]), location=location, resolve=resolve) if index < len(words) else None
    if inner is not None:
        result.installs += inner.installs
        result.notes += inner.notes
    return result if result.installs or result.notes else None
