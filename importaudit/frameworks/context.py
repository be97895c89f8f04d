"""What every framework reader gets (the parsed project) and the collector it fills."""

from __future__ import annotations

import ast
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from importaudit.frameworks.values import Text
from importaudit.frameworks.walk import FileScan, Placed
from importaudit.model import Guard, How, Import, Location, ParsedFile, Scope

_CACHE_KEY = "importaudit.frameworks"


class RunCache:
    """What the readers compute once per run and share across targets.

    Nothing stored here may depend on a target's env, installed versions, modules or boot
    paths: only per-file facts (trees, scans, what a file names) and the candidate selection.
    """

    def __init__(self) -> None:
        self.trees: dict[str, Optional[ast.Module]] = {}
        self.scans: dict[str, Optional[FileScan]] = {}
        self.memo: dict[str, Any] = {}  # reader-specific per-file facts, by "reader:path" keys


@dataclass(frozen=True)
class FrameworkContext:
    """The project as the imports stage parsed it, and what one target sets and installs.

    `trees` may be lazy (each first access parses the file): readers only look up the files
    `parsed` selects and never iterate it, unless `parsed` is empty (hand-built contexts).
    `cache` is shared by every target of a run; see RunCache for what may be stored in it.
    """

    trees: Mapping[str, ast.Module]  # path -> parsed tree (possibly parsed on first access)
    modules: Mapping[str, str]  # dotted module -> path, for the target's import roots
    env: Mapping[str, str] = field(default_factory=dict)  # the target's environment
    installed: Mapping[str, str] = field(default_factory=dict)  # canonical dist -> version ("" unknown)
    boot_paths: frozenset[str] = frozenset()  # files reached at boot so far
    parsed: Mapping[str, ParsedFile] = field(default_factory=dict)  # the one parse's cheap facts
    cache: MutableMapping[str, Any] = field(default_factory=dict)  # one dict per run, every target
    worker: bool = False  # the target starts a Celery worker or beat (which imports its task modules)
    celery_app: str = ""  # what its `celery -A` names ("proj", "proj.celery:app"), if anything
    celery_app_at: str = ""  # "file:line" of the command that names it
    root: Optional[Path] = None  # the project folder, for config files a call names (fileConfig)

    @property
    def run(self) -> RunCache:
        """The per-run memo inside `cache` (created on first use)."""
        found = self.cache.get(_CACHE_KEY)
        if not isinstance(found, RunCache):
            found = self.cache[_CACHE_KEY] = RunCache()
        return found

    def tree(self, path: str) -> Optional[ast.Module]:
        """The file's tree, looked up (and so maybe parsed) once per run; None if it has none."""
        trees = self.run.trees
        if path in trees:
            return trees[path]
        try:
            found: Optional[ast.Module] = self.trees[path]
        except KeyError:
            found = None
        trees[path] = found
        return found

    def scan(self, path: str) -> Optional[FileScan]:
        """The file's placed statements, calls and namespace, computed once per run."""
        scans = self.run.scans
        if path in scans:
            return scans[path]
        tree = self.tree(path)
        found = scans[path] = FileScan(path, tree) if tree is not None else None
        return found

    def tree_of(self, module: str) -> Optional[tuple[str, ast.Module]]:
        """The path and tree of a first-party module, when the project has it."""
        path = self.modules.get(module)
        if path is None:
            return None
        tree = self.tree(path)
        return None if tree is None else (path, tree)


@dataclass(frozen=True)
class FrameworkResult:
    """Imports that are not import statements, found in framework configuration.

    `unresolved` holds what could not be resolved statically (an env var with no default);
    `unresolved_messages[i]` says what `unresolved[i]` would need. Their `module` is the best
    guess ("" when nothing is known). `distribution_hint` is "|"-separated distribution names,
    any one of which provides the import ("psycopg|psycopg2|psycopg2-binary").
    """

    imports: tuple[Import, ...] = ()
    settings_module: Optional[str] = None
    notes: tuple[str, ...] = ()
    unresolved: tuple[Import, ...] = ()
    unresolved_messages: tuple[str, ...] = ()
    # "file:line: what" for settings that decide string imports but could not be found or read
    # (no DJANGO_SETTINGS_MODULE, a settings module outside the project): the target cannot be
    # said to boot (CONTRACT "Evidence and verdicts").
    unfollowed: tuple[str, ...] = ()
    # Django settings with a literal value (DEBUG, INSTALLED_APPS...): `if settings.X:` decides.
    settings_values: tuple[tuple[str, object], ...] = ()
    # (string import, function): when the import runs, the framework then calls that function of
    # the imported module (Pyramid's `includeme(config)`); reach follows it into the project.
    callbacks: tuple[tuple[Import, str], ...] = ()
    # A worker's Celery app created only inside functions ((file, function) units): found when reach
    # runs one of them; else the message is an `unfollowed` reason.
    celery_factories: tuple[tuple[tuple[tuple[str, str], ...], str], ...] = ()


