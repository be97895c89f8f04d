"""Django AppConfig classes: the app package a config names, and the config an app package gets."""

from __future__ import annotations

import ast
from typing import Optional

from importaudit.frameworks.context import FrameworkContext
from importaudit.frameworks.values import assigned_string, dotted


def config_name(ctx: FrameworkContext, path: str, class_name: str) -> Optional[str]:
    """`name = "..."` of an AppConfig class in the file (read once per run)."""
    key = f"django-appconfig:{path}:{class_name}"
    memo = ctx.run.memo
    if key not in memo:
        tree = ctx.tree(path)
        memo[key] = _class_name_attribute(tree, class_name) if tree is not None else None
    found = memo[key]
    return found if isinstance(found, str) else None


def default_config(ctx: FrameworkContext, path: str) -> Optional[str]:
    """The AppConfig Django uses for an app listed by its package (3.2+): the only AppConfig
    subclass of its apps.py, or the one marked `default = True` (read once per run)."""
    key = "django-default-config:" + path
    memo = ctx.run.memo
    if key not in memo:
        tree = ctx.tree(path)
        classes = [
            node for node in (tree.body if tree is not None else ())
            if isinstance(node, ast.ClassDef)
            and any((dotted(base) or "").rsplit(".", 1)[-1] == "AppConfig" for base in node.bases)
        ]
        marked = [c for c in classes if any(_sets_default(stmt) for stmt in c.body)]
        chosen = marked if marked else classes if len(classes) == 1 else []
        memo[key] = chosen[0].name if len(chosen) == 1 else None
    found = memo[key]
    return found if isinstance(found, str) else None


def _class_name_attribute(tree: ast.Module, class_name: str) -> Optional[str]:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            found = assigned_string(node.body, "name")
            if found is not None:
                return found
    return None


def _sets_default(stmt: ast.stmt) -> bool:
    """`default = True` in an AppConfig body."""
    return (
        isinstance(stmt, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "default" for t in stmt.targets)
        and isinstance(stmt.value, ast.Constant)
        and stmt.value.value is True
    )


def app_config_setting(ctx: FrameworkContext, init: Optional[str]) -> Optional[str]:
    """`default_app_config = "blog.apps.BlogConfig"` in an app package's __init__.py."""
    if init is None or not init.endswith("__init__.py"):
        return None
    tree = ctx.tree(init)
    return assigned_string(tree.body, "default_app_config") if tree is not None else None


def django_before(version: str, release: tuple[int, int]) -> bool:
    """The target's pinned Django is older than `release` (False when unknown)."""
    parts = version.split(".")[:2]
    try:
        return (int(parts[0]), int(parts[1])) < release
    except (ValueError, IndexError):
        return False

