"""The requirements stage: what a project declares it installs, in every format, with file and line.

One module per format, claimed by file name through the registry in `formats.FORMATS`:

- `reqfile`   requirements files and pip-compile outputs (pip-requirements-parser; -r/-c followed)
- `pyproject` PEP 621, setuptools dynamic files, PEP 735 groups, PDM and uv tables
- `poetry`    `[tool.poetry]` (^ ~ * constraints, tables, groups, extras)
- `setupcfg`  setup.cfg;  `setuppy` setup.py read as an AST, never run
- `pipfile`   Pipfile and Pipfile.lock;  `locks` poetry.lock, uv.lock, pdm.lock
- `conda`     environment.yml;  `project` merges a directory's metadata into a ProjectDeclaration
- `install`   what one Install brings;  `formats` the registry (FORMATS, read_source)
  `discover`  classifies every source runtime / development / lock, by precedence.

Nothing here imports or runs project code, or touches the network; unreadable input becomes a
SourceWarning(file, line, message). TOML parsers give no line numbers: a value's line is found by
a text search after its table header (first occurrence), good enough to point a reader there.
"""

from __future__ import annotations

from importaudit.requirements.common import DEV_WORDS, is_dev_file, is_dev_name, parse_requirement
from importaudit.requirements.declaration import ProjectDeclaration
from importaudit.requirements.discover import DeclaredSources, discover_sources
from importaudit.requirements.formats import FORMATS, Format, format_of, read_source
from importaudit.requirements.install import requirements_for_install
from importaudit.requirements.locks import lock_graph, read_lock
from importaudit.requirements.project import project_requirements, read_project
from importaudit.requirements.reqfile import SourceSet, read_requirements_file

__all__ = [
    "DEV_WORDS",
    "FORMATS",
    "DeclaredSources",
    "Format",
    "ProjectDeclaration",
    "SourceSet",
    "discover_sources",
    "format_of",
    "is_dev_file",
    "is_dev_name",
    "lock_graph",
    "parse_requirement",
    "project_requirements",
    "read_lock",
    "read_project",
    "read_requirements_file",
    "read_source",
    "requirements_for_install",
]
