"""Poetry's `[tool.poetry]` tables: constraints (^ ~ *), dependency tables, groups and extras."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Optional, Union

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from importaudit.model import Requirement, SourceWarning
from importaudit.requirements.common import LineFinder, TomlTable, is_dev_name
from importaudit.requirements.declaration import DeclarationBuilder

_OPERATOR = re.compile(r"^(===|==|!=|<=|>=|~=|<|>|\^|~)?\s*(.*)$")
_PLATFORMS = {"linux": "linux", "darwin": "darwin", "win32": "win32", "windows": "win32"}


def _release(text: str) -> list[int]:
    numbers: list[int] = []
    for piece in text.split("."):
        digits = re.match(r"\d+", piece)
        if not digits:
            break
        numbers.append(int(digits.group()))
        if digits.group() != piece:
            break
    return numbers


def _bound(release: list[int], keep: int) -> str:
    """Bump the component at index `keep - 1`, zero the rest, keep as many parts as written."""
    upper = release[:keep] + [0] * (len(release) - keep)
    upper[keep - 1] += 1
    return ".".join(str(n) for n in upper)


def _one_constraint(clause: str) -> Optional[str]:
    """One Poetry clause -> PEP 440 ("^1.2" -> ">=1.2,<2.0"); None when it cannot be converted."""
    clause = clause.strip()
    if clause in ("", "*"):
        return ""
    match = _OPERATOR.match(clause)
    if not match:
        return None
    operator, version = match.group(1) or "", match.group(2).strip()
    if operator in ("^", "~"):
        release = _release(version)
        if not release:
            return None
        if operator == "^":
            first = next((i for i, n in enumerate(release) if n != 0), len(release) - 1)
            keep = first + 1
        else:
            keep = min(len(release), 2) if len(release) > 1 else 1
        return f">={version},<{_bound(release, keep)}"
    if not operator:
        if version.endswith(".*") or version.replace(".", "").isalnum():
            return f"=={version}"
        return None
    if operator == "==" and version.endswith(".*") is False and "*" in version:
        return None
    return f"{operator}{version}"


def poetry_specifier(constraint: str) -> Optional[str]:
    """A Poetry version constraint -> a PEP 440 specifier string; "" for any; None if unreadable.

    Unions (`a || b`) cannot be one SpecifierSet: they read as "any version" (names are what the
    audit needs). Comma- or space-separated clauses are intersected.
    """
    if "||" in constraint:
        return ""
    clauses = [c for c in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", constraint.strip()) if c]
    converted = [_one_constraint(c) for c in clauses] or [""]
    if any(c is None for c in converted):
        return None
    text = ",".join(c for c in converted if c)
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return None
    return text


def python_marker(constraint: str) -> Optional[str]:
    """Poetry `python = "^3.8"` -> 'python_version >= "3.8" and python_version < "4.0"'."""
    alternatives: list[str] = []
    for part in constraint.split("||"):
        spec = poetry_specifier(part)
        if spec is None:
            return None
        clauses = []
        for item in (s for s in spec.split(",") if s):
            match = re.match(r"(===|==|!=|<=|>=|~=|<|>)(.*)", item)
            if not match:
                return None
            version = match.group(2)
            variable = "python_full_version" if version.count(".") >= 2 else "python_version"
            clauses.append(f'{variable} {match.group(1)} "{version}"')
        if not clauses:
            return None
        alternatives.append(" and ".join(clauses))
    if len(alternatives) == 1:
        return alternatives[0]
    return " or ".join(f"({a})" for a in alternatives)


def _joined(*markers: Optional[str]) -> Optional[str]:
    present = [m for m in markers if m]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    return " and ".join(f"({m})" for m in present)


def poetry_dependency(
    name: str, value: Any, source: str, line: int, group: str, dev: bool
) -> list[Union[Requirement, SourceWarning]]:
    """One `name = <constraint | table | list of tables>` entry -> requirements (one per table)."""
    entries = value if isinstance(value, list) else [value]
    made: list[Union[Requirement, SourceWarning]] = []
    for entry in entries:
        table: dict[str, Any] = entry if isinstance(entry, dict) else {"version": entry}
        if not isinstance(table.get("version", ""), str):
            made.append(
                SourceWarning(source, line, f"{name}: unreadable version {table['version']!r}")
            )
            continue
        specifier = poetry_specifier(str(table.get("version", "")))
        if specifier is None:
            made.append(
                SourceWarning(source, line, f"{name}: cannot read constraint {table['version']!r}")
            )
            specifier = ""
        python = python_marker(str(table["python"])) if "python" in table else None
        platform = table.get("platform")
        platform_marker = (
            f'sys_platform == "{_PLATFORMS.get(str(platform), platform)}"' if platform else None
        )
        raw_markers = table.get("markers")
        marker = _joined(str(raw_markers) if raw_markers else None, python, platform_marker)
        url = table.get("git") or table.get("url") or table.get("path")
        extras = table.get("extras") or ()
        if not isinstance(extras, (list, tuple)) or not all(isinstance(e, str) for e in extras):
            made.append(SourceWarning(source, line, f"{name}: extras is not a list of names: {extras!r}"[:200]))
            extras = ()
        made.append(
            Requirement(
                name=name,
                key=canonicalize_name(name),
                source=source,
                line=line,
                specifier=specifier,
                extras=tuple(sorted(str(e) for e in extras)),
                marker=marker,
                group=group,
                dev=dev,
                url=str(url) if url else None,
                editable=bool(table.get("develop")),
            )
        )
    return made


def _is_optional(value: Any) -> bool:
    entries = value if isinstance(value, list) else [value]
    return any(isinstance(e, dict) and e.get("optional") for e in entries)


def _read_table(
    deps: Any,
    header: str,
    builder: DeclarationBuilder,
    finder: LineFinder,
    source: str,
    group: str,
    dev: bool,
) -> tuple[list[Requirement], dict[str, list[Requirement]]]:
    """A dependencies table -> (always installed, optional ones by canonical name)."""
    plain: list[Requirement] = []
    optional: dict[str, list[Requirement]] = {}
    if not isinstance(deps, dict):
        builder.warnings.append(
            SourceWarning(source, finder.find(header), f"[{header}] is not a table")
        )
        return plain, optional
    for name in deps:
        if name.lower() == "python":
            continue
        line = finder.find_key(header, name)
        for made in poetry_dependency(name, deps[name], source, line, group, dev):
            if isinstance(made, SourceWarning):
                builder.warnings.append(made)
            elif _is_optional(deps[name]):
                optional.setdefault(made.key, []).append(made)
            else:
                plain.append(made)
    return plain, optional


def read_poetry(
    poetry: TomlTable, finder: LineFinder, builder: DeclarationBuilder, source: str
) -> None:
    """Fill the builder from `[tool.poetry]` (Poetry 1.x, and Poetry 2 next to `[project]`)."""
    builder.tool = "poetry"
    builder.has_metadata = True
    if not builder.name and isinstance(poetry.get("name"), str):
        builder.name = canonicalize_name(poetry["name"])
    deps = poetry.get("dependencies", {})
    if isinstance(deps, dict) and "python" in deps and builder.requires_python is None:
        python = poetry_specifier(str(deps["python"]))
        builder.requires_python = python or None
    header = "tool.poetry.dependencies"
    plain, optional = _read_table(deps, header, builder, finder, source, "main", False)
    known = {r.key for r in builder.main}
    builder.main.extend(r for r in plain if r.key not in known)
    builder.main_declared = builder.main_declared or bool(deps)
    extras = poetry.get("extras", {})
    if isinstance(extras, dict):
        for extra, names in sorted(extras.items()):
            dev = is_dev_name(extra)
            chosen: list[Requirement] = []
            for listed in names if isinstance(names, list) else []:
                key = canonicalize_name(str(listed).split("[")[0].strip())
                for req in optional.get(key, []):
                    chosen.append(replace(req, group=f"extra:{extra}", dev=dev))
                if key not in optional:
                    line = finder.find("tool.poetry.extras", f'"{listed}"', f"'{listed}'")
                    builder.warnings.append(
                        SourceWarning(
                            source,
                            line,
                            f"extra {extra} names {listed}, not an optional dependency",
                        )
                    )
            builder.extras.setdefault(extra, []).extend(chosen)
    legacy = poetry.get("dev-dependencies")
    if legacy is not None:
        reqs, _ = _read_table(
            legacy, "tool.poetry.dev-dependencies", builder, finder, source, "dev", True
        )
        builder.groups.setdefault("dev", []).extend(reqs)
    groups = poetry.get("group", {})
    for name, table in sorted(groups.items()) if isinstance(groups, dict) else []:
        if not isinstance(table, dict):
            continue
        if table.get("optional"):
            builder.optional_groups.add(name)
        header = f"tool.poetry.group.{name}.dependencies"
        group_deps = table.get("dependencies", {})
        reqs, opt = _read_table(
            group_deps, header, builder, finder, source, f"group:{name}", is_dev_name(name)
        )
        builder.groups.setdefault(name, []).extend(reqs + [r for rs in opt.values() for r in rs])
