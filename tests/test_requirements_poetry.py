"""Poetry: constraint conversion, dependency tables, extras, groups, legacy dev-dependencies."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Optional

import pytest

from importaudit.requirements import read_project
from importaudit.requirements.poetry import poetry_specifier, python_marker


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2", ">=1.2,<2.0"),
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0", ">=0,<1"),
        ("~1.2", ">=1.2,<1.3"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1", ">=1,<2"),
        ("*", ""),
        ("", ""),
        ("1.2.3", "==1.2.3"),
        ("1.2.*", "==1.2.*"),
        (">=1.2,<2", ">=1.2,<2"),
        (">=1.2 <2", ">=1.2,<2"),
        ("~=1.4", "~=1.4"),
        ("^1.0 || ^2.0", ""),
        ("^x.y", None),
        (">=banana", None),
    ],
)
def test_poetry_specifier(constraint: str, expected: Optional[str]) -> None:
    assert poetry_specifier(constraint) == expected


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^3.8", 'python_version >= "3.8" and python_version < "4.0"'),
        (">=3.9", 'python_version >= "3.9"'),
        (
            "~2.7 || ^3.6",
            '(python_version >= "2.7" and python_version < "2.8") or '
            '(python_version >= "3.6" and python_version < "4.0")',
        ),
        (">=3.8.1", 'python_full_version >= "3.8.1"'),
    ],
)
def test_python_marker(constraint: str, expected: str) -> None:
    assert python_marker(constraint) == expected


POETRY = """
    [tool.poetry]
    name = "Shop_Api"
    version = "0.1.0"

    [tool.poetry.dependencies]
    python = "^3.10"
    django = "^4.2"
    requests = { version = "~2.31", extras = ["socks"] }
    uvloop = { version = "*", platform = "linux" }
    tomli = { version = ">=2", python = "<3.11" }
    pywin32 = { version = "*", markers = "sys_platform == 'win32'" }
    mylib = { git = "https://github.com/x/mylib.git", branch = "main" }
    local = { path = "../local", develop = true }
    psycopg2 = { version = "^2.9", optional = true }
    numpy = [
        { version = "<1.25", python = "<3.9" },
        { version = "^1.26", python = ">=3.9" },
    ]

    [tool.poetry.extras]
    pg = ["psycopg2"]
    broken = ["nothere"]

    [tool.poetry.dev-dependencies]
    black = "^23"

    [tool.poetry.group.test.dependencies]
    pytest = "^7"

    [tool.poetry.group.docs]
    optional = true

    [tool.poetry.group.docs.dependencies]
    sphinx = "*"

    [build-system]
    requires = ["poetry-core"]
    build-backend = "poetry.core.masonry.api"
"""


def test_poetry_tables(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(POETRY).lstrip(), encoding="utf-8")
    project = read_project(tmp_path)
    assert project is not None
    assert (project.name, project.tool, project.requires_python) == (
        "shop-api",
        "poetry",
        ">=3.10,<4.0",
    )
    got = [
        (r.key, r.specifier, r.extras, r.marker, r.url, r.editable, r.line) for r in project.main
    ]
    assert got == [
        ("django", ">=4.2,<5.0", (), None, None, False, 7),
        ("requests", ">=2.31,<2.32", ("socks",), None, None, False, 8),
        ("uvloop", "", (), 'sys_platform == "linux"', None, False, 9),
        ("tomli", ">=2", (), 'python_version < "3.11"', None, False, 10),
        ("pywin32", "", (), "sys_platform == 'win32'", None, False, 11),
        ("mylib", "", (), None, "https://github.com/x/mylib.git", False, 12),
        ("local", "", (), None, "../local", True, 13),
        ("numpy", "<1.25", (), 'python_version < "3.9"', None, False, 15),
        ("numpy", ">=1.26,<2.0", (), 'python_version >= "3.9"', None, False, 15),
    ]
    assert [(r.key, r.group, r.dev) for r in project.extras["pg"]] == [
        ("psycopg2", "extra:pg", False)
    ]
    assert project.extras["broken"] == ()
    assert [(w.line, w.message) for w in project.warnings] == [
        (22, "extra broken names nothere, not an optional dependency")
    ]
    assert [(r.key, r.group, r.dev, r.line) for r in project.groups["dev"]] == [
        ("black", "dev", True, 25)
    ]
    assert [(r.key, r.group, r.dev) for r in project.groups["test"]] == [
        ("pytest", "group:test", True)
    ]
    assert [(r.key, r.group) for r in project.groups["docs"]] == [("sphinx", "group:docs")]
    assert project.optional_groups == ("docs",)


def test_poetry_unreadable_constraint_is_a_warning(tmp_path: Path) -> None:
    text = '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\nflask = "^banana"\nclick = 3\n'
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    project = read_project(tmp_path)
    assert project is not None
    assert [(r.key, r.specifier) for r in project.main] == [("flask", "")]
    assert [(w.line, w.message.split(":")[0]) for w in project.warnings] == [
        (4, "flask"),
        (5, "click"),
    ]


def test_poetry2_with_pep621_project(tmp_path: Path) -> None:
    text = """
        [project]
        name = "x"
        dependencies = ["flask>=3"]
        [tool.poetry.dependencies]
        flask = { source = "internal" }
        gunicorn = "^22"
        [tool.poetry.group.dev.dependencies]
        pytest = "*"
    """
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    project = read_project(tmp_path)
    assert project is not None
    assert [(r.key, r.specifier, r.source) for r in project.main] == [
        ("flask", ">=3", "pyproject.toml"),
        ("gunicorn", ">=22,<23", "pyproject.toml"),
    ]
    assert [(r.key, r.dev) for r in project.groups["dev"]] == [("pytest", True)]
