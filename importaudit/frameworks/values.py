"""Static values of Python expressions: the literals, env reads and calls a file binds."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Optional, Union

from importaudit.model import Guard

HOLE = "{?}"


@dataclass(frozen=True)
class Text:
    """A string value and where its first literal part stands."""

    value: str
    file: str
    line: int
    col: int = 0
    guards: tuple[Guard, ...] = ()  # the if/try branches the string was written in


@dataclass(frozen=True)
class Const:
    """A literal number, bool or None."""

    value: object


@dataclass(frozen=True)
class EnvRead:
    """`os.environ.get("X", default)` and its kin: the value comes from the environment."""

    var: str
    default: Optional[Value]
    file: str
    line: int
    cast: str = ""  # "bool" for env.bool("X") / config("X", cast=bool): how the text is read


@dataclass(frozen=True)
class CallValue:
    """A call the reader cannot run (`dj_database_url.config(...)`): kept for the frameworks."""

    callee: str
    args: tuple[Optional[Value], ...]
    kwargs: tuple[tuple[str, Optional[Value]], ...]
    file: str
    line: int

    def kwarg(self, name: str) -> Optional[Value]:
        for key, value in self.kwargs:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Seq:
    """A list, tuple or set literal (after +, append, extend, insert, remove)."""

    items: tuple[Optional[Value], ...]


@dataclass(frozen=True)
class Dict:
    """A dict with string keys; `.update(<call>)` with an unknown mapping is kept under "**"."""

    entries: tuple[tuple[str, Optional[Value]], ...]

    def get(self, key: str) -> Optional[Value]:
        for name, value in self.entries:
            if name == key:
                return value
        return None

    def set(self, key: str, value: Optional[Value]) -> Dict:
        kept = tuple((name, old) for name, old in self.entries if name != key)
        return Dict((*kept, (key, value)))

    def merged(self, other: Dict) -> Dict:
        result = self
        for key, value in other.entries:
            result = result.set(key, value)
        return result


Value = Union[Text, Const, EnvRead, CallValue, Seq, Dict]
Namespace = dict[str, Value]


def dotted(node: ast.expr) -> Optional[str]:
    """'a.b.c' for a Name/Attribute chain; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def assigns(stmt: ast.stmt, name: str) -> bool:
    """`name = ...` (plain assignment to that bare name, possibly among several targets)."""
    return isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets)


def assigned_string(body: list[ast.stmt], name: str) -> Optional[str]:
    """The first `name = "literal"` among a class body's statements; None when there is none."""
    for stmt in body:
        if (
            isinstance(stmt, ast.Assign)
            and assigns(stmt, name)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            return stmt.value.value
    return None


def texts(value: Optional[Value]) -> list[Text]:
    """Every string in a value, flattening sequences (and dict values), in order."""
    if isinstance(value, Text):
        return [value]
    if isinstance(value, Seq):
        return [text for item in value.items for text in texts(item)]
    return []


def resolve_env(value: Optional[Value], env: Optional[Mapping[str, str]] = None) -> Optional[Value]:
    """An env read replaced by the target's value of the variable, else by its default."""
    if isinstance(value, EnvRead):
        if env is not None and value.var in env:
            return Text(env[value.var], value.file, value.line)
        return resolve_env(value.default, env)
    return value


def catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        if handler.type is None:
            return True
        names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for name in names:
            if dotted(name) in {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}:
                return True
    return False
