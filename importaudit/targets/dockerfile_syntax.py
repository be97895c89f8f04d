"""Dockerfile text to instructions: escape directive, continuations, heredocs, exec form."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from typing import Optional

from importaudit.providers.stdlib import known_versions

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$")
_HEREDOC = re.compile(r"<<(?P<dash>-?)(?P<quote>[\"']?)(?P<word>[A-Za-z_][A-Za-z0-9_]*)(?P=quote)")
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_FLAG_INSTRUCTIONS = frozenset({"FROM", "COPY", "ADD", "RUN"})


@dataclass(frozen=True)
class Instruction:
    """One instruction with its text as Docker sees it after joining continuation lines."""

    keyword: str  # upper case: FROM, RUN, COPY, CMD...
    args: str  # the text after the keyword and its --flags (heredoc markers kept)
    line: int  # first line, 1-based
    flags: tuple[tuple[str, str], ...] = ()  # --from=builder, --mount=..., --chown=...
    heredocs: tuple[tuple[str, str], ...] = ()  # (marker word, body)
    exec_form: Optional[tuple[str, ...]] = None  # a JSON array of strings: CMD ["a", "b"]


@dataclass(frozen=True)
class DockerfileProblem:
    line: int
    message: str


def _directives(lines: list[str]) -> tuple[str, int]:
    """The escape character and how many leading lines are parser directives."""
    escape = "\\"
    count = 0
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
        count += 1
    return escape, count


def _split_flags(keyword: str, text: str) -> tuple[tuple[tuple[str, str], ...], str]:
    if keyword not in _FLAG_INSTRUCTIONS:
        return (), text
    flags: list[tuple[str, str]] = []
    rest = text
    while True:
        match = re.match(r"\s*--([A-Za-z-]+)(?:=(\"[^\"]*\"|\S*))?\s*", rest)
        if not match:
            break
        flags.append((match.group(1), (match.group(2) or "").strip('"')))
        rest = rest[match.end() :]
    return tuple(flags), rest.strip()


def _exec_form(keyword: str, text: str, problems: list[DockerfileProblem], line: int) -> Optional[tuple[str, ...]]:
    stripped = text.strip()
    if keyword not in ("CMD", "ENTRYPOINT", "RUN", "SHELL") or not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        # Docker runs an invalid JSON array through the shell, which rarely does what was meant.
        problems.append(DockerfileProblem(line, f"{keyword} is not valid JSON: run as shell form"))
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    problems.append(DockerfileProblem(line, f"{keyword} exec form must be strings: shell form"))
    return None


def parse_dockerfile(text: str) -> tuple[list[Instruction], list[DockerfileProblem]]:
    """The instructions of a Dockerfile, in order; problems instead of exceptions."""
    lines = text.splitlines()
    escape, index = _directives(lines)
    instructions: list[Instruction] = []
    problems: list[DockerfileProblem] = []
    while index < len(lines):
        raw = lines[index]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            index += 1
            continue
        start = index
        pieces: list[str] = []
        current = raw
        while True:
            body = current.rstrip()
            if body.endswith(escape) and not body.endswith(escape * 2):
                pieces.append(body[:-1])
                index += 1
                # Comment and empty lines inside a continuation are dropped (Docker does so).
                while index < len(lines) and (not lines[index].strip() or lines[index].strip().startswith("#")):
                    index += 1
                if index >= len(lines):
                    break
                current = lines[index]
                continue
            pieces.append(current)
            index += 1
            break
        joined = "".join(pieces).strip()
        keyword, _, rest = joined.partition(" ")
        keyword = keyword.upper()
        if not re.fullmatch(r"[A-Z]+", keyword):
            problems.append(DockerfileProblem(start + 1, f"not an instruction: {joined[:40]!r}"))
            continue
        flags, rest = _split_flags(keyword, rest.strip())
        heredocs: list[tuple[str, str]] = []
        if keyword in _HEREDOC_INSTRUCTIONS:
            for match in _HEREDOC.finditer(rest):
                word = match.group("word")
                body_lines: list[str] = []
                terminated = False
                while index < len(lines):
                    line = lines[index]
                    index += 1
                    candidate = line.lstrip("\t") if match.group("dash") else line
                    if candidate == word:
                        terminated = True
                        break
                    body_lines.append(candidate)
                if not terminated:
                    problems.append(DockerfileProblem(start + 1, f"heredoc <<{word} never ends"))
                heredocs.append((word, "\n".join(body_lines)))
        instructions.append(
            Instruction(
                keyword, rest, start + 1, flags, tuple(heredocs), _exec_form(keyword, rest, problems, start + 1)
            )
        )
    return instructions, problems


_PYTHON_TAG = re.compile(r"^(?P<major>\d)\.(?P<minor>\d{1,2})(?:[.\-]|$)")
# No tag, `latest`, `3`, `3-slim`, or a variant name alone (`slim`, `alpine`, `slim-bookworm`).
_FLOATING_TAG = re.compile(r"^(?:|latest|3|3-.*|[a-z][a-z0-9.\-]*)$")
_PYTHON_IN_TAG = re.compile(r"(?:python|py)-?(?P<major>3)\.?(?P<minor>\d{1,2})(?!\d)")


def python_from_image(image: str) -> tuple[Optional[str], Optional[str]]:
    """(version, note) from a base image: python:3.12-slim -> "3.12"; python:3 floats."""
    reference = image.split("@", 1)[0]
    name, _, tag = reference.rpartition(":") if ":" in reference.rsplit("/", 1)[-1] else (reference, "", "")
    base = name.rsplit("/", 1)[-1].lower()
    if "python" in base or base in ("py",):
        match = _PYTHON_TAG.match(tag)
        if match:
            return f"{match.group('major')}.{match.group('minor')}", None
        inner = _PYTHON_IN_TAG.search(tag.lower())
        if inner:
            return f"{inner.group('major')}.{inner.group('minor')}", None
        if _FLOATING_TAG.match(tag):
            # python:3, python:latest, python:slim: the newest CPython when the image is built,
            # never the Python that happens to run importaudit.
            major, minor = known_versions()[-1]
            newest = f"{major}.{minor}"
            return newest, f"`{image}` floats: taken as the newest Python importaudit knows ({newest})"
        # The pipeline falls back to the project's own version; the note says why it may differ.
        return None, f"`{image}` floats: the newest Python at build time"
    inner = _PYTHON_IN_TAG.search(tag.lower())
    if inner:
        return f"{inner.group('major')}.{inner.group('minor')}", None
    return None, f"base image `{image}` is not a python image: Python version unknown"


def instruction_words(text: str) -> list[str]:
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped)
        except ValueError:
            value = None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
    try:
        return shlex.split(stripped, posix=True)
    except ValueError:
        return stripped.split()
