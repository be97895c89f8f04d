"""uWSGI start commands: argv, UWSGI_* variables, .ini files, hooks and daemons; Dockerfile paths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from targets_support import DJANGO_MANAGE, check_start, in_srv, start_entries, write_files

from importaudit.targets import read_dockerfile
from importaudit.targets.commands import StartCommand, parse_start_command
from importaudit.targets.uwsgi import read_ini

U = "uWSGI|pyuwsgi"
FILES = {
    "app.py": "app = object()\n",
    "manage.py": DJANGO_MANAGE,
    "hc/__init__.py": "",
    "hc/wsgi.py": "",
    "src/site/wsgi.py": "",
    "lib/helpers.py": "",
    "deploy/uwsgi.ini": """\
        [uwsgi]
        strict
        master
        if-not-env = UWSGI_PROCESSES
        processes = 4
        endif =
        chdir = /srv
        module = hc.wsgi:application
        pythonpath = lib
        pythonpath = src
        env = DJANGO_SETTINGS_MODULE=hc.settings
        hook-pre-app = exec:./manage.py migrate
        attach-daemon = ./manage.py sendalerts --skip-checks
        attach-daemon = ./manage.py smtpd --port %(_) --skip-checks
        """,
    "deploy/file.ini": """\
        ; a comment
        [other]
        module = wrong:app
        [uwsgi]
        base = /srv/src/site
        chdir = %(base)
        wsgi-file = wsgi.py
        callable = app
        need-app = true
        lazy-apps = true
        """,
    "deploy/include.ini": """\
        [uwsgi]
        ini = %dfile.ini
        gevent = 100
        [prod]
        module = app:app
        """,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("uwsgi")
    write_files(root, FILES)
    return root


def parse(root: Path, command: Any, **kwargs: Any) -> StartCommand:
    kwargs.setdefault("container_workdir", "/srv")
    kwargs.setdefault("path_map", in_srv)
    return parse_start_command(command, root=root, files=sorted(FILES), **kwargs)


NEED_APP = "uWSGI without need-app"
CASES: list[tuple[Any, dict[str, Any]]] = [
    (
        "uwsgi --http :8000 --module app:app --master",
        {"entries": [("app:app", "app", "uwsgi", "master")], "needs": [U], "notes": [NEED_APP]},
    ),
    ("uwsgi --http=:8000 -w app:app", {"entries": [("app:app", "app", "uwsgi", "master")]}),
    ("uwsgi --socket :3031 --module hc.wsgi", {"entries": [("hc.wsgi:application", "app", "uwsgi", "master")]}),
    (
        "uwsgi --http :8000 --wsgi-file app.py --callable app --need-app",
        {"entries": [("app.py", "app", "uwsgi", "master")], "notes": []},
    ),
    (
        "uwsgi --chdir /srv/src/site --pythonpath /srv/lib --wsgi-file wsgi.py",
        {"entries": [("src/site/wsgi.py", "app", "uwsgi", "master")], "paths": ["src/site", "lib"]},
    ),
    ("uwsgi --http :80 --mount /=app:app", {"entries": [("app:app", "app", "uwsgi --mount", "master")]}),
    ("uwsgi --mount /api=app.py", {"entries": [("app.py", "app", "uwsgi --mount", "master")]}),
    ("uwsgi --module app:app --lazy-apps", {"entries": [("app:app", "app", "uwsgi", "worker")]}),
    (
        "uwsgi --import hc.wsgi --module app:app",
        {"entries": [("hc.wsgi", "module", "uwsgi --import", "master"), ("app:app", "app", "uwsgi", "master")]},
    ),
    (
        "uwsgi --gevent 100 --module app:app",
        {"entries": [("gevent", "server", "uwsgi --gevent", "master"), ("app:app", "app", "uwsgi", "master")]},
    ),
    ("uwsgi --module '$(APP)'", {"notes": ["could not tell which module `$(APP)`"]}),
    ("uwsgi --http :8000", {"entries": [], "notes": ["uwsgi is given no app"]}),
    ("uwsgi app.yaml", {"notes": ["uwsgi config `app.yaml` is not read"]}),
    ("uwsgi missing.ini", {"notes": ["uwsgi config `missing.ini` is not a file in the repo"]}),
    # ini files: positional, --ini, sections, includes, %d, %(option)
    (
        ["uwsgi", "/srv/deploy/uwsgi.ini"],
        {
            "server": "uwsgi",
            "entries": [
                ("hc.wsgi:application", "app", "uwsgi", "master"),
                ("manage.py", "module", "uwsgi hook-pre-app", "master"),
                ("manage.py", "module", "uwsgi attach-daemon", "master"),
            ],
            "paths": ["", "lib", "src"],
            "env": [("DJANGO_SETTINGS_MODULE", "hc.settings")],
            "needs": [U, "django"],
        },
    ),
    (
        "uwsgi --ini deploy/uwsgi.ini --module app:app",
        {
            "entries": [
                ("hc.wsgi:application", "app", "uwsgi", "master"),
                ("app:app", "app", "uwsgi", "master"),
                ("manage.py", "module", "uwsgi hook-pre-app", "master"),
                ("manage.py", "module", "uwsgi attach-daemon", "master"),
            ]
        },
    ),
    (
        "uwsgi --ini deploy/file.ini",
        {"entries": [("src/site/wsgi.py", "app", "uwsgi", "worker")], "paths": ["src/site"], "notes": []},
    ),
    ("uwsgi --ini deploy/include.ini:prod", {"entries": [("app:app", "app", "uwsgi", "master")]}),
    (
        "uwsgi --ini deploy/include.ini",
        {
            "entries": [
                ("gevent", "server", "uwsgi --gevent", "master"),
                ("src/site/wsgi.py", "app", "uwsgi", "worker"),
            ]
        },
    ),
    # a wrapper shell, as compose runs it
    (
        "bash -c 'while !</dev/tcp/db/5432; do sleep 1; done; uwsgi /srv/deploy/file.ini'",
        {"server": "uwsgi", "entries": [("src/site/wsgi.py", "app", "uwsgi", "worker")]},
    ),
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[str(c)[:60] for c, _ in CASES])
def test_uwsgi_command(project: Path, command: Any, expected: dict[str, Any]) -> None:
    start = parse(project, command)
    check_start(start, expected)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"UWSGI_MODULE": "app:app"}, [("app:app", "app", "uwsgi", "master")]),
        ({"UWSGI_INI": "/srv/deploy/file.ini"}, [("src/site/wsgi.py", "app", "uwsgi", "worker")]),
        ({"APP": "hc.wsgi"}, []),
    ],
)
def test_uwsgi_options_from_the_environment(project: Path, env: dict[str, str], expected: list[Any]) -> None:
    start = parse(project, "uwsgi --http :8000", env=env)
    assert start_entries(start) == expected


@pytest.mark.parametrize(
    ("text", "section", "expected"),
    [
        ("[uwsgi]\nmaster\nmodule = a:b\n", "uwsgi", [("master", "true"), ("module", "a:b")]),
        ("[uwsgi]\npythonpath = a\npythonpath = b\n", "uwsgi", [("pythonpath", "a"), ("pythonpath", "b")]),
        ("; c\n# c\n[x]\nmodule = a\n[uwsgi]\nenv = A=$(B)\n", "uwsgi", [("env", "A=$(B)")]),
        ("[x]\nmodule = a\n", "x", [("module", "a")]),
        ("module = outside\n", "uwsgi", []),
        ("\xff\x00garbage [[[\n=\n", "uwsgi", []),
    ],
)
def test_read_ini(text: str, section: str, expected: list[tuple[str, str]]) -> None:
    assert read_ini(text, section) == expected


def test_healthchecks_like_dockerfile_runs_the_ini_app(tmp_path: Path) -> None:
    files = {
        "docker/Dockerfile": """\
            FROM python:3.14-slim AS builder
            COPY requirements.txt /tmp
            RUN pip wheel --wheel-dir /wheels uwsgi -r /tmp/requirements.txt
            COPY . /opt/hc/
            FROM python:3.14-slim
            WORKDIR /opt/hc
            RUN --mount=type=bind,target=/wheels,source=/wheels,from=builder pip install /wheels/*
            COPY --from=builder /opt/hc/ /opt/hc/
            CMD [ "uwsgi", "/opt/hc/docker/uwsgi.ini"]
            """,
        "docker/uwsgi.ini": "[uwsgi]\nchdir = /opt/hc\nmodule = hc.wsgi:application\nneed-app\n",
        "requirements.txt": "django\n",
        "hc/__init__.py": "",
        "hc/wsgi.py": "",
    }
    target = read_dockerfile(tmp_path, "docker/Dockerfile", None, write_files(tmp_path, files))
    assert [(i.kind.value, i.spec) for i in target.installs] == [
        ("package", "uwsgi"),
        ("requirements", "requirements.txt"),
    ]
    assert [(e.spec, e.kind.value, e.distribution) for e in target.entries] == [
        ("hc.wsgi:application", "app", None),
        ("uwsgi", "server", U),
    ]
    assert target.paths == ("",)  # chdir /opt/hc is the repo root


def test_uwsgi_ini_is_never_executed(project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    (tmp_path / "x.ini").write_text(f"[uwsgi]\nexec-asap = touch {marker}\nhook-pre-app = exec:touch {marker}\n")
    parse_start_command("uwsgi x.ini", root=tmp_path, files=["x.ini"])
    assert not marker.exists()
