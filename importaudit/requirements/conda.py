"""conda environment.yml: the `pip:` section as requirements, conda packages as group "conda"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from importaudit.model import Requirement, SourceWarning
from importaudit.requirements.common import is_dev_file, join_relative, parent_of, parse_requirement, read_text
from importaudit.requirements.reqfile import SourceSet, read_requirements_file
from importaudit.safeload import LoadError, compose_yaml

_CONDA_SPEC = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9._-]*)\s*(.*)$")
# Not distributions an import could come from: the interpreter and the installers.
_SKIP = frozenset({"python", "pip", "conda", "mamba"})


def _conda_requirement(text: str, source: str, line: int, dev: bool) -> Optional[Requirement]:
    """`numpy=1.20`, `conda-forge::numpy>=1.2`, `numpy 1.20 py38_0` -> Requirement (group conda)."""
    spec = text.split("::", 1)[-1].strip()
    match = _CONDA_SPEC.match(spec)
    if not match or match.group(1).lower() in _SKIP:
        return None
    name, rest = match.group(1), match.group(2).strip().split(" ")[0].strip()
    # conda's `=1.2` and `name 1.2` are fuzzy (1.2, 1.2.x); `==1.2` is exact, as in PEP 440.
    if rest.startswith("=") and not rest.startswith("=="):
        rest = rest[1:]
    if rest[:1].isdigit():
        rest = f"=={rest}" + ("" if rest.endswith("*") else ".*")
    try:
        specifier = str(SpecifierSet(rest)) if rest else ""
    except InvalidSpecifier:
        specifier = ""  # conda's own syntax (build strings, `|`): the name is what matters
    return Requirement(
        name=name,
        key=canonicalize_name(name),
        source=source,
        line=line,
        specifier=specifier,
        group="conda",
        dev=dev,
    )


def _python_of(entries: list[tuple[str, int]]) -> Optional[str]:
    for text, _ in entries:
        match = re.match(r"^python\s*=?=?\s*(\d+\.\d+)", text.split("::")[-1].strip())
        if match:
            return f"=={match.group(1)}.*"
    return None


def read_environment(root: Path, relpath: str) -> SourceSet:
    """environment.yml -> one set: conda packages (group "conda") and pip entries (group "main")."""
    dev = is_dev_file(relpath)
    text = read_text(root, relpath)
    if isinstance(text, SourceWarning):
        return SourceSet(source=relpath, kind="conda", warnings=(text,), dev=dev)
    try:
        node = compose_yaml(text)
    except (yaml.YAMLError, LoadError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return SourceSet(
            source=relpath,
            kind="conda",
            warnings=(SourceWarning(relpath, line, f"invalid YAML: {exc}"),),
            dev=dev,
        )
    conda: list[tuple[str, int]] = []
    pip: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "dependencies" and isinstance(value, yaml.SequenceNode):
                for item in value.value:
                    if isinstance(item, yaml.ScalarNode):
                        conda.append((str(item.value), item.start_mark.line + 1))
                    elif isinstance(item, yaml.MappingNode):
                        for sub_key, sub_value in item.value:
                            if sub_key.value == "pip" and isinstance(sub_value, yaml.SequenceNode):
                                pip.extend(
                                    (str(p.value), p.start_mark.line + 1)
                                    for p in sub_value.value
                                    if isinstance(p, yaml.ScalarNode)
                                )
    requirements: list[Requirement] = []
    warnings: list[SourceWarning] = []
    includes: list[str] = []
    for text_item, line in conda:
        made = _conda_requirement(text_item, relpath, line, dev)
        if made is not None:
            requirements.append(made)
    for text_item, line in pip:
        entry = text_item.strip()
        if entry.startswith(("-r ", "--requirement ", "-r", "--requirement=")):
            target = re.sub(r"^(-r|--requirement)[ =]?", "", entry).strip()
            included = join_relative(parent_of(relpath), target)
            includes.append(included)
            read = read_requirements_file(root, included)
            requirements.extend(read.requirements)
            warnings.extend(read.warnings)
        elif entry.startswith("-") and not entry.startswith(("-e ", "--editable")):
            continue  # --index-url and friends
        else:
            result = parse_requirement(entry, relpath, line, dev=dev)
            if isinstance(result, SourceWarning):
                warnings.append(result)
            else:
                requirements.append(result)
    return SourceSet(
        source=relpath,
        kind="conda",
        requirements=tuple(requirements),
        warnings=tuple(warnings),
        includes=tuple(includes),
        dev=dev,
        requires_python=_python_of(conda),
    )
