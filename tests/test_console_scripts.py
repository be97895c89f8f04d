"""Console scripts and what their function starts; runner scripts; pserve / gunicorn --paste ini files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from targets_support import check_start, write_files

from importaudit.targets.commands import StartCommand, parse_start_command
from importaudit.targets.entry_points import entry_point, runner_script

FILES = {
    "pyproject.toml": """\
        [project]
        name = "shop"
        [project.scripts]
        shop-web = "shop.cli:serve"
        shop-exec = "shop.cli:run_gunicorn"
        shop-worker = "shop.worker:main"
        [project.entry-points."paste.app_factory"]
        main = "shop.app:make_app"
        [tool.poetry.scripts]
        shop-poetry = "shop.cli:serve"
        [tool.pdm.scripts]
        start = "gunicorn shop.app:app"
        migrate = {call = "shop.cli:migrate"}
    """,
    "setup.cfg": """\
        [options.entry_points]
        console_scripts =
            shop-cfg = shop.cli:serve
    """,
    "Pipfile": """\
        [scripts]
        web = "uvicorn shop.app:app --port 8000"
    """,
    "shop/__init__.py": "",
    "shop/app.py": "app = object()\ndef make_app(global_config, **settings):\n    return app\n",
    "shop/cli.py": """\
        import os
        import uvicorn

        def serve():
            uvicorn.run("shop.app:app", host="0.0.0.0")

        def run_gunicorn():
            os.execvp("gunicorn", ["gunicorn", "-w", "2", "shop.app:app"])

        def migrate():
            pass

        if __name__ == "__main__":
            uvicorn.run("shop.other:app")
    """,
    "shop/worker.py": "def main():\n    pass\n",
    "shop/__main__.py": "from granian import Granian\nGranian('shop.app:app', interface='asgi').serve()\n",
    "production.ini": """\
        [app:main]
        use = egg:shop
        [server:main]
        use = egg:waitress#main
    """,
    "pipeline.ini": """\
        [pipeline:main]
        pipeline = egg:Paste#cgitb proxy-prefix shop
        [app:shop]
        use = call:shop.app:make_app
    """,
    "foreign.ini": "[app:main]\nuse = egg:someone_else\n",
    "run.py": "import uvicorn\nif __name__ == '__main__':\n    uvicorn.run('shop.app:app')\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("console")
    write_files(root, FILES)
    return root


def parse(root: Path, command: Any) -> StartCommand:
    return parse_start_command(command, root=root, files=sorted(FILES))


WEB = ("shop.cli:serve()", "app", "console script `shop-web` (pyproject.toml:4)", "master")
UVICORN_APP = (
    "shop.app:app",
    "app",
    "console script `shop-web` (pyproject.toml:4) -> uvicorn.run (shop/cli.py:5)",
    "master",
)
CASES: list[tuple[Any, dict[str, Any]]] = [
    # the project's own script runs its function, and the app it hands to uvicorn.run is an entry
    ("shop-web", {"entries": [WEB, UVICORN_APP], "needs": ["uvicorn"]}),
    ("/opt/venv/bin/shop-web --port 80", {"entries": [WEB, UVICORN_APP]}),
    # the same through the runners that run installed scripts
    ("uv run --no-sync shop-web", {"entries": [WEB, UVICORN_APP]}),
    (
        "poetry run shop-poetry",
        {
            "entries": [
                ("shop.cli:serve()", "app", "console script `shop-poetry` (pyproject.toml:10)", "master"),
                (
                    "shop.app:app",
                    "app",
                    "console script `shop-poetry` (pyproject.toml:10) -> uvicorn.run (shop/cli.py:5)",
                    "master",
                ),
            ]
        },
    ),
    (
        "shop-cfg",
        {
            "entries": [
                ("shop.cli:serve()", "app", "console script `shop-cfg` (setup.cfg:3)", "master"),
                (
                    "shop.app:app",
                    "app",
                    "console script `shop-cfg` (setup.cfg:3) -> uvicorn.run (shop/cli.py:5)",
                    "master",
                ),
            ]
        },
    ),
    # a function that execs gunicorn: gunicorn is the server
    (
        "shop-exec",
        {
            "server": "gunicorn",
            "entries": [
                ("shop.cli:run_gunicorn()", "app", "pre-start", "master"),
                ("shop.app:app", "app", "gunicorn", "worker"),
            ],
        },
    ),
    # a script whose function starts nothing known: still its entry
    (
        "shop-worker",
        {"entries": [("shop.worker:main()", "app", "console script `shop-worker` (pyproject.toml:6)", "master")]},
    ),
    # pdm / pipenv scripts are shell text (or a call) of the project's own
    ("pdm run start", {"server": "gunicorn", "entries": [("shop.app:app", "app", "gunicorn", "worker")]}),
    (
        "pdm run migrate",
        {"entries": [("shop.cli:migrate()", "app", "pdm script `migrate` (pyproject.toml:13)", "master")]},
    ),
    ("pipenv run web", {"server": "uvicorn", "entries": [("shop.app:app", "app", "uvicorn", "master")]}),
    # python -m pkg and python file.py start what their main module starts
    (
        "python -m shop",
        {
            "needs": ["granian"],
            "entries": [
                ("shop.__main__", "module", "python -m", "master"),
                (
                    "shop.app:app",
                    "app",
                    "python shop/__main__.py -> granian.Granian (shop/__main__.py:2)",
                    "master",
                ),
            ],
        },
    ),
    (
        "python run.py",
        {
            "entries": [
                ("run.py", "module", "python", "master"),
                ("shop.app:app", "app", "python run.py -> uvicorn.run (run.py:3)", "master"),
            ]
        },
    ),
    # pserve / gunicorn --paste: the ini's app factory, through the project's paste.app_factory entry point
    (
        "pserve production.ini",
        {
            "server": "pserve",
            "needs": ["pyramid"],
            "entries": [("shop.app:make_app()", "app", "pserve (production.ini [app:main])", "master")],
        },
    ),
    (
        "gunicorn --paste pipeline.ini",
        {
            "entries": [
                ("paste.deploy", "server", "gunicorn --paste", "master"),
                ("shop.app:make_app()", "app", "gunicorn --paste (pipeline.ini [app:shop])", "worker"),
            ]
        },
    ),
    ("pserve foreign.ini", {"entries": [], "notes": ["uses `egg:someone_else`, another distribution's app"]}),
    ("pserve missing.ini", {"notes": ["`missing.ini` is not a file in the repo"]}),
]


@pytest.mark.parametrize(("command", "expected"), CASES, ids=[str(c)[:50] for c, _ in CASES])
def test_console_script(project: Path, command: Any, expected: dict[str, Any]) -> None:
    check_start(parse(project, command), expected)


def test_dependency_script_is_not_the_projects(project: Path) -> None:
    """A command the project does not declare is not resolved as one of its scripts."""
    start = parse(project, "someone-elses-tool serve")
    assert start.entries == () and any("could not tell" in note for note in start.notes)


def test_install_fallbacks_are_not_installs(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project.scripts]\nsvc = "svc:main"\n',
        "svc.py": """\
            import subprocess
            def main():
                try:
                    import redis
                except ImportError:
                    subprocess.check_call(["pip", "install", "redis"])
        """,
    }
    write_files(tmp_path, files)
    start = parse_start_command("svc", root=tmp_path, files=sorted(files))
    assert start.installs == ()


def test_entry_point_readers(tmp_path: Path) -> None:
    files = {
        "setup.py": """\
            from setuptools import setup
            SCRIPTS = ["a = pkg.a:main", "b = pkg.b:main [extra]"]
            setup(name="x", entry_points={"console_scripts": SCRIPTS, "paste.app_factory": "main = pkg:app"})
        """,
        "sub/pyproject.toml": '[project.scripts]\na = "sub.a:run"\n',
    }
    write_files(tmp_path, files)
    assert (point := entry_point(tmp_path, "", "console_scripts", "b")) is not None and point.spec == "pkg.b:main"
    assert (
        point := entry_point(tmp_path, "", "paste.app_factory", "main")
    ) is not None and point.spec == "pkg:app"
    # a folder's own declaration wins over the root's
    assert (
        point := entry_point(tmp_path, "sub", "console_scripts", "a")
    ) is not None and point.spec == "sub.a:run"
    assert runner_script(tmp_path, "", "a", "pdm") is None


MANAGE_FILES = {
    "manage.py": "from proj.cli import manager\n\nif __name__ == '__main__':\n    manager()\n",
    "proj/__init__.py": "",
    "proj/cli.py": """\
        import click
        from flask.cli import FlaskGroup
        from proj.factory import create_app

        def create():
            return create_app()

        @click.group(cls=FlaskGroup, create_app=create)
        def manager():
            pass
    """,
    "proj/factory.py": "def create_app():\n    pass\n",
    "django/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'x.settings')\n",
    "script/manage.py": "from flask_script import Manager\nfrom proj.factory import create_app\n"
    "manager = Manager(create_app)\nif __name__ == '__main__':\n    manager.run()\n",
}
FLASK_CLI = "manage.py rq (not Django's: the project's CLI)"
MANAGE_CASES: list[tuple[Any, dict[str, Any]]] = [
    # a manage.py that runs a click/Flask CLI is that CLI: its file, and the app factory its group calls
    (
        "python manage.py rq worker",
        {
            "server": "manage.py rq",
            "needs": [],
            "entries": [
                ("manage.py", "module", FLASK_CLI, "master"),
                (
                    "proj.cli:create()",
                    "app",
                    "python manage.py -> click.group(create_app=...) (proj/cli.py:8)",
                    "master",
                ),
            ],
        },
    ),
    # a one-shot subcommand of that CLI runs before the server
    (
        "./manage.py db upgrade && gunicorn 'proj.factory:create_app()'",
        {
            "server": "gunicorn",
            "entries": [
                ("manage.py", "module", "pre-start", "master"),
                ("proj.cli:create()", "app", "pre-start", "master"),
                ("proj.factory:create_app()", "app", "gunicorn", "worker"),
            ],
        },
    ),
    # Django's manage.py (it sets DJANGO_SETTINGS_MODULE) stays Django's
    ("python django/manage.py migrate", {"server": "manage.py", "needs": ["django"]}),
    # a Flask-Script manage.py: its file runs as __main__
    (
        "python script/manage.py runserver",
        {
            "server": "manage.py runserver",
            "needs": [],
            "entries": [
                ("script/manage.py", "module", "manage.py runserver (not Django's: the project's CLI)", "master")
            ],
        },
    ),
]


@pytest.mark.parametrize(("command", "expected"), MANAGE_CASES, ids=[str(c)[:50] for c, _ in MANAGE_CASES])
def test_manage_py_is_django_only_when_it_is(tmp_path: Path, command: str, expected: dict[str, Any]) -> None:
    write_files(tmp_path, MANAGE_FILES)
    check_start(parse_start_command(command, root=tmp_path, files=sorted(MANAGE_FILES)), expected)


def test_alembic_runs_env_py_before_the_server(tmp_path: Path) -> None:
    """`alembic upgrade head && uvicorn ...`: env.py (which imports the models) is a pre-start entry."""
    files = {
        "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
        "migrations/env.py": "from app.models import Base\n",
        "app/__init__.py": "",
        "app/main.py": "",
    }
    write_files(tmp_path, files)
    start = parse_start_command(
        "alembic upgrade head && exec uvicorn app.main:app", root=tmp_path, files=sorted(files)
    )
    check_start(
        start,
        {
            "server": "uvicorn",
            "needs": ["alembic", "uvicorn"],
            "paths": [],
            "entries": [
                ("migrations/env.py", "app", "pre-start", "master"),
                ("app.main:app", "app", "uvicorn", "master"),
            ],
        },
    )
    missing = parse_start_command("alembic -c deploy/alembic.ini upgrade head", root=tmp_path, files=sorted(files))
    assert any("`deploy/alembic.ini` is not a file in the repo" in note for note in missing.notes)


def test_program_found_on_path_and_uvicorn_config(tmp_path: Path) -> None:
    """ENV PATH=/srv/bin:$PATH makes the repo's bin/ scripts programs; uvicorn.Config names the app."""
    files = {
        "bin/init-env": '#!/bin/sh\nexport X=1\nexec "$@"\n',
        "bin/serve": "#!/usr/bin/env python\nimport uvicorn\nconfig = uvicorn.Config('svc.app:app')\n"
        "uvicorn.Server(config).run()\n",
        "svc/__init__.py": "",
        "svc/app.py": "",
    }
    write_files(tmp_path, files)

    def in_srv(path: str) -> str | None:
        return path[len("/srv/") :] if path.startswith("/srv/") else None

    start = parse_start_command(
        ["init-env", "serve"],
        root=tmp_path,
        files=sorted(files),
        env={"PATH": "/srv/bin:/usr/local/bin"},
        container_workdir="/srv",
        path_map=in_srv,
    )
    assert [e.spec for e in start.entries] == ["bin/serve", "svc.app:app"]
    assert "uvicorn" in start.needs


