"""Which command of a project's click group an argv selects: a mounted server CLI, or a function."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from importaudit.targets.launchers import dotted_name, import_aliases, source_tree

# Click command objects of servers, as projects mount them (`group.add_command(uvicorn.main,
# name="start")`): dotted object -> the program whose command line the remaining argv is.
CLICK_SERVERS = {
    "uvicorn.main": "uvicorn",  # uvicorn/__init__.py re-exports uvicorn.main:main
    "uvicorn.main.main": "uvicorn",
    "granian.cli.cli": "granian",
    "celery.bin.celery.celery": "celery",
    "flask.cli.cli": "flask",
}


@dataclass
class _Group:
    """A click group of the file: its subcommands by name."""

    line: int
    groups: dict[str, str] = field(default_factory=dict)  # name -> group variable
    functions: dict[str, str] = field(default_factory=dict)  # name -> function of the file
    mounted: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (server program, line)


@dataclass(frozen=True)
class Route:
    """Where the argv leads: a server program with its own argv, or a project function."""

    path: tuple[str, ...]  # the subcommand names taken
    line: int
    program: Optional[str] = None
    argv: tuple[str, ...] = ()
    function: Optional[str] = None


def _resolve(written: str, aliases: dict[str, str]) -> str:
    head, _, rest = written.partition(".")
    return f"{aliases.get(head, head)}{'.' + rest if rest else ''}"


def _name(call: ast.Call, default: str) -> str:
    """A command's name: its first literal argument or `name=`, else the function's, as click
    derives it (underscores become dashes)."""
    for keyword in call.keywords:
        value = keyword.value
        if keyword.arg == "name" and isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return default.replace("_", "-").lower()


def _groups(tree: ast.Module, aliases: dict[str, str]) -> dict[str, _Group]:
    """The click groups a file defines, and what each one's subcommands are."""
    groups: dict[str, _Group] = {}
    functions = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for stmt in functions:  # top-level groups first: `@click.group()`
        for decorator in stmt.decorator_list:
            called = dotted_name(decorator.func) if isinstance(decorator, ast.Call) else ""
            if _resolve(called, aliases) in ("click.group",):
                groups[stmt.name] = _Group(stmt.lineno)
    changed = True
    while changed:  # nested ones: `@parent.group("server")`, in any order of definition
        changed = False
        for stmt in functions:
            for decorator in stmt.decorator_list:
                if not isinstance(decorator, ast.Call) or not isinstance(decorator.func, ast.Attribute):
                    continue
                parent = dotted_name(decorator.func.value)
                if parent not in groups:
                    continue
                name = _name(decorator, stmt.name)
                if decorator.func.attr == "group" and stmt.name not in groups:
                    groups[stmt.name] = _Group(stmt.lineno)
                    groups[parent].groups[name] = stmt.name
                    changed = True
                elif decorator.func.attr == "command":
                    groups[parent].functions.setdefault(name, stmt.name)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        parent = dotted_name(node.func.value)
        if node.func.attr != "add_command" or parent not in groups or not node.args:
            continue
        mounted = _resolve(dotted_name(node.args[0]), aliases)
        rest = ast.Call(func=node.func, args=node.args[1:], keywords=node.keywords)  # add_command(cmd, name)
        if mounted in CLICK_SERVERS:
            groups[parent].mounted[_name(rest, mounted.split(".")[-1])] = (CLICK_SERVERS[mounted], node.lineno)
        elif mounted in groups:
            groups[parent].groups[_name(rest, mounted)] = mounted
    return groups


def _called_group(tree: ast.Module, function: str, groups: dict[str, _Group]) -> Optional[str]:
    """The group a console script's function is, or calls (`def entrypoint(): cli()`)."""
    if function in groups:
        return function
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == function:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in groups:
                    return node.func.id
    return None


def route(tree: ast.Module, aliases: dict[str, str], function: str, args: Sequence[str]) -> Optional[Route]:
    """Follow `args` from the group `function` runs to the command they select. Options before a
    subcommand are taken as flags (a group's options rarely take values in a start command)."""
    groups = _groups(tree, aliases)
    current = _called_group(tree, function, groups)
    if current is None:
        return None
    taken: list[str] = []
    words = list(args)
    while words:
        word = words.pop(0)
        if word.startswith("-"):
            continue
        group = groups[current]
        taken.append(word)
        if word in group.mounted:
            program, line = group.mounted[word]
            return Route(tuple(taken), line, program=program, argv=tuple(words))
        if word in group.groups:
            current = group.groups[word]
            continue
        if word in group.functions:
            return Route(tuple(taken), group.line, function=group.functions[word])
        return None
    return None


def click_route(root: Path, path: str, function: str, args: Sequence[str]) -> Optional[Route]:
    """The command `args` select in the click group that `function` of the file at `path` runs."""
    tree = source_tree(root / path)
    if tree is None or not args:
        return None
    return route(tree, import_aliases(tree), function, args)


def route_summary(found: Route) -> str:
    target: Union[str, None] = found.program or found.function
    return f"click command `{' '.join(found.path)}` -> {target}"
