"""A crude, independent read of descriptors: cross-checks the targets stage, finds the workdir."""

from __future__ import annotations

import json
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import yaml
from packaging.utils import canonicalize_name

from importaudit.model import InstallKind, Target

_VALUE_OPTIONS = {
    "-c",
    "--constraint",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--cache-dir",
    "--src",
    "--python",
    "--progress-bar",
    "--no-binary",
    "--only-binary",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--upgrade-strategy",
    "--log",
    "--report",
    "-w",
    "--wheel-dir",
    "--group",
    "--python-preference",
    "-p",
}
_TOOLS = {"pip", "setuptools", "wheel", "poetry", "uv", "pipenv", "pdm", "virtualenv"}
_PROJECT_TOOLS = {
    ("poetry", "install"): "poetry",
    ("uv", "sync"): "uv",
    ("pipenv", "install"): "pipenv",
    ("pdm", "install"): "pdm",
}
_HEROKU_FILES = ("requirements.txt", "Pipfile.lock", "poetry.lock", "uv.lock")


@dataclass
class Stage:
    name: Optional[str]
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, rest)


@dataclass
class GrepInstalls:
    requirement_files: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)  # canonical names
    paths: list[str] = field(default_factory=list)  # ".", "/wheels/*", "./backend"
    project_tools: list[str] = field(default_factory=list)


def read_stages(text: str) -> list[Stage]:
    """Dockerfile instructions per stage: continuations joined, comments dropped (no heredocs)."""
    joined = re.sub(r"\\[ \t]*\r?\n", " ", text)
    stages: list[Stage] = []
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        word = word.upper()
        if word == "FROM":
            parts = [p for p in rest.split() if not p.startswith("--")]
            name = parts[2] if len(parts) >= 3 and parts[1].lower() == "as" else None
            stages.append(Stage(name, parts[0] if parts else ""))
        elif stages:
            stages[-1].instructions.append((word, rest.strip()))
    return stages


# A trailing stage with one of these names is what CI builds with `--target test`, not the deploy.
_CHECK_STAGES = re.compile(r"^(test|tests|testing|lint|linting|check|checks|ci|qa)$", re.I)


def final_chain(stages: list[Stage]) -> list[Stage]:
    """The deploy stage (the last one that is not a test/lint stage) and the stages it is built
    FROM, base first."""
    chain: list[Stage] = []
    deploy = [s for s in stages if not (s.name and _CHECK_STAGES.match(s.name))] or stages
    current = deploy[-1] if deploy else None
    while current is not None and current not in chain:
        chain.insert(0, current)
        current = next((s for s in stages if s.name and s.name == current.base), None)
    return chain


def _segments(command: str) -> list[list[str]]:
    out: list[list[str]] = []
    for part in re.split(r"&&|\|\||;", command):
        try:
            words = shlex.split(part)
        except ValueError:
            words = part.split()
        if words:
            out.append(words)
    return out


_CAT = re.compile(r"\$\(cat ([^)$`]*)\)|`cat ([^`$]*)`")


def _cat_files(text: str, root: Optional[Path]) -> str:
    """`$(cat FILE)` / `cat FILE` in backquotes of relative repo files: their words (crudely)."""
    def words(match: re.Match[str]) -> str:
        paths = (match.group(1) or match.group(2) or "").split()
        if root is None or not paths or any(p.startswith("/") or not (root / p).is_file() for p in paths):
            return match.group(0)
        return " ".join(" ".join((root / p).read_text("utf-8").split()) for p in paths)
    return _CAT.sub(words, text)


def grep_installs(stages: list[Stage], root: Optional[Path] = None) -> GrepInstalls:
    found = GrepInstalls()
    for stage in stages:
        for word, rest in stage.instructions:
            if word != "RUN":
                continue
            for words in _segments(_cat_files(rest, root)):
                pairs = list(zip(words, words[1:]))
                for (a, b), tool in _PROJECT_TOOLS.items():
                    if (a, b) in pairs and not (
                        tool == "pipenv" and "--system" not in words and "--deploy" not in words
                    ):
                        found.project_tools.append(tool)
                at = next(
                    (
                        k
                        for k, (a, b) in enumerate(pairs)
                        if re.fullmatch(r"pip[0-9.]*", a) and b == "install"
                    ),
                    None,
                )
                if at is None:
                    continue
                args = words[at + 2 :]
                k = 0
                while k < len(args):
                    arg = args[k]
                    if "$" in arg:  # a shell variable: only the build knows it
                        k += 1
                        continue
                    if arg in {"-r", "--requirement", "--requirements"} and k + 1 < len(args):
                        found.requirement_files.append(args[k + 1])
                        k += 2
                        continue
                    if arg.startswith("-r") and len(arg) > 2:
                        found.requirement_files.append(arg[2:])
                    elif arg in {"-e", "--editable"} and k + 1 < len(args):
                        found.paths.append(args[k + 1])
                        k += 2
                        continue
                    elif arg.split("=")[0] in _VALUE_OPTIONS:
                        k += 1 if "=" in arg else 2
                        continue
                    elif arg.startswith("-"):
                        pass
                    elif arg.startswith((".", "/", "~")) or "/" in arg or arg.endswith(".whl"):
                        found.paths.append(arg)
                    else:
                        name = re.split(r"[\[<>=!~;@ ]", arg, maxsplit=1)[0]
                        if canonicalize_name(name) not in _TOOLS:
                            found.packages.append(canonicalize_name(name))
                    k += 1
    return found


