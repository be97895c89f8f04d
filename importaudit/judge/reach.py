"""Reachability: the first-party code a target runs at boot, and the chain that reaches each file."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Callable, Optional

from importaudit.model import Call, GuardKind, How, Import, ParsedFile, Scope
from importaudit.source.conditions import TargetEnv, branch_taken

MAIN_GUARD = "__name__ == '__main__'"

# A unit of code that runs: a file's module body (function None) or one function of it.
Unit = tuple[str, Optional[str]]


def runs_at_import(imp: Import | Call, env: TargetEnv, *, as_main: bool = False) -> bool:
    """Whether the statement executes when its enclosing unit runs (guards aside from try)."""
    if not imp.guards:
        return True
    if any(g.kind is GuardKind.TYPE_CHECKING for g in imp.guards):
        return False
    # `if __name__ == "__main__":` runs only in a file started as a script, its `else:` only in one
    # that is imported
    if any(g.kind is GuardKind.CONDITION and g.condition == MAIN_GUARD and g.negated == as_main
           for g in imp.guards):
        return False
    return branch_taken(imp.guards, env)


@dataclass
class FileIndex:
    """Per-file lookups built once: imports and calls grouped by the unit that runs them."""

    parsed: ParsedFile
    imports_by_unit: dict[Optional[str], list[Import]] = field(default_factory=dict)
    calls_by_unit: dict[Optional[str], list[Call]] = field(default_factory=dict)
    functions: frozenset[str] = frozenset()
    bindings: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, parsed: ParsedFile, extra: Sequence[Import] = ()) -> FileIndex:
        index = cls(parsed=parsed, functions=frozenset(parsed.functions), bindings=dict(parsed.bindings))
        for imp in (*parsed.imports, *extra):
            unit = imp.function if imp.scope is Scope.FUNCTION else None
            index.imports_by_unit.setdefault(unit, []).append(imp)
        for call in parsed.calls:
            index.calls_by_unit.setdefault(call.caller, []).append(call)
        return index

    def unit_bindings(self, function: Optional[str]) -> dict[str, str]:
        """Names bound by `from X import name` inside a function (factories import lazily)."""
        out: dict[str, str] = {}
        if function is None:
            return out
        for imp in self.imports_by_unit.get(function, ()):
            if imp.how is How.FROM and not imp.module.startswith("."):
                for name in imp.names:
                    out.setdefault(name, f"{imp.module}.{name}")
        return out


class Overlay(Mapping[str, FileIndex]):
    """`base` with some files' indexes replaced, leaving the others unbuilt (base may be lazy)."""

    def __init__(self, base: Mapping[str, FileIndex], extra: Mapping[str, FileIndex]) -> None:
        self._base = base
        self._extra = extra

    def __getitem__(self, path: str) -> FileIndex:
        found = self._extra.get(path)
        return self._base[path] if found is None else found

    def __contains__(self, path: object) -> bool:
        return path in self._extra or path in self._base

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._base, *self._extra]))

    def __len__(self) -> int:
        return len(set(self._base) | set(self._extra))


@dataclass(frozen=True)
class BootGraph:
    """What a target runs at boot."""

    parents: Mapping[str, Optional[str]]  # boot file -> the file that first imported it (None: an entry)
    units: frozenset[Unit]  # module bodies and functions that run at boot
    main_files: frozenset[str]  # files run as __main__ (python app.py)
    _chains: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    def chain(self, path: str) -> tuple[str, ...]:
        cache = self._chains
        found = cache.get(path)
        if found is None:
            found = cache[path] = self._chain(path)
        return found

    def _chain(self, path: str) -> tuple[str, ...]:
        out: list[str] = []
        seen: set[str] = set()
        node: Optional[str] = path
        while node is not None and node not in seen:
            seen.add(node)
            out.append(node)
            node = self.parents.get(node)
        return tuple(reversed(out))

    def reached(self, path: str) -> bool:
        return path in self.parents

    def runs(self, imp: Import) -> bool:
        """Whether this import's unit runs at boot."""
        unit = imp.function if imp.scope is Scope.FUNCTION else None
        return (imp.location.file, unit) in self.units


Resolver = Callable[[str], Optional[str]]


def module_files(dotted: str, resolve: Resolver) -> list[str]:
    """The files that `import a.b.c` runs: a/__init__, a/b/__init__, a/b/c (those that exist)."""
    parts = dotted.split(".")
    out: list[str] = []
    for i in range(1, len(parts) + 1):
        path = resolve(".".join(parts[:i]))
        if path is None:
            break
        if not path.endswith("/"):  # a namespace package directory runs nothing
            out.append(path)
    return out


