"""Python syntax: parsing that never crashes, inline ignore comments, the newest grammar needed."""

from __future__ import annotations

import ast
import re
import tokenize
from collections.abc import Iterator
from typing import Any, Callable, Optional, Union

from importaudit.model import Location, SyntaxProblem

_IGNORE_COMMENT = re.compile(rb"#\s*importaudit:\s*ignore\b(?:\[([^\]\r\n]*)\])?")
_PARSE_FAILURES = (SyntaxError, ValueError, UnicodeError, LookupError, RecursionError, MemoryError)
# Nodes with nothing below them that any visit_ method wants: never dispatched.
_LEAVES = frozenset(
    {ast.Load, ast.Store, ast.Del, ast.Constant, ast.Name, ast.Pass, ast.Break, ast.Continue}
    | {kind for base in (ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
       for kind in base.__subclasses__()}
)  # fmt: skip
# Fields that never hold a node worth visiting (names, flags, operators, contexts).
_SCALAR_FIELDS = frozenset(
    {"id", "attr", "name", "ctx", "arg", "module", "level", "op", "ops", "is_async", "kind",
     "type_comment", "conversion", "simple", "asname", "names", "type_ignores"}
)  # fmt: skip
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT})


def source_lines(data: bytes) -> Iterator[str]:
    """Physical lines as Python counts them (\\n, \\r\\n, \\r), for the tokenizer."""
    text = data.decode("utf-8", "replace")
    for line in re.split(r"\r\n|\r|\n", text):
        yield line + "\n"


