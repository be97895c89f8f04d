"""Every statement of a module with where it runs: scope, enclosing function, guards."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from importaudit.frameworks.evaluate import Evaluator
from importaudit.frameworks.values import Namespace, catches_import_error, dotted
from importaudit.model import Guard, GuardKind, Scope

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


@dataclass(frozen=True)
class Placed:
    """One statement and the context it runs in (what an Import records about its position)."""

    node: ast.stmt
    scope: Scope
    function: Optional[str]
    guards: tuple[Guard, ...]

    @property
    def at_import(self) -> bool:
        """True when the statement runs while its module is imported."""
        return self.scope is not Scope.FUNCTION


def placed_statements(tree: ast.Module) -> Iterator[Placed]:
    """Depth-first, in source order: every statement, including those in defs and classes."""
    yield from _walk(tree.body, Scope.MODULE, None, (), ())


def _walk(
    body: list[ast.stmt],
    scope: Scope,
    function: Optional[str],
    guards: tuple[Guard, ...],
    qual: tuple[str, ...],
) -> Iterator[Placed]:
    for stmt in body:
        yield Placed(stmt, scope, function, guards)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = ".".join((*qual, stmt.name))
            yield from _walk(stmt.body, Scope.FUNCTION, name, guards, (*qual, stmt.name))
        elif isinstance(stmt, ast.ClassDef):
            inner = Scope.CLASS if scope is not Scope.FUNCTION else scope
            yield from _walk(stmt.body, inner, function, guards, (*qual, stmt.name))
        elif isinstance(stmt, ast.If):
            yield from _walk_if(stmt, scope, function, guards, qual)
        elif isinstance(stmt, ast.Try):
            caught = catches_import_error(stmt)
            inner_guards = (*guards, Guard(GuardKind.EXCEPT_IMPORT, line=stmt.lineno)) if caught else guards
            yield from _walk(stmt.body, scope, function, inner_guards, qual)
            for handler in stmt.handlers:
                handler_guards = (*guards, Guard(GuardKind.HANDLER, line=handler.lineno)) if caught else guards
                yield from _walk(handler.body, scope, function, handler_guards, qual)
            yield from _walk(stmt.orelse, scope, function, guards, qual)
            yield from _walk(stmt.finalbody, scope, function, guards, qual)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            yield from _walk(stmt.body, scope, function, _with_guards(stmt, guards), qual)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            yield from _walk(stmt.body, scope, function, guards, qual)
            yield from _walk(stmt.orelse, scope, function, guards, qual)


def _walk_if(
    stmt: ast.If,
    scope: Scope,
    function: Optional[str],
    guards: tuple[Guard, ...],
    qual: tuple[str, ...],
) -> Iterator[Placed]:
    test = dotted(stmt.test)
    if test in {"TYPE_CHECKING", "typing.TYPE_CHECKING"}:
        yield from _walk(
            stmt.body,
            scope,
            function,
            (*guards, Guard(GuardKind.TYPE_CHECKING, line=stmt.lineno)),
            qual,
        )
        yield from _walk(stmt.orelse, scope, function, guards, qual)
        return
    # Every test becomes a CONDITION guard: the rules evaluate version/platform tests for the
    # target and treat any other test (DEBUG, env reads) as a branch that may be taken.
    condition = ast.unparse(stmt.test)
    yes = Guard(GuardKind.CONDITION, condition=condition, line=stmt.lineno)
    no = Guard(GuardKind.CONDITION, condition=condition, negated=True, line=stmt.lineno)
    yield from _walk(stmt.body, scope, function, (*guards, yes), qual)
    yield from _walk(stmt.orelse, scope, function, (*guards, no), qual)


def _with_guards(stmt: ast.With | ast.AsyncWith, guards: tuple[Guard, ...]) -> tuple[Guard, ...]:
    for item in stmt.items:
        call = item.context_expr
        if (
            isinstance(call, ast.Call)
            and dotted(call.func) in {"suppress", "contextlib.suppress"}
            and any(dotted(arg) in _IMPORT_ERRORS for arg in call.args)
        ):
            return (*guards, Guard(GuardKind.SUPPRESS, line=stmt.lineno))
    return guards


def module_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Statements that run at import: the module body with if/try/with bodies, not defs."""
    for placed in placed_statements(tree):
        if placed.scope is Scope.MODULE:
            yield placed.node


