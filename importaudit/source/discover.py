"""The project's files: what is walked, what is excluded, what modules are first-party."""

from __future__ import annotations

import functools
import keyword
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pathspec

from importaudit.deadline import budget
from importaudit.model import AuditError, SourceWarning

# Directory names never walked, at any depth: VCS data, caches, installed code.
_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "site-packages", "node_modules", ".tox", ".nox", "__pycache__",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs", "__pypackages__",
    }
)  # fmt: skip
# Build output, unless the directory is itself a package (`myapp/build/__init__.py` is source).
_BUILD_DIRS = frozenset({"build", "dist"})
# A directory holding one of these is an environment (virtualenv, conda), whatever its name.
_ENVIRONMENT_MARKERS = ("pyvenv.cfg", "conda-meta")
# What an environment made at the audited root itself holds: skipped, the files beside are audited.
_ENVIRONMENT_DIRS = frozenset(
    {"bin", "Scripts", "lib", "lib64", "Lib", "include", "Include", "share", "local", "conda-meta",
     "pkgs", "etc", "ssl", "man", "libexec", "compiler_compat"}
)  # fmt: skip
_SOURCE_SUFFIXES = (".py", ".ipynb")
# Files a platform or an installer reads by name: deploy descriptors, version files, requirement
# sources. .gitignore does not hide them: git never ignores a tracked file (`.*` in .gitignore
# with `.python-version` committed), and what a build reads is decided by the tree it gets.
_PLATFORM_FILES = re.compile(
    r"\.python-version|runtime\.txt|\.tool-versions|\.buildpacks|project\.toml|Procfile"
    r"|Dockerfile|Dockerfile\..+|.+\.[Dd]ockerfile|Containerfile(\..+)?"
    r"|(docker-|podman-)?compose.*\.ya?ml|.*requirements.*\.(txt|in)|environment.*\.ya?ml"
    r"|pyproject\.toml|setup\.py|setup\.cfg|Pipfile(\.lock)?|(poetry|uv|pdm)\.lock"
    r"|render\.yaml|app\.yaml|app\.json|fly\.toml|railway\.(json|toml)|nixpacks\.toml|heroku\.yml"
    r"|.+\.service|supervisord\.conf"
)
_TEST_DIRS = frozenset({"tests", "test"})
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True)
class SourceRef:
    path: str  # relative to root, "/" separators
    module: Optional[str]  # dotted name under the best root; None when not importable
    is_package: bool  # an __init__.py
    is_test: bool  # under tests/ or test/, test_*.py, *_test.py, conftest.py
    is_notebook: bool


@functools.lru_cache(maxsize=4096)
def _is_identifier(part: str) -> bool:
    """Cached: the same directory names come back for every file below them."""
    return part.isidentifier() and not keyword.iskeyword(part)


def _module_stem(filename: str) -> Optional[str]:
    """The module a file defines in its directory: `a.py` -> a, `a.cpython-311-...so` -> a."""
    if filename.endswith(".py"):
        return filename[:-3]
    if filename.endswith(".pyx"):
        return filename[:-4]  # Cython source: the build compiles it to a module of that name
    if filename.endswith((".so", ".pyd")):
        return filename.split(".", 1)[0]
    return None


def _norm_root(root: str) -> str:
    root = root.replace("\\", "/").strip()
    while root.startswith("./"):
        root = root[2:]
    return "" if root in (".", "/") else root.strip("/")


