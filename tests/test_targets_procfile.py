"""Procfile targets: one per process, release attached to web, buildpack installs and Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from targets_support import DJANGO_MANAGE, write_files

from importaudit.targets import project_python_version, read_targets


def test_each_process_is_a_target_and_release_runs_before_web(tmp_path: Path) -> None:
    names = write_files(
        tmp_path,
        {
            "Procfile": """\
            # processes
            web: gunicorn mysite.wsgi --log-file -
            worker: celery -A mysite worker
            release: python manage.py migrate
        """,
            "requirements.txt": "django\n",
            "manage.py": DJANGO_MANAGE,
            "mysite/__init__.py": "",
            "mysite/wsgi.py": "",
            ".python-version": "3.12\n",
        },
    )
    web, worker = read_targets(tmp_path, names)
    assert (web.name, web.kind, web.line, worker.name) == ("Procfile:web", "procfile", 2, "Procfile:worker")
    assert [(e.spec, e.via) for e in web.entries] == [
        ("manage.py", "release"),
        ("django", "release"),
        ("mysite.wsgi:application", "gunicorn"),
        ("gunicorn", "start command"),
    ]
    assert web.commands == ("gunicorn mysite.wsgi --log-file -", "release: python manage.py migrate")
    assert any("release" in note for note in web.notes)
    assert [e.spec for e in worker.entries] == ["mysite", "celery"]
    assert (web.python, web.python_source) == ("3.12", ".python-version")
    assert [(i.kind.value, i.spec) for i in web.installs] == [("requirements", "requirements.txt")]


@pytest.mark.parametrize(
    ("files", "expected", "note"),
    [
        ({"requirements.txt": ""}, [("requirements", "requirements.txt", "pip", ())], None),
        ({"pyproject.toml": "", "poetry.lock": ""}, [("project", ".", "poetry", ("main",))], None),
        ({"pyproject.toml": "", "uv.lock": ""}, [("project", ".", "uv", ())], None),
        ({"Pipfile": "", "Pipfile.lock": ""}, [("project", ".", "pipenv", ())], None),
        ({"Pipfile": ""}, [], "Pipfile without Pipfile.lock"),
        (
            {"requirements.txt": "", "poetry.lock": ""},
            [("requirements", "requirements.txt", "pip", ())],
            "more than one",
        ),
        ({"pyproject.toml": ""}, [], "cannot tell how to install"),
    ],
)
def test_heroku_installs_exactly_one_source(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[Any, ...]], note: Any
) -> None:
    names = write_files(tmp_path, {"Procfile": "web: python app.py\n", "app.py": "", **files})
    (web,) = read_targets(tmp_path, names)
    assert [(i.kind.value, i.spec, i.tool, i.groups) for i in web.installs] == expected
    if note:
        assert any(note in n for n in web.notes), web.notes


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".python-version": "3.11.4\n"}, ("3.11", ".python-version")),
        ({"runtime.txt": "python-3.12.4\n"}, ("3.12", "runtime.txt")),
        ({".tool-versions": "nodejs 20.1.0\npython 3.10.13\n"}, ("3.10", ".tool-versions")),
        ({".python-version": "# pinned\n3.13\n", "runtime.txt": "python-3.9.1"}, ("3.13", ".python-version")),
        ({".python-version": "system\n", "runtime.txt": "python-3.9.1"}, ("3.9", "runtime.txt")),
        ({}, None),
    ],
)
def test_project_python_version(tmp_path: Path, files: dict[str, str], expected: Any) -> None:
    names = write_files(tmp_path, files)
    assert project_python_version(tmp_path, names) == expected


def test_procfile_in_a_subdirectory_runs_there(tmp_path: Path) -> None:
    names = write_files(
        tmp_path,
        {"backend/Procfile": "web: gunicorn app:app\n", "backend/app.py": "", "backend/requirements.txt": ""},
    )
    (web,) = read_targets(tmp_path, names)
    assert web.name == "backend/Procfile:web"
    assert web.paths == ("backend",)
    assert [i.spec for i in web.installs] == ["backend/requirements.txt"]


@pytest.mark.parametrize("content", ["", "# only comments\n", "not a process line\n"])
def test_empty_or_malformed_procfile(tmp_path: Path, content: str) -> None:
    names = write_files(tmp_path, {"Procfile": content})
    (target,) = read_targets(tmp_path, names)
    assert target.name == "Procfile"
    assert target.entries == ()
    assert target.notes


def test_binary_procfile_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_bytes(b"\xff\xfe\x00web")
    (target,) = read_targets(tmp_path, ["Procfile"])
    assert target.warnings
