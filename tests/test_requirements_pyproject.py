"""pyproject.toml: PEP 621, setuptools dynamic, PEP 735 groups, PDM and uv tables; read_project."""

from __future__ import annotations

from pathlib import Path

import pytest
from requirements_support import write_tree

from importaudit.requirements import read_project

PEP621 = """
    [build-system]
    requires = ["hatchling"]
    build-backend = "hatchling.build"

    [project]
    name = "My.App"
    requires-python = ">=3.10"
    dependencies = [
        "flask>=2",
        'gunicorn[gevent]==22; sys_platform == "linux"',
    ]

    [project.optional-dependencies]
    postgres = ["psycopg2-binary"]
    test = ["pytest", "my-app[postgres]"]
"""


def test_pep621(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": PEP621})
    project = read_project(tmp_path)
    assert project is not None
    assert (project.name, project.requires_python, project.build_backend, project.tool) == (
        "my-app",
        ">=3.10",
        "hatchling.build",
        "hatch",
    )
    assert [(r.key, r.specifier, r.extras, r.marker, r.line) for r in project.main] == [
        ("flask", ">=2", (), None, 9),
        ("gunicorn", "==22", ("gevent",), 'sys_platform == "linux"', 10),
    ]
    assert [(r.key, r.group, r.dev, r.line) for r in project.extras["postgres"]] == [
        ("psycopg2-binary", "extra:postgres", False, 14)
    ]
    assert [(r.key, r.group, r.dev) for r in project.extras["test"]] == [
        ("pytest", "extra:test", True),
        ("my-app", "extra:test", True),
    ]
    assert project.sources == ("pyproject.toml",)
    assert project.warnings == ()


def test_no_metadata_is_none(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"})
    assert read_project(tmp_path) is None
    assert read_project(tmp_path, "nowhere") is None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[project]\nname = 'x'\ndependencies = [\n", 3),
        ("[project\nname='x'\n", 1),
        ("[project]\nname = 'x'\nname = 'y'\n", 3),
    ],
)
def test_invalid_toml_is_a_warning_with_line(tmp_path: Path, text: str, line: int) -> None:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    project = read_project(tmp_path)
    assert project is not None
    assert [(w.file, w.line) for w in project.warnings] == [("pyproject.toml", line)]
    assert project.warnings[0].message.startswith("invalid TOML")


def test_bad_requirement_string_is_a_warning(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": """
        [project]
        name = "x"
        dependencies = ["flask", "not a valid ===", 3]
    """
        },
    )
    project = read_project(tmp_path)
    assert project is not None
    assert [r.key for r in project.main] == ["flask"]
    assert [(w.file, w.line) for w in project.warnings] == [("pyproject.toml", 3)]


def test_setuptools_dynamic_files(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "backend/pyproject.toml": """
            [project]
            name = "api"
            dynamic = ["dependencies", "optional-dependencies"]
            [tool.setuptools.dynamic]
            dependencies = {file = ["requirements.txt"]}
            optional-dependencies.dev = {file = ["requirements-dev.txt"]}
        """,
            "backend/requirements.txt": "# runtime\nfastapi\nuvicorn[standard]\n",
            "backend/requirements-dev.txt": "pytest\n",
        },
    )
    project = read_project(tmp_path, "backend")
    assert project is not None
    assert [(r.key, r.source, r.line, r.group, r.dev) for r in project.main] == [
        ("fastapi", "backend/requirements.txt", 2, "main", False),
        ("uvicorn", "backend/requirements.txt", 3, "main", False),
    ]
    assert [(r.key, r.group, r.dev) for r in project.extras["dev"]] == [
        ("pytest", "extra:dev", True)
    ]
    assert project.sources == (
        "backend/pyproject.toml",
        "backend/requirements.txt",
        "backend/requirements-dev.txt",
    )


def test_dynamic_without_file_falls_back_to_setup_py(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "x"\ndynamic = ["dependencies"]\n',
            "setup.py": "from setuptools import setup\nsetup(install_requires=['click'])\n",
        },
    )
    project = read_project(tmp_path)
    assert project is not None
    assert [(r.key, r.source) for r in project.main] == [("click", "setup.py")]


DEPENDENCY_GROUPS = """
    [project]
    name = "x"

    [dependency-groups]
    test = ["pytest>=8", "coverage"]
    typing = ["mypy"]
    all = [{include-group = "test"}, {include-group = "typing"}, "ruff"]
    server = ["gunicorn"]
    loop-a = [{include-group = "loop-b"}]
    loop-b = [{include-group = "loop-a"}, "six"]
"""


def test_pep735_groups_with_includes_and_cycles(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": DEPENDENCY_GROUPS})
    project = read_project(tmp_path)
    assert project is not None
    assert [(r.key, r.group, r.dev, r.line) for r in project.groups["all"]] == [
        ("pytest", "group:all", False, 5),
        ("coverage", "group:all", False, 5),
        ("mypy", "group:all", False, 6),
        ("ruff", "group:all", False, 7),
    ]
    assert [(r.key, r.group, r.dev) for r in project.groups["test"]] == [
        ("pytest", "group:test", True),
        ("coverage", "group:test", True),
    ]
    assert [(r.key, r.dev) for r in project.groups["server"]] == [("gunicorn", False)]
    assert [r.key for r in project.groups["loop-a"]] == ["six"]
    assert [w.message for w in project.warnings] == [
        "include-group cycle: loop-a -> loop-b -> loop-a"
    ]
    assert project.warnings[0].line == 10  # the include that closes the loop


def test_pdm_and_uv_dev_tables(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": """
        [project]
        name = "x"
        dependencies = ["httpx"]
        [tool.pdm.dev-dependencies]
        lint = ["ruff"]
        [tool.uv]
        dev-dependencies = ["pytest"]
        default-groups = ["dev", "lint"]
    """
        },
    )
    project = read_project(tmp_path)
    assert project is not None
    assert [(r.key, r.group, r.dev, r.line) for r in project.groups["lint"]] == [
        ("ruff", "group:lint", True, 5)
    ]
    assert [(r.key, r.group, r.dev, r.line) for r in project.groups["dev"]] == [
        ("pytest", "dev", True, 7)
    ]
    assert project.default_groups == ("dev", "lint")
