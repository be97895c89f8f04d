"""Framework contexts built from the real one-pass parse, shared by the tests of the frameworks stage."""

from __future__ import annotations

import ast
import textwrap
from typing import Optional

from importaudit.frameworks import FrameworkContext
from importaudit.model import ParsedFile
from importaudit.source.imports import parse_source


def parsed_context(
    files: dict[str, str],
    modules: dict[str, str],
    env: Optional[dict[str, str]] = None,
    installed: Optional[dict[str, str]] = None,
    boot: tuple[str, ...] = (),
) -> FrameworkContext:
    """Trees and ParsedFile facts from the real one-pass parse, as the pipeline passes them."""
    names = {path: module for module, path in modules.items()}
    trees: dict[str, ast.Module] = {}
    parsed: dict[str, ParsedFile] = {}
    for path, source in files.items():
        tree, facts = parse_source(textwrap.dedent(source), path, names.get(path), path.endswith("__init__.py"))
        parsed[path] = facts
        if tree is not None:
            trees[path] = tree
    return FrameworkContext(trees, modules, env or {}, installed or {}, frozenset(boot), parsed=parsed)


def package_modules(paths: list[str]) -> dict[str, str]:
    """Dotted module name -> path, a package's __init__.py named as the package (as discovery names it)."""
    modules = {}
    for path in paths:
        name = path[: -len(".py")].replace("/", ".")
        modules[name[: -len(".__init__")] if name.endswith(".__init__") else name] = path
    return modules
