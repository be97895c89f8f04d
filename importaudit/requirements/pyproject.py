"""pyproject.toml: PEP 621, setuptools dynamic files, PEP 735 groups, Poetry, PDM and uv tables."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from importaudit.model import Requirement, SourceWarning
from importaudit.requirements.common import (
    LineFinder,
    TomlTable,
    is_dev_name,
    load_toml,
    quoted,
)
from importaudit.requirements.declaration import DeclarationBuilder
from importaudit.requirements.poetry import read_poetry
from importaudit.safeload import as_table


def _strings(
    values: Any,
    header: str,
    finder: LineFinder,
    builder: DeclarationBuilder,
    source: str,
    group: str,
    dev: bool,
) -> list[Requirement]:
    """A TOML list of PEP 508 strings -> requirements, each on the line its text is found."""
    made: list[Requirement] = []
    if not isinstance(values, list):
        line = finder.find(header)
        builder.warnings.append(
            SourceWarning(source, line, f"[{header}] {group}: not a list of strings")
        )
        return made
    strings = (value for value in values if isinstance(value, str))
    return builder.parse_requirements(
        ((value, finder.find(header, *quoted(value))) for value in strings), source, group, dev
    )


def _dynamic_files(
    root: Path, builder: DeclarationBuilder, spec: Any, group: str, dev: bool, source: str
) -> list[Requirement]:
    """setuptools `{file = ["requirements.txt"]}`: read those files (relative to the project)."""
    files = spec.get("file") if isinstance(spec, dict) else None
    if isinstance(files, str):
        files = [files]
    if not isinstance(files, list):
        builder.warnings.append(SourceWarning(source, 1, f"dynamic {group}: no `file =` list"))
        return []
    return builder.read_requirement_files(root, [str(name) for name in files], group, dev)


def _dependency_groups(
    table: Any, finder: LineFinder, builder: DeclarationBuilder, source: str
) -> None:
    """PEP 735 `[dependency-groups]`, `{include-group = "x"}` expanded, cycles reported."""
    if not isinstance(table, dict):
        return
    resolved: dict[str, list[Requirement]] = {}

    def resolve(name: str, stack: tuple[str, ...]) -> list[Requirement]:
        if name in resolved:
            return resolved[name]
        key = canonicalize_name(name)
        found = next(((k, v) for k, v in table.items() if canonicalize_name(k) == key), None)
        if found is None or not isinstance(found[1], list):
            line = finder.find_from(finder.header("dependency-groups") + 1, name)
            builder.warnings.append(
                SourceWarning(source, line, f"dependency group {name} not found")
            )
            return []
        start = finder.find_key("dependency-groups", found[0])
        out: list[Requirement] = []
        for entry in found[1]:
            if isinstance(entry, dict) and "include-group" in entry:
                included = str(entry["include-group"])
                if included in stack or included == name:
                    chain = " -> ".join((*stack, name, included))
                    line = finder.find_from(start, *quoted(included))
                    builder.warnings.append(
                        SourceWarning(source, line, f"include-group cycle: {chain}")
                    )
                    continue
                out.extend(resolve(included, (*stack, name)))
            elif isinstance(entry, str):
                line = finder.find_from(start, *quoted(entry))
                out.extend(builder.parse_requirements([(entry, line)], source, f"group:{name}", False))
            else:
                line = finder.find_from(start)
                builder.warnings.append(
                    SourceWarning(source, line, f"group {name}: unreadable entry {entry!r}")
                )
        resolved[name] = out
        return out

    for name in table:
        group = resolve(name, ())
        dev = is_dev_name(name)
        builder.groups.setdefault(name, []).extend(
            replace(r, group=f"group:{name}", dev=dev) for r in group
        )


def read_pyproject(root: Path, builder: DeclarationBuilder) -> None:
    """Fill the builder from the directory's pyproject.toml, if it has one."""
    opened = builder.read_file(root, "pyproject.toml")
    if opened is None:
        return
    source, text = opened
    data = load_toml(text, source)
    if isinstance(data, SourceWarning):
        builder.warnings.append(data)
        return
    finder = LineFinder(text)
    build = data.get("build-system", {})
    if isinstance(build, dict) and isinstance(build.get("build-backend"), str):
        builder.build_backend = build["build-backend"]
        backend = builder.build_backend.split(".")[0].split(":")[0]
        builder.tool = {
            "poetry": "poetry",
            "pdm": "pdm",
            "hatchling": "hatch",
            "flit_core": "flit",
        }.get(backend, builder.tool)
    project = data.get("project")
    tool = data.get("tool", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(project, dict):
        _read_project_table(root, project, tool, finder, builder, source)
    groups = data.get("dependency-groups")
    if groups is not None:
        builder.has_metadata = True
        _dependency_groups(groups, finder, builder, source)
    if isinstance(tool.get("poetry"), dict) and (
        "dependencies" in tool["poetry"] or "name" in tool["poetry"] or "group" in tool["poetry"]
    ):
        read_poetry(tool["poetry"], finder, builder, source)
    _read_pdm_uv(tool, finder, builder, source)


def _read_project_table(
    root: Path,
    project: TomlTable,
    tool: TomlTable,
    finder: LineFinder,
    builder: DeclarationBuilder,
    source: str,
) -> None:
    builder.has_metadata = True
    if isinstance(project.get("name"), str):
        builder.name = canonicalize_name(project["name"])
    if isinstance(project.get("requires-python"), str):
        builder.requires_python = project["requires-python"]
    dynamic = project.get("dynamic", [])
    dynamic = {str(d) for d in dynamic} if isinstance(dynamic, list) else set()
    setuptools_dynamic = as_table(as_table(tool.get("setuptools")).get("dynamic"))
    if "dependencies" in project:
        builder.main.extend(
            _strings(project["dependencies"], "project", finder, builder, source, "main", False)
        )
        builder.main_declared = True
    elif "dependencies" in dynamic and "dependencies" in setuptools_dynamic:
        builder.main.extend(
            _dynamic_files(root, builder, setuptools_dynamic["dependencies"], "main", False, source)
        )
        builder.main_declared = True
    elif "dependencies" in dynamic:
        builder.dynamic.add("dependencies")
    optional = project.get("optional-dependencies", {})
    header = (
        "project.optional-dependencies"
        if finder.header("project.optional-dependencies") >= 0
        else "project"
    )
    for extra, values in sorted(optional.items()) if isinstance(optional, dict) else []:
        dev = is_dev_name(extra)
        builder.extras.setdefault(extra, []).extend(
            _strings(values, header, finder, builder, source, f"extra:{extra}", dev)
        )
    dynamic_optional = setuptools_dynamic.get("optional-dependencies")
    if "optional-dependencies" in dynamic and isinstance(dynamic_optional, dict):
        for extra, spec in sorted(dynamic_optional.items()):
            dev = is_dev_name(extra)
            builder.extras.setdefault(extra, []).extend(
                _dynamic_files(root, builder, spec, f"extra:{extra}", dev, source)
            )
    elif "optional-dependencies" in dynamic:
        builder.dynamic.add("optional-dependencies")


def _read_pdm_uv(
    tool: TomlTable, finder: LineFinder, builder: DeclarationBuilder, source: str
) -> None:
    pdm = tool.get("pdm")
    if isinstance(pdm, dict) and isinstance(pdm.get("dev-dependencies"), dict):
        builder.has_metadata = True
        if builder.tool == "setuptools":
            builder.tool = "pdm"
        for name, values in sorted(pdm["dev-dependencies"].items()):
            builder.groups.setdefault(name, []).extend(
                _strings(
                    values,
                    "tool.pdm.dev-dependencies",
                    finder,
                    builder,
                    source,
                    f"group:{name}",
                    True,
                )
            )
    uv = tool.get("uv")
    if isinstance(uv, dict):
        if isinstance(uv.get("dev-dependencies"), list):
            builder.has_metadata = True
            builder.groups.setdefault("dev", []).extend(
                _strings(uv["dev-dependencies"], "tool.uv", finder, builder, source, "dev", True)
            )
        defaults = uv.get("default-groups")
        if isinstance(defaults, list):
            builder.default_groups = tuple(str(g) for g in defaults)
        elif defaults == "all":
            builder.default_groups = ("*",)
