"""The guards of branches: try/except ImportError, if-tests on versions, flags and configuration."""

from __future__ import annotations

import ast
import copy
from typing import Optional, Union

from importaudit.model import Guard, GuardKind, Scope
from importaudit.source.flags import ModuleFlags, facts, guards_of, probe_module, try_flags
from importaudit.source.syntax import GrammarVisitor, dotted_name

# Handlers that catch a failed import: `except (ImportError, KeyError):` counts, `except KeyError:`
# does not.
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# Names whose test decides a branch for the target interpreter (conditions.evaluate reads them).
_CONDITION_NAMES = (
    "sys.version_info", "sys.platform", "os.name", "platform.system", "os.environ", "os.getenv", "sys.argv",
)
# Dotted names whose segments say they hold configuration: `settings.DEBUG`, `app.config["X"]`.
_CONFIG_SEGMENTS = frozenset({"settings", "config", "conf", "configuration"})
CONDITION_MODULES = frozenset({"sys", "os", "platform"})
MAIN_CONDITION = "__name__ == '__main__'"


def _catches_import_error(handler_type: Optional[ast.expr]) -> bool:
    if handler_type is None:
        return True  # bare `except:`
    if isinstance(handler_type, ast.Tuple):
        return any(_catches_import_error(element) for element in handler_type.elts)
    name = dotted_name(handler_type)
    return name is not None and name.rpartition(".")[2] in _IMPORT_ERRORS


