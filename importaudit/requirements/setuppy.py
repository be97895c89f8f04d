"""setup.py read as an AST, never executed: literal `setup(install_requires=...)` and friends."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Optional

from packaging.utils import canonicalize_name

from importaudit.model import Requirement, SourceWarning
from importaudit.requirements.common import is_dev_name
from importaudit.requirements.declaration import DeclarationBuilder

_SETUP_NAMES = ("setup", "setuptools.setup", "distutils.core.setup", "core.setup")


class _Unreadable(Exception):
    """An expression this reader does not evaluate; the message says what it is."""


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _callee(node: ast.AST) -> str:
    """`open('r').read().splitlines` for the function part of a call chain."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_callee(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_callee(node.func)}(...)"
    return "<expression>"


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        return f"a call to {_callee(node.func)}()"
    if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
        return "a comprehension"
    if isinstance(node, ast.DictComp):
        return "a dict comprehension"
    if isinstance(node, ast.Name):
        return f"the name {node.id}, which is not a module-level literal"
    return f"an expression ({type(node).__name__})"


class _Evaluator:
    """Literal values, module-level constant names and `+` of lists; nothing else."""

    def __init__(self, constants: dict[str, ast.expr]) -> None:
        self.constants = constants
        self.depth = 0

    def value(self, node: ast.AST) -> Any:
        self.depth += 1
        try:
            if self.depth > 50:
                raise _Unreadable("a deeply nested expression")
            return self._value(node)
        finally:
            self.depth -= 1

    def _value(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and isinstance(
            node.value, (str, int, float, bool, type(None))
        ):
            return node.value
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.value(e) for e in node.elts]
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):
                raise _Unreadable("a dict with ** unpacking")
            return {
                self.value(k): self.value(v)
                for k, v in zip(node.keys, node.values)
                if k is not None
            }
        if isinstance(node, ast.Call) and _dotted(node.func) == "dict" and not node.args:
            return {kw.arg: self.value(kw.value) for kw in node.keywords if kw.arg}
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.value(self.constants[node.id])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(left, list) and isinstance(right, list):
                return left + right
            if isinstance(left, str) and isinstance(right, str):
                return left + right
        raise _Unreadable(_describe(node))


def _constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names assigned exactly once (a second assignment makes the name unknown)."""
    seen: dict[str, Optional[ast.expr]] = {}
    for stmt in tree.body:
        targets: list[ast.expr] = []
        value: Optional[ast.expr] = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            seen[stmt.target.id] = None
        for target in targets:
            if isinstance(target, ast.Name):
                seen[target.id] = None if target.id in seen else value
    return {name: node for name, node in seen.items() if node is not None}


def _setup_call(tree: ast.Module) -> Optional[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _dotted(node.func) in _SETUP_NAMES:
            return node
    return None


def _keywords(
    call: ast.Call, evaluator: _Evaluator, source: str, warnings: list[SourceWarning]
) -> dict[str, Any]:
    """setup()'s keywords as nodes; `**kwargs` expanded when kwargs is a module-level dict."""
    found: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is not None:
            found[keyword.arg] = keyword.value
            continue
        try:
            expanded = evaluator.value(keyword.value)
        except _Unreadable as exc:
            warnings.append(
                SourceWarning(
                    source, keyword.value.lineno, f"setup(**...) is {exc}; not read statically"
                )
            )
            continue
        if isinstance(expanded, dict):
            for key, value in expanded.items():
                found.setdefault(str(key), ast.Constant(value=value, lineno=keyword.value.lineno))
    return found


