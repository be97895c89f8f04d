"""Availability and version flags: which names say that an import worked, and what an `if` on them guards."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Callable, Optional, TypeVar

from importaudit.model import Call, Guard, GuardKind, Import, ParsedFile
from importaudit.source.syntax import dotted_name

# Calls that answer "would this import work?" without importing: `find_spec("orjson")`.
PROBES = frozenset({"importlib.util.find_spec", "importlib.find_loader", "pkgutil.find_loader"})
AVAILABLE_PREFIX = "available:"

# A fact an `if` test establishes in one of its branches: (the flag's modules, whether they import).
Fact = tuple[tuple[str, ...], bool]


@dataclass
class ModuleFlags:
    """What one module's names say: `ujson` (None when missing), `HAS_X`, `PY311`."""

    # name -> modules that all imported when the name is truthy (a module, True, a find_spec hit)
    available: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # name -> the version/platform test it holds (`sys.version_info >= (3, 11)`)
    conditions: dict[str, str] = field(default_factory=dict)

    def exported(self) -> tuple[tuple[str, str], ...]:
        out = [(name, AVAILABLE_PREFIX + ",".join(mods)) for name, mods in self.available.items()]
        out += list(self.conditions.items())
        return tuple(sorted(out))


def _constant(node: Optional[ast.AST]) -> object:
    return node.value if isinstance(node, ast.Constant) else ...


def probe_module(value: ast.expr, canonical: Callable[[str], str]) -> Optional[str]:
    """`find_spec("x") is not None`, `bool(find_spec("x"))`, `find_spec("x")` -> "x"."""
    if (
        isinstance(value, ast.Compare)
        and len(value.ops) == 1
        and isinstance(value.ops[0], (ast.IsNot, ast.NotEq))
        and _constant(value.comparators[0]) is None
    ):
        value = value.left
    if isinstance(value, ast.Call) and dotted_name(value.func) == "bool" and len(value.args) == 1:
        value = value.args[0]
    if not isinstance(value, ast.Call) or not value.args:
        return None
    callee = dotted_name(value.func)
    name = _constant(value.args[0])
    if callee is None or canonical(callee) not in PROBES or not isinstance(name, str):
        return None
    return name if name and all(part.isidentifier() for part in name.split(".")) else None


def _import_names(statement: ast.stmt) -> dict[str, str]:
    """Names a statement binds by importing -> the module whose import binds them."""
    if isinstance(statement, ast.Import):
        return {
            (alias.asname or alias.name.partition(".")[0]): alias.name for alias in statement.names
        }
    if isinstance(statement, ast.ImportFrom) and not statement.level and statement.module:
        return {(alias.asname or alias.name): statement.module for alias in statement.names if alias.name != "*"}
    return {}


def _assigned(statement: ast.stmt) -> dict[str, object]:
    """`NAME = <constant>` (also `A = B = None`) -> {NAME: constant}; `...` for non-constants."""
    if isinstance(statement, ast.Assign):
        value = _constant(statement.value)
        return {t.id: value for t in statement.targets if isinstance(t, ast.Name)}
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
        return {statement.target.id: _constant(statement.value)}
    return {}


def try_flags(
    node: ast.Try, catches: Callable[[Optional[ast.expr]], bool], preset: frozenset[str] = frozenset()
) -> dict[str, tuple[str, ...]]:
    """Names whose truth says the `try` body's imports worked.

    `try: import ujson / except ImportError: ujson = None` and `try: import x; HAS_X = True /
    except ImportError: HAS_X = False` (the `True` may sit in the `else:` clause, the `False`
    before the try: `preset` holds the names bound to None/False there).
    """
    imported: dict[str, str] = {}
    truthy: set[str] = set()
    for statement in [*node.body, *node.orelse]:
        imported.update(_import_names(statement))
        truthy.update(name for name, value in _assigned(statement).items() if value is True)
    if not imported:
        return {}
    falsy: Optional[set[str]] = None
    for handler in node.handlers:
        if not catches(handler.type):
            continue
        bound = {name: value for s in handler.body for name, value in _assigned(s).items()}
        rebound = {name for s in handler.body for name in _import_names(s)}
        names = {name for name, value in bound.items() if value is None or value is False}
        names |= {name for name in preset & truthy if name not in bound and name not in rebound}
        falsy = names if falsy is None else falsy & names
    if not falsy:
        return {}
    modules = tuple(sorted(set(imported.values())))
    out: dict[str, tuple[str, ...]] = {name: (imported[name],) for name in falsy if name in imported}
    out.update({name: modules for name in falsy if name in truthy})
    return out