def test_console_script_body_is_boot_end_to_end(tmp_path: Path) -> None:
    """A gunicorn BaseApplication started from the script's function: what the function imports
    (the app module, and what it imports) is imported at boot, so a missing module is an error."""
    import json

    from click.testing import CliRunner

    from importaudit.cli import main

    files = {
        "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\ndependencies = ["gunicorn"]\n'
        '[project.scripts]\nsvc-web = "svc.cli:main"\n',
        "svc/__init__.py": "",
        "svc/cli.py": """\
            from gunicorn.app.base import BaseApplication


            class Standalone(BaseApplication):
                def __init__(self, app):
                    self.application = app
                    super().__init__()

                def load_config(self):
                    pass

                def load(self):
                    return self.application


            def main():
                from svc.app import app

                Standalone(app).run()
        """,
        "svc/app.py": "import markdown\n\n\ndef app(environ, start_response):\n    return []\n",
        "Dockerfile": 'FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install .\nCMD ["svc-web"]\n',
    }
    write_files(tmp_path, files)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.output)
    assert {t["name"]: t["verdict"] for t in report["targets"]} == {"Dockerfile": "fails-at-boot"}
    errors = [(f["rule"], f["module"], f["file"]) for f in report["findings"] if f["severity"] == "error"]
    assert errors == [("missing-at-boot", "markdown", "svc/app.py")]