def dotted_name(node: ast.AST) -> Optional[str]:
    """`a.b.c` for a Name/Attribute chain, None for anything else (calls, subscripts)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def ignore_comments(data: bytes) -> dict[int, Optional[frozenset[str]]]:
    """Line -> rules named by an `# importaudit: ignore[...]` comment on it (empty: all rules)."""
    if b"importaudit" not in data:
        return {}
    found: dict[int, Optional[frozenset[str]]] = {}
    for number, line in enumerate(data.splitlines(), 1):
        match = _IGNORE_COMMENT.search(line)
        if match is None:
            continue
        listed = match.group(1)
        names = listed.decode("ascii", "replace").split(",") if listed is not None else []
        found[number] = frozenset(name.strip() for name in names if name.strip())
    return found


def string_constants(body: list[ast.stmt], found: dict[str, list[str]]) -> None:
    """Module-level `NAME = "literal"` (also in if/try/with there), for import_module(NAME)."""
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        target: Optional[ast.expr] = None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
        elif isinstance(statement, ast.AnnAssign):
            target = statement.target
        value = getattr(statement, "value", None)
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and value.value not in found.get(target.id, [])
        ):
            found.setdefault(target.id, []).append(value.value)
        for field in ("body", "orelse", "finalbody"):
            nested = getattr(statement, field, None)
            if isinstance(nested, list):
                string_constants(nested, found)
        for handler in getattr(statement, "handlers", None) or []:
            string_constants(handler.body, found)


def syntax_problem(path: str, line: Optional[int], message: str) -> SyntaxProblem:
    return SyntaxProblem(Location(path, max(line or 1, 1)), message)


def parse_python(data: bytes, path: str) -> tuple[Optional[ast.Module], Optional[SyntaxProblem]]:
    """The module, or why Python refuses it; never raises (absurd input is a problem too)."""
    try:
        # Bytes, not text: Python itself then honours the BOM and the coding cookie.
        return ast.parse(data, filename=path), None
    except SyntaxError as exc:
        line = exc.lineno
        if not line and b"\0" in data:  # older hosts give no line for a NUL byte
            line = data[: data.index(b"\0")].count(b"\n") + 1
        return None, syntax_problem(path, line, exc.msg)
    except ValueError as exc:  # NUL bytes on Python < 3.11.4
        line = data[: data.index(b"\0")].count(b"\n") + 1 if b"\0" in data else 1
        return None, syntax_problem(path, line, str(exc))
    except _PARSE_FAILURES as exc:
        return None, syntax_problem(path, 1, f"cannot parse: {type(exc).__name__}: {exc}")


class FastVisitor(ast.NodeVisitor):
    """ast.NodeVisitor with its dispatch cached per node class and leaves skipped.

    The stock visitor looks each method up by name for every node and routes every Constant
    through its deprecated Num/Str shims; on a 10,000-file tree that was most of the run.
    """

    _methods: dict[type[ast.AST], Callable[[Any, Any], Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._methods = {}

    def visit(self, node: ast.AST) -> Any:
        method = self._methods.get(type(node)) or self._method(type(node))
        return method(self, node)

    def _method(self, kind: type[ast.AST]) -> Callable[[Any, Any], Any]:
        found: Callable[[Any, Any], Any] = getattr(type(self), "visit_" + kind.__name__, type(self).generic_visit)
        self._methods[kind] = found
        return found

    def generic_visit(self, node: ast.AST) -> None:
        methods = self._methods
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = _CHILD_FIELDS[type(node)] = tuple(name for name in node._fields if name not in _SCALAR_FIELDS)
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    kind = type(item)
                    if kind not in _LEAVES and isinstance(item, ast.AST):
                        (methods.get(kind) or self._method(kind))(self, item)
            elif isinstance(value, ast.AST):
                kind = type(value)
                if kind not in _LEAVES:
                    (methods.get(kind) or self._method(kind))(self, value)


class GrammarVisitor(FastVisitor):
    """Mixed into the import extractor so the same single pass also finds version-specific syntax.

    Only what the AST (plus a few tokens) shows: f-string and `except A, B` changes are not seen.
    Methods for node types the host lacks (ast.TypeAlias on 3.11) are simply never called.
    """

    def __init__(self, raw: bytes) -> None:
        self.raw = raw  # the source, tokenized again only for a rare `with (...)` check
        self.needs: Optional[tuple[tuple[int, int], str, int]] = None

    def need(self, version: tuple[int, int], construct: str, node: ast.AST) -> None:
        """Keep the newest requirement; on a tie, the first construct met."""
        if self.needs is None or version > self.needs[0]:
            self.needs = (version, construct, getattr(node, "lineno", 1))

    def check_decorator(self, decorator: ast.expr) -> None:
        """Anything but `@a.b` or `@a.b(...)` needs PEP 614 (3.9)."""
        plain = decorator.func if isinstance(decorator, ast.Call) else decorator
        while isinstance(plain, ast.Attribute):
            plain = plain.value
        if not isinstance(plain, ast.Name):
            self.need((3, 9), "decorator expression", decorator)

    def check_try(self, node: ast.AST) -> None:
        if type(node).__name__ == "TryStar":
            self.need((3, 11), "except* clause", node)

    def check_with(self, node: Union[ast.With, ast.AsyncWith]) -> None:
        # `with (a, b):` without `as` was valid before: a tuple (fails at run time, not parse time).
        has_as = any(item.optional_vars is not None for item in node.items)
        if len(node.items) > 1 and has_as and self.parenthesized_items(node):
            # Documented in 3.10, but 3.9's new parser already accepts it (tests/test_syntax_history).
            self.need((3, 9), "parenthesized context managers", node)

    def visit_NamedExpr(self, node: ast.AST) -> None:
        self.need((3, 8), "assignment expression", node)
        self.generic_visit(node)

    def visit_arguments(self, node: ast.arguments) -> None:
        if node.posonlyargs:
            self.need((3, 8), "positional-only parameters", node.posonlyargs[0])
        if node.vararg is not None and isinstance(node.vararg.annotation, ast.Starred):
            self.need((3, 11), "starred annotation", node.vararg)
        self.generic_visit(node)

    def visit_Match(self, node: ast.AST) -> None:
        self.need((3, 10), "match statement", node)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        index = node.slice
        if (
            isinstance(index, ast.Tuple)
            and any(isinstance(e, ast.Starred) for e in index.elts)
            and not self.parenthesized(index)
        ):  # `X[*b]`, `X[a, *b]` are PEP 646 (3.11); `X[(a, *b)]` is a tuple display (3.5)
            self.need((3, 11), "starred expression in subscript", node)
        self.generic_visit(node)

    def visit_TypeAlias(self, node: ast.AST) -> None:
        self.need((3, 12), "type statement", node)
        self.generic_visit(node)

    def visit_TemplateStr(self, node: ast.AST) -> None:
        self.need((3, 14), "template string", node)
        self.generic_visit(node)

    def type_params(self, node: ast.AST) -> None:
        params = getattr(node, "type_params", None) or []
        if params:
            self.need((3, 12), "type parameter list", node)
        if any(getattr(param, "default_value", None) is not None for param in params):
            self.need((3, 13), "type parameter default", node)

    def parenthesized(self, node: ast.expr) -> bool:
        """Whether the expression's own source is one `( ... )` pair (not `(a), *b`)."""
        line = getattr(node, "lineno", 0)
        end_line = getattr(node, "end_lineno", None) or line
        lines = self.raw.splitlines(keepends=True)[line - 1 : end_line]
        if not lines:
            return False
        first, last = node.col_offset, getattr(node, "end_col_offset", None)
        text = b"".join(lines)
        cut = len(text) - len(lines[-1]) + (last if last is not None else len(lines[-1]))
        segment = text[first:cut].strip()
        if not (segment.startswith(b"(") and segment.endswith(b")")):
            return False
        depth = 0
        for position, char in enumerate(segment):
            depth += {40: 1, 41: -1}.get(char, 0)  # ( and ); strings with parens are rare here
            if depth == 0:
                return position == len(segment) - 1
        return False

    def parenthesized_items(self, node: Union[ast.With, ast.AsyncWith]) -> bool:
        """`with (a as b, c as d):` has the AST of `with a as b, c as d:`; the tokens differ.

        True when a `(` opens right after `with` and its `)` is followed by the header's `:`.
        """
        lines = source_lines(self.raw)
        for _ in range(node.lineno - 1):
            next(lines, None)
        depth, closed = 0, False
        try:
            for token in tokenize.generate_tokens(lambda: next(lines, "")):
                if token.type in _SKIPPED or token.string in ("async", "with"):
                    continue
                if closed:
                    return token.string == ":"
                if depth == 0 and token.string != "(":
                    return False
                if token.type == tokenize.OP and token.string in "([{":
                    depth += 1
                elif token.type == tokenize.OP and token.string in ")]}":
                    depth -= 1
                    closed = depth == 0
        except (tokenize.TokenError, SyntaxError):
            return False
        return False