@dataclass
class Collector:
    """Mutable accumulator the readers share; `result()` freezes and sorts it."""

    imports: list[Import] = field(default_factory=list)
    unresolved: list[tuple[Import, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    settings_module: Optional[str] = None
    settings_files: list[str] = field(default_factory=list)  # the Django settings chain read
    unfollowed: list[str] = field(default_factory=list)  # see FrameworkResult.unfollowed
    django_apps: list[str] = field(default_factory=list)  # the app packages INSTALLED_APPS names
    settings_values: tuple[tuple[str, object], ...] = ()
    callbacks: list[tuple[Import, str]] = field(default_factory=list)  # see FrameworkResult.callbacks
    celery_factories: list[tuple[tuple[tuple[str, str], ...], str]] = field(default_factory=list)

    def add(
        self,
        module: str,
        where: Location,
        via: str,
        phase: str,
        hint: Optional[str] = None,
        placed: Optional[Placed] = None,
        how: How = How.STRING,
    ) -> None:
        self.imports.append(_make(module, where, via, phase, hint, placed, how))

    def add_text(
        self,
        module: str,
        text: Text,
        via: str,
        phase: str,
        hint: Optional[str] = None,
        placed: Optional[Placed] = None,
    ) -> None:
        self.imports.append(
            _make(
                module,
                Location(text.file, text.line, text.col),
                via,
                phase,
                hint,
                placed,
                How.STRING,
                text.guards,
            )
        )

    def unknown(
        self,
        module: str,
        where: Location,
        via: str,
        phase: str,
        message: str,
        placed: Optional[Placed] = None,
        hint: Optional[str] = None,
    ) -> None:
        """`hint`: "|"-separated distributions, any one of which serves some value it may take
        (the database drivers): with none installed, boot cannot be claimed."""
        self.unresolved.append((_make(module, where, via, phase, hint, placed, How.STRING), message))
        self.notes.append(f"{where.file}:{where.line}: {message}")

    def result(self) -> FrameworkResult:
        imports = sorted(set(self.imports), key=_import_key)
        unresolved = sorted(set(self.unresolved), key=lambda pair: (_import_key(pair[0]), pair[1]))
        return FrameworkResult(
            imports=tuple(imports),
            settings_module=self.settings_module,
            notes=tuple(sorted(set(self.notes))),
            unresolved=tuple(item for item, _ in unresolved),
            unresolved_messages=tuple(message for _, message in unresolved),
            unfollowed=tuple(dict.fromkeys(self.unfollowed)),
            settings_values=self.settings_values,
            callbacks=tuple(sorted(set(self.callbacks), key=lambda pair: (_import_key(pair[0]), pair[1]))),
            celery_factories=tuple(self.celery_factories),
        )


def module_name(ctx: FrameworkContext, path: str) -> Optional[str]:
    """The dotted module a project file is imported as: the parse's own name when the target's
    modules agree, else the longest name the target's import roots give it."""
    parsed = ctx.parsed.get(path)
    if parsed is not None and parsed.module and ctx.modules.get(parsed.module) == path:
        return parsed.module
    names = [name for name, file in ctx.modules.items() if file == path]
    return max(names, key=lambda name: (name.count("."), name), default=None)


def _make(
    module: str,
    where: Location,
    via: str,
    phase: str,
    hint: Optional[str],
    placed: Optional[Placed],
    how: How,
    extra_guards: tuple[Guard, ...] = (),
) -> Import:
    scope: Scope = Scope.MODULE
    function: Optional[str] = None
    guards: tuple[Guard, ...] = ()
    if placed is not None:
        scope, function, guards = placed.scope, placed.function, placed.guards
    guards = guards + tuple(g for g in extra_guards if g not in guards)
    return Import(
        module=module,
        location=where,
        how=how,
        scope=scope,
        function=function,
        guards=guards,
        via=via,
        phase=phase,
        distribution_hint=hint,
    )


def _import_key(item: Import) -> tuple[str, int, int, str, str, str]:
    where = item.location
    return (where.file, where.line, where.col, item.module, item.via or "", item.phase or "")
