"""requirements_for_install: every Install flavour the targets stage produces."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from requirements_support import write_tree

from importaudit.model import Install, InstallKind, Location
from importaudit.requirements import requirements_for_install
from importaudit.source.conditions import TargetEnv

LINUX = TargetEnv((3, 11))
HERE = Location("Dockerfile", 7)

PYPROJECT = """
    [project]
    name = "shop"
    dependencies = ["flask", "shop[pg]"]
    [project.optional-dependencies]
    pg = ["psycopg2-binary"]
    redis = ["redis", "shop[pg]"]
    [dependency-groups]
    dev = ["pytest"]
    lint = ["ruff"]
"""

POETRY = """
    [tool.poetry]
    name = "shop"
    [tool.poetry.dependencies]
    python = "^3.11"
    django = "^4.2"
    [tool.poetry.group.dev.dependencies]
    pytest = "*"
    [tool.poetry.group.server.dependencies]
    gunicorn = "*"
    [tool.poetry.group.docs]
    optional = true
    [tool.poetry.group.docs.dependencies]
    sphinx = "*"
"""


def _keys(root: Path, install: Install) -> list[str]:
    reqs, _ = requirements_for_install(root, install, LINUX)
    return sorted({r.key for r in reqs})


@pytest.mark.parametrize(
    ("install", "expected"),
    [
        (
            Install(InstallKind.REQUIREMENTS, "requirements_zeabur.txt", HERE),
            ["gunicorn", "requests"],
        ),
        (Install(InstallKind.PACKAGE, "gunicorn[gevent]==22", HERE), ["gunicorn"]),
        (Install(InstallKind.PACKAGE, "./", HERE), ["flask", "psycopg2-binary"]),
        (Install(InstallKind.PROJECT, ".", HERE), ["flask", "psycopg2-binary"]),
        (
            Install(InstallKind.PROJECT, ".", HERE, extras=("redis",)),
            ["flask", "psycopg2-binary", "redis"],
        ),
        (
            Install(InstallKind.PROJECT, ".", HERE, tool="uv", include_dev=True),
            ["flask", "psycopg2-binary", "pytest"],
        ),
        (
            Install(InstallKind.PROJECT, ".", HERE, tool="uv", include_dev=False),
            ["flask", "psycopg2-binary"],
        ),
        (
            Install(InstallKind.PROJECT, ".", HERE, tool="uv", groups=("lint",)),
            ["flask", "psycopg2-binary", "ruff"],
        ),
        (Install(InstallKind.UNKNOWN, "/wheels/*.whl", HERE), []),
        (Install(InstallKind.PACKAGE, "numpy=1.26", HERE, tool="conda"), ["numpy"]),
    ],
)
def test_pip_and_uv(tmp_path: Path, install: Install, expected: list[str]) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": PYPROJECT,
            "requirements_zeabur.txt": "requests\n-r base.txt\n",
            "base.txt": "gunicorn\n",
        },
    )
    assert _keys(tmp_path, install) == expected


def test_package_keeps_where_the_command_is(tmp_path: Path) -> None:
    reqs, warnings = requirements_for_install(
        tmp_path, Install(InstallKind.PACKAGE, "gunicorn==22", HERE), LINUX
    )
    assert [(r.key, r.specifier, r.source, r.line) for r in reqs] == [
        ("gunicorn", "==22", "Dockerfile", 7)
    ]
    _, warnings = requirements_for_install(
        tmp_path, Install(InstallKind.PACKAGE, "flask ==", HERE), LINUX
    )
    assert [(w.file, w.line) for w in warnings] == [("Dockerfile", 7)]


def test_project_without_metadata_is_a_warning(tmp_path: Path) -> None:
    reqs, warnings = requirements_for_install(
        tmp_path, Install(InstallKind.PROJECT, "api", HERE), LINUX
    )
    assert reqs == ()
    assert [(w.file, w.line) for w in warnings] == [("Dockerfile", 7)]


@pytest.mark.parametrize(
    ("install", "expected"),
    [
        (
            Install(InstallKind.PROJECT, ".", HERE, tool="poetry", include_dev=True),
            ["django", "gunicorn", "pytest"],
        ),
        (Install(InstallKind.PROJECT, ".", HERE, tool="poetry", groups=("main",)), ["django"]),
        (Install(InstallKind.PROJECT, ".", HERE, tool="poetry"), ["django", "gunicorn"]),
        (
            Install(InstallKind.PROJECT, ".", HERE, tool="poetry", groups=("docs",)),
            ["django", "gunicorn", "sphinx"],
        ),
    ],
)
def test_poetry_groups_without_lock(tmp_path: Path, install: Install, expected: list[str]) -> None:
    write_tree(tmp_path, {"pyproject.toml": POETRY})
    assert _keys(tmp_path, install) == expected


POETRY_LOCK = """
    [[package]]
    name = "django"
    version = "4.2.7"
    [package.dependencies]
    asgiref = ">=3.6"
    sqlparse = ">=0.3.1"
    tzdata = {version = "*", markers = "sys_platform == \\"win32\\""}
    [[package]]
    name = "asgiref"
    version = "3.7.2"
    [[package]]
    name = "sqlparse"
    version = "0.4.4"
    [[package]]
    name = "tzdata"
    version = "2023.3"
    [[package]]
    name = "gunicorn"
    version = "21.2.0"
    [[package]]
    name = "pytest"
    version = "7.4.3"