def _as_list(value: Any) -> Optional[list[str]]:
    if isinstance(value, str):
        return [line for line in value.splitlines() if line.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def read_setup_py(root: Path, builder: DeclarationBuilder) -> None:
    """Fill what is still undeclared from the directory's setup.py, parsed (never run)."""
    opened = builder.read_file(root, "setup.py")
    if opened is None:
        return
    source, text = opened
    try:
        tree = ast.parse(text, filename=source)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 1
        builder.warnings.append(SourceWarning(source, line, f"setup.py does not parse: {exc}"))
        return
    call = _setup_call(tree)
    if call is None:
        return
    builder.has_metadata = True
    evaluator = _Evaluator(_constants(tree))
    line_of_text: dict[str, int] = {}
    keywords = _keywords(call, evaluator, source, builder.warnings)
    values: dict[str, Any] = {}
    for key in ("name", "install_requires", "extras_require", "python_requires", "tests_require"):
        if key not in keywords:
            continue
        node = keywords[key]
        try:
            values[key] = evaluator.value(node)
        except _Unreadable as exc:
            line = getattr(node, "lineno", call.lineno)
            builder.warnings.append(
                SourceWarning(source, line, f"{key} is built by {exc}; not read statically")
            )
    if isinstance(values.get("name"), str) and not builder.name:
        builder.name = canonicalize_name(values["name"])
    if isinstance(values.get("python_requires"), str) and builder.requires_python is None:
        builder.requires_python = values["python_requires"]
    line_of = _line_index(keywords, call)
    for key in ("install_requires", "extras_require", "tests_require"):
        if key in keywords:
            _string_lines(keywords[key], evaluator.constants, line_of_text)
    if "install_requires" in values and not builder.main_declared:
        builder.main.extend(
            _make(
                values["install_requires"],
                "install_requires",
                line_of,
                line_of_text,
                source,
                builder,
                "main",
                False,
            )
        )
        builder.main_declared = True
    extras = values.get("extras_require")
    if isinstance(extras, dict) and not builder.extras:
        for extra, reqs in sorted(extras.items(), key=lambda item: str(item[0])):
            name = str(extra).split(":")[0]
            dev = is_dev_name(name)
            made = _make(
                reqs, "extras_require", line_of, line_of_text, source, builder, f"extra:{name}", dev
            )
            condition = str(extra).split(":", 1)[1] if ":" in str(extra) else None
            if condition:  # setuptools' "extra:marker" keys
                made = [_with_marker(r, condition) for r in made]
            builder.extras.setdefault(name, []).extend(made)
    if "tests_require" in values:
        builder.groups.setdefault("test", []).extend(
            _make(
                values["tests_require"],
                "tests_require",
                line_of,
                line_of_text,
                source,
                builder,
                "group:test",
                True,
            )
        )


def _line_index(keywords: dict[str, Any], call: ast.Call) -> dict[str, int]:
    return {key: getattr(node, "lineno", call.lineno) for key, node in keywords.items()}


def _string_lines(
    node: ast.AST, constants: dict[str, ast.expr], out: dict[str, int], depth: int = 0
) -> None:
    """Each literal string under a list expression -> the line it is written on (for findings)."""
    if depth > 20:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        out.setdefault(node.value, node.lineno)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            _string_lines(element, constants, out, depth + 1)
    elif isinstance(node, ast.Dict):
        for element in node.values:
            _string_lines(element, constants, out, depth + 1)
    elif isinstance(node, ast.BinOp):
        _string_lines(node.left, constants, out, depth + 1)
        _string_lines(node.right, constants, out, depth + 1)
    elif isinstance(node, ast.Name) and node.id in constants:
        _string_lines(constants[node.id], constants, out, depth + 1)


def _make(
    value: Any,
    key: str,
    line_of: dict[str, int],
    text_lines: dict[str, int],
    source: str,
    builder: DeclarationBuilder,
    group: str,
    dev: bool,
) -> list[Requirement]:
    strings = _as_list(value)
    line = line_of.get(key, 1)
    if strings is None:
        builder.warnings.append(SourceWarning(source, line, f"{key} is not a list of strings"))
        return []
    return builder.parse_requirements(((text, text_lines.get(text, line)) for text in strings), source, group, dev)


def _with_marker(req: Requirement, condition: str) -> Requirement:
    from dataclasses import replace

    marker = f"({req.marker}) and ({condition})" if req.marker else condition
    return replace(req, marker=marker)


def setup_keyword(text: str, keyword: str) -> Any:
    """The literal value of one `setup(KEYWORD=...)` argument of a setup.py text; None when absent
    or not literal (entry points for the start-command readers)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    call = _setup_call(tree)
    if call is None:
        return None
    evaluator = _Evaluator(_constants(tree))
    node = _keywords(call, evaluator, "setup.py", []).get(keyword)
    try:
        return None if node is None else evaluator.value(node)
    except (_Unreadable, RecursionError):
        return None
