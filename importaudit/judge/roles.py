"""A file's role from the boot graph: what a target reaches at boot is application code, whatever its name."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from importaudit.judge.audit import TargetAudit
from importaudit.judge.reach import FileIndex, Resolver, import_targets, runs_at_import
from importaudit.model import ParsedFile, Scope
from importaudit.source.conditions import TargetEnv
from importaudit.workspace import Workspace


def imported_by_application(
    files: Mapping[str, FileIndex], parsed: Mapping[str, ParsedFile], resolve: Resolver, env: TargetEnv,
) -> set[str]:
    """With no entry known, every file not named like a test is application code; a file that
    application code imports at module level (through any chain) is too, whatever its name.

    Only module-level imports count: a function body may never run, and a test helper imported
    lazily by a management command is no evidence that the file is application code."""
    start = sorted(p for p, pf in parsed.items() if not pf.is_test and p in files)
    reached: set[str] = set(start)
    queue: deque[str] = deque(start)
    while queue:
        path = queue.popleft()
        for imp in files[path].imports_by_unit.get(None, ()):
            if imp.scope is not Scope.MODULE or not runs_at_import(imp, env):
                continue
            for target in import_targets(imp, resolve):
                if target not in reached and target in files:
                    reached.add(target)
                    queue.append(target)
    return reached


def boot_reached(ws: Workspace, audits: Sequence[TargetAudit]) -> set[str]:
    """Every file some target's boot reaches (or, for the implicit target, application code imports)."""
    reached: set[str] = set()
    for ta in audits:
        if ta.graph is not None:
            reached.update(ta.graph.parents)
        elif ta.target.implicit:
            roots = tuple(dict.fromkeys((*ta.target.paths, *ws.project.roots)))

            def resolve(dotted: str, roots: tuple[str, ...] = roots) -> str | None:
                return ws.project.index.resolve(dotted, roots)

            reached.update(imported_by_application(ws.file_indexes(), ws.parsed, resolve, ta.env))
    return reached


def assign_roles(ws: Workspace, audits: Sequence[TargetAudit]) -> list[str]:
    """Files named like tests (or tooling) that a target runs at boot become application code.

    Returns the files whose role changed, sorted. Name-based roles stay for every file no target
    reaches: a real test module is still checked against the development requirements."""
    changed = _promote(ws.parsed, boot_reached(ws, audits))
    return changed


def _promote(parsed: dict[str, ParsedFile], reached: Iterable[str]) -> list[str]:
    changed: list[str] = []
    for path in sorted(reached):
        pf = parsed.get(path)
        if pf is not None and pf.is_test:
            parsed[path] = replace(pf, is_test=False)
            changed.append(path)
    return changed