"""


def test_poetry_with_lock_gives_the_locked_closure(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": POETRY, "poetry.lock": POETRY_LOCK})
    install = Install(InstallKind.PROJECT, ".", HERE, tool="poetry", groups=("main",))
    reqs, warnings = requirements_for_install(tmp_path, install, LINUX)
    assert [(r.key, r.locked, r.direct, r.specifier, r.source) for r in reqs] == [
        ("django", True, True, "==4.2.7", "poetry.lock"),
        ("asgiref", True, False, "==3.7.2", "poetry.lock"),
        ("sqlparse", True, False, "==0.4.4", "poetry.lock"),
    ]
    assert warnings == ()


PIPFILE = """
    [packages]
    flask = "*"
    [dev-packages]
    pytest = "*"
"""


@pytest.mark.parametrize(
    ("include_dev", "expected"), [(False, ["flask"]), (True, ["flask", "pytest"])]
)
def test_pipenv(tmp_path: Path, include_dev: bool, expected: list[str]) -> None:
    write_tree(tmp_path, {"Pipfile": PIPFILE})
    install = Install(InstallKind.PROJECT, ".", HERE, tool="pipenv", include_dev=include_dev)
    assert _keys(tmp_path, install) == expected
    lock = (
        '{"default": {"flask": {"version": "==3.0.0"}, "click": {"version": "==8.1.7"}},'
        ' "develop": {"pytest": {"version": "==7.4"}}}'
    )
    (tmp_path / "Pipfile.lock").write_text(lock, encoding="utf-8")
    locked = ["click", *expected]
    assert _keys(tmp_path, install) == locked


def test_pdm_prod_and_dev(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": """
        [project]
        name = "x"
        dependencies = ["httpx"]
        [tool.pdm.dev-dependencies]
        test = ["pytest"]
    """
        },
    )
    prod = Install(InstallKind.PROJECT, ".", HERE, tool="pdm", include_dev=False)
    dev = Install(InstallKind.PROJECT, ".", HERE, tool="pdm", include_dev=True)
    assert _keys(tmp_path, prod) == ["httpx"]
    assert _keys(tmp_path, dev) == ["httpx", "pytest"]


def test_markers_are_kept_not_filtered(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": 'pywin32; sys_platform == "win32"\n'})
    reqs, _ = requirements_for_install(
        tmp_path, Install(InstallKind.REQUIREMENTS, "requirements.txt"), LINUX
    )
    assert [(r.key, r.marker) for r in reqs] == [("pywin32", 'sys_platform == "win32"')]


def test_environment_file_install(tmp_path: Path) -> None:
    write_tree(tmp_path, {"environment.yml": "dependencies:\n  - numpy\n  - pip:\n    - flask\n"})
    install = Install(InstallKind.REQUIREMENTS, "environment.yml", tool="conda")
    assert _keys(tmp_path, install) == ["flask", "numpy"]


def test_no_deps_marks_what_the_step_names(tmp_path: Path) -> None:
    """`pip install --no-deps X` / `-r FILE`: each named requirement is installed alone."""
    write_tree(tmp_path, {"requirements.txt": "flask==3.1.0\n"})
    for install in (
        Install(InstallKind.PACKAGE, "gunicorn", HERE, no_deps=True),
        Install(InstallKind.REQUIREMENTS, "requirements.txt", HERE, no_deps=True, tool="uv"),
    ):
        reqs, _ = requirements_for_install(tmp_path, install, LINUX)
        assert reqs and all(r.no_deps for r in reqs)
    plain = Install(InstallKind.REQUIREMENTS, "requirements.txt", HERE)
    reqs, _ = requirements_for_install(tmp_path, plain, LINUX)
    assert not any(r.no_deps for r in reqs)


def test_no_deps_file_naming_the_project_leaves_its_dependencies_out(tmp_path: Path) -> None:
    """`pip install --no-deps -r requirements.txt` with `-e .` in it: the project, not what it requires."""
    write_tree(tmp_path, {"requirements.txt": "-e .\ngunicorn\n", "pyproject.toml": PYPROJECT})
    install = Install(InstallKind.REQUIREMENTS, "requirements.txt", HERE)
    assert {"flask", "shop", "gunicorn"} <= set(_keys(tmp_path, install))
    assert _keys(tmp_path, replace(install, no_deps=True)) == ["gunicorn", "shop"]