def facts(test: ast.expr, known: Mapping[str, tuple[str, ...]], canonical: Callable[[str], str]) -> tuple[
    list[Fact], list[Fact]
]:
    """What the if's body and its else may assume about flags: `if a and b` -> both imported."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        body, orelse = facts(test.operand, known, canonical)
        return orelse, body
    if isinstance(test, ast.BoolOp):
        parts = [facts(value, known, canonical) for value in test.values]
        if isinstance(test.op, ast.And):  # the body knows every part; the else only one of them
            return [f for body, _ in parts for f in body], (parts[0][1] if len(parts) == 1 else [])
        return (parts[0][0] if len(parts) == 1 else []), [f for _, orelse in parts for f in orelse]
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and _constant(test.comparators[0]) is None:
        if isinstance(test.ops[0], (ast.IsNot, ast.NotEq)):
            return facts(test.left, known, canonical)
        if isinstance(test.ops[0], (ast.Is, ast.Eq)):
            body, orelse = facts(test.left, known, canonical)
            return orelse, body
    if isinstance(test, ast.Attribute) and test.attr == "compiled":
        # `if cython.compiled:` is true only inside a module Cython compiled: cython is there.
        base = dotted_name(test.value)
        if base is not None and "cython" in (base.rpartition(".")[2], canonical(base)):
            return [(("cython",), True)], []
    name = dotted_name(test)
    if name is not None and name in known:
        return [(known[name], True)], [(known[name], False)]
    probe = probe_module(test, canonical)
    if probe is not None:
        return [((probe,), True)], [((probe,), False)]
    return [], []


def guards_of(found: list[Fact], line: int) -> list[Guard]:
    return [
        Guard(GuardKind.AVAILABLE, condition=",".join(modules), negated=not ok, line=line)
        for modules, ok in dict.fromkeys(found)
    ]


# -- across modules: `from .compat import PY311, HAS_UJSON` ---------------------------------------


def _flag_table(parsed: Mapping[str, ParsedFile]) -> dict[str, str]:
    """"pkg.compat.PY311" -> its test; re-exports (`from ._compat import PY311`) followed."""
    table: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for pf in parsed.values():
        if pf.module is None:
            continue
        for name, value in pf.flags:
            table[f"{pf.module}.{name}"] = value
        for name, target in pf.bindings:
            aliases.setdefault(f"{pf.module}.{name}", target)
    for key, target in aliases.items():
        seen = 0
        while target not in table and target in aliases and seen < 8:
            target, seen = aliases[target], seen + 1
        if key not in table and target in table:
            table[key] = table[target]
    return table


class _Substitute(ast.NodeTransformer):
    def __init__(self, table: Mapping[str, str]) -> None:
        self.table = table
        self.changed = False

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        return (self._swap(node) if isinstance(node.ctx, ast.Load) else None) or self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return (self._swap(node) if isinstance(node.ctx, ast.Load) else None) or node

    def _swap(self, node: ast.expr) -> Optional[ast.expr]:
        value = self.table.get(dotted_name(node) or "")
        if value is None or value.startswith(AVAILABLE_PREFIX):
            return None
        self.changed = True
        return ast.parse(value, mode="eval").body


# A resolved test: (kind, condition, negated) of the guard it becomes.
_Test = tuple[GuardKind, Optional[str], bool]
_Memo = dict[tuple[str, bool], _Test]


def _resolve_guard(
    guard: Guard, table: Mapping[str, str], available: Mapping[str, tuple[str, ...]], memo: _Memo
) -> Guard:
    if guard.kind is not GuardKind.CONDITION or not guard.condition:
        return guard
    # The same test text stands on many statements (`if TYPE_CHECKING`-like flags, a compat
    # module's PY311 in every file): each distinct text is parsed and resolved once per run.
    key = (guard.condition, guard.negated)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _resolve_test(guard.condition, guard.negated, table, available)
    if found == (guard.kind, guard.condition, guard.negated):
        return guard
    kind, condition, negated = found
    return replace(guard, kind=kind, condition=condition, negated=negated)


def _resolve_test(
    condition: str, negated: bool, table: Mapping[str, str], available: Mapping[str, tuple[str, ...]]
) -> _Test:
    unchanged = (GuardKind.CONDITION, condition, negated)
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError:
        return unchanged
    body, orelse = facts(tree.body, available, lambda name: name)
    known = orelse if negated else body
    if len(known) == 1 and (body or orelse) and not any(isinstance(n, ast.BoolOp) for n in ast.walk(tree)):
        (modules, ok), = known
        return GuardKind.AVAILABLE, ",".join(modules), not ok
    swap = _Substitute(table)
    tree = swap.visit(tree)
    return (GuardKind.CONDITION, ast.unparse(tree), negated) if swap.changed else unchanged


def resolve_imported_flags(parsed: Mapping[str, ParsedFile]) -> dict[str, ParsedFile]:
    """Tests on flags another project module defines become the tests those flags hold."""
    resolver = FlagResolver(parsed)
    return {path: resolver.resolve(pf) for path, pf in parsed.items()}


class FlagResolver:
    """The project's flag table, built once, applied to any file's guards (also to a file whose
    full facts are read later than the others: parsing.FileFacts)."""

    def __init__(self, parsed: Mapping[str, ParsedFile]) -> None:
        self.table = _flag_table(parsed)
        self.available = {
            key: tuple(value[len(AVAILABLE_PREFIX) :].split(","))
            for key, value in self.table.items()
            if value.startswith(AVAILABLE_PREFIX)
        }
        self.memo: _Memo = {}

    def resolve(self, pf: ParsedFile) -> ParsedFile:
        if not self.table:
            return pf
        imports = tuple(_resolved(item, self.table, self.available, self.memo) for item in pf.imports)
        calls = tuple(_resolved(item, self.table, self.available, self.memo) for item in pf.calls)
        changed = imports != pf.imports or calls != pf.calls
        return replace(pf, imports=imports, calls=calls) if changed else pf


_Item = TypeVar("_Item", Import, Call)


def _resolved(
    item: _Item, table: Mapping[str, str], available: Mapping[str, tuple[str, ...]], memo: _Memo
) -> _Item:
    if not any(g.kind is GuardKind.CONDITION for g in item.guards):
        return item
    guards = tuple(_resolve_guard(g, table, available, memo) for g in item.guards)
    return item if guards == item.guards else replace(item, guards=guards)


def branch_runs(item: Import | Call, available: Callable[[str], bool]) -> bool:
    """False when an availability guard says the branch holding `item` never runs on the target."""
    for guard in item.guards:
        if guard.kind is GuardKind.AVAILABLE and guard.condition:
            ok = all(available(module) for module in guard.condition.split(","))
            if ok == guard.negated:
                return False
    return True


def handler_needed(item: Import, fallback: Mapping[int, bool]) -> bool:
    """An import in `except ImportError:` handlers (nested: a fallback chain) runs only when the
    import of every try around it failed."""
    return all(fallback.get(g.line, True) for g in item.guards if g.kind is GuardKind.HANDLER)
