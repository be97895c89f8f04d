"""setup.cfg (configparser) and setup.py (AST, never executed)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from importaudit.requirements import read_project


def _project(tmp_path: Path, name: str, text: str):  # type: ignore[no-untyped-def]
    (tmp_path / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    project = read_project(tmp_path)
    assert project is not None
    return project


SETUP_CFG = """
    [metadata]
    name = My-Lib

    [options]
    python_requires = >=3.9
    install_requires =
        requests>=2
        # a comment
        click ; python_version < "3.12"

    [options.extras_require]
    redis = redis>=4
    tests =
        pytest
"""


def test_setup_cfg(tmp_path: Path) -> None:
    project = _project(tmp_path, "setup.cfg", SETUP_CFG)
    assert (project.name, project.requires_python) == ("my-lib", ">=3.9")
    assert [(r.key, r.specifier, r.marker, r.line) for r in project.main] == [
        ("requests", ">=2", None, 7),
        ("click", "", 'python_version < "3.12"', 9),
    ]
    assert [(r.key, r.group, r.dev) for r in project.extras["redis"]] == [
        ("redis", "extra:redis", False)
    ]
    assert [(r.key, r.group, r.dev) for r in project.extras["tests"]] == [
        ("pytest", "extra:tests", True)
    ]


def test_setup_cfg_file_directive(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n", encoding="utf-8")
    project = _project(
        tmp_path, "setup.cfg", "[options]\ninstall_requires = file: requirements.txt\n"
    )
    assert [(r.key, r.source, r.group) for r in project.main] == [
        ("flask", "requirements.txt", "main")
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("[options]\ninstall_requires =\n  flask\n garbage line without section\n[\n", 5),
        ("no section header here\n", 1),
    ],
)
def test_setup_cfg_malformed(tmp_path: Path, text: str, line: int) -> None:
    project = _project(tmp_path, "setup.cfg", text)
    assert [(w.file, w.line) for w in project.warnings] == [("setup.cfg", line)]


SETUP_PY = """
    import setuptools

    BASE = ["requests>=2", "click"]
    EXTRA = {
        "redis": ["redis"], "test": ["pytest"], ":python_version<'3.8'": ["importlib-metadata"],
    }
    kwargs = dict(python_requires=">=3.8", name="Old_Pkg")

    setuptools.setup(
        install_requires=BASE + [
            "six",
        ],
        extras_require=EXTRA,
        **kwargs,
    )
"""


def test_setup_py_literals(tmp_path: Path) -> None:
    project = _project(tmp_path, "setup.py", SETUP_PY)
    assert (project.name, project.requires_python) == ("old-pkg", ">=3.8")
    assert [(r.key, r.line) for r in project.main] == [("requests", 3), ("click", 3), ("six", 11)]
    assert [(r.key, r.group, r.dev) for r in project.extras["test"]] == [
        ("pytest", "extra:test", True)
    ]
    assert [(r.key, r.marker) for r in project.extras[""]] == [
        ("importlib-metadata", "python_version<'3.8'")
    ]
    assert project.warnings == ()


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "setup(install_requires=read_requirements())",
            2,
            "install_requires is built by a call to read_requirements(); not read statically",
        ),
        (
            "setup(install_requires=open('r.txt').read().splitlines())",
            2,
            "install_requires is built by a call to open(...).read(...).splitlines(); not read"
            " statically",
        ),
        (
            "setup(install_requires=[r for r in ['a', 'b']])",
            2,
            "install_requires is built by a comprehension; not read statically",
        ),
        (
            "setup(install_requires=UNKNOWN)",
            2,
            "install_requires is built by the name UNKNOWN, which is not a module-level literal;"
            " not read statically",
        ),
        (
            "setup(**make_kwargs())",
            2,
            "setup(**...) is a call to make_kwargs(); not read statically",
        ),
        ("setup(install_requires=[1, 2])", 2, "install_requires is not a list of strings"),
        ("def f(:\n    pass", 2, "setup.py does not parse"),
    ],
)
def test_setup_py_unreadable(tmp_path: Path, body: str, line: int, message: str) -> None:
    project = _project(tmp_path, "setup.py", f"from setuptools import setup\n{body}\n")
    assert [(w.file, w.line) for w in project.warnings] == [("setup.py", line)]
    assert project.warnings[0].message.startswith(message)


def test_setup_py_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    body = f"""
        from pathlib import Path
        from setuptools import setup
        Path({str(marker)!r}).write_text("setup.py was executed")
        setup(name="x", install_requires=["flask"])
    """
    project = _project(tmp_path, "setup.py", body)
    assert [r.key for r in project.main] == ["flask"]
    assert not marker.exists()


def test_pyproject_wins_over_setup_cfg(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["httpx"]\n')
    project = _project(tmp_path, "setup.cfg", "[options]\ninstall_requires =\n    requests\n")
    assert [r.key for r in project.main] == ["httpx"]
    assert project.sources == ("pyproject.toml", "setup.cfg")
