"""django-split-settings: `include("base.py", optional("x.py"))` runs files in the caller's namespace."""

from __future__ import annotations

import ast
import fnmatch
import posixpath
from collections.abc import Iterable
from typing import Callable, Optional

from importaudit.frameworks.context import FrameworkContext
from importaudit.frameworks.evaluate import Evaluator
from importaudit.frameworks.values import Text, dotted

# How a settings file calls it: `from split_settings.tools import include, optional`.
_INCLUDE_CALLS = frozenset({"include", "tools.include", "split_settings.tools.include"})


def uses_split_settings(tree: ast.Module) -> bool:
    """The file imports django-split-settings (so a bare `include(...)` is its include)."""
    return any(
        (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "split_settings")
        or (isinstance(node, ast.Import) and any(a.name.split(".")[0] == "split_settings" for a in node.names))
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
    )


def include_patterns(call: ast.Call, evaluator: Evaluator) -> Optional[list[tuple[Optional[str], bool]]]:
    """(glob pattern or None when unreadable, optional?) for each argument of an include() call;
    None when the call is not include()."""
    if dotted(call.func) not in _INCLUDE_CALLS:
        return None
    found: list[tuple[Optional[str], bool]] = []
    for arg in call.args:
        optional = False
        if isinstance(arg, ast.Call) and (dotted(arg.func) or "").rsplit(".", 1)[-1] == "optional" and arg.args:
            optional, arg = True, arg.args[0]
        value = evaluator.value(arg)
        found.append((value.value if isinstance(value, Text) else None, optional))
    return found


def included_files(pattern: str, including: str, files: Iterable[str]) -> list[str]:
    """The project files a pattern names, relative to the including file's folder (glob: `*`
    does not cross a `/`), in sorted order."""
    full = posixpath.normpath(posixpath.join(posixpath.dirname(including), pattern))
    if full.startswith(".."):
        return []
    depth = full.count("/")
    return sorted(f for f in files if f.count("/") == depth and fnmatch.fnmatchcase(f, full))


class SplitSettings:
    """Runs the files a django-split-settings `include()` names in the including module's namespace,
    where the call stands: later assignments of the includer override theirs, as at runtime."""

    def __init__(
        self, ctx: FrameworkContext, files: list[str], notes: list[str], included: list[tuple[str, int, str]],
        evaluator: Evaluator,
        on_import: Callable[[ast.ImportFrom, bool], None], decide: Callable[[ast.expr], Optional[bool]], path: str,
    ) -> None:
        self.ctx, self.files, self.notes, self.evaluator = ctx, files, notes, evaluator
        self.included = included  # (including file, line of its include() call, included file)
        self.on_import, self.decide = on_import, decide
        self.including = [path]  # the file whose folder relative patterns start from
        self.done: set[str] = {path}

    def attach(self) -> None:
        self.evaluator.on_call = self.include

    def include(self, call: ast.Call) -> bool:
        patterns = include_patterns(call, self.evaluator)
        if patterns is None:
            return False
        here = self.including[-1]
        project = self.ctx.parsed.keys() if self.ctx.parsed else self.ctx.trees.keys()
        for pattern, optional in patterns:
            if pattern is None:
                self.notes.append(
                    f"{here}:{call.lineno}: include() names a file importaudit cannot read: its values are unknown"
                )
                continue
            found = included_files(pattern, here, project)
            if not found and not optional:
                self.notes.append(
                    f"{here}:{call.lineno}: include({pattern!r}) matches no file of the project")
            for path in found:
                if path not in self.done:
                    self.included.append((here, call.lineno, path))
                self._run(path)
        return True

    def _run(self, path: str) -> None:
        tree = self.ctx.tree(path)
        if tree is None or path in self.done:  # split-settings includes each file once
            return
        self.done.add(path)
        if path not in self.files:
            self.files.append(path)
        saved = self.evaluator.file
        self.evaluator.file, self.including = path, [*self.including, path]
        try:
            self.evaluator.run(tree.body, self.on_import, self.decide)
        finally:
            self.evaluator.file, self.including = saved, self.including[:-1]
