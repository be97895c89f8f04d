"""What a Python function starts when it runs: `uvicorn.run("pkg.app:app")`, `os.execvp("gunicorn", [...])`."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

# Calls that import an app named by a string: dotted callee -> (distribution, keyword naming the app).
_APP_CALLS = {
    "uvicorn.run": ("uvicorn", "app"),
    "uvicorn.main.run": ("uvicorn", "app"),
    "uvicorn.Config": ("uvicorn", "app"),  # then uvicorn.Server(config).run()
    "uvicorn.config.Config": ("uvicorn", "app"),
    "granian.Granian": ("granian", "target"),
    "granian.server.Granian": ("granian", "target"),
}
# Calls that run a command given as a list of literal words (position of the argv argument).
_EXEC_CALLS = {
    "os.execvp": 1,
    "os.execv": 1,
    "os.execvpe": 1,
    "os.execlp": -1,
    "subprocess.run": 0,
    "subprocess.call": 0,
    "subprocess.check_call": 0,
    "subprocess.Popen": 0,
}


@dataclass(frozen=True)
class Launch:
    """A server the code starts: an app spec (`app`) or a command line (`argv`)."""

    via: str  # "uvicorn.run"
    line: int
    app: Optional[str] = None
    distribution: Optional[str] = None
    argv: tuple[str, ...] = ()
    # An app factory handed to a CLI (`FlaskGroup(create_app=make)`): the dotted name it was
    # imported as, or the bare name of a function of this file.
    factory: Optional[str] = None


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it imports, from every import in the file (module or function level)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _is_main_guard(stmt: ast.stmt) -> bool:
    test = stmt.test if isinstance(stmt, ast.If) else None
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )


def _find(tree: ast.Module, qualified: Optional[str], as_main: bool) -> list[ast.stmt]:
    """The statements of function `qualified` ("main", "Cli.run"), or the module's own statements
    (with its `if __name__ == "__main__":` block only when it runs as the main module)."""
    body: list[ast.stmt] = tree.body
    if qualified is None:
        found: list[ast.stmt] = []
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                # Decorators run at import: `@click.group(cls=FlaskGroup, create_app=create)`.
                found += [ast.Expr(value=decorator) for decorator in stmt.decorator_list]
            elif as_main or not _is_main_guard(stmt):
                found.append(stmt)
        return found
    for part in qualified.split("."):
        named = [
            stmt
            for stmt in body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == part
        ]
        if not named:
            return []
        body = named[-1].body  # a later definition replaces an earlier one
    return body


def _calls(statements: list[ast.stmt]) -> Iterator[ast.Call]:
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                yield node


def _literal_words(node: ast.AST) -> Optional[tuple[str, ...]]:
    if isinstance(node, (ast.List, ast.Tuple)) and all(
        isinstance(item, ast.Constant) and isinstance(item.value, str) for item in node.elts
    ):
        return tuple(str(item.value) for item in node.elts if isinstance(item, ast.Constant))
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    for item in call.keywords:
        if item.arg == keyword:
            return item.value
    return call.args[position] if 0 <= position < len(call.args) else None


@functools.lru_cache(maxsize=256)
def _tree(path: Path) -> Optional[ast.Module]:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return None


def imported_modules(root: Path, path: str) -> list[str]:
    """The absolute modules a file imports at module level (where a CLI object often comes from)."""
    tree = _tree(root / path)
    if tree is None:
        return []
    found: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            found.append(stmt.module)
        elif isinstance(stmt, ast.Import):
            found += [alias.name for alias in stmt.names]
    return list(dict.fromkeys(found))


def launches(root: Path, path: str, function: Optional[str], as_main: bool = False) -> list[Launch]:
    """The servers that `function` of the file at `path` (or its module body, for None) starts."""
    tree = _tree(root / path)
    if tree is None:
        return []
    aliases = _aliases(tree)
    found: list[Launch] = []
    for call in _calls(_find(tree, function, as_main)):
        written = _dotted(call.func)
        head, _, rest = written.partition(".")
        callee = f"{aliases.get(head, head)}{'.' + rest if rest else ''}"
        factory = _argument(call, -1, "create_app")
        if factory is not None and _dotted(factory):
            head, _, rest = _dotted(factory).partition(".")
            named = f"{aliases[head]}{'.' + rest if rest else ''}" if head in aliases else _dotted(factory)
            found.append(Launch(f"{callee}(create_app=...)", call.lineno, factory=named))
        if callee in _APP_CALLS:
            distribution, keyword = _APP_CALLS[callee]
            value = _argument(call, 0, keyword)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append(Launch(callee, call.lineno, app=value.value, distribution=distribution))
        elif callee in _EXEC_CALLS:
            position = _EXEC_CALLS[callee]
            words: Union[tuple[str, ...], None]
            if position < 0:  # os.execlp(file, arg0, arg1, ...)
                words = _literal_words(ast.Tuple(elts=call.args[1:]))
            else:
                argument = _argument(call, position, "args")
                words = _literal_words(argument) if argument is not None else None
            if words:
                found.append(Launch(callee, call.lineno, argv=words))
    return found