class BranchVisitor(GrammarVisitor):
    """The statement walk's guard stack: what each branch may assume when it runs."""

    def __init__(self, raw: bytes) -> None:
        super().__init__(raw)
        self.scope = Scope.MODULE
        self.guards: list[Guard] = []
        self.aliases: dict[str, str] = {}  # local name -> dotted name it was imported as
        self.condition_names: set[str] = set()  # local names bound to sys/os/platform things
        self.flags = ModuleFlags()  # names that say an import worked, or hold a version test
        self.preset: set[str] = set()  # names bound to None/False, which a later try may set
        self.exported: set[str] = set()  # the flags bound at module level: other modules may import them

    def canonical(self, dotted: str) -> str:
        """Undo import aliases: `t.X` after `import typing as t` -> `typing.X`."""
        head, dot, rest = dotted.partition(".")
        target = self.aliases.get(head)
        return dotted if target is None else target + dot + rest

    def guarded(self, guard: Union[Guard, list[Guard], None], body: list[ast.stmt]) -> None:
        added = [guard] if isinstance(guard, Guard) else (guard or [])
        self.guards.extend(added)
        self.block(body)
        del self.guards[len(self.guards) - len(added) :]

    def block(self, body: list[ast.stmt]) -> None:
        """Statements in order; after `if not HAS_X: return` (or raise) the rest knows HAS_X."""
        pushed = 0
        for statement in body:
            self.visit(statement)
            if (
                isinstance(statement, ast.If)
                and not statement.orelse
                and isinstance(statement.body[-1], (ast.Return, ast.Raise))
            ):
                _, rest = self.branch_guards(statement.test, statement.lineno)
                self.guards.extend(rest)
                pushed += len(rest)
        del self.guards[len(self.guards) - pushed :]

    def visit_Module(self, node: ast.Module) -> None:
        self.block(node.body)

    def flag(self, name: str) -> None:
        if self.scope is Scope.MODULE:
            self.exported.add(name)

    # -- guards ----------------------------------------------------------------------------

    def visit_Try(self, node: ast.Try) -> None:
        self.check_try(node)
        preset = frozenset(self.preset)  # before the body sets them True
        catches = any(_catches_import_error(handler.type) for handler in node.handlers)
        line = node.lineno
        self.guarded(Guard(GuardKind.EXCEPT_IMPORT, line=line) if catches else None,
                     [*node.body, *node.orelse])  # fmt: skip
        for handler in node.handlers:
            if handler.type is not None:
                self.visit(handler.type)
            fallback = _catches_import_error(handler.type)
            self.guarded(Guard(GuardKind.HANDLER, line=line) if fallback else None, handler.body)
        self.guarded(None, node.finalbody)
        for name, modules in try_flags(node, _catches_import_error, preset).items():
            self.flags.available[name] = modules
            self.flag(name)

    visit_TryStar = visit_Try

    def visit_Assign(self, node: Union[ast.Assign, ast.AnnAssign]) -> None:
        self.generic_visit(node)
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if len(targets) != 1 or not isinstance(targets[0], ast.Name) or node.value is None:
            return
        name = targets[0].id
        probe = probe_module(node.value, self.canonical)
        if probe is not None:
            self.flags.available[name] = (probe,)
            self.flag(name)
            return
        if isinstance(node.value, ast.Constant) and node.value.value in (None, False):
            self.preset.add(name)  # `has_simplejson = False` before `try: ...; has_simplejson = True`
        else:
            self.preset.discard(name)
        if isinstance(node.value, (ast.Compare, ast.BoolOp, ast.UnaryOp)) or self.reads_configuration(node.value):
            # `PY311 = sys.version_info >= (3, 11)`, `DEBUG = os.getenv("DEBUG")`
            text = self.condition_text(node.value, imported=False)
            if text is not None and text != MAIN_CONDITION:
                self.flags.conditions[name] = text
                self.flag(name)

    visit_AnnAssign = visit_Assign

    def reads_configuration(self, value: ast.expr) -> bool:
        """`os.getenv("X")`, `os.environ["X"]`, `settings.X`: a value the deploy decides."""
        base: ast.expr = value
        while isinstance(base, (ast.Call, ast.Subscript, ast.Attribute)):
            if isinstance(base, ast.Attribute):
                name = dotted_name(base)
                if name is not None:
                    return self.canonical(name).startswith(("os.environ", "os.getenv")) or bool(
                        _CONFIG_SEGMENTS.intersection(part.lower() for part in name.split("."))
                    )
            base = base.func if isinstance(base, ast.Call) else base.value
        return isinstance(base, ast.Name) and base.id.lower() in _CONFIG_SEGMENTS

    def visit_With(self, node: Union[ast.With, ast.AsyncWith]) -> None:
        self.check_with(node)
        suppress = False
        for item in node.items:
            self.visit(item)
            expr = item.context_expr
            if isinstance(expr, ast.Call) and not expr.keywords:
                callee = dotted_name(expr.func)
                if callee is not None and self.canonical(callee) == "contextlib.suppress":
                    suppress = suppress or any(map(_catches_import_error, expr.args))
        guard = Guard(GuardKind.SUPPRESS, line=node.lineno) if suppress else None
        self.guarded(guard, node.body)

    visit_AsyncWith = visit_With

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        body, orelse = self.branch_guards(node.test, node.lineno)
        self.guarded(body, node.body)
        self.guarded(orelse, node.orelse)

    def branch_guards(self, test: ast.expr, line: int) -> tuple[list[Guard], list[Guard]]:
        """The guards of an if's body and else; empty for tests nothing can be known about."""
        negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
        if negated and self.is_type_checking(getattr(test, "operand", test)):
            return [], [Guard(GuardKind.TYPE_CHECKING, line=line)]
        if self.is_type_checking(test):
            return [Guard(GuardKind.TYPE_CHECKING, line=line)], []
        known = self.flags.available
        body_facts, else_facts = facts(test, known, self.canonical)
        body, orelse = guards_of(body_facts, line), guards_of(else_facts, line)
        # `if PY311 and HAS_X:`: each conjunct that is no availability flag is a condition of the body.
        conjunction = isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And)
        parts = test.values if isinstance(test, ast.BoolOp) and conjunction else [test]
        for part in parts:
            if facts(part, known, self.canonical) != ([], []):
                continue
            text = self.condition_text(part)
            if text is None:
                continue
            body.append(Guard(GuardKind.CONDITION, condition=text, line=line))
            if len(parts) == 1:
                orelse.append(Guard(GuardKind.CONDITION, condition=text, negated=True, line=line))
        return body, orelse

    def is_type_checking(self, test: ast.expr) -> bool:
        if isinstance(test, ast.Constant):
            return test.value is False or (type(test.value) is int and test.value == 0)
        name = dotted_name(test)
        if name is None:
            return False
        return name.rpartition(".")[2] == "TYPE_CHECKING" or self.canonical(name) in (
            "typing.TYPE_CHECKING",
            "typing_extensions.TYPE_CHECKING",
        )

    def condition_text(self, test: ast.expr, imported: bool = True) -> Optional[str]:
        """The test as text for `conditions.evaluate`, when it reads the interpreter, the platform,
        the environment, configuration or (with `imported`) a name imported from elsewhere; None
        for tests on local state, which are left alone."""
        if (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)
            and {dotted_name(test.left), dotted_name(test.comparators[0])} == {"__name__", None}
        ):
            other = test.comparators[0] if dotted_name(test.left) == "__name__" else test.left
            if isinstance(other, ast.Constant) and other.value == "__main__":
                return MAIN_CONDITION
        mentioned = rewrite = False
        stack: list[ast.AST] = [test]
        while stack:  # a small expression: the statement walk is the visitor's
            node = stack.pop()
            name = dotted_name(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
            if name is None:
                stack.extend(ast.iter_child_nodes(node))
                continue
            head = name.partition(".")[0]
            full = self.canonical(name)
            if head in self.flags.conditions:
                mentioned = rewrite = True
            elif (head in self.condition_names and full.startswith(_CONDITION_NAMES)) or (
                imported and head in self.aliases and not self.aliases[head].startswith(".")
            ):  # sys/os/platform tests, or (in an `if`) a name imported from elsewhere
                mentioned = True
                rewrite = rewrite or self.aliases[head] != head
            elif _CONFIG_SEGMENTS.intersection(part.lower() for part in name.split(".")):
                mentioned = True
        if not mentioned:
            return None
        if rewrite:
            test = _Canonicalize(self).visit(copy.deepcopy(test))  # the caller's tree stays intact
        return ast.unparse(test)


class _Canonicalize(ast.NodeTransformer):
    """In a copy of a test: `vi`, `_sys.platform` aliases -> `sys.version_info`, `sys.platform`."""

    def __init__(self, extractor: BranchVisitor) -> None:
        self.extractor = extractor

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if not isinstance(node.ctx, ast.Load):  # a comprehension's target stays a name
            return node
        flag = self.extractor.flags.conditions.get(node.id)
        if flag is not None:  # `PY311` -> `sys.version_info >= (3, 11)`
            return ast.copy_location(ast.parse(flag, mode="eval").body, node)
        full = self.extractor.canonical(node.id)
        if full == node.id or full.startswith("."):
            return node
        parts = full.split(".")
        expr: ast.expr = ast.Name(id=parts[0], ctx=ast.Load())
        for part in parts[1:]:
            expr = ast.Attribute(value=expr, attr=part, ctx=ast.Load())
        return ast.copy_location(expr, node)