def cross_check(root: Path, target: Target) -> list[str]:
    """Where the targets stage and a crude grep of the descriptor disagree about the installs."""
    problems: list[str] = []
    if target.kind == "dockerfile" and target.file:
        try:
            stages = read_stages((root / target.file).read_text("utf-8"))
        except (OSError, UnicodeDecodeError):
            return []
        chain, everything = grep_installs(final_chain(stages), root), grep_installs(stages, root)
        reqs = {
            posixpath.basename(i.spec)
            for i in target.installs
            if i.kind is InstallKind.REQUIREMENTS
        }
        pkgs = {
            canonicalize_name(re.split(r"[\[<>=!~;@ ]", i.spec, maxsplit=1)[0])
            for i in target.installs
            if i.kind is InstallKind.PACKAGE
        }
        tools = {i.tool for i in target.installs if i.kind is InstallKind.PROJECT}
        for req in chain.requirement_files:
            if posixpath.basename(req) not in reqs:
                problems.append(
                    f"the Dockerfile runs `pip install -r {req}`; the stage read no such install"
                )
        for pkg in chain.packages:
            if pkg not in pkgs:
                problems.append(
                    f"the Dockerfile runs `pip install {pkg}`; the stage read no such install"
                )
        for tool in chain.project_tools:
            if tool not in tools:
                problems.append(
                    f"the Dockerfile runs `{tool}` to install the project; the stage did not see it"
                )
        if chain.paths and not target.installs:
            problems.append(
                f"the Dockerfile installs {chain.paths}; the stage read no install at all"
            )
        grep_reqs = {posixpath.basename(r) for r in everything.requirement_files}
        for install in target.installs:
            here = install.location is not None and install.location.file == target.file
            if not here:
                continue
            if install.kind is InstallKind.PACKAGE and canonicalize_name(
                re.split(r"[\[<>=!~;@ ]", install.spec, maxsplit=1)[0]
            ) not in {*everything.packages, *_TOOLS}:
                problems.append(
                    f"the stage read `pip install {install.spec}`; the Dockerfile has none"
                )
            if (
                install.kind is InstallKind.REQUIREMENTS
                and not everything.paths
                and posixpath.basename(install.spec) not in grep_reqs
            ):
                problems.append(f"the stage read `-r {install.spec}`; the Dockerfile has none")
    elif target.kind == "procfile":
        present = [f for f in _HEROKU_FILES if (root / f).exists()]
        if (
            len(present) == 1
            and present[0] == "requirements.txt"
            and not any(
                i.kind is InstallKind.REQUIREMENTS and i.spec == "requirements.txt"
                for i in target.installs
            )
        ):
            problems.append(
                "a Procfile app with requirements.txt installs it; the stage did not say so"
            )
    return problems


def _dockerfile_for(root: Path, target: Target) -> Optional[str]:
    if target.kind == "dockerfile":
        return target.file
    if target.kind == "compose" and target.file and ":" in target.name:
        try:
            data = yaml.safe_load((root / target.file).read_text("utf-8"))
            build = data["services"][target.name.split(":", 1)[1]]["build"]
        except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError):
            return None
        if isinstance(build, str):
            return posixpath.normpath(posixpath.join(build, "Dockerfile"))
        if isinstance(build, dict):
            context = str(build.get("context", "."))
            return posixpath.normpath(
                posixpath.join(context, str(build.get("dockerfile", "Dockerfile")))
            )
    return None


def container_layout(root: Path, target: Target) -> tuple[str, dict[str, str]]:
    """(repo dir the start command runs in, container dir -> repo dir) from WORKDIR/COPY."""
    dockerfile = _dockerfile_for(root, target)
    if dockerfile is None or not (root / dockerfile).is_file():
        return "", {}
    context = posixpath.dirname(dockerfile) if target.kind == "compose" else ""
    text = (root / dockerfile).read_text("utf-8", "replace")
    return container_layout_from_text(text, context, lambda rel: (root / rel).is_dir())


def container_layout_from_text(
    text: str, context: str, is_dir: Callable[[str], bool]
) -> tuple[str, dict[str, str]]:
    workdir = "/"
    mapping: dict[str, str] = {}
    for word, rest in [i for s in final_chain(read_stages(text)) for i in s.instructions]:
        if word == "WORKDIR":
            workdir = posixpath.normpath(posixpath.join(workdir, rest.strip()))
        elif word in {"COPY", "ADD"} and "--from" not in rest:
            try:
                parts = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
            except ValueError:
                continue
            parts = [p for p in parts if not str(p).startswith("--")]
            if len(parts) < 2:
                continue
            dest = posixpath.normpath(posixpath.join(workdir, parts[-1]))
            for src in parts[:-1]:
                repo = posixpath.normpath(posixpath.join(context, src))
                if is_dir(repo):
                    mapping[dest] = "" if repo == "." else repo
    cwd = mapping.get(workdir)
    if cwd is None:  # workdir inside a copied dir: /app/src with /app <- .
        for dest, repo in sorted(mapping.items(), key=lambda kv: -len(kv[0])):
            if workdir.startswith(dest.rstrip("/") + "/"):
                cwd = posixpath.join(repo, workdir[len(dest.rstrip("/")) + 1 :])
                break
    return (cwd or "").strip("/"), mapping


def map_env_value(value: str, mapping: dict[str, str], copy_root: Path) -> str:
    """Rewrite container paths (PYTHONPATH=/app/src) to the copy's paths."""
    for dest, repo in sorted(mapping.items(), key=lambda kv: -len(kv[0])):
        if dest == "/":
            continue
        value = re.sub(re.escape(dest) + r"(?=/|:|$)", str(copy_root / repo).rstrip("/"), value)
    return value
