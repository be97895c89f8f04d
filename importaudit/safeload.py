"""Bounded loaders for untrusted YAML, TOML and JSON: a size cap, an alias-expansion budget, a depth cap.

A pull request can put any file in the tree, and importaudit runs in its CI: a YAML alias bomb
(a billion list items from a few hundred bytes), 50,000 nested TOML arrays or a 2 GB "Procfile"
must cost a warning for that file, never a hang, a crash or the whole audit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

# A descriptor or requirement file larger than this is not a descriptor anyone wrote by hand.
MAX_BYTES = 8 * 1024 * 1024
# Nodes a YAML document may expand to once its aliases are followed (compose files have hundreds).
MAX_YAML_NODES = 200_000
# Nesting depth past which a document is refused before a recursive parser is asked to read it.
MAX_DEPTH = 200


class LoadError(ValueError):
    """A document refused or unreadable; the message says why, for a warning naming the file."""


def check_size(text: str) -> None:
    if len(text) > MAX_BYTES:
        raise LoadError(f"larger than {MAX_BYTES // (1024 * 1024)} MB; not read")


def _bracket_depth(text: str) -> int:
    """The deepest run of open brackets, ignoring quotes: a cheap upper bound of the nesting."""
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def _check_depth(text: str) -> None:
    # Only pay for the scan when the text has enough brackets to matter.
    if text.count("[") + text.count("{") > MAX_DEPTH and _bracket_depth(text) > MAX_DEPTH:
        raise LoadError(f"nested more than {MAX_DEPTH} levels deep; not read")


def load_toml(text: str) -> dict[str, Any]:
    """tomllib.loads with the size and depth caps; raises LoadError (a ValueError) when refused."""
    check_size(text)
    _check_depth(text)
    try:
        return tomllib.loads(text)
    except RecursionError as exc:  # a depth the bracket scan could not see (inline tables in strings…)
        raise LoadError("nested too deeply to read") from exc


def load_json(text: str) -> Any:
    """json.loads with the size and depth caps; raises LoadError (a ValueError) when refused."""
    check_size(text)
    _check_depth(text)
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise LoadError("nested too deeply to read") from exc


def _expanded_size(node: yaml.Node, budget: int) -> int:
    """How many nodes `node` stands for once every alias is expanded, stopping past `budget`.

    Aliases share their node object, so sizes are memoised by identity: the count is linear in the
    distinct nodes however large the expansion. A node that contains itself expands forever.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()

    def size(current: yaml.Node, depth: int) -> int:
        key = id(current)
        if key in sizes:
            return sizes[key]
        if key in on_path:
            raise LoadError("an alias refers to a node that contains it; not read")
        if depth > MAX_DEPTH:
            raise LoadError(f"nested more than {MAX_DEPTH} levels deep; not read")
        on_path.add(key)
        total = 1
        if isinstance(current, yaml.SequenceNode):
            for item in current.value:
                total += size(item, depth + 1)
                if total > budget:
                    break
        elif isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                total += size(key_node, depth + 1) + size(value_node, depth + 1)
                if total > budget:
                    break
        on_path.discard(key)
        sizes[key] = total
        return total

    return size(node, 0)


def compose_yaml(text: str) -> Any:
    """The YAML node graph of `text` (aliases shared, not expanded), after the expansion budget check."""
    check_size(text)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError as exc:
        raise LoadError("nested too deeply to read") from exc
    if node is not None and _expanded_size(node, MAX_YAML_NODES) > MAX_YAML_NODES:
        raise LoadError(f"its aliases expand to more than {MAX_YAML_NODES:,} nodes; not read")
    return node


def load_yaml(text: str) -> Any:
    """yaml.safe_load with the size cap and the alias-expansion budget; yaml.YAMLError or LoadError."""
    return construct(compose_yaml(text))


def construct(node: Any) -> Any:
    """The Python value of a node graph from compose_yaml (None for an empty document)."""
    if node is None:
        return None
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    except RecursionError as exc:
        raise LoadError("nested too deeply to read") from exc
    finally:
        loader.dispose()


def as_table(value: Any) -> dict[str, Any]:
    """`value` when it is a table (dict), else an empty one: untrusted documents put anything anywhere."""
    return value if isinstance(value, dict) else {}


def as_array(value: Any) -> list[Any]:
    """`value` when it is an array (list), else an empty one."""
    return value if isinstance(value, list) else []


def is_file(path: Path) -> bool:
    """`path.is_file()` for a path a project file wrote (`-r ../x xxx…`, a NUL byte): a name the
    OS refuses (too long, invalid) is no file, not a crash."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def is_dir(path: Path) -> bool:
    """`path.is_dir()`, with a name the OS refuses read as no folder (see is_file)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False
