"""What a reader finds in a file, found once per run and replayed for each target's environment."""

from __future__ import annotations

import ast
from typing import Any, Callable, Optional

from importaudit.frameworks.context import FrameworkContext
from importaudit.frameworks.settings_classes import Fields, field_value, settings_fields
from importaudit.frameworks.values import Value
from importaudit.frameworks.walk import FileScan, Placed

Entry = tuple[str, tuple[Any, ...]]


class SiteLog:
    """Records the reader calls a file asks for (`url(value, where, ...)`), before any env is known.

    Finding a site (walking calls, evaluating the URL expression) depends on the project only;
    resolving it (env values, installed versions) is the per-target part, done by `replay`.
    """

    def __init__(self, fields: Fields) -> None:
        self.fields = fields
        self.entries: list[Entry] = []

    def value(self, scan: FileScan, placed: Placed, node: ast.expr) -> Optional[Value]:
        """An expression's value where it stands; a pydantic settings field when it reads one."""
        value = scan.evaluator(placed).value(node)
        return value if value is not None else field_value(node, self.fields)

    def record(self, method: str, *args: Any) -> None:
        self.entries.append((method, args))


def file_sites(
    ctx: FrameworkContext, reader: str, path: str, find: Callable[[SiteLog, FileScan], None]
) -> tuple[Entry, ...]:
    """The reader's sites in one file, found once per run."""
    key = f"sites:{reader}:{path}"
    memo = ctx.run.memo
    found = memo.get(key)
    if isinstance(found, tuple):
        return found
    scan = ctx.scan(path)
    log = SiteLog(settings_fields(ctx))
    if scan is not None:
        find(log, scan)
    entries = memo[key] = tuple(log.entries)
    return entries


def replay(entries: tuple[Entry, ...], target: object) -> None:
    """Make each recorded call on the target's reader (`target.url(*args)` ...)."""
    for method, args in entries:
        getattr(target, method)(*args)
