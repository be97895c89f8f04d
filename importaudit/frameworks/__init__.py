"""Imports that are not import statements: dotted paths and URLs that frameworks load by name."""

from __future__ import annotations

import gc
from typing import Callable

from importaudit.frameworks.celery import celery_imports
from importaudit.frameworks.context import Collector, FrameworkContext, FrameworkResult
from importaudit.frameworks.django import django_imports
from importaudit.frameworks.importlib_loops import loop_imports
from importaudit.frameworks.logconfig import logging_imports
from importaudit.frameworks.pyramid import pyramid_imports
from importaudit.frameworks.sqlalchemy import sqlalchemy_imports
from importaudit.model import SourceWarning

__all__ = ["READERS", "FrameworkContext", "FrameworkResult", "framework_imports"]

Reader = Callable[[FrameworkContext, Collector], None]

# One reader per framework; each adds what it finds to the shared collector.
READERS: tuple[tuple[str, Reader], ...] = (
    ("django", django_imports),
    ("sqlalchemy", sqlalchemy_imports),
    ("logging", logging_imports),
    ("celery", celery_imports),
    ("pyramid", pyramid_imports),
    ("importlib", loop_imports),
)


def framework_imports(ctx: FrameworkContext) -> FrameworkResult:
    """Every framework string import of the project, for one target's environment."""
    # What the readers build holds no reference cycles, while the heap already holds the whole
    # project's parse: a cyclic collection set off by parsing a candidate file would walk all
    # of it (~100 ms each on 4,000 files) and free nothing. Reference counting frees the rest.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read_all(ctx)
    finally:
        if collecting:
            gc.enable()


def _read_all(ctx: FrameworkContext) -> FrameworkResult:
    out = Collector()
    for name, reader in READERS:
        try:
            reader(ctx, out)
        except (
            RecursionError,
            ValueError,
            TypeError,
            AttributeError,
            KeyError,
            IndexError,
        ) as error:
            # A reader bug or a pathological file must not stop the audit: say what was skipped.
            out.notes.append(f"the {name} reader stopped early: {type(error).__name__}: {error}")
    return out.result()


def reader_warnings(result: FrameworkResult) -> tuple[SourceWarning, ...]:
    """The unresolved strings as source warnings (file, line, what it would need)."""
    return tuple(
        SourceWarning(item.location.file, item.location.line, message)
        for item, message in zip(result.unresolved, result.unresolved_messages)
    )