def import_targets(imp: Import, resolve: Resolver) -> list[str]:
    """First-party files an import statement runs, in order."""
    if imp.module.startswith("."):
        return []
    files = module_files(imp.module, resolve)
    for name in imp.names:
        if name == "*":
            continue
        sub = resolve(f"{imp.module}.{name}")
        if sub is not None and not sub.endswith("/"):
            files.append(sub)
    return files


def compute_boot(
    files: Mapping[str, FileIndex],
    entry_units: Iterable[tuple[Unit, Optional[str]]],
    resolve: Resolver,
    env: TargetEnv,
    *,
    main_files: Iterable[str] = (),
    module_of: Mapping[str, str] = {},
) -> BootGraph:
    """Breadth-first from the entries; each unit is processed once (linear in imports + calls).

    entry_units: ((path, function-or-None), parent) pairs — a function unit for a factory the server calls.
    """
    main = frozenset(main_files)
    parents: dict[str, Optional[str]] = {}
    done: set[Unit] = set()
    queue: deque[tuple[Unit, Optional[str]]] = deque()

    def push(unit: Unit, parent: Optional[str]) -> None:
        path = unit[0]
        if path not in files:
            return
        if path not in parents:
            parents[path] = parent
            if unit[1] is not None:
                queue.append(((path, None), parent))
        if unit not in done:
            queue.append((unit, parent))

    for unit, parent in entry_units:
        push(unit, parent)

    while queue:
        unit, _parent = queue.popleft()
        if unit in done:
            continue
        done.add(unit)
        path, function = unit
        index = files[path]
        for imp in index.imports_by_unit.get(function, ()):
            if not runs_at_import(imp, env, as_main=path in main):
                continue
            for target in import_targets(imp, resolve):
                if target != path:
                    push((target, None), path)
        running = _running_bindings(index, env, path in main) if function is None else {}
        local = running or index.unit_bindings(function)
        for call in index.calls_by_unit.get(function, ()):
            if not runs_at_import(call, env, as_main=path in main):
                continue
            called = _resolve_call(call.callee, path, index, files, resolve, module_of, function, local)
            if called is not None:
                push(called, path if called[0] != path else parents.get(path))
    return BootGraph(parents=parents, units=frozenset(done), main_files=main)


def _running_bindings(index: FileIndex, env: TargetEnv, as_main: bool) -> dict[str, str]:
    """Module-level names that `from X import name` binds in a branch that runs for the target: a
    name bound in both arms of a version branch (`from fast import setup` / `from compat import
    setup`) is the running arm's, not the one written last."""
    out: dict[str, str] = {}
    for imp in index.imports_by_unit.get(None, ()):
        if imp.how is not How.FROM or imp.module.startswith("."):
            continue
        if not imp.guards:  # rebinds the name for every target: the file's own binding stands
            for name in imp.names:
                out.pop(name, None)
        elif runs_at_import(imp, env, as_main=as_main):
            for name in imp.names:
                out[name] = f"{imp.module}.{name}"
    return out


def _resolve_call(
    callee: str,
    path: str,
    index: FileIndex,
    files: Mapping[str, FileIndex],
    resolve: Resolver,
    module_of: Mapping[str, str],
    caller: Optional[str] = None,
    local: Mapping[str, str] = {},
) -> Optional[Unit]:
    """A call to a first-party function (or class: its __init__) -> the unit it runs."""
    if caller is not None and f"{caller}.{callee}" in index.functions:
        return (path, f"{caller}.{callee}")  # a nested function its parent calls
    if callee in index.functions:
        return (path, callee)
    if f"{callee}.__init__" in index.functions:
        return (path, f"{callee}.__init__")
    head, _, rest = callee.partition(".")
    bound = local.get(head) or index.bindings.get(head)
    if bound is None:
        return None
    dotted = f"{bound}.{rest}" if rest else bound
    # Split "pkg.mod.func" into the longest module prefix that is a first-party file.
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        target = resolve(".".join(parts[:cut]))
        if target is None or target.endswith("/") or target not in files:
            continue
        name = ".".join(parts[cut:])
        functions = files[target].functions
        if name in functions:
            return (target, name)
        if f"{name}.__init__" in functions:
            return (target, f"{name}.__init__")
        return None
    return None
