"""No entry point: the project files that importing the packages loads only under a guard."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Callable, Optional

from importaudit.judge.reach import MAIN_GUARD, FileIndex, Resolver, Unit, compute_boot
from importaudit.model import GuardKind, Import
from importaudit.source.conditions import TargetEnv

# Guards that make an import optional: the module holding it loads only if it works.
_OPTIONAL = frozenset({GuardKind.EXCEPT_IMPORT, GuardKind.SUPPRESS, GuardKind.HANDLER, GuardKind.AVAILABLE})


def _unguarded(imp: Import) -> Optional[Import]:
    """The import as if every branch ran (None for TYPE_CHECKING and __main__ blocks)."""
    if not imp.guards:
        return imp
    if any(g.kind is GuardKind.TYPE_CHECKING or g.condition == MAIN_GUARD for g in imp.guards):
        return None
    return replace(imp, guards=())


def _sure(imp: Import) -> Optional[Import]:
    """The import unless a guard makes it optional."""
    return None if any(g.kind in _OPTIONAL for g in imp.guards) else imp


class _Kept(Mapping[str, FileIndex]):
    """Each file's index with only the imports `keep` returns, built when compute_boot looks the
    file up: it visits the files the packages load, not every file of the project."""

    def __init__(self, files: Mapping[str, FileIndex], keep: Callable[[Import], Optional[Import]]) -> None:
        self._files = files
        self._keep = keep
        self._built: dict[str, FileIndex] = {}

    def __getitem__(self, path: str) -> FileIndex:
        found = self._built.get(path)
        if found is None:
            parsed = self._files[path].parsed
            kept = tuple(i for i in map(self._keep, parsed.imports) if i is not None)
            found = self._built[path] = FileIndex.build(replace(parsed, imports=kept))
        return found

    def __contains__(self, path: object) -> bool:
        return path in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


def guarded_only(
    files: Mapping[str, FileIndex], units: Sequence[tuple[Unit, Optional[str]]], resolve: Resolver, env: TargetEnv
) -> frozenset[str]:
    """Files loaded when every guarded import succeeds and every platform/version branch runs,
    but not by the imports that always run on the target: `try: from ._main import main`
    (httpx's CLI), `if sys.platform == "emscripten": from .contrib.emscripten import ...`.
    What they import is needed only where that guard lets them load."""
    loaded = frozenset(compute_boot(_Kept(files, _unguarded), units, resolve, env).parents)
    always = frozenset(compute_boot(_Kept(files, _sure), units, resolve, env).parents)
    return loaded - always