_Function = (ast.FunctionDef, ast.AsyncFunctionDef)


class FileScan:
    """One parsed file: its placed statements and evaluators for module or function scope."""

    def __init__(self, path: str, tree: ast.Module) -> None:
        self.path = path
        self._tree = tree
        self.placed: list[Placed] = list(placed_statements(tree))
        module = Evaluator(path)
        module.run(tree.body)  # both branches of every if: a config's values, whichever runs
        self.module_namespace: Namespace = module.namespace
        self._local: dict[str, Namespace] = {}
        self._bodies: dict[str, list[ast.stmt]] = {}
        self._calls: Optional[list[tuple[Placed, ast.Call]]] = None
        for placed in self.placed:
            if placed.function is not None and not isinstance(placed.node, _Function):
                self._bodies.setdefault(placed.function, []).append(placed.node)

    def evaluator(self, placed: Placed) -> Evaluator:
        """Module bindings, plus the enclosing function's own simple assignments."""
        if placed.function is None:
            return Evaluator(self.path, self.module_namespace)
        local = self._local.get(placed.function)
        if local is None:
            evaluator = Evaluator(self.path, self.module_namespace)
            for stmt in self._bodies.get(placed.function, ()):
                evaluator.apply(stmt)
            local = self._local[placed.function] = evaluator.namespace
        return Evaluator(self.path, local)

    def calls(self) -> list[tuple[Placed, ast.Call]]:
        """Every call with the statement holding it (nested statements report their own)."""
        if self._calls is None:
            self._calls = _calls_by_statement(self._tree, self.placed)
        return self._calls


def _subclasses(*bases: type) -> frozenset[type]:
    found: set[type] = set()
    todo = list(bases)
    while todo:
        base = todo.pop()
        found.add(base)
        todo.extend(base.__subclasses__())
    return frozenset(found)


# Field values that hold no call: leaves and plain data. Checked by exact type (a set lookup),
# which is what makes one pass over a big settings file cost about a millisecond.
_NO_CALLS = _subclasses(ast.Name, ast.Constant, ast.expr_context, ast.operator, ast.cmpop, ast.unaryop) | {
    *_subclasses(ast.boolop, ast.alias),
    str,
    bytes,
    int,
    float,
    complex,
    bool,
    type(None),
    type(...),
}
_STATEMENTS = _subclasses(ast.stmt)


def _calls_by_statement(tree: ast.Module, placed: list[Placed]) -> list[tuple[Placed, ast.Call]]:
    """One pass over the tree: each call with the innermost placed statement that holds it.

    Statements `placed_statements` does not descend into (the cases of a `match`) own nothing,
    so their calls are left out, as a reader of placed statements never sees them either.
    """
    owner_of = {id(item.node): item for item in placed}
    found: list[tuple[Placed, ast.Call]] = []
    stack: list[tuple[Any, Optional[Placed]]] = [(stmt, owner_of.get(id(stmt))) for stmt in tree.body]
    while stack:
        node, owner = stack.pop()
        if owner is None:
            continue
        if type(node) is ast.Call:
            found.append((owner, node))
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    kind = type(item)
                    if kind not in _NO_CALLS:
                        stack.append((item, owner_of.get(id(item)) if kind in _STATEMENTS else owner))
            elif type(value) not in _NO_CALLS:
                stack.append((value, owner_of.get(id(value)) if type(value) in _STATEMENTS else owner))
    found.sort(key=lambda pair: (pair[1].lineno, pair[1].col_offset))
    return found


def all_calls(tree: ast.AST) -> list[ast.Call]:
    """Every call anywhere in the tree (as `ast.walk` finds them), in source order, fast."""
    found: list[ast.Call] = []
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if type(node) is ast.Call:
            found.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                stack.extend(item for item in value if type(item) not in _NO_CALLS)
            elif type(value) not in _NO_CALLS:
                stack.append(value)
    found.sort(key=lambda call: (call.lineno, call.col_offset))
    return found


def phase_of(placed: Placed) -> str:
    """ "boot" for code that runs at import; "request" inside a function (reach may promote it)."""
    return "boot" if placed.at_import else "request"
