"""Settings: `[tool.importaudit]` in pyproject.toml (or --config FILE), merged with the command line."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from importaudit.model import AuditError, Rule
from importaudit.safeload import is_file, load_toml
from importaudit.source.conditions import parse_version

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on 3.9/3.10 only
    pass

RULE_NAMES = frozenset(rule.value for rule in Rule)

_KNOWN_KEYS = frozenset(
    {
        "exclude",
        "entry",
        "requirements",
        "ignore",
        "select",
        "module-map",
        "first-party",
        "python-version",
        "target",
    }
)


@dataclass(frozen=True)
class Config:
    exclude: tuple[str, ...] = ()
    entries: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    ignore: frozenset[str] = frozenset()
    select: frozenset[str] = frozenset()  # empty: every rule
    module_map: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    first_party: tuple[str, ...] = ()
    python_version: Optional[tuple[int, int]] = None
    targets: tuple[str, ...] = ()
    python: Optional[str] = None  # --python PATH
    dockerfile: Optional[str] = None  # --dockerfile PATH: a descriptor read as the target
    strict: bool = False  # --strict: every version-conflict is an error
    source: Optional[str] = None  # the file the settings came from


def parse_rules(text: str, origin: str) -> frozenset[str]:
    """'missing,unused' -> the rule names; an unknown name is an AuditError naming it."""
    names = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(names - RULE_NAMES)
    if unknown:
        raise AuditError(
            f"{origin}: unknown rule {', '.join(unknown)} "
            f"(known: {', '.join(sorted(RULE_NAMES))})"
        )
    return names


def parse_python_version(text: str, origin: str) -> tuple[int, int]:
    version = parse_version(str(text))
    if version is None or version[0] != 3:
        raise AuditError(f"{origin}: '{text}' is not a Python version like 3.12")
    return version


def _strings(value: Any, key: str, origin: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise AuditError(f"{origin}: '{key}' must be a list of strings")


def _from_table(table: Mapping[str, Any], origin: str) -> Config:
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise AuditError(f"{origin}: unknown key {', '.join(unknown)} in [tool.importaudit]")
    module_map: dict[str, tuple[str, ...]] = {}
    raw_map = table.get("module-map", {})
    if not isinstance(raw_map, dict):
        raise AuditError(f"{origin}: 'module-map' must be a table of import name = distribution(s)")
    for module, dists in raw_map.items():
        module_map[str(module)] = _strings(dists, f"module-map.{module}", origin)
    version = table.get("python-version")
    return Config(
        exclude=_strings(table.get("exclude", []), "exclude", origin),
        entries=_strings(table.get("entry", []), "entry", origin),
        requirements=_strings(table.get("requirements", []), "requirements", origin),
        ignore=parse_rules(",".join(_strings(table.get("ignore", []), "ignore", origin)), origin),
        select=parse_rules(",".join(_strings(table.get("select", []), "select", origin)), origin),
        module_map=module_map,
        first_party=_strings(table.get("first-party", []), "first-party", origin),
        python_version=parse_python_version(str(version), origin) if version is not None else None,
        targets=_strings(table.get("target", []), "target", origin),
        source=origin,
    )


def load_config(root: Path, config_file: Optional[Path] = None) -> Config:
    """Read [tool.importaudit]; an explicit --config file must exist and parse, the default may be absent."""
    path = config_file if config_file is not None else root / "pyproject.toml"
    origin = str(config_file) if config_file is not None else "pyproject.toml"
    if not is_file(path):
        if config_file is not None:
            raise AuditError(f"{origin}: config file not found")
        return Config()
    try:
        data = load_toml(path.read_text(encoding="utf-8", errors="replace"))
    except (ValueError, OSError) as exc:  # TOMLDecodeError and LoadError are ValueErrors
        if config_file is not None:
            raise AuditError(f"{origin}: invalid TOML: {exc}") from exc
        # The project's own pyproject being broken is a finding of the requirements stage, not exit 2.
        return Config()
    if config_file is not None and path.name != "pyproject.toml" and "tool" not in data:
        table: Any = data.get("importaudit", data)
    else:
        tool = data.get("tool", {})
        table = tool.get("importaudit", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise AuditError(f"{origin}: [tool.importaudit] must be a table")
    return _from_table(table, origin)


def merge_cli(
    config: Config,
    *,
    entries: Sequence[str] = (),
    requirements: Sequence[str] = (),
    targets: Sequence[str] = (),
    python_version: Optional[str] = None,
    python: Optional[str] = None,
    dockerfile: Optional[str] = None,
    select: Optional[str] = None,
    ignore: Optional[str] = None,
    strict: bool = False,
) -> Config:
    """The command line adds to (entries, requirements) or overrides (the rest) the file's settings."""
    return replace(
        config,
        entries=config.entries + tuple(entries),
        requirements=tuple(requirements) or config.requirements,
        targets=tuple(targets) or config.targets,
        python_version=(
            parse_python_version(python_version, "--python-version")
            if python_version
            else config.python_version
        ),
        python=python or config.python,
        dockerfile=dockerfile or config.dockerfile,
        select=parse_rules(select, "--select") if select else config.select,
        ignore=config.ignore | (parse_rules(ignore, "--ignore") if ignore else frozenset()),
        strict=strict or config.strict,
    )
