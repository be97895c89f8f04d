"""Shared pieces of the requirement readers: PEP 508, dev names, TOML loading, line finding."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Optional, Union

from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Pep508
from packaging.utils import canonicalize_name

from importaudit import safeload
from importaudit.model import Requirement, SourceWarning

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as tomllib

# Words that make a file, group or extra a development one ("requirements-dev.txt", "test-extras").
DEV_WORDS = frozenset(
    {
        "dev",
        "devel",
        "develop",
        "development",
        "test",
        "tests",
        "testing",
        "lint",
        "linting",
        "linter",
        "linters",
        "docs",
        "doc",
        "ci",
        "typing",
        "mypy",
        "qa",
        "style",
        "format",
        "formatting",
        "coverage",
        "bench",
        "benchmark",
        "benchmarks",
        "local",
        "precommit",
        "pre-commit",
        "typecheck",
    }
)
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
_LOCAL_PATH = re.compile(r"^(\.{1,2}(/|\\|\[|$)|/|~|file:)")
_ARCHIVE = re.compile(r"\.(whl|tar\.gz|tgz|zip|tar\.bz2)$", re.IGNORECASE)
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")
_NAMED_URL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@")
_WHEEL_NAME = re.compile(r"([A-Za-z0-9][A-Za-z0-9._]*)-\d")

TomlTable = dict[str, Any]


def is_dev_name(name: str) -> bool:
    """Whether a group/extra name is a development one: in DEV_WORDS, or holding one as a word."""
    lowered = name.lower()
    if lowered in DEV_WORDS:
        return True
    return any(word in DEV_WORDS for word in _WORD_SPLIT.split(lowered) if word)


def is_dev_file(relpath: str) -> bool:
    """requirements-dev.txt, requirements/test.txt, docs/requirements.txt ... -> True."""
    parts = relpath.lower().replace("\\", "/").split("/")
    words: list[str] = []
    for part in parts:
        stem = re.sub(r"\.(txt|in|ya?ml|toml|lock)$", "", part)
        words.extend(word for word in _WORD_SPLIT.split(stem) if word)
    return any(word in DEV_WORDS for word in words if word not in ("requirements", "requirement"))


def is_local_path(text: str) -> bool:
    """A pip argument naming a directory on disk ("." "./pkg" "../lib" "/abs" "file:...")."""
    return bool(_LOCAL_PATH.match(text)) or (
        "/" in text and "://" not in text and "@" not in text and not _ARCHIVE.search(text)
    )


def _name_from_url(text: str) -> Optional[tuple[str, tuple[str, ...]]]:
    match = _EGG.search(text)
    if match:
        extras = tuple(e.strip() for e in (match.group(2) or "[]")[1:-1].split(",") if e.strip())
        return match.group(1), extras
    tail = text.rstrip("/").rsplit("/", 1)[-1]
    if _ARCHIVE.search(tail):
        wheel = _WHEEL_NAME.match(tail)
        if wheel:
            return wheel.group(1), ()
    return None


def parse_requirement(
    text: str, source: str, line: int, *, group: str = "main", dev: bool = False
) -> Union[Requirement, SourceWarning]:
    """One PEP 508 string or pip argument -> Requirement (or a SourceWarning saying why not).

    Handles "gunicorn[gevent]==22", "name @ url", "-e git+https://...#egg=foo", archive URLs
    ("https://.../pkg-1.0.tar.gz"), and local paths ("./pkg", "."): for a path the name is the path
    as written and the key the canonical directory name (callers that know the root resolve the
    project's real name).
    """
    raw = text.strip()
    editable = False
    for prefix in ("-e ", "--editable ", "--editable="):
        if raw.startswith(prefix):
            editable, raw = True, raw[len(prefix) :].strip()
    if not raw:
        return SourceWarning(source, line, "empty requirement")
    if "://" in raw.split(";")[0] and not _NAMED_URL.match(raw):
        found = _name_from_url(raw)
        if found is None:
            return SourceWarning(source, line, f"cannot tell which distribution {raw!r} installs")
        name, extras = found
        return Requirement(
            name=name,
            key=canonicalize_name(name),
            source=source,
            line=line,
            extras=extras,
            group=group,
            dev=dev,
            url=raw.split("#")[0] if "#egg=" in raw else raw,
            editable=editable,
        )
    if is_local_path(raw):
        stem = raw.rstrip("/").split("[")[0].rsplit("/", 1)[-1]
        extras = ()
        if raw.endswith("]") and "[" in raw:
            extras = tuple(e.strip() for e in raw[raw.index("[") + 1 : -1].split(",") if e.strip())
            raw = raw[: raw.index("[")]
        key = canonicalize_name(stem) if stem not in ("", ".", "..") else ""
        return Requirement(
            name=raw,
            key=key,
            source=source,
            line=line,
            extras=extras,
            group=group,
            dev=dev,
            url=raw,
            editable=editable,
        )
    try:
        parsed = Pep508(raw)
    except InvalidRequirement as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        return SourceWarning(source, line, f"invalid requirement {raw!r}: {first}")
    return Requirement(
        name=parsed.name,
        key=canonicalize_name(parsed.name),
        source=source,
        line=line,
        specifier=str(parsed.specifier),
        extras=tuple(sorted(parsed.extras)),
        marker=str(parsed.marker) if parsed.marker is not None else None,
        group=group,
        dev=dev,
        url=parsed.url,
        editable=editable,
    )


def read_text(root: Path, relpath: str) -> Union[str, SourceWarning]:
    """A project file's text, or a warning when it cannot be read or decoded."""
    try:
        return (root / relpath).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return SourceWarning(relpath, 1, f"not UTF-8 text: {exc.reason}")
    except OSError as exc:
        return SourceWarning(relpath, 0, f"cannot read: {exc.strerror or exc}")


_TOML_AT = re.compile(r"at line (\d+)")


def load_toml(text: str, relpath: str) -> Union[TomlTable, SourceWarning]:
    """Parse TOML; a syntax error becomes a SourceWarning on the line tomllib names."""
    try:
        return safeload.load_toml(text)
    except (tomllib.TOMLDecodeError, ValueError) as exc:  # LoadError is a ValueError
        match = _TOML_AT.search(str(exc))
        if match:
            line = int(match.group(1))
        else:  # "at end of document": the last line
            line = max(len(text.splitlines()), 1) if "end of document" in str(exc) else 1
        return SourceWarning(relpath, line, f"invalid TOML: {exc}")


class LineFinder:
    """Cheap line numbers for values in TOML/JSON/cfg text, which the parsers do not report.

    A value's line is the first line, after its table header, that contains the value (quoted,
    then as a key); searches continue from the previous hit so a list's entries get ascending lines.
    When nothing matches, the header's line (or 1) is used: good enough to point a reader there.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self._cursor: dict[str, int] = {}

    def header(self, header: str) -> int:
        """0-based index of the line `[header]` (spaces and quotes tolerated), or -1."""
        wanted = header.replace('"', "").replace("'", "").replace(" ", "")
        for index, line in enumerate(self.lines):
            stripped = line.strip()
            if stripped.startswith("[") and "]" in stripped:
                inner = stripped.strip("[]").split("]")[0]
                if inner.replace('"', "").replace("'", "").replace(" ", "") == wanted:
                    return index
        return -1

    def find(self, header: str, *needles: str) -> int:
        """1-based line of the first needle found after `header` (and after the previous hit)."""
        start = self._cursor.get(header)
        if start is None:
            start = max(self.header(header), 0) if header else 0
        for needle in needles:
            if not needle:
                continue
            for index in range(start, len(self.lines)):
                if needle in self.lines[index]:
                    self._cursor[header] = index
                    return index + 1
        top = self.header(header) if header else -1
        return top + 1 if top >= 0 else 1

    def find_from(self, start: int, *needles: str) -> int:
        """1-based line of the first needle at or after 1-based line `start` (else `start`)."""
        for needle in needles:
            for index in range(max(start - 1, 0), len(self.lines)):
                if needle and needle in self.lines[index]:
                    return index + 1
        return max(start, 1)

    def find_key(self, header: str, key: str) -> int:
        """1-based line of `key =` (or `"key" =`) after the header."""
        start = max(self.header(header), 0) if header else 0
        pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*[=:]", re.IGNORECASE)
        for index in range(start, len(self.lines)):
            if pattern.search(self.lines[index]):
                return index + 1
        return start + 1


def quoted(text: str) -> tuple[str, str]:
    """The two ways a string appears in TOML: double- and single-quoted."""
    return f'"{text}"', f"'{text}'"


def project_file(directory: str, name: str) -> str:
    """`name` inside a project directory, relative to the root ("." -> just the name)."""
    return name if directory in ("", ".") else f"{directory.rstrip('/')}/{name}"


def parent_of(relpath: str) -> str:
    """The directory of a relative path ("." at the top)."""
    return relpath.rsplit("/", 1)[0] if "/" in relpath else "."


def join_relative(base_dir: str, path: str) -> str:
    """Resolve `path` (relative to `base_dir`) to a root-relative, normalised "/" path."""
    parts = [] if base_dir in ("", ".") else base_dir.split("/")
    for piece in path.replace("\\", "/").split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            else:
                parts.append("..")
        else:
            parts.append(piece)
    return "/".join(parts) or "."
