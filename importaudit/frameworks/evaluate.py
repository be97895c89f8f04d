"""Evaluate a file's expressions and simple statements into static values."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Callable, Optional

from importaudit.frameworks.values import (
    HOLE,
    CallValue,
    Const,
    Dict,
    EnvRead,
    Namespace,
    Seq,
    Text,
    Value,
    catches_import_error,
    dotted,
)
from importaudit.model import Guard, GuardKind

_ENV_GETTERS = frozenset({"os.environ.get", "environ.get", "os.getenv", "getenv"})
_ENV_SETDEFAULT = frozenset({"os.environ.setdefault", "environ.setdefault"})
_ENV_MAPPINGS = frozenset({"os.environ", "environ"})
# python-decouple `config("X", default=...)`, django-environ `env("X", default=...)`, `env.str`
_CONFIG_READERS = frozenset({"config", "env", "env.str", "env.get_value"})
# django-environ `env.bool("X")`, environs `env.bool`, pydantic-less helpers: a boolean setting
_BOOL_READERS = frozenset({"env.bool", "env.get_bool", "config.bool"})


class Evaluator:
    """Evaluates expressions of one file against a namespace of module-level bindings."""

    def __init__(self, file: str, namespace: Optional[Namespace] = None) -> None:
        self.file = file
        self.namespace: Namespace = dict(namespace or {})
        self.guards: tuple[Guard, ...] = ()
        # A statement-level call a reader runs itself (django-split-settings `include("base.py")`
        # executes files in this namespace): True when it handled the call.
        self.on_call: Optional[Callable[[ast.Call], bool]] = None

    # -- expressions -------------------------------------------------------------------------

    def value(self, node: Optional[ast.expr]) -> Optional[Value]:
        """The static value of an expression, or None when it is not knowable."""
        if node is None:
            return None
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return Text(node.value, self.file, node.lineno, node.col_offset, self.guards)
            if node.value is None or isinstance(node.value, (bool, int, float)):
                return Const(node.value)
            return None
        if isinstance(node, ast.Name):
            return self.namespace.get(node.id)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return self._sequence(node.elts)
        if isinstance(node, ast.Dict):
            return self._dict(node)
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node)
        if isinstance(node, ast.BinOp):
            return self._binop(node)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return self._or(node)
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        return None

    def _sequence(self, elements: list[ast.expr]) -> Optional[Value]:
        items: list[Optional[Value]] = []
        for element in elements:
            if isinstance(element, ast.Starred):
                inner = self.value(element.value)
                # `[*EXTRA, "app"]` with EXTRA unreadable: the literal elements still stand, and
                # one unknown element marks what could not be read (as `BASE + env.list(...)`).
                items.extend(inner.items if isinstance(inner, Seq) else (None,))
            else:
                items.append(self.value(element))
        return Seq(tuple(items))

    def _dict(self, node: ast.Dict) -> Optional[Value]:
        result = Dict(())
        for key, item in zip(node.keys, node.values):
            if key is None:  # {**BASE, ...}
                inner = self.value(item)
                if isinstance(inner, Dict):
                    result = result.merged(inner)
                continue
            key_value = self.value(key)
            if isinstance(key_value, Text):
                result = result.set(key_value.value, self.value(item))
        return result

    def _fstring(self, node: ast.JoinedStr) -> Optional[Value]:
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
            else:
                inner = self.value(part.value) if isinstance(part, ast.FormattedValue) else None
                parts.append(inner.value if isinstance(inner, Text) else HOLE)
        return Text("".join(parts), self.file, node.lineno, node.col_offset, self.guards)

    def _binop(self, node: ast.BinOp) -> Optional[Value]:
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(node.op, ast.Add):
            if isinstance(left, Seq) and isinstance(right, Seq):
                return Seq(left.items + right.items)
            # `BASE + env.list("EXTRA_APPS")`, `_base() + [...]`: keep every literal element, and
            # one unknown (None) element for the part that cannot be read.
            if isinstance(left, Seq) and _unknown_list(right):
                return Seq((*left.items, None))
            if isinstance(right, Seq) and _unknown_list(left):
                return Seq((None, *right.items))
            if isinstance(left, Text):
                tail = right.value if isinstance(right, Text) else HOLE
                return replace(left, value=left.value + tail)
            if isinstance(right, Text) and left is None:
                return replace(right, value=HOLE + right.value)
        if isinstance(node.op, ast.BitOr) and isinstance(left, Dict) and isinstance(right, Dict):
            return left.merged(right)
        if isinstance(node.op, ast.Mod) and isinstance(left, Text):
            return left  # "postgresql://%s" % x: the scheme is what matters
        return None

    def _or(self, node: ast.BoolOp) -> Optional[Value]:
        first = self.value(node.values[0])
        rest = self.value(node.values[1]) if len(node.values) > 1 else None
        if isinstance(first, EnvRead) and first.default is None:
            return replace(first, default=rest)
        return first if first is not None else rest

    def _subscript(self, node: ast.Subscript) -> Optional[Value]:
        key = self.value(node.slice)  # Python 3.9+: the slice is the expression itself
        if dotted(node.value) in _ENV_MAPPINGS and isinstance(key, Text):
            return EnvRead(key.value, None, self.file, node.lineno)
        container = self.value(node.value)
        if isinstance(container, Dict) and isinstance(key, Text):
            return container.get(key.value)
        if (
            isinstance(container, Seq)
            and isinstance(key, Const)
            and isinstance(key.value, int)
            and -len(container.items) <= key.value < len(container.items)
        ):
            return container.items[key.value]
        return None

    def _call(self, node: ast.Call) -> Optional[Value]:
        callee = dotted(node.func) or ""
        args = tuple(self.value(arg) for arg in node.args if not isinstance(arg, ast.Starred))
        kwargs = tuple((kw.arg, self.value(kw.value)) for kw in node.keywords if kw.arg)
        first = args[0] if args else None
        if callee in _ENV_GETTERS | _ENV_SETDEFAULT | _CONFIG_READERS and isinstance(first, Text):
            default = args[1] if len(args) > 1 else dict(kwargs).get("default")
            cast = "bool" if any(kw.arg == "cast" and dotted(kw.value) == "bool" for kw in node.keywords) else ""
            return EnvRead(first.value, default, self.file, node.lineno, cast)
        if callee in _BOOL_READERS and isinstance(first, Text):
            default = args[1] if len(args) > 1 else dict(kwargs).get("default")
            return EnvRead(first.value, default, self.file, node.lineno, "bool")
        if callee in {"dict", "collections.OrderedDict", "OrderedDict"} and not node.args:
            return Dict(kwargs)
        if callee in {"list", "tuple", "set"} and isinstance(first, Seq):
            return first
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return self.value(node.func.value)  # "postgresql://{}".format(...): keep the literal
        if callee in {"str", "Path", "pathlib.Path"}:
            return first
        return CallValue(callee, args, kwargs, self.file, node.lineno)

    # -- statements --------------------------------------------------------------------------

    def apply(self, stmt: ast.stmt) -> None:
        """Update the namespace with one simple statement (assignment or list/dict mutation)."""
        if isinstance(stmt, ast.Assign):
            value = self.value(stmt.value)
            for target in stmt.targets:
                self._assign(target, value)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._assign(stmt.target, self.value(stmt.value))
        elif isinstance(stmt, ast.AugAssign):
            combined = ast.BinOp(left=stmt.target, op=stmt.op, right=stmt.value)
            ast.copy_location(combined, stmt)
            self._assign(stmt.target, self.value(combined))
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self._mutate(stmt.value)

    def _assign(self, target: ast.expr, value: Optional[Value]) -> None:
        if isinstance(target, ast.Name):
            if value is None:
                self.namespace.pop(target.id, None)
            else:
                self.namespace[target.id] = value
        elif isinstance(target, ast.Subscript):
            self._store_path(target.value, self.value(target.slice), value)

    def _store_path(self, container: ast.expr, key: Optional[Value], value: Optional[Value]) -> None:
        """`D["a"]["b"] = v`: rebuild the nested dicts from the root name down."""
        current = self.value(container)
        if not isinstance(current, Dict) or not isinstance(key, Text):
            return
        updated = current.set(key.value, value)
        if isinstance(container, ast.Name):
            self.namespace[container.id] = updated
        elif isinstance(container, ast.Subscript):
            self._store_path(container.value, self.value(container.slice), updated)

    def _mutate(self, call: ast.Call) -> None:
        func = call.func
        if not isinstance(func, ast.Attribute):
            return
        current = self.value(func.value)
        args = [self.value(arg) for arg in call.args]
        updated: Optional[Value] = None
        if isinstance(func.value, ast.Name) and func.attr in _LIST_GROWERS and (
            isinstance(current, (CallValue, EnvRead)) or (current is None and func.value.id.isupper())
        ):
            current = Seq((None,))  # MIDDLEWARE = _base(); MIDDLEWARE.append(...): a list of unknowns
        if isinstance(current, Seq):
            updated = _mutated_seq(current, func.attr, args)
        elif isinstance(current, Dict) and func.attr == "update":
            update = (
                args[0] if args else Dict(tuple((kw.arg, self.value(kw.value)) for kw in call.keywords if kw.arg))
            )
            updated = current.merged(update) if isinstance(update, Dict) else current.set("**", update)
        elif isinstance(current, Dict) and func.attr == "setdefault" and len(args) == 2:
            key = args[0]
            if isinstance(key, Text) and current.get(key.value) is None:
                updated = current.set(key.value, args[1])
        if updated is not None:
            self._assign(func.value, updated)

    def run(
        self,
        body: list[ast.stmt],
        on_import: Optional[Callable[[ast.ImportFrom, bool], None]] = None,
        decide: Optional[Callable[[ast.expr], Optional[bool]]] = None,
    ) -> None:
        """Run a module body: assignments, if/else (decided or both), try bodies, star imports.

        Strings read inside an undecided `if` or a `try/except ImportError` body carry that
        guard (`Text.guards`), so what they name keeps the condition it depends on.
        """
        for stmt in body:
            if isinstance(stmt, ast.ImportFrom):
                if on_import is not None:
                    guarded = any(g.kind is GuardKind.EXCEPT_IMPORT for g in self.guards)
                    on_import(stmt, guarded)
            elif isinstance(stmt, ast.If):
                self._run_if(stmt, on_import, decide)
            elif isinstance(stmt, ast.Try):
                caught = Guard(GuardKind.EXCEPT_IMPORT, line=stmt.lineno)
                self._run_guarded(stmt.body, on_import, decide, caught if catches_import_error(stmt) else None)
                self.run(stmt.orelse, on_import, decide)
                self.run(stmt.finalbody, on_import, decide)
            elif isinstance(stmt, ast.With):
                self.run(stmt.body, on_import, decide)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and self.on_call is not None \
                    and self.on_call(stmt.value):
                continue
            else:
                self.apply(stmt)

    def _run_if(
        self,
        stmt: ast.If,
        on_import: Optional[Callable[[ast.ImportFrom, bool], None]],
        decide: Optional[Callable[[ast.expr], Optional[bool]]],
    ) -> None:
        """The branch the environment decides; else both, each value being either branch's."""
        verdict = decide(stmt.test) if decide is not None else None
        if verdict is not None:
            self.run(stmt.body if verdict else stmt.orelse, on_import, decide)
            return
        condition = ast.unparse(stmt.test)
        before = dict(self.namespace)
        yes = Guard(GuardKind.CONDITION, condition=condition, line=stmt.lineno)
        self._run_guarded(stmt.body, on_import, decide, yes)
        after_body, self.namespace = self.namespace, before
        no = Guard(GuardKind.CONDITION, condition=condition, negated=True, line=stmt.lineno)
        self._run_guarded(stmt.orelse, on_import, decide, no)
        names = [*after_body, *(name for name in self.namespace if name not in after_body)]
        merged: Namespace = {}
        for name in names:
            value = _either(after_body.get(name), self.namespace.get(name))
            if value is not None:
                merged[name] = value
        self.namespace = merged

    def _run_guarded(
        self,
        body: list[ast.stmt],
        on_import: Optional[Callable[[ast.ImportFrom, bool], None]],
        decide: Optional[Callable[[ast.expr], Optional[bool]]],
        guard: Optional[Guard],
    ) -> None:
        saved = self.guards
        if guard is not None:
            self.guards = (*saved, guard)
        try:
            self.run(body, on_import, decide)
        finally:
            self.guards = saved