class ModuleIndex:
    """Dotted module name -> file, for any set of sys.path roots (relative dirs; "" = the root)."""

    def __init__(self, files: Iterable[str]) -> None:
        self._modules: dict[str, str] = {}  # "a/b" -> "a/b.py"
        self._packages: dict[str, str] = {}  # "a/b" -> "a/b/__init__.py"
        self._dirs: set[str] = set()  # directories with a module file somewhere below
        self._children: dict[str, set[str]] = {}  # directory -> names importable from it
        for path in files:
            directory, _, filename = path.rpartition("/")
            stem = _module_stem(filename)
            if stem is None:
                continue
            if stem == "__init__":
                if directory:
                    self._packages.setdefault(directory, path)
            else:
                key = f"{directory}/{stem}" if directory else stem
                known = self._modules.get(key)
                # Prefer the .py file: it is what the other stages can read.
                if known is None or (path.endswith(".py") and not known.endswith(".py")):
                    self._modules[key] = path
                self._children.setdefault(directory, set()).add(stem)
            while directory and directory not in self._dirs:
                self._dirs.add(directory)
                parent, _, name = directory.rpartition("/")
                self._children.setdefault(parent, set()).add(name)
                directory = parent

    def resolve(self, dotted: str, roots: Sequence[str] = ("",)) -> Optional[str]:
        """The file of a module ("a/b.py", "a/b/__init__.py"), a namespace dir ("a/b/"), or None.

        Follows Python's path finder: in each search directory a package beats a module, which
        beats a namespace portion; across directories the first regular hit wins, and namespace
        portions merge into the search path of the next part.
        """
        parts = dotted.split(".")
        if not all(parts):
            return None
        search = [_norm_root(root) for root in roots]
        for position, part in enumerate(parts):
            last = position == len(parts) - 1
            portions: list[str] = []
            hit: Optional[str] = None
            for base in search:
                key = f"{base}/{part}" if base else part
                if key in self._packages:
                    if last:
                        return self._packages[key]
                    hit = key
                    break
                if key in self._modules:
                    # A plain module has no submodules.
                    return self._modules[key] if last else None
                if key in self._dirs:
                    portions.append(key)
            if hit is not None:
                search = [hit]
            elif portions:
                if last:
                    return portions[0] + "/"
                search = portions
            else:
                return None
        return None

    def module_for(self, path: str, root: str = "") -> Optional[str]:
        """Dotted name of a file (or a "dir/") with `root` on sys.path; None if not importable."""
        base = _norm_root(root)
        if base:
            if not path.startswith(base + "/"):
                return None
            path = path[len(base) + 1 :]
        is_dir = path.endswith("/")
        parts = path.rstrip("/").split("/")
        if not is_dir:
            stem = _module_stem(parts[-1])
            if stem is None:
                return None
            if stem == "__init__":
                parts.pop()
            else:
                parts[-1] = stem
        if not parts or not all(_is_identifier(part) for part in parts):
            return None
        return ".".join(parts)

    def top_level_names(self, roots: Sequence[str] = ("",)) -> frozenset[str]:
        """Packages, modules and namespace dirs importable at the top level from these roots."""
        names: set[str] = set()
        for root in roots:
            names.update(self._children.get(_norm_root(root), ()))
        return frozenset(name for name in names if _is_identifier(name))

    def namespace_only_names(self, roots: Sequence[str] = ("",)) -> frozenset[str]:
        """Top-level names that are only namespace dirs under these roots (no module, no package).

        Python lets an installed regular package of the same name win over such a directory
        (an `alembic/` migrations dir does not shadow the alembic distribution).
        """
        found: set[str] = set()
        for name in self.top_level_names(roots):
            keys = [f"{base}/{name}" if base else name for base in map(_norm_root, roots)]
            if not any(key in self._packages or key in self._modules for key in keys):
                found.add(name)
        return frozenset(found)


@dataclass(frozen=True)
class Project:
    root: Path
    sources: tuple[SourceRef, ...]  # every .py and .ipynb not excluded, sorted by path
    files: tuple[str, ...]  # every non-excluded file (any type), sorted
    roots: tuple[str, ...]  # default import roots: "" plus "src" in a src layout
    index: ModuleIndex
    first_party: frozenset[str]  # top-level importable names under the roots, plus config
    warnings: tuple[SourceWarning, ...]
    # The part of first_party that is only namespace dirs: an installed package of that name wins.
    namespace_first_party: frozenset[str] = frozenset()


class _IgnoreRules:
    """Gitignore-style patterns of one directory, compiled so a path costs a few regex calls.

    Consecutive patterns of the same kind are joined into one regex; checking the groups from
    the last one back gives git's "the last matching pattern decides". Patterns without a
    slash (`*.log`, `build/`) are matched against the last component only: the walk has
    already decided every parent directory, and it spares the regex engine the `(.+/)?`
    backtracking that made pathspec's per-pattern matching cost most of the walk.
    """

    def __init__(self, lines: Sequence[str], source: str) -> None:
        self.warnings: list[SourceWarning] = []
        compiled: list[tuple[tuple[bool, bool], re.Pattern[str]]] = []
        for number, raw in enumerate(lines, 1):
            line = _simplified(raw)
            if _wildcards(line) > _MAX_WILDCARDS:
                why = f"ignore pattern with more than {_MAX_WILDCARDS} wildcards in one part; not used"
                self.warnings.append(SourceWarning(source, number, why))
                continue
            try:
                spec = pathspec.GitIgnoreSpec.from_lines([line])
            except Exception as exc:  # pathspec raises assorted errors
                self.warnings.append(SourceWarning(source, number, f"bad ignore pattern: {exc}"))
                continue
            for pattern in spec.patterns:
                regex = getattr(pattern, "regex", None)
                include = getattr(pattern, "include", None)
                if isinstance(regex, re.Pattern) and include is not None:
                    compiled.append(((bool(include), _matches_basename(line)), regex))
        # Runs of one polarity; in each, one regex for basename patterns and one for the rest.
        self._runs: list[tuple[bool, tuple[re.Pattern[str], ...], tuple[re.Pattern[str], ...]]] = []
        start = 0
        while start < len(compiled):
            include = compiled[start][0][0]
            end = start
            while end < len(compiled) and compiled[end][0][0] == include:
                end += 1
            run = compiled[start:end]
            self._runs.append((
                include,
                _joined([regex for (_, basename), regex in run if basename]),
                _joined([regex for (_, basename), regex in run if not basename]),
            ))  # fmt: skip
            start = end

    def __bool__(self) -> bool:
        return bool(self._runs)

    def decide(self, path: str) -> Optional[bool]:
        """True: ignored; False: re-included by `!`; None: no pattern matches.

        `path` ends with "/" for a directory; its parent directories must already be decided.
        """
        core, slash = (path[:-1], "/") if path.endswith("/") else (path, "")
        last = core.rpartition("/")[2] + slash
        for include, by_name, by_path in reversed(self._runs):
            if any(rx.match(last) for rx in by_name) or any(rx.match(path) for rx in by_path):
                return include
        return None


