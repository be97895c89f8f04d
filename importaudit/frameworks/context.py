"""What every framework reader gets (the parsed project) and the collector it fills."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

from ..model import Guard, How, Import, Location, Scope
from .values import Text
from .walk import FileScan, Placed


@dataclass(frozen=True)
class FrameworkContext:
    """The project as the imports stage parsed it, and what one target sets and installs."""

    trees: Mapping[str, ast.Module]  # path -> parsed tree (parsed once by the imports stage)
    modules: Mapping[str, str]  # dotted module -> path, for the target's import roots
    env: Mapping[str, str] = field(default_factory=dict)  # the target's environment
    installed: Mapping[str, str] = field(default_factory=dict)  # canonical dist -> version ("" unknown)
    boot_paths: frozenset[str] = frozenset()  # files reached at boot so far

    def tree_of(self, module: str) -> Optional[tuple[str, ast.Module]]:
        """The path and tree of a first-party module, when the project has it."""
        path = self.modules.get(module)
        if path is None or path not in self.trees:
            return None
        return path, self.trees[path]

    def sorted_trees(self) -> list[tuple[str, ast.Module]]:
        return sorted(self.trees.items())


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


@dataclass
class Collector:
    """Mutable accumulator the readers share; `result()` freezes and sorts it."""

    imports: list[Import] = field(default_factory=list)
    unresolved: list[tuple[Import, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    settings_module: Optional[str] = None
    scans: dict[str, FileScan] = field(default_factory=dict)

    def scan(self, path: str, tree: ast.Module) -> FileScan:
        """The file's placed statements and namespaces, computed once for all readers."""
        found = self.scans.get(path)
        if found is None:
            found = self.scans[path] = FileScan(path, tree)
        return found

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
    ) -> None:
        self.unresolved.append((_make(module, where, via, phase, None, placed, How.STRING), message))
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
        )


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