# List methods that add elements: applied to a list whose start is unknown, they still add.
_LIST_GROWERS = frozenset({"append", "extend", "insert"})


def _unknown_list(value: Optional[Value]) -> bool:
    """A value that may be a list importaudit cannot read (a call, an environment read, unknown)."""
    return value is None or isinstance(value, (CallValue, EnvRead))


def _mutated_seq(current: Seq, method: str, args: list[Optional[Value]]) -> Optional[Seq]:
    if method == "append" and len(args) == 1:
        return Seq((*current.items, args[0]))
    if method == "extend" and len(args) == 1 and isinstance(args[0], Seq):
        return Seq(current.items + args[0].items)
    if method == "insert" and len(args) == 2:
        index = args[0]
        position = index.value if isinstance(index, Const) and isinstance(index.value, int) else len(current.items)
        items = list(current.items)
        items.insert(position, args[1])
        return Seq(tuple(items))
    if method == "remove" and len(args) == 1 and isinstance(args[0], Text):
        gone = args[0].value
        return Seq(tuple(item for item in current.items if not (isinstance(item, Text) and item.value == gone)))
    return None


def _either(first: Optional[Value], second: Optional[Value]) -> Optional[Value]:
    """A value that may be either branch's: lists united, dicts merged key by key."""
    if first is None:
        return second
    if second is None or first == second:
        return first
    if isinstance(first, Seq) and isinstance(second, Seq):
        return Seq(first.items + tuple(item for item in second.items if item not in first.items))
    if isinstance(first, Dict) and isinstance(second, Dict):
        merged = first
        for key, value in second.entries:
            old = first.get(key)
            merged = merged.set(key, value if old is None or value is None else _either(old, value))
        return merged
    return second