# A run of `**/` is one `**/`, and three or more stars are one star (pathspec's own reading):
# written out they compile to nested `(.+/)?` and `[^/]*[^/]*…` that backtrack exponentially.
# Past this many wildcards in one path part a pattern is refused, not tried.
_MAX_WILDCARDS = 12
_REPEATED_ANY_DIRS = re.compile(r"(?<![^/])(?:\*\*/){2,}")  # whole parts only
_STAR_RUN = re.compile(r"\*{3,}")
_PART_STARS = re.compile(r"\*+|\?")


def _simplified(line: str) -> str:
    """The same gitignore pattern with redundant wildcards folded (`**/**/` -> `**/`, `****a` -> `*a`)."""
    if "*" not in line:
        return line
    # pathspec writes each star of a run of three or more as `[^/]*`: beside other characters the
    # run means what one star means; as a whole path part it also matches an empty part, which a
    # lone `*` (`[^/]+`) does not, so there it is only shortened to three stars.
    parts = _REPEATED_ANY_DIRS.sub("**/", line).split("/")
    return "/".join(_STAR_RUN.sub("***" if _STAR_RUN.fullmatch(part) else "*", part) for part in parts)


def _wildcards(line: str) -> int:
    """The most wildcards (`*`, `**`, `?`) in one `/`-separated part of a pattern."""
    return max((len(_PART_STARS.findall(part)) for part in line.split("/")), default=0)


def _joined(members: list[re.Pattern[str]]) -> tuple[re.Pattern[str], ...]:
    """One regex matching where any member does (pathspec's named groups made anonymous)."""
    if not members:
        return ()
    try:
        joined = "|".join(f"(?:{_NAMED_GROUP.sub('(?:', regex.pattern)})" for regex in members)
        return (re.compile(joined, members[0].flags),)
    except re.error:  # a pattern that does not combine: keep pathspec's regexes as they are
        return tuple(members)


def _matches_basename(line: str) -> bool:
    """Whether a gitignore pattern has no slash but a trailing one: it matches at any depth."""
    pattern = line.strip()
    if pattern.startswith("!"):
        pattern = pattern[1:]
    pattern = pattern.rstrip("/")
    if pattern.startswith("**/"):
        pattern = pattern[3:]
    return "/" not in pattern


def _excluded(path: str, config: _IgnoreRules, rules: Sequence[tuple[str, _IgnoreRules]]) -> bool:
    """Config excludes win; then the deepest .gitignore that decides, as in git."""
    if config.decide(path):
        return True
    for base, rule in reversed(rules):
        relative = path[len(base) + 1 :] if base else path
        decision = rule.decide(relative)
        if decision is not None:
            return decision
    return False


def _is_test(path: str) -> bool:
    *dirs, filename = path.split("/")
    if any(part in _TEST_DIRS for part in dirs):
        return True
    stem = filename.rsplit(".", 1)[0]
    return filename == "conftest.py" or stem.startswith("test_") or stem.endswith("_test")


