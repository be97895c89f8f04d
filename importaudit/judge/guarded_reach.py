"""No entry point: the project files that importing the packages loads only under a guard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Optional

from importaudit.judge.reach import MAIN_GUARD, FileIndex, Resolver, Unit, compute_boot
from importaudit.model import GuardKind, Import
from importaudit.source.conditions import TargetEnv

# Guards that make an import optional: the module holding it loads only if it works.
_OPTIONAL = frozenset({GuardKind.EXCEPT_IMPORT, GuardKind.SUPPRESS, GuardKind.HANDLER, GuardKind.AVAILABLE})


def _unguarded(imp: Import) -> Optional[Import]:
    """The import as if every branch ran (None for TYPE_CHECKING and __main__ blocks)."""
    if any(g.kind is GuardKind.TYPE_CHECKING or g.condition == MAIN_GUARD for g in imp.guards):
        return None
    return replace(imp, guards=())


def guarded_only(
    files: Mapping[str, FileIndex], units: Sequence[tuple[Unit, Optional[str]]], resolve: Resolver, env: TargetEnv
) -> frozenset[str]:
    """Files loaded when every guarded import succeeds and every platform/version branch runs,
    but not by the imports that always run on the target: `try: from ._main import main`
    (httpx's CLI), `if sys.platform == "emscripten": from .contrib.emscripten import ...`.
    What they import is needed only where that guard lets them load."""
    everything: dict[str, FileIndex] = {}
    strict: dict[str, FileIndex] = {}
    for path, index in files.items():
        imports = index.parsed.imports
        kept = [i for i in (_unguarded(imp) for imp in imports) if i is not None]
        everything[path] = FileIndex.build(replace(index.parsed, imports=tuple(kept)))
        sure = tuple(imp for imp in imports if not any(g.kind in _OPTIONAL for g in imp.guards))
        strict[path] = FileIndex.build(replace(index.parsed, imports=sure))
    loaded = frozenset(compute_boot(everything, units, resolve, env).parents)
    always = frozenset(compute_boot(strict, units, resolve, env).parents)
    return loaded - always
