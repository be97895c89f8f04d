"""What a Python function starts when it runs: `uvicorn.run("pkg.app:app")`, `os.execvp("gunicorn", [...])`."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

from importaudit.providers.distributions import bundled_dists

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


# CLI objects that a dependency's console script calls, which projects call too (a project script
# that sets LITESTAR_APP, then runs `litestar_group()`): dotted callee -> the program it is.
_CLI_OBJECTS = {
    "litestar.cli.main.litestar_group": "litestar",
    "flask.cli.cli": "flask",
    "django.core.management.execute_from_command_line": "django-admin",
}
# How a program's main reads its arguments when called with none: its own process's argv.
_OWN_ARGV = frozenset({"sys.argv", "sys.argv[1:]"})


@functools.lru_cache(maxsize=1)
def _dependency_programs() -> dict[str, str]:
    """`pkg.mod.func` -> program, for the console scripts of the distributions the bundled table knows
    (`pyramid.scripts.pserve.main` is `pserve`): calling it runs that program in-process."""
    found: dict[str, str] = {}
    for dist in bundled_dists().values():
        for script in dist.scripts:
            name, _, spec = script.partition("=")
            module, _, attr = spec.strip().partition(":")
            if name.strip() and module and attr:
                found.setdefault(f"{module}.{attr}", name.strip())
    found.update(_CLI_OBJECTS)
    return found


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
    # A dependency's program run in-process (`pserve.main(argv=[...])`, `litestar_group()`): its name;
    # `argv` then holds its arguments, `own_args` says it reads the process's own instead, and
    # `computed` that they are built at run time (not literal words importaudit can read).
    program: Optional[str] = None
    own_args: bool = False
    computed: bool = False


_ENVIRON = ("os.environ", "environ")


def dotted_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def import_aliases(tree: ast.Module) -> dict[str, str]:
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
def source_tree(path: Path) -> Optional[ast.Module]:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
        return None


def imported_modules(root: Path, path: str) -> list[str]:
    """The absolute modules a file imports at module level (where a CLI object often comes from)."""
    tree = source_tree(root / path)
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
    tree = source_tree(root / path)
    if tree is None:
        return []
    aliases = import_aliases(tree)
    found: list[Launch] = []
    for call in _calls(_find(tree, function, as_main)):
        written = dotted_name(call.func)
        head, _, rest = written.partition(".")
        callee = f"{aliases.get(head, head)}{'.' + rest if rest else ''}"
        factory = _argument(call, -1, "create_app")
        if factory is not None and dotted_name(factory):
            head, _, rest = dotted_name(factory).partition(".")
            named = f"{aliases[head]}{'.' + rest if rest else ''}" if head in aliases else dotted_name(factory)
            found.append(Launch(f"{callee}(create_app=...)", call.lineno, factory=named))
        if callee in _APP_CALLS:
            distribution, keyword = _APP_CALLS[callee]
            value = _argument(call, 0, keyword)
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                found.append(Launch(callee, call.lineno, app=value.value, distribution=distribution))
        elif callee in _dependency_programs():
            found.append(_program_call(call, _dependency_programs()[callee]))
        elif callee in _EXEC_CALLS:
            position = _EXEC_CALLS[callee]
            words: Union[tuple[str, ...], None]
            if position < 0:  # os.execlp(file, arg0, arg1, ...)
                words = _literal_words(ast.Tuple(elts=call.args[1:]))
            else:
                argument = _argument(call, position, "args")
                words = _literal_words(argument) if argument is not None else None
                if argument is not None and ast.unparse(argument) == "sys.argv[1:]":
                    # `os.execvp(sys.argv[1], sys.argv[1:])`: Python's `exec "$@"`, the arguments run
                    found.append(Launch(callee, call.lineno, own_args=True))
                    continue
            if words:
                found.append(Launch(callee, call.lineno, argv=words))
            elif callee.startswith("os.exec"):
                # The process becomes a command built at run time: what then runs is not known.
                found.append(Launch(callee, call.lineno, computed=True))
    return found


def _program_call(call: ast.Call, program: str) -> Launch:
    """`main()` / `main(sys.argv)` read the process's own arguments; `main(["pserve", "x.ini"])` the
    literal ones (a leading program name dropped); anything else is built at run time."""
    argument = _argument(call, 0, "argv")
    if argument is None:
        argument = _argument(call, -1, "args")
    if argument is None or ast.unparse(argument) in _OWN_ARGV:
        return Launch(f"{program} (in-process)", call.lineno, program=program, own_args=True)
    words = _literal_words(argument)
    if words is None:
        return Launch(f"{program} (in-process)", call.lineno, program=program, computed=True)
    if words and words[0].rsplit("/", 1)[-1] == program:
        words = words[1:]
    return Launch(f"{program} (in-process)", call.lineno, program=program, argv=words)


# os.environ writes with literal values: `os.environ.setdefault(K, V)` keeps a value already set.
_SETDEFAULT = frozenset({"os.environ.setdefault", "environ.setdefault"})


def environ_sets(
    root: Path, path: str, function: Optional[str], as_main: bool = False
) -> list[tuple[str, str, bool]]:
    """(key, value, overrides) for each literal os.environ write that runs when `function` (or the
    module body) runs, through the functions of the same file it calls, in the order they run."""
    tree = source_tree(root / path)
    if tree is None:
        return []
    functions = {
        stmt.name: stmt for stmt in tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    found: list[tuple[str, str, bool]] = []
    seen: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for statement in statements:
            for node in ast.walk(statement):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
                    if node.func.id not in seen:
                        seen.add(node.func.id)
                        visit(functions[node.func.id].body)
                elif isinstance(node, ast.Call) and dotted_name(node.func) in _SETDEFAULT and len(node.args) == 2:
                    key, value = _text(node.args[0]), _text(node.args[1])
                    if key is not None and value is not None:
                        found.append((key, value, False))
                elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Subscript) and dotted_name(target.value) in _ENVIRON:
                        key, value = _text(target.slice), _text(node.value)
                        if key is not None and value is not None:
                            found.append((key, value, True))

    if function is not None:
        seen.add(function.split(".")[0])
    visit(_find(tree, function, as_main))
    return found


def _text(node: ast.AST) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


# Handlers that make an import optional: what they guard is not needed to start.
_OPTIONAL = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


def program_imports(text: str) -> Optional[list[tuple[str, int]]]:
    """(module, line) of the absolute imports a program given as text (`python << END` in a shell
    script) runs at its top level, unguarded; None when the text is not Python importaudit can parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    found: list[tuple[str, int]] = []

    def visit(statements: list[ast.stmt]) -> None:
        for stmt in statements:
            if isinstance(stmt, ast.Import):
                found.extend((alias.name, stmt.lineno) for alias in stmt.names)
            elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
                found.append((stmt.module, stmt.lineno))
            elif isinstance(stmt, ast.Try):
                caught = {dotted_name(h.type) if h.type is not None else "BaseException" for h in stmt.handlers}
                tuples = [h.type.elts for h in stmt.handlers if isinstance(h.type, ast.Tuple)]
                caught |= {dotted_name(e) for elts in tuples for e in elts}
                if not caught & _OPTIONAL:
                    visit(stmt.body)

    visit(tree.body)
    return found
