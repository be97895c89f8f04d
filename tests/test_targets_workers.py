"""Task-queue workers (rq, dramatiq, huey, arq, django-rq) and Flask CLI commands before a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from targets_support import DJANGO_MANAGE, check_start, start_entries, write_files

from importaudit.targets import read_targets
from importaudit.targets.commands import StartCommand, parse_start_command

FILES = {
    "microblog.py": "app = object()\n",
    "manage.py": DJANGO_MANAGE,
    "tasks.py": "",
    "app/__init__.py": "",
    "app/worker.py": "",
    ".flaskenv": "FLASK_APP=microblog.py\n",
    "web/.flaskenv": "# flask settings\nexport FLASK_APP='site.py'\nFLASK_DEBUG=1\n",
    "web/site.py": "",
    "boot.sh": """\
        #!/bin/bash
        while true; do
            flask db upgrade
            if [[ "$?" == "0" ]]; then
                break
            fi
            sleep 5
        done
        exec gunicorn -b :5000 microblog:app
    """,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("workers")
    write_files(root, FILES)
    return root


def parse(root: Path, command: Any, **kwargs: Any) -> StartCommand:
    return parse_start_command(command, root=root, files=sorted(FILES), **kwargs)


LAZY = "imports job modules only when a job runs"
RQ = ("rq", "server", "rq worker", "master")
FLASK_PRE = ("microblog.py", "app", "pre-start", "master")
DOTENV = ("dotenv", "server", "flask .flaskenv", "master")
CASES: list[tuple[Any, dict[str, Any]]] = [
    # rq
    ("rq worker microblog-tasks", {"server": "rq worker", "entries": [RQ], "needs": ["rq"], "notes": [LAZY]}),
    ("rqworker high default", {"server": "rq worker", "entries": [RQ]}),
    (
        "rq worker -c app.worker --worker-class rq.worker.SimpleWorker --url redis://r:6379 q",
        {
            "entries": [
                RQ,
                ("app.worker", "config", "rq -c", "master"),
                ("rq.worker:SimpleWorker", "app", "rq --worker-class", "master"),
            ]
        },
    ),
    ("rq worker --path src --path lib q", {"paths": ["src", "lib"]}),
    ("rq worker --sentry-dsn https://x@y/1", {"needs": ["rq", "sentry-sdk"]}),
    ("rq info", {"server": "rq info", "notes": []}),
    # django-rq and friends through manage.py
    (
        "python manage.py rqworker high default low",
        {
            "server": "manage.py rqworker",
            "entries": [
                ("manage.py", "module", "manage.py rqworker", "master"),
                ("django_rq", "server", "manage.py rqworker", "master"),
                ("rq", "server", "manage.py rqworker", "master"),
            ],
            "needs": ["django", "django-rq", "rq"],
            "notes": [LAZY],
        },
    ),
    ("./manage.py run_huey", {"server": "manage.py run_huey", "needs": ["django", "huey"], "notes": []}),
    (
        "python manage.py migrate && python manage.py rqworker",
        {
            "server": "manage.py rqworker",
            "entries": [
                ("manage.py", "module", "pre-start", "master"),
                ("manage.py", "module", "manage.py rqworker", "master"),
                ("django_rq", "server", "manage.py rqworker", "master"),
                ("rq", "server", "manage.py rqworker", "master"),
            ],
        },
    ),
    # dramatiq, huey, arq
    (
        "dramatiq app.worker tasks --processes 2 --threads 4",
        {
            "server": "dramatiq",
            "entries": [
                ("dramatiq", "server", "dramatiq", "master"),
                ("app.worker", "app", "dramatiq", "master"),
                ("tasks", "app", "dramatiq", "master"),
            ],
        },
    ),
    (
        "dramatiq app.worker:broker",
        {
            "entries": [
                ("dramatiq", "server", "dramatiq", "master"),
                ("app.worker:broker", "app", "dramatiq", "master"),
            ]
        },
    ),
    ("dramatiq", {"notes": ["no broker module"]}),
    (
        "huey_consumer app.worker.huey -w 4 -k greenlet",
        {
            "server": "huey_consumer",
            "entries": [
                ("huey", "server", "huey_consumer", "master"),
                ("gevent", "server", "huey_consumer -k greenlet", "master"),
                ("app.worker:huey", "app", "huey_consumer", "master"),
            ],
        },
    ),
    (
        "arq app.worker.WorkerSettings",
        {"entries": [("arq", "server", "arq", "master"), ("app.worker:WorkerSettings", "app", "arq", "master")]},
    ),
    ("arq --watch app app.worker.WorkerSettings", {"needs": ["arq", "watchfiles"]}),
    # Flask CLI commands import the app, then the server starts
    (
        "flask db upgrade; flask translate compile; gunicorn microblog:app",
        {
            "server": "gunicorn",
            "entries": [DOTENV, FLASK_PRE, ("microblog:app", "app", "gunicorn", "worker")],
            "needs": ["flask", "python-dotenv", "gunicorn"],
        },
    ),
    ("flask --app microblog db upgrade && gunicorn microblog:app", {"server": "gunicorn"}),
    (
        "FLASK_APP=microblog.py flask run",
        {"server": "flask", "entries": [("microblog.py", "app", "flask", "master")]},
    ),
    (
        "FLASK_APP=microblog.py flask db upgrade",
        {"server": "flask", "entries": [("microblog.py", "app", "flask", "master")]},
    ),
    ("flask db upgrade", {"server": "flask", "entries": [DOTENV, ("microblog.py", "app", "flask", "master")]}),
    # a retry loop around the migration: `break` is the shell's, not a program
    (
        "./boot.sh",
        {
            "server": "gunicorn",
            "entries": [DOTENV, FLASK_PRE, ("microblog:app", "app", "gunicorn", "worker")],
            "notes": [],
        },
    ),
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[str(c)[:60] for c, _ in CASES])
def test_worker_command(project: Path, command: Any, expected: dict[str, Any]) -> None:
    start = parse(project, command)
    check_start(start, expected)


@pytest.mark.parametrize(
    ("command", "env", "expected"),
    [
        (
            "flask run",
            {},
            [("dotenv", "server", "flask .flaskenv", "master"), ("web/site.py", "app", "flask", "master")],
        ),
        ("flask run", {"FLASK_APP": "other.py"}, [("web/other.py", "app", "flask", "master")]),
        ("flask --app site run", {}, [("site", "app", "flask", "master")]),
    ],
)
def test_flask_app_from_flaskenv(project: Path, command: str, env: dict[str, str], expected: list[Any]) -> None:
    start = parse(project, command, workdir="web", env=env)
    assert start_entries(start) == expected


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({".env": "FLASK_APP=a.py\n", ".flaskenv": "FLASK_APP=b.py\n", "sub/x": ""}, ["dotenv", "sub/a.py"]),
        ({"sub/.env": "DEBUG=1\n", ".flaskenv": "FLASK_APP=b.py\n"}, ["dotenv", "sub/b.py"]),
        ({".flaskenv": "FLASK_DEBUG=1\n", "sub/x": ""}, []),
    ],
)
def test_dotenv_files_found_from_the_working_directory_up(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    names = write_files(tmp_path, files)
    start = parse_start_command("flask db upgrade", root=tmp_path, files=names, workdir="sub")
    assert [e.spec for e in start.entries] == expected
    assert start.server == "flask"


def test_procfile_worker_target_says_why_jobs_are_not_followed(tmp_path: Path) -> None:
    files = {"Procfile": "web: gunicorn app:app\nworker: rq worker microblog-tasks\n", "requirements.txt": "rq\n"}
    targets = {t.name: t for t in read_targets(tmp_path, write_files(tmp_path, files))}
    worker = targets["Procfile:worker"]
    assert [(e.module, e.kind.value, e.distribution) for e in worker.entries] == [("rq", "server", "rq")]
    assert worker.notes == ("rq worker imports job modules only when a job runs: they are not followed from here",)
