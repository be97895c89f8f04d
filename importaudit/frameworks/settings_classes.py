"""pydantic-settings classes: each field is an environment read with the field's default."""

from __future__ import annotations

import ast
from typing import Optional

from importaudit.frameworks.candidates import candidates
from importaudit.frameworks.context import FrameworkContext
from importaudit.frameworks.evaluate import Evaluator
from importaudit.frameworks.values import CallValue, EnvRead, Text, Value, assigned_string, assigns, dotted

Fields = dict[str, EnvRead]


def settings_fields(ctx: FrameworkContext) -> Fields:
    """`database_url: str = "postgresql://..."` in a BaseSettings subclass, by field name.

    pydantic-settings fills a field from the environment variable of the same name (plus the
    class's `env_prefix`, case-insensitive) and falls back to the default, which is exactly an
    EnvRead. A name defined by several settings classes is ambiguous and left out. The fields
    depend on the project only: read once per run.
    """
    memo = ctx.run.memo
    fields = memo.get("settings-fields")
    if not isinstance(fields, dict):
        fields = memo["settings-fields"] = _read_fields(ctx)
    return fields


def _read_fields(ctx: FrameworkContext) -> Fields:
    found: dict[str, list[EnvRead]] = {}
    for path in candidates(ctx).settings_classes:
        scan = ctx.scan(path)
        if scan is None:
            continue
        for placed in scan.placed:
            node = placed.node
            if not isinstance(node, ast.ClassDef) or not _is_settings_class(node):
                continue
            evaluator = scan.evaluator(placed)
            prefix = _env_prefix(node, evaluator)
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    name = stmt.target.id
                    default = _default(evaluator.value(stmt.value)) if stmt.value else None
                    read = EnvRead((prefix + name).upper(), default, path, stmt.lineno)
                    found.setdefault(name, []).append(read)
    return {name: reads[0] for name, reads in found.items() if len(reads) == 1}


def field_value(node: ast.expr, fields: Fields) -> Optional[EnvRead]:
    """`settings.database_url`, `get_settings().database_url`, `str(settings.database_url)`."""
    if isinstance(node, ast.Call) and dotted(node.func) == "str" and len(node.args) == 1:
        node = node.args[0]
    if isinstance(node, ast.Attribute):
        return fields.get(node.attr)
    return None


def _is_settings_class(node: ast.ClassDef) -> bool:
    return any((dotted(base) or "").rsplit(".", 1)[-1] == "BaseSettings" for base in node.bases)


def _default(value: Optional[Value]) -> Optional[Value]:
    """The default of `Field("x")` / `Field(default="x")`; a literal as is."""
    if isinstance(value, CallValue) and value.callee.rsplit(".", 1)[-1] == "Field":
        return value.args[0] if value.args else value.kwarg("default")
    return value


def _env_prefix(node: ast.ClassDef, evaluator: Evaluator) -> str:
    """`model_config = SettingsConfigDict(env_prefix=...)` (v2) or `class Config: env_prefix`."""
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and assigns(stmt, "model_config"):
            config = evaluator.value(stmt.value)
            if isinstance(config, CallValue):
                prefix = config.kwarg("env_prefix")
                return prefix.value if isinstance(prefix, Text) else ""
        if isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            prefix_text = assigned_string(stmt.body, "env_prefix")
            if prefix_text is not None:
                return prefix_text
    return ""
