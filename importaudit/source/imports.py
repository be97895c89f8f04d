"""One pass over a source file's AST: imports with scope and guards, calls, defs, bindings."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
from typing import Optional, Union

from importaudit.model import Call, Guard, GuardKind, How, Import, Location, ParsedFile, Scope
from importaudit.source.branches import CONDITION_MODULES, BranchVisitor
from importaudit.source.discover import SourceRef
from importaudit.source.notebooks import parse_notebook
from importaudit.source.syntax import (
    dotted_name,
    ignore_comments,
    parse_python,
    string_constants,
    syntax_problem,
)

# `from django.utils.module_loading import import_string` binds the bare name: only these count.
_IMPORT_STRING = frozenset({"django.utils.module_loading.import_string", "werkzeug.utils.import_string",
                            "werkzeug.import_string"})


class _Extractor(BranchVisitor):
    """Walks statements keeping scope, qualified-name and guard stacks; records what it meets."""

    def __init__(self, path: str, module: Optional[str], is_package: bool, raw: bytes) -> None:
        super().__init__(raw)  # scope, guards, aliases and flags: BranchVisitor's
        self.path = path
        self.module = module
        self.package: Optional[str] = None
        if module is not None:
            self.package = module if is_package else module.rpartition(".")[0]
        self.ignores: dict[int, Optional[frozenset[str]]] = {}
        self.function: Optional[str] = None
        self.names: list[str] = []  # qualified-name stack: classes and functions
        self.module_body: list[ast.stmt] = []
        self.constants: Optional[dict[str, list[str]]] = None  # read on first import_module(NAME)
        self.imports: list[Import] = []
        # (callee, caller, guards) -> first line: the same call under other guards is another call
        self.calls: dict[tuple[str, Optional[str], tuple[Guard, ...]], int] = {}
        self.functions: list[str] = []
        self.bindings: dict[tuple[str, str], None] = {}

    # -- helpers ---------------------------------------------------------------------------

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
        if target.partition(".")[0] in CONDITION_MODULES:
            self.condition_names.add(name)
        if self.scope is Scope.MODULE:
            self.bindings[(name, target)] = None

    def record_call(self, callee: str, line: int) -> None:
        guards = tuple(g for g in self.guards if g.kind is not GuardKind.EXCEPT_IMPORT)
        self.calls.setdefault((callee, self.function, tuple(replace(g, line=0) for g in guards)), line)

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


def read_source(root: Path, ref: SourceRef) -> bytes:
    """The file's bytes; OSError when it cannot be read or is too large to be code a person reads."""
    path = root / ref.path
    if path.stat().st_size > MAX_SOURCE_BYTES:  # generated data, not code a person reads: parsing
        raise OSError(f"larger than {MAX_SOURCE_BYTES // 2**20} MB; not read")  # it costs GBs
    return path.read_bytes()


def parse_file(root: Path, ref: SourceRef) -> tuple[Optional[ast.Module], ParsedFile]:
    """Read `ref` under `root` once and parse it; an unreadable file becomes `syntax_error`."""
    try:
        data = read_source(root, ref)
    except OSError as exc:
        return None, unreadable(ref, exc)
    return parse_ref(data, ref)


def parse_ref(data: bytes, ref: SourceRef) -> tuple[Optional[ast.Module], ParsedFile]:
    return parse_source(data, ref.path, ref.module, ref.is_package, is_test=ref.is_test,
                        is_notebook=ref.is_notebook)  # fmt: skip


def unreadable(ref: SourceRef, exc: OSError) -> ParsedFile:
    parsed = ParsedFile(path=ref.path, module=ref.module, is_package=ref.is_package,
                        is_test=ref.is_test, is_notebook=ref.is_notebook)  # fmt: skip
    return replace(parsed, syntax_error=replace(syntax_problem(ref.path, 1, f"cannot read: {exc}"), unread=True))
