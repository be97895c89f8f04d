"""parse_requirement (PEP 508 strings and pip arguments) and the dev naming rules."""

from __future__ import annotations

from typing import Optional

import pytest

from importaudit.model import Requirement, SourceWarning
from importaudit.requirements import is_dev_file, is_dev_name, parse_requirement


@pytest.mark.parametrize(
    ("text", "name", "key", "specifier", "extras", "url", "editable"),
    [
        ("gunicorn[gevent]==22", "gunicorn", "gunicorn", "==22", ("gevent",), None, False),
        ("Flask_Cors>=4", "Flask_Cors", "flask-cors", ">=4", (), None, False),
        (
            "git+https://github.com/x/foo.git#egg=foo",
            "foo",
            "foo",
            "",
            (),
            "git+https://github.com/x/foo.git",
            False,
        ),
        (
            "-e git+ssh://git@github.com/x/bar.git#egg=bar[x]",
            "bar",
            "bar",
            "",
            ("x",),
            "git+ssh://git@github.com/x/bar.git",
            True,
        ),
        (
            "pkg @ https://example.com/pkg-1.0.tar.gz",
            "pkg",
            "pkg",
            "",
            (),
            "https://example.com/pkg-1.0.tar.gz",
            False,
        ),
        (
            "https://example.com/my_pkg-1.0-py3-none-any.whl",
            "my_pkg",
            "my-pkg",
            "",
            (),
            "https://example.com/my_pkg-1.0-py3-none-any.whl",
            False,
        ),
        ("./pkg", "./pkg", "pkg", "", (), "./pkg", False),
        ("-e .[dev]", ".", "", "", ("dev",), ".", True),
        ("../libs/core", "../libs/core", "core", "", (), "../libs/core", False),
    ],
)
def test_parse_requirement(
    text: str,
    name: str,
    key: str,
    specifier: str,
    extras: tuple[str, ...],
    url: Optional[str],
    editable: bool,
) -> None:
    made = parse_requirement(text, "Dockerfile", 4, group="extra:x", dev=True)
    assert isinstance(made, Requirement)
    assert (made.name, made.key, made.specifier, made.extras, made.url, made.editable) == (
        name,
        key,
        specifier,
        extras,
        url,
        editable,
    )
    assert (made.source, made.line, made.group, made.dev) == ("Dockerfile", 4, "extra:x", True)


def test_marker_kept() -> None:
    made = parse_requirement('tomli>=2; python_version < "3.11"', "f", 1)
    assert isinstance(made, Requirement)
    assert made.marker == 'python_version < "3.11"'


@pytest.mark.parametrize("text", ["", "flask ==", "a b c", "???", "git+https://github.com/x/y.git"])
def test_unreadable_is_a_warning(text: str) -> None:
    made = parse_requirement(text, "requirements.txt", 9)
    assert isinstance(made, SourceWarning)
    assert (made.file, made.line) == ("requirements.txt", 9)


@pytest.mark.parametrize(
    ("name", "dev"),
    [
        ("dev", True),
        ("test", True),
        ("tests", True),
        ("lint", True),
        ("docs", True),
        ("typing", True),
        ("test-extras", True),
        ("dev_tools", True),
        ("ci", True),
        ("coverage", True),
        ("bench", True),
        ("postgres", False),
        ("server", False),
        ("s3", False),
        ("main", False),
        ("devops", False),
        ("contest", False),
    ],
)
def test_is_dev_name(name: str, dev: bool) -> None:
    assert is_dev_name(name) is dev


@pytest.mark.parametrize(
    ("path", "dev"),
    [
        ("requirements-dev.txt", True),
        ("requirements/test.txt", True),
        ("dev-requirements.txt", True),
        ("requirements_lint.txt", True),
        ("docs/requirements.txt", True),
        ("tests/requirements.txt", True),
        ("requirements.txt", False),
        ("requirements-prod.txt", False),
        ("api/requirements.txt", False),
        ("requirements/local.txt", True),
        ("environment.yml", False),
        ("environment-dev.yml", True),
    ],
)
def test_is_dev_file(path: str, dev: bool) -> None:
    assert is_dev_file(path) is dev
