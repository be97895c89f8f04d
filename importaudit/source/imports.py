"""One pass over a source file's AST: imports with scope and guards, calls, defs, bindings."""

from __future__ import annotations

import ast
import copy
from dataclasses import replace
from pathlib import Path
from typing import Optional, Union

from importaudit.model import Call, Guard, GuardKind, How, Import, Location, ParsedFile, Scope
from importaudit.source.discover import SourceRef
from importaudit.source.flags import ModuleFlags, facts, guards_of, probe_module, try_flags
from importaudit.source.notebooks import parse_notebook
from importaudit.source.syntax import (
    GrammarVisitor,
    dotted_name,
    ignore_comments,
    parse_python,
    string_constants,
    syntax_problem,
)

# Handlers that catch a failed import: `except (ImportError, KeyError):` counts, `except KeyError:`
# does not.
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# Names whose test decides a branch for the target interpreter (conditions.evaluate reads them).
_CONDITION_NAMES = ("sys.version_info", "sys.platform", "os.name", "platform.system", "os.environ", "os.getenv")
# Dotted names whose segments say they hold configuration: `settings.DEBUG`, `app.config["X"]`.
_CONFIG_SEGMENTS = frozenset({"settings", "config", "conf", "configuration"})
_CONDITION_MODULES = frozenset({"sys", "os", "platform"})
_MAIN_CONDITION = "__name__ == '__main__'"
# `from django.utils.module_loading import import_string` binds the bare name: only these count.
_IMPORT_STRING = frozenset({"django.utils.module_loading.import_string", "werkzeug.utils.import_string",
                            "werkzeug.import_string"})


def _catches_import_error(handler_type: Optional[ast.expr]) -> bool:
    if handler_type is None:
        return True  # bare `except:`
    if isinstance(handler_type, ast.Tuple):
        return any(_catches_import_error(element) for element in handler_type.elts)
    name = dotted_name(handler_type)
    return name is not None and name.rpartition(".")[2] in _IMPORT_ERRORS