def _walk(root: str, config_rules: _IgnoreRules) -> tuple[list[str], list[SourceWarning]]:
    files: list[str] = []
    warnings: list[SourceWarning] = []
    stack: list[tuple[str, tuple[tuple[str, _IgnoreRules], ...]]] = [("", ())]
    while stack:
        if budget.expired():
            skipped = ", ".join(sorted(rel or "." for rel, _ in stack)[:5])
            why = f"{budget.reason()}: {len(stack)} folders not walked ({skipped}…)"
            warnings.append(SourceWarning(".", 0, why))
            break
        rel, rules = stack.pop()
        try:
            with os.scandir(os.path.join(root, rel) if rel else root) as listing:
                entries = list(listing)
        except OSError as exc:
            if not rel:
                raise AuditError(f"{root}: cannot read the directory: {exc.strerror or exc}") from exc
            warnings.append(SourceWarning(rel, 0, f"cannot read directory: {exc.strerror or exc}"))
            continue
        names = {entry.name for entry in entries}
        environment = next((marker for marker in _ENVIRONMENT_MARKERS if marker in names), None)
        if rel and environment is not None:
            continue
        if not rel and environment is not None:
            # `importaudit check .` inside a virtualenv: its installed code is not the project's.
            own = sorted(e.name for e in entries if e.name in _ENVIRONMENT_DIRS and e.is_dir())
            entries = [e for e in entries if e.name not in own]
            warnings.append(SourceWarning(environment, 0, (
                "the audited folder is itself a Python environment; its "
                + ", ".join(f"{name}/" for name in own)
                + " were skipped and only the project files beside them were audited")))
        if rel.rpartition("/")[2] in _BUILD_DIRS and "__init__.py" not in names:
            continue
        if ".gitignore" in names:
            source = f"{rel}/.gitignore" if rel else ".gitignore"
            try:
                with open(os.path.join(root, source), encoding="utf-8", errors="replace") as handle:
                    ignore = _IgnoreRules(handle.read().splitlines(), source)
            except OSError as exc:
                warnings.append(SourceWarning(source, 0, f"cannot read: {exc.strerror or exc}"))
            else:
                warnings.extend(ignore.warnings)
                if ignore:
                    rules = (*rules, (rel, ignore))
        for entry in entries:
            child = f"{rel}/{entry.name}" if rel else entry.name
            try:
                # Never follow a directory symlink: no loops, no walking outside the project.
                if entry.is_dir(follow_symlinks=False):
                    if entry.name in _EXCLUDED_DIRS or entry.name.endswith(".egg-info"):
                        continue
                    if not _excluded(child + "/", config_rules, rules):
                        stack.append((child, rules))
                    continue
                if not entry.is_file():
                    continue
            except OSError:
                continue
            if not _excluded(child, config_rules, rules) or (
                _PLATFORM_FILES.fullmatch(entry.name) and not config_rules.decide(child)
            ):
                files.append(child)
    return files, warnings


def _module_name(index: ModuleIndex, path: str, deepest_first: Sequence[str]) -> Optional[str]:
    """Named under the deepest root holding it (src/pkg/mod.py -> pkg.mod, not src.pkg.mod)."""
    for root in deepest_first:
        if root and not path.startswith(root + "/"):
            continue
        name = index.module_for(path, root)
        if name is not None:
            return name
    return None


def discover(root: Path, *, exclude: Sequence[str] = (), first_party: Sequence[str] = ()) -> Project:
    """Walk `root` (no symlinked dirs, excluded dirs pruned early) and index what it defines."""
    if not root.is_dir():
        raise AuditError(f"{root}: not a directory")
    config_rules = _IgnoreRules(list(exclude), "exclude")
    files, warnings = _walk(str(root), config_rules)
    warnings[:0] = config_rules.warnings
    files.sort()
    index = ModuleIndex(files)
    roots: tuple[str, ...] = ("",)
    # src layout: src/ holds importable code and is not itself a package.
    if index.resolve("src") != "src/__init__.py" and index.top_level_names(("src",)):
        roots = ("", "src")
    deepest_first = sorted(roots, key=len, reverse=True)
    sources = tuple(
        SourceRef(
            path=path,
            module=None if path.endswith(".ipynb") else _module_name(index, path, deepest_first),
            is_package=path.rpartition("/")[2] == "__init__.py",
            is_test=_is_test(path),
            is_notebook=path.endswith(".ipynb"),
        )
        for path in files
        if path.endswith(_SOURCE_SUFFIXES)
    )
    configured = frozenset(name.strip() for name in first_party if name.strip())
    return Project(
        root=root,
        sources=sources,
        files=tuple(files),
        roots=roots,
        index=index,
        first_party=index.top_level_names(roots) | configured,
        warnings=tuple(sorted(warnings, key=lambda w: (w.file, w.line, w.message))),
        namespace_first_party=index.namespace_only_names(roots) - configured,
    )
