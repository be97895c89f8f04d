"""The runtime of a project with no deploy descriptor: what `pip install .` (or its tool) gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from requirements_support import write_tree

from importaudit.requirements import discover_sources
from importaudit.requirements.implicit import implicit_runtime, nested_runtimes
from importaudit.source.conditions import TargetEnv

PEP621 = '[project]\nname = "app"\nversion = "1"\ndependencies = ["flask"]\n' \
         '[project.optional-dependencies]\nhttp = ["httpx"]\n[dependency-groups]\ndev = ["pytest"]\n'
ENV = TargetEnv((3, 12))


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        # Project metadata is the runtime; extras, groups and build files are not.
        ({"pyproject.toml": PEP621}, ["flask"]),
        ({"pyproject.toml": PEP621, "requirements/cython.txt": "cython\n"}, ["flask"]),
        ({"pyproject.toml": PEP621, "requirements.txt": "flask\ngunicorn\n"}, ["flask"]),
        # No project metadata: the top-level requirements.txt, before other requirements files.
        ({"requirements.txt": "django\n", "requirements/prod.txt": "gunicorn\n"}, ["django"]),
        ({"requirements/base.txt": "django\n", "requirements/prod.txt": "-r base.txt\ngunicorn\n"},
         ["django", "django", "gunicorn"]),
        # Metadata that declares no dependencies (a tool-only pyproject) gives way to the file.
        ({"pyproject.toml": '[project]\nname = "a"\nversion = "1"\n', "requirements.txt": "flask\n"}, ["flask"]),
        # setup.py extras are not runtime either.
        ({"setup.py": "from setuptools import setup\nsetup(name='a', install_requires=['flask'], "
                      "extras_require={'http': ['requests']})\n"}, ["flask"]),
        # A nested project belongs to its folder, never to the root's runtime.
        ({"pyproject.toml": PEP621, "examples/demo/pyproject.toml":
          '[project]\nname = "demo"\nversion = "1"\ndependencies = ["jinja2"]\n'}, ["flask"]),
        # A Pipfile with no other metadata: `pipenv install` (the default packages).
        ({"Pipfile": '[packages]\nflask = "*"\n[dev-packages]\npytest = "*"\n'}, ["flask"]),
    ],
)
def test_implicit_runtime(tmp_path: Path, tree: dict[str, str], expected: list[str]) -> None:
    files = write_tree(tmp_path, tree)
    declared = discover_sources(tmp_path, files)
    reqs, _ = implicit_runtime(tmp_path, declared, ENV)
    assert sorted(r.key for r in reqs) == expected


def test_nested_projects_have_their_own_runtime(tmp_path: Path) -> None:
    files = write_tree(tmp_path, {
        "pyproject.toml": PEP621,
        "examples/demo/pyproject.toml": '[project]\nname = "demo"\nversion = "1"\ndependencies = ["jinja2"]\n',
    })
    nested = nested_runtimes(tmp_path, discover_sources(tmp_path, files), ENV)
    assert {folder: [r.key for r in reqs] for folder, reqs in nested.items()} == {"examples/demo": ["jinja2"]}
