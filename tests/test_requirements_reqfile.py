"""requirements files via the real pip-requirements-parser: includes, constraints, pip-compile."""

from __future__ import annotations

from pathlib import Path

import pytest
from requirements_support import write_tree

from importaudit.requirements import lock_graph, read_requirements_file


@pytest.mark.parametrize(
    ("line", "name", "specifier", "extras", "marker", "url", "editable"),
    [
        ("gunicorn[gevent]==22", "gunicorn", "==22", ("gevent",), None, None, False),
        (
            'flask>=2 ; python_version >= "3.8"',
            "flask",
            ">=2",
            (),
            'python_version >= "3.8"',
            None,
            False,
        ),
        (
            "-e git+https://github.com/x/foo.git#egg=foo",
            "foo",
            "",
            (),
            None,
            "git+https://github.com/x/foo.git#egg=foo",
            True,
        ),
        (
            "git+https://github.com/x/bar.git@v1#egg=bar[x]",
            "bar",
            "",
            ("x",),
            None,
            "git+https://github.com/x/bar.git@v1#egg=bar[x]",
            False,
        ),
        (
            "foo-bar @ https://example.com/foo_bar-1.0-py3-none-any.whl",
            "foo-bar",
            "",
            (),
            None,
            "https://example.com/foo_bar-1.0-py3-none-any.whl",
            False,
        ),
        (
            "requests==2.31.0 \\\n    --hash=sha256:abcd",
            "requests",
            "==2.31.0",
            (),
            None,
            None,
            False,
        ),
    ],
)
def test_one_line(
    tmp_path: Path,
    line: str,
    name: str,
    specifier: str,
    extras: tuple[str, ...],
    marker: str | None,
    url: str | None,
    editable: bool,
) -> None:
    (tmp_path / "requirements.txt").write_text(f"# top\n{line}\n", encoding="utf-8")
    rs = read_requirements_file(tmp_path, "requirements.txt")
    assert rs.warnings == ()
    (req,) = rs.requirements
    assert (req.name, req.specifier, req.extras, req.marker, req.url, req.editable) == (
        name,
        specifier,
        extras,
        marker,
        url,
        editable,
    )
    assert (req.source, req.line, req.group, req.dev) == ("requirements.txt", 2, "main", False)


