"""Start commands -> server, entries, installs, paths, env, needs, notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from targets_support import DJANGO_MANAGE, check_start, in_srv, start_entries, write_files

from importaudit.model import InstallKind
from importaudit.targets.commands import StartCommand, parse_start_command

FILES = {
    "app.py": "app = object()\n",
    "main.py": "",
    "manage.py": DJANGO_MANAGE,
    "wsgi.py": "",
    "mysite/__init__.py": "",
    "mysite/wsgi.py": "",
    "mysite/settings.py": "",
    "proj/__init__.py": "",
    "proj/celery.py": "",
    "tasks.py": "",
    "src/app.py": "",
    "backend/main.py": "",
    "streamlit_app.py": "",
    "requirements.txt": "flask\n",
    "conf/gunicorn_cfg.py": "worker_class = 'gevent'\nwsgi_app = 'mysite.wsgi'\n",
    "start.sh": """\
        #!/bin/sh
        set -e
        python manage.py migrate --noinput
        python manage.py collectstatic --noinput
        exec gunicorn mysite.wsgi:application --bind 0.0.0.0:$PORT
    """,
    "entrypoint.sh": """\
        #!/usr/bin/env bash
        set -euo pipefail
        if [ "${RUN_MIGRATIONS:-1}" = "1" ]; then
          python manage.py migrate
        fi
        exec "$@"
    """,
    "run_server.py": "#!/usr/bin/env python\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    write_files(root, FILES)
    return root


def parse(root: Path, command: Any, **kwargs: Any) -> StartCommand:
    return parse_start_command(command, root=root, files=sorted(FILES), **kwargs)


G = ("gunicorn", "app", "gunicorn", "worker")
CASES: list[tuple[Any, dict[str, Any]]] = [
    # gunicorn app specs
    ("gunicorn app:app", {"server": "gunicorn", "entries": [("app:app", *G[1:])], "needs": ["gunicorn"]}),
    ("gunicorn mysite.wsgi", {"entries": [("mysite.wsgi:application", *G[1:])]}),
    ('gunicorn "app:create_app()"', {"entries": [("app:create_app()", *G[1:])]}),
    ("gunicorn 'app:create_app(\"prod\", debug=True)'", {"entries": [("app:create_app()", *G[1:])]}),
    ("gunicorn -w 4 -b 0.0.0.0:$PORT --timeout 120 app:app", {"entries": [("app:app", *G[1:])], "notes": []}),
    ("gunicorn --bind=0.0.0.0:${PORT:-8000} --workers=2 app:app", {"entries": [("app:app", *G[1:])]}),
    ("gunicorn --preload app:app", {"entries": [("app:app", "app", "gunicorn", "master")]}),
    ("gunicorn --chdir src app:app", {"paths": ["src"], "entries": [("app:app", *G[1:])]}),
    ("gunicorn --pythonpath src,backend app:app", {"paths": ["src", "backend"]}),
    (
        "gunicorn -e DJANGO_SETTINGS_MODULE=mysite.settings --env A=b mysite.wsgi",
        {"env": [("DJANGO_SETTINGS_MODULE", "mysite.settings"), ("A", "b")]},
    ),
    # worker classes
    (
        "gunicorn -k gevent app:app",
        {
            "entries": [("gevent", "server", "gunicorn -k", "master"), ("app:app", *G[1:])],
            "needs": ["gunicorn", "gevent"],
        },
    ),
    ("gunicorn -kgevent_pywsgi app:app", {"needs": ["gunicorn", "gevent"]}),
    (
        "gunicorn -k uvicorn.workers.UvicornWorker main:app",
        {
            "entries": [("uvicorn.workers", "server", "gunicorn -k", "master"), ("main:app", *G[1:])],
            "needs": ["gunicorn", "uvicorn"],
        },
    ),
    ("gunicorn --worker-class uvicorn_worker.UvicornWorker main:app", {"needs": ["gunicorn", "uvicorn-worker"]}),
    (
        "gunicorn -k aiohttp.worker.GunicornWebWorker app:app",
        {
            "entries": [("aiohttp.worker", "server", "gunicorn -k", "master"), ("app:app", *G[1:])],
            "needs": ["gunicorn"],
        },
    ),
    ("gunicorn -k eventlet app:app", {"notes": ["removed in gunicorn 26"]}),
    ("gunicorn -k gthread --threads 4 app:app", {"entries": [("app:app", *G[1:])]}),
    ("gunicorn -k tornado app:app", {"needs": ["gunicorn", "tornado"]}),
    (
        "gunicorn --logger-class mylog.Logger app:app",
        {"entries": [("mylog", "server", "gunicorn --logger-class", "master"), ("app:app", *G[1:])]},
    ),
    (
        "gunicorn --paste development.ini",
        {"needs": ["gunicorn", "PasteDeploy"], "notes": ["`development.ini` is not a file in the repo"]},
    ),
    # gunicorn config files
    (
        "gunicorn -c conf/gunicorn_cfg.py",
        {
            "entries": [
                ("conf/gunicorn_cfg.py", "config", "gunicorn -c", "master"),
                ("gevent", "server", "gunicorn -k", "master"),
                ("mysite.wsgi:application", *G[1:]),
            ]
        },
    ),
    (
        "gunicorn -c file:conf/gunicorn_cfg.py -k sync app:app",
        {"entries": [("conf/gunicorn_cfg.py", "config", "gunicorn -c", "master"), ("app:app", *G[1:])]},
    ),
    (
        "gunicorn -c python:mysite.gconf app:app",
        {"entries": [("mysite.gconf", "config", "gunicorn -c", "master"), ("app:app", *G[1:])]},
    ),
    ("gunicorn -c missing.py app:app", {"notes": ["gunicorn config `missing.py`"]}),
    ("gunicorn", {"server": "gunicorn", "entries": [], "notes": ["no APP_MODULE"]}),
    # python -m / wrappers / env prefixes
    ("python -m gunicorn app:app", {"server": "gunicorn", "entries": [("app:app", *G[1:])]}),
    ("exec gunicorn app:app", {"server": "gunicorn"}),
    (
        "FOO=bar WEB_CONCURRENCY=3 gunicorn app:app",
        {"env": [("FOO", "bar"), ("WEB_CONCURRENCY", "3")], "server": "gunicorn"},
    ),
    ("env PYTHONUNBUFFERED=1 gunicorn app:app", {"env": [("PYTHONUNBUFFERED", "1")]}),
    ("newrelic-admin run-program gunicorn app:app", {"server": "gunicorn", "needs": ["newrelic", "gunicorn"]}),
    ("ddtrace-run gunicorn app:app", {"needs": ["ddtrace", "gunicorn"]}),
    (
        "opentelemetry-instrument --traces_exporter console uvicorn main:app",
        {"server": "uvicorn", "needs": ["opentelemetry-instrumentation", "uvicorn"]},
    ),
    ("poetry run gunicorn app:app", {"server": "gunicorn", "installs": []}),
    ("pipenv run python app.py", {"server": "python", "entries": [("app.py", "module", "python", "master")]}),
    ("uv run gunicorn app:app", {"installs": [("project", ".", "uv", True)]}),
    ("uv run --no-sync gunicorn app:app", {"installs": []}),
    ("uv run --frozen --no-dev uvicorn main:app", {"installs": [("project", ".", "uv", False)]}),
    (
        "uv run --with gunicorn gunicorn app:app",
        {"installs": [("package", "gunicorn", "uv", False), ("project", ".", "uv", True)]},
    ),
    # chains and shells
    (
        "python manage.py migrate && gunicorn mysite.wsgi",
        {
            "server": "gunicorn",
            "entries": [("manage.py", "module", "pre-start", "master"), ("mysite.wsgi:application", *G[1:])],
            "needs": ["django", "gunicorn"],
        },
    ),
    (
        "python manage.py collectstatic --noinput; python manage.py migrate; gunicorn mysite.wsgi:application",
        {"server": "gunicorn"},
    ),
    ("sh -c 'python manage.py migrate && gunicorn mysite.wsgi'", {"server": "gunicorn"}),
    (
        'bash -c "cd backend && uvicorn main:app --port $PORT"',
        {"server": "uvicorn", "paths": ["backend"], "entries": [("main:app", "app", "uvicorn", "master")]},
    ),
    ("cd src && gunicorn app:app", {"paths": ["src"]}),
    (
        "pip install -r requirements.txt && gunicorn app:app",
        {"server": "gunicorn", "installs": [("requirements", "requirements.txt", "pip", False)]},
    ),
    (
        "pip install gunicorn==22.0 && gunicorn app:app",
        {"installs": [("package", "gunicorn==22.0", "pip", False)]},
    ),
    (
        "gunicorn app:app 2>&1 | tee log.txt",
        {"server": "gunicorn", "notes": ["could not tell what `tee log.txt` runs"]},
    ),
    # entrypoint scripts (read, never run)
    (
        "./start.sh",
        {
            "server": "gunicorn",
            "entries": [("manage.py", "module", "pre-start", "master"), ("mysite.wsgi:application", *G[1:])],
        },
    ),
    ("sh start.sh", {"server": "gunicorn"}),
    (
        ["./entrypoint.sh", "gunicorn", "app:app"],
        {"server": "gunicorn", "entries": [("manage.py", "module", "pre-start", "master"), ("app:app", *G[1:])]},
    ),
    ("./run_server.py", {"server": "python", "entries": [("run_server.py", "module", "python", "master")]}),
    ("/usr/local/bin/docker-entrypoint.sh", {"server": None, "notes": ["is not a file in the repo"]}),
    # uvicorn
    (
        "uvicorn main:app --host 0.0.0.0 --port 8000",
        {"server": "uvicorn", "entries": [("main:app", "app", "uvicorn", "master")], "needs": ["uvicorn"]},
    ),
    ("uvicorn app:create_app --factory", {"entries": [("app:create_app()", "app", "uvicorn", "master")]}),
    (
        "uvicorn main:app --loop uvloop --http httptools --ws wsproto",
        {
            "entries": [
                ("uvloop", "server", "uvicorn --loop", "master"),
                ("httptools", "server", "uvicorn --http", "master"),
                ("wsproto", "server", "uvicorn --ws", "master"),
                ("main:app", "app", "uvicorn", "master"),
            ]
        },
    ),
    ("uvicorn main:app --env-file .env --log-config log.yaml", {"needs": ["uvicorn", "python-dotenv", "PyYAML"]}),
    (
        "uvicorn --app-dir backend main:app --reload",
        {"paths": ["backend"], "entries": [("main:app", "app", "uvicorn", "master")]},
    ),
    ("uvicorn main", {"notes": ["uvicorn needs module:attr"]}),
    ("python -m uvicorn main:app", {"server": "uvicorn"}),
    # other servers
    (
        "hypercorn main:app -k uvloop --bind 0.0.0.0:8000",
        {
            "server": "hypercorn",
            "entries": [
                ("uvloop", "server", "hypercorn -k", "master"),
                ("main:app", "app", "hypercorn", "master"),
            ],
        },
    ),
    ("hypercorn main", {"entries": [("main:app", "app", "hypercorn", "master")]}),
    ("hypercorn asgi:main:app", {"entries": [("main:app", "app", "hypercorn", "master")]}),
    ("hypercorn src/app:app", {"entries": [("src/app.py", "app", "hypercorn", "master")], "paths": ["src"]}),
    (
        "daphne -b 0.0.0.0 -p 8000 mysite.asgi:application",
        {"server": "daphne", "entries": [("mysite.asgi:application", "app", "daphne", "master")]},
    ),
    (
        "waitress-serve --port=8080 --call app:create_app",
        {"server": "waitress", "entries": [("app:create_app()", "app", "waitress-serve", "master")]},
    ),
    ("waitress-serve --listen=*:8080 app.app", {"entries": [("app:app", "app", "waitress-serve", "master")]}),
    (
        "granian --interface asgi --loop uvloop main:app",
        {
            "server": "granian",
            "entries": [
                ("uvloop", "server", "granian --loop", "master"),
                ("main:app", "app", "granian", "master"),
            ],
            "notes": [],
        },
    ),
    ("granian main:app", {"notes": ["--interface rsgi"]}),
    (
        "fastapi run",
        {
            "server": "fastapi",
            "needs": ["fastapi-cli"],
            "entries": [("fastapi_cli", "server", "fastapi", "master"), ("main.py", "app", "fastapi", "master")],
        },
    ),
    (
        "fastapi run backend/main.py --port 80",
        {
            "entries": [
                ("fastapi_cli", "server", "fastapi", "master"),
                ("backend/main.py", "app", "fastapi", "master"),
            ],
            "paths": ["backend"],
        },
    ),
    ("flask run --host=0.0.0.0", {"server": "flask", "entries": [("wsgi.py", "app", "flask", "master")]}),
    ("flask --app mysite.wsgi run", {"entries": [("mysite.wsgi", "app", "flask", "master")]}),
    (
        "FLASK_APP=app:create_app flask run",
        {"entries": [("app:create_app", "app", "flask", "master")], "env": [("FLASK_APP", "app:create_app")]},
    ),
    (
        "celery -A proj worker -l info",
        {
            "server": "celery",
            "entries": [("proj", "app", "celery", "master"), ("proj.celery", "app", "celery", "master")],
            "needs": ["celery"],
        },
    ),
    (
        "celery -A tasks worker -P gevent",
        {"entries": [("gevent", "server", "celery --pool", "master"), ("tasks", "app", "celery", "master")]},
    ),
    ("celery --app=tasks.celery_app beat", {"entries": [("tasks:celery_app", "app", "celery", "master")]}),
    ("celery worker", {"notes": ["no -A/--app"]}),
    (
        "streamlit run streamlit_app.py --server.port $PORT",
        {
            "server": "streamlit",
            "entries": [("streamlit_app.py", "module", "streamlit run", "master")],
            "needs": ["streamlit"],
        },
    ),
    # python and Django
    ("python app.py", {"server": "python", "entries": [("app.py", "module", "python", "master")]}),
    ("python3 -u src/app.py", {"entries": [("src/app.py", "module", "python", "master")], "paths": ["src"]}),
    ("python -m mysite.server --port 80", {"entries": [("mysite.server", "module", "python -m", "master")]}),
    ("python missing.py", {"notes": ["`missing.py` (python) is not a file in the repo"]}),
    (
        "python manage.py runserver 0.0.0.0:8000",
        {
            "server": "manage.py runserver",
            "entries": [("manage.py", "module", "manage.py runserver", "master")],
            "needs": ["django"],
        },
    ),
    (
        "python manage.py migrate --settings=mysite.settings",
        {"server": "manage.py", "env": [("DJANGO_SETTINGS_MODULE", "mysite.settings")]},
    ),
    ("./manage.py runserver", {"server": "manage.py runserver"}),
    (
        "django-admin migrate --settings=mysite.settings",
        {"server": "django-admin", "entries": [("mysite.settings", "module", "django-admin", "master")]},
    ),
    # what cannot be followed
    (
        "supervisord -c /etc/supervisord.conf",
        {"server": "supervisord", "entries": [], "notes": ["`/etc/supervisord.conf` is not a file in the repo"]},
    ),
    ("python -c 'import app'", {"notes": ["`python -c` code is not followed"]}),
    ("gunicorn $APP_MODULE", {"notes": ["could not tell which module `$APP_MODULE`"]}),
    ("sh -c 'unterminated", {"notes": ["could not split"]}),
    ("", {"server": None, "entries": []}),
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[str(c)[:60] for c, _ in CASES])
def test_start_command(project: Path, command: Any, expected: dict[str, Any]) -> None:
    start = parse(project, command)
    check_start(start, expected)


def test_gunicorn_cmd_args_from_env_lose_to_the_command_line(project: Path) -> None:
    start = parse(
        project, "gunicorn app:app -k sync", env={"GUNICORN_CMD_ARGS": "-k gevent --chdir src --preload"}
    )
    assert start_entries(start) == [("app:app", "app", "gunicorn", "master")]
    assert start.paths == ("src",)


def test_default_gunicorn_conf_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "gunicorn.conf.py").write_text(
        "import os\nwsgi_app = 'app:app'\npreload_app = True\n"
        "raw_env = ['A=1']\nworker_class = os.environ.get('WORKER', 'uvicorn.workers.X')\n"
    )
    start = parse_start_command("gunicorn", root=tmp_path, files=["gunicorn.conf.py", "app.py"])
    assert start_entries(start) == [
        ("gunicorn.conf.py", "config", "gunicorn -c", "master"),
        ("uvicorn.workers", "server", "gunicorn -k", "master"),
        ("app:app", "app", "gunicorn", "master"),
    ]
    assert start.env == (("A", "1"),)


def test_config_files_and_scripts_are_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    body = f"open({str(marker)!r}, 'w').write('x')\n"
    (tmp_path / "gunicorn.conf.py").write_text(body + "wsgi_app = 'app:app'\n")
    (tmp_path / "entry.sh").write_text(f'#!/bin/sh\ntouch {marker}\nexec "$@"\n')
    (tmp_path / "run.py").write_text(body)
    files = ["gunicorn.conf.py", "entry.sh", "run.py", "app.py"]
    for command in (["./entry.sh", "gunicorn"], "python run.py", "sh entry.sh python run.py"):
        parse_start_command(command, root=tmp_path, files=files)
    assert not marker.exists()


def test_broken_gunicorn_config_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "gunicorn.conf.py").write_bytes(b"wsgi_app = (\n\xff\xfe")
    start = parse_start_command("gunicorn app:app", root=tmp_path, files=["gunicorn.conf.py"])
    assert [w.file for w in start.warnings] == ["gunicorn.conf.py"]
    assert ("app:app", "app", "gunicorn", "worker") in start_entries(start)


def test_fastapi_entrypoint_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.fastapi]\nentrypoint = "svc.api:api"\n')
    start = parse_start_command("fastapi run", root=tmp_path, files=["pyproject.toml"])
    assert ("svc.api:api", "app", "fastapi", "master") in start_entries(start)


def test_container_paths_map_back_to_the_repo(project: Path) -> None:
    start = parse(project, ["python", "/srv/src/app.py"], container_workdir="/srv", path_map=in_srv)
    assert start_entries(start) == [("src/app.py", "module", "python", "master")]
    outside = parse(project, "gunicorn --chdir /opt/elsewhere app:app", container_workdir="/srv", path_map=in_srv)
    assert any("not a directory copied from the repo" in n for n in outside.notes)


def test_exec_form_is_not_run_through_a_shell(project: Path) -> None:
    start = parse(project, ["gunicorn", "app:app", "&&", "rm", "-rf", "/"])
    assert start.server == "gunicorn"
    assert [i for i in start.installs if i.kind is InstallKind.UNKNOWN] == []