class _Extractor(GrammarVisitor):
    """Walks statements keeping scope, qualified-name and guard stacks; records what it meets."""

    def __init__(self, path: str, module: Optional[str], is_package: bool, raw: bytes) -> None:
        super().__init__(raw)
        self.path = path
        self.module = module
        self.package: Optional[str] = None
        if module is not None:
            self.package = module if is_package else module.rpartition(".")[0]
        self.ignores: dict[int, Optional[frozenset[str]]] = {}
        self.scope = Scope.MODULE
        self.function: Optional[str] = None
        self.names: list[str] = []  # qualified-name stack: classes and functions
        self.guards: list[Guard] = []
        self.aliases: dict[str, str] = {}  # local name -> dotted name it was imported as
        self.condition_names: set[str] = set()  # local names bound to sys/os/platform things
        self.module_body: list[ast.stmt] = []
        self.constants: Optional[dict[str, list[str]]] = None  # read on first import_module(NAME)
        self.imports: list[Import] = []
        # (callee, caller, guards) -> first line: the same call under other guards is another call
        self.calls: dict[tuple[str, Optional[str], tuple[Guard, ...]], int] = {}
        self.functions: list[str] = []
        self.bindings: dict[tuple[str, str], None] = {}
        self.flags = ModuleFlags()  # names that say an import worked, or hold a version test
        self.preset: set[str] = set()  # names bound to None/False, which a later try may set
        self.exported: set[str] = set()  # the flags bound at module level: other modules may import them

    # -- helpers ---------------------------------------------------------------------------

    def canonical(self, dotted: str) -> str:
        """Undo import aliases: `t.X` after `import typing as t` -> `typing.X`."""
        head, dot, rest = dotted.partition(".")
        target = self.aliases.get(head)
        return dotted if target is None else target + dot + rest

    def absolute(self, name: str, level: int, package: Optional[str]) -> str:
        """Resolve a relative name like importlib does; unresolvable keeps its dots (".x")."""
        if level == 0:
            return name
        bits = package.rsplit(".", level - 1) if package else []
        if len(bits) < level:
            return "." * level + name
        return f"{bits[0]}.{name}" if name else bits[0]

    def ignore_for(self, node: ast.AST) -> Optional[frozenset[str]]:
        if not self.ignores:
            return None
        first = getattr(node, "lineno", 0)
        last = getattr(node, "end_lineno", None) or first
        found: Optional[frozenset[str]] = None
        for line in range(first, last + 1):
            rules = self.ignores.get(line)
            if rules is not None:
                # A bare ignore anywhere on the statement ignores every rule.
                bare = not rules or found == frozenset()
                found = frozenset() if bare else (found or frozenset()) | rules
        return found

    def add_import(
        self, node: ast.AST, module: str, how: How, names: tuple[str, ...] = (), level: int = 0
    ) -> None:
        location = Location(self.path, getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        self.imports.append(
            Import(module=module, location=location, how=how, names=names, scope=self.scope,
                   function=self.function, guards=tuple(self.guards), level=level,
                   ignore=self.ignore_for(node))
        )  # fmt: skip

    def bind(self, name: str, target: str) -> None:
        self.aliases[name] = target
        if target.partition(".")[0] in _CONDITION_MODULES:
            self.condition_names.add(name)
        if self.scope is Scope.MODULE:
            self.bindings[(name, target)] = None

    def record_call(self, callee: str, line: int) -> None:
        guards = tuple(g for g in self.guards if g.kind is not GuardKind.EXCEPT_IMPORT)
        self.calls.setdefault((callee, self.function, tuple(replace(g, line=0) for g in guards)), line)

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

    # -- imports ---------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.add_import(node, alias.name, How.STATEMENT)
            top = alias.name.partition(".")[0]
            self.bind(alias.asname or top, alias.name if alias.asname else top)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        level = node.level or 0
        module = self.absolute(node.module or "", level, self.package)
        self.add_import(node, module, How.FROM, tuple(a.name for a in node.names), level)
        for alias in node.names:
            if alias.name != "*":
                joined = module + alias.name if module.endswith(".") else f"{module}.{alias.name}"
                self.bind(alias.asname or alias.name, joined)

    def visit_Call(self, node: ast.Call) -> None:
        callee = dotted_name(node.func)
        if callee is not None:
            self.record_call(callee, node.lineno)
            full = self.canonical(callee)
            if full == "importlib.import_module":
                self.dynamic_import(node, How.IMPORT_MODULE)
            elif full in ("__import__", "builtins.__import__"):
                self.dynamic_import(node, How.DUNDER_IMPORT)
            elif full in _IMPORT_STRING or full.endswith(".import_string"):
                self.import_string(node)
        self.generic_visit(node)

    def import_string(self, node: ast.Call) -> None:
        """`import_string("pkg.mod.Class")` (Django, Werkzeug) imports pkg.mod where it is called."""
        target = self.argument(node, 0, "dotted_path") or self.argument(node, 0, "import_name")
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            path = target.value.replace(":", ".")
            if "." in path and all(part.isidentifier() for part in path.split(".")):
                self.add_import(node, path.rpartition(".")[0], How.IMPORT_MODULE)

    def argument(self, node: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
        if len(node.args) > position and not isinstance(node.args[position], ast.Starred):
            return node.args[position]
        return next((k.value for k in node.keywords if k.arg == keyword), None)

    def dynamic_import(self, node: ast.Call, how: How) -> None:
        target = self.argument(node, 0, "name")
        values: list[str] = []
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            values = [target.value]
        elif isinstance(target, ast.Name):
            if self.constants is None:
                self.constants = {}
                string_constants(self.module_body, self.constants)
            values = self.constants.get(target.id, [])
        package: Optional[str] = self.package
        level_of_dunder = 0
        if how is How.IMPORT_MODULE:
            given = self.argument(node, 1, "package")
            package = None
            if isinstance(given, ast.Constant) and isinstance(given.value, str):
                package = given.value
            elif isinstance(given, ast.Name) and given.id in ("__name__", "__package__"):
                package = self.module if given.id == "__name__" else self.package
        else:
            given_level = self.argument(node, 4, "level")
            if isinstance(given_level, ast.Constant) and isinstance(given_level.value, int):
                level_of_dunder = max(given_level.value, 0)
        for value in values:
            name = value.lstrip(".")
            level = len(value) - len(name) if how is How.IMPORT_MODULE else level_of_dunder
            # "plugins.%s" or "" is no module name; "." with a package is the package itself.
            valid = all(part.isidentifier() for part in name.split(".")) if name else level > 0
            if valid:
                self.add_import(node, self.absolute(name, level, package), how, (), level)

    # -- scopes ----------------------------------------------------------------------------

    def decorators(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef]) -> None:
        for decorator in node.decorator_list:
            # A bare `@name` is called with the function when the def runs.
            callee = dotted_name(decorator)
            if callee is not None:
                self.record_call(callee, decorator.lineno)
            self.visit(decorator)
            self.check_decorator(decorator)

    def visit_FunctionDef(self, node: Union[ast.FunctionDef, ast.AsyncFunctionDef]) -> None:
        self.decorators(node)
        self.type_params(node)
        # Defaults and annotations are evaluated where the def stands, not in the body.
        self.visit(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        qualified = ".".join([*self.names, node.name])
        self.functions.append(qualified)
        saved = (self.scope, self.function)
        self.scope, self.function = Scope.FUNCTION, qualified
        self.names.append(node.name)
        self.block(node.body)
        self.names.pop()
        self.scope, self.function = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        saved = (self.scope, self.function)
        self.names.append("<lambda>")
        self.scope, self.function = Scope.FUNCTION, ".".join(self.names)
        self.visit(node.body)
        self.names.pop()
        self.scope, self.function = saved

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.decorators(node)
        self.type_params(node)
        for base in [*node.bases, *node.keywords]:
            self.visit(base)
        saved = self.scope
        # A class body runs when its class statement runs: at import unless inside a function.
        if self.scope is not Scope.FUNCTION:
            self.scope = Scope.CLASS
        self.names.append(node.name)
        self.block(node.body)
        self.names.pop()
        self.scope = saved

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
            if text is not None and text != _MAIN_CONDITION:
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
                return _MAIN_CONDITION
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

    def __init__(self, extractor: _Extractor) -> None:
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


def parse_source(
    data: Union[bytes, str],
    path: str,
    module: Optional[str],
    is_package: bool,
    *,
    is_test: bool = False,
    is_notebook: bool = False,
) -> tuple[Optional[ast.Module], ParsedFile]:
    """Parse once and extract once; never raises on bad input (it becomes `syntax_error`)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    parsed = ParsedFile(path=path, module=module, is_package=is_package, is_test=is_test, is_notebook=is_notebook)
    if is_notebook:
        tree, problem, raw = parse_notebook(raw, path)
    else:
        tree, problem = parse_python(raw, path)
    if tree is None:
        return None, replace(parsed, syntax_error=problem)
    extractor = _Extractor(path, module, is_package, raw)
    extractor.ignores = ignore_comments(raw)
    extractor.module_body = tree.body
    try:
        extractor.visit(tree)
    except (RecursionError, MemoryError) as exc:
        message = f"too deeply nested to analyse ({type(exc).__name__})"
        return tree, replace(parsed, syntax_error=problem or syntax_problem(path, 1, message))
    calls = sorted(
        extractor.calls.items(), key=lambda item: (item[1], item[0][0], item[0][1] or "", str(item[0][2]))
    )
    return tree, replace(
        parsed,
        imports=tuple(extractor.imports),
        calls=tuple(Call(callee, caller, line, guards) for (callee, caller, guards), line in calls),
        functions=tuple(extractor.functions),
        bindings=tuple(extractor.bindings),
        syntax_error=problem,
        needs_python=extractor.needs,
        flags=tuple(f for f in extractor.flags.exported() if f[0] in extractor.exported),
    )


# A source file larger than this is skipped with a finding rather than parsed.
MAX_SOURCE_BYTES = 32 * 2**20


def parse_file(root: Path, ref: SourceRef) -> tuple[Optional[ast.Module], ParsedFile]:
    """Read `ref` under `root` once and parse it; an unreadable file becomes `syntax_error`."""
    try:
        path = root / ref.path
        if path.stat().st_size > MAX_SOURCE_BYTES:  # generated data, not code a person reads: parsing
            raise OSError(f"larger than {MAX_SOURCE_BYTES // 2**20} MB; not read")  # it costs GBs
        data = path.read_bytes()
    except OSError as exc:
        parsed = ParsedFile(path=ref.path, module=ref.module, is_package=ref.is_package,
                            is_test=ref.is_test, is_notebook=ref.is_notebook)  # fmt: skip
        problem = replace(syntax_problem(ref.path, 1, f"cannot read: {exc}"), unread=True)
        return None, replace(parsed, syntax_error=problem)
    return parse_source(data, ref.path, ref.module, ref.is_package, is_test=ref.is_test,
                        is_notebook=ref.is_notebook)  # fmt: skip