def test_options_ignored_includes_followed_constraints_aside(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": """
            --index-url https://pypi.org/simple
            --extra-index-url https://example.com/simple
            --find-links /wheels
            -r requirements/base.txt
            -c constraints.txt
            flask
        """,
            "requirements/base.txt": """
            # shared
            django>=4
            -r common.txt
        """,
            "requirements/common.txt": "requests\n",
            "constraints.txt": "urllib3<2\n",
        },
    )
    rs = read_requirements_file(tmp_path, "requirements.txt")
    assert rs.warnings == ()
    got = [(r.key, r.source, r.line) for r in rs.requirements]
    assert got == [
        ("django", "requirements/base.txt", 2),
        ("requests", "requirements/common.txt", 1),
        ("flask", "requirements.txt", 6),
    ]
    assert [(c.key, c.source) for c in rs.constraints] == [("urllib3", "constraints.txt")]
    assert rs.includes == ("requirements/base.txt", "requirements/common.txt", "constraints.txt")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"requirements.txt": "-r missing.txt\nflask\n"},
            [("requirements.txt", 1, "requirements file missing.txt not found")],
        ),
        (
            {"requirements.txt": "-r a.txt\n", "a.txt": "-r requirements.txt\nx\n"},
            [("a.txt", 1, "include cycle: requirements.txt -> a.txt -> requirements.txt")],
        ),
        (
            {"requirements.txt": "flask\n-r https://example.com/r.txt\n"},
            [("requirements.txt", 2, "include https://example.com/r.txt is a URL; not fetched")],
        ),
        (
            {"requirements.txt": "flask\nthis is garbage ===\n"},
            [("requirements.txt", 2, "Invalid requirement")],
        ),
        (
            {"requirements.txt": "flask\n-c nope.txt\n"},
            [("requirements.txt", 2, "constraints file nope.txt not found")],
        ),
    ],
)
def test_problems_become_warnings(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, int, str]]
) -> None:
    write_tree(tmp_path, files)
    rs = read_requirements_file(tmp_path, "requirements.txt")
    got = [(w.file, w.line, w.message) for w in rs.warnings]
    assert len(got) == len(expected)
    for (file, line, message), (efile, eline, emessage) in zip(got, expected):
        assert (file, line) == (efile, eline)
        assert message.startswith(emessage)


def test_undecodable_file_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    rs = read_requirements_file(tmp_path, "requirements.txt")
    assert rs.requirements == ()
    assert [(w.file, w.line) for w in rs.warnings] == [("requirements.txt", 1)]


def test_missing_top_file_is_a_warning(tmp_path: Path) -> None:
    rs = read_requirements_file(tmp_path, "nothere.txt")
    assert rs.requirements == ()
    assert [(w.file, w.message) for w in rs.warnings] == [
        ("nothere.txt", "requirements file nothere.txt not found")
    ]


@pytest.mark.parametrize(
    ("relpath", "dev"),
    [
        ("requirements.txt", False),
        ("requirements-dev.txt", True),
        ("requirements/test.txt", True),
        ("dev-requirements.txt", True),
        ("requirements_lint.txt", True),
        ("docs/requirements.txt", True),
        ("requirements_zeabur.txt", False),
        ("requirements/production.txt", False),
        ("backend/requirements.txt", False),
        ("requirements/base.txt", False),
    ],
)
def test_dev_decided_by_file_name(tmp_path: Path, relpath: str, dev: bool) -> None:
    write_tree(tmp_path, {relpath: "flask\n"})
    rs = read_requirements_file(tmp_path, relpath)
    assert rs.dev is dev
    assert rs.requirements[0].dev is dev


def test_includes_inherit_nothing(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements-dev.txt": "-r base.txt\npytest\n", "base.txt": "flask\n"})
    rs = read_requirements_file(tmp_path, "requirements-dev.txt")
    assert [(r.key, r.dev) for r in rs.requirements] == [("flask", False), ("pytest", True)]
    forced = read_requirements_file(tmp_path, "requirements-dev.txt", dev=False)
    assert [(r.key, r.dev) for r in forced.requirements] == [("flask", False), ("pytest", False)]


def test_editable_dot_names_and_expands_the_project(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "requirements.txt": "-e .[pg]\ngunicorn\n",
            "pyproject.toml": """
            [project]
            name = "My_App"
            dependencies = ["flask>=2"]
            [project.optional-dependencies]
            pg = ["psycopg[binary]"]
        """,
        },
    )
    rs = read_requirements_file(tmp_path, "requirements.txt")
    got = [(r.key, r.source, r.editable) for r in rs.requirements]
    assert got == [
        ("my-app", "requirements.txt", True),
        ("flask", "pyproject.toml", False),
        ("psycopg", "pyproject.toml", False),
        ("gunicorn", "requirements.txt", False),
    ]


PIP_COMPILE = """
    #
    # This file is autogenerated by pip-compile with Python 3.11
    #
    asgiref==3.7.2
        # via django
    django==4.2.7
        # via -r requirements.in
    gunicorn==21.2.0
        # via -r requirements.in
    packaging==23.2
        # via gunicorn
    sqlparse==0.4.4
        # via
        #   django
        #   other
"""


def test_pip_compile_output_is_a_lock_with_graph(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": PIP_COMPILE})
    rs = read_requirements_file(tmp_path, "requirements.txt")
    assert rs.kind == "pip-compile"
    got = [(r.key, r.locked, r.direct, r.line) for r in rs.requirements]
    assert got == [
        ("asgiref", True, False, 4),
        ("django", True, True, 6),
        ("gunicorn", True, True, 8),
        ("packaging", True, False, 10),
        ("sqlparse", True, False, 12),
    ]
    graph = lock_graph(rs)
    assert graph["django"] == ("asgiref", "sqlparse")
    assert graph["gunicorn"] == ("packaging",)
    assert graph["other"] == ("sqlparse",)


def test_pip_compile_direct_from_the_in_file(tmp_path: Path) -> None:
    text = "# autogenerated by pip-compile\nasgiref==3.7.2\n    # via django\ndjango==4.2\n"
    write_tree(tmp_path, {"requirements.txt": text, "requirements.in": "asgiref\ndjango\n"})
    rs = read_requirements_file(tmp_path, "requirements.txt")
    assert [(r.key, r.direct) for r in rs.requirements] == [("asgiref", True), ("django", True)]


def test_local_directory_without_metadata_is_a_warning(tmp_path: Path) -> None:
    write_tree(tmp_path, {"requirements.txt": "-e .\n./vendor/lib\n", "vendor/lib/README": "x\n"})
    rs = read_requirements_file(tmp_path, "requirements.txt")
    assert [(r.name, r.key) for r in rs.requirements] == [("./vendor/lib", "lib")]
    assert [(w.line, w.message) for w in rs.warnings] == [
        (1, "no project metadata in ."),
        (2, "no project metadata in vendor/lib"),
    ]


# `uv export --format requirements-txt` (uv 0.9): the project is `-e .`, what it lists says
# `# via <project>`; pip-compile on a pyproject says `# via myapp (pyproject.toml)`.
UV_EXPORT = """
    # This file was autogenerated by uv via the following command:
    #    uv export --format requirements-txt --no-hashes
    -e .
    blinker==1.9.0
        # via flask
    flask==3.1.0
        # via myapp
    gunicorn==23.0.0
        # via
        #   myapp
    itsdangerous==2.2.0
        # via flask
"""


@pytest.mark.parametrize(
    ("tree", "direct"),
    [
        ({"requirements.txt": UV_EXPORT}, ["flask", "gunicorn"]),
        # Without the `-e .` line, the project beside the file names itself.
        ({"requirements.txt": UV_EXPORT.replace("    -e .\n", "")}, ["flask", "gunicorn"]),
        # A `# via` naming another distribution is not the project: transitive.
        ({"requirements.txt": UV_EXPORT.replace("via myapp", "via other")}, ["gunicorn"]),
    ],
)
def test_via_the_project_itself_is_direct(tmp_path: Path, tree: dict[str, str], direct: list[str]) -> None:
    project = '[project]\nname = "myapp"\nversion = "1"\ndependencies = ["flask", "gunicorn"]\n'
    write_tree(tmp_path, {**tree, "pyproject.toml": project})
    rs = read_requirements_file(tmp_path, "requirements.txt")
    assert rs.kind == "pip-compile"
    locked = sorted(r.key for r in rs.requirements if r.locked and r.direct and not r.url)
    assert locked == direct
    assert "myapp" not in lock_graph(rs)
