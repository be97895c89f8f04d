"""Platform targets: render.yaml, App Engine app.yaml, fly.toml, railway, nixpacks.toml."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from targets_support import DJANGO_MANAGE, write_files

from importaudit.model import Target
from importaudit.targets import read_targets


def targets(root: Path, files: dict[str, str]) -> dict[str, Target]:
    names = write_files(root, {"main.py": "", "app.py": "", "requirements.txt": "", **files})
    return {t.name: t for t in read_targets(root, names)}


def test_render_python_and_docker_services(tmp_path: Path) -> None:
    found = targets(
        tmp_path,
        {
            "render.yaml": """\
            services:
              - type: web
                name: api
                runtime: python
                buildCommand: pip install -r requirements.txt && pip install gunicorn
                startCommand: gunicorn main:app
                envVars:
                  - key: PYTHON_VERSION
                    value: 3.11.9
              - type: worker
                name: jobs
                runtime: docker
                dockerfilePath: ./jobs.Dockerfile
              - type: redis
                name: cache
        """,
            "jobs.Dockerfile": "FROM python:3.12\nCOPY . /j\nWORKDIR /j\nCMD python app.py\n",
        },
    )
    assert sorted(found) == ["jobs.Dockerfile", "render.yaml:api", "render.yaml:jobs"]
    api = found["render.yaml:api"]
    assert (api.kind, api.python, api.python_source) == ("platform", "3.11", "render.yaml PYTHON_VERSION")
    assert [(i.kind.value, i.spec) for i in api.installs] == [
        ("requirements", "requirements.txt"),
        ("package", "gunicorn"),
    ]
    assert [e.spec for e in api.entries] == ["main:app", "gunicorn"]
    jobs = found["render.yaml:jobs"]
    assert ([e.spec for e in jobs.entries], jobs.python) == (["app.py"], "3.12")


@pytest.mark.parametrize(
    ("yaml_text", "python", "entries", "provided"),
    [
        ("runtime: python312\n", "3.12", ["main:app", "gunicorn"], ("gunicorn",)),
        ("runtime: python311\nentrypoint: uvicorn app:app --port $PORT\n", "3.11", ["app:app", "uvicorn"], ()),
        (
            "runtime: python\nenv: flex\nentrypoint: gunicorn -b :$PORT main:app\n"
            "runtime_config:\n  runtime_version: 3.10\n",
            "3.10",
            ["main:app", "gunicorn"],
            (),
        ),
    ],
)
def test_app_engine(
    tmp_path: Path, yaml_text: str, python: str, entries: list[str], provided: tuple[str, ...]
) -> None:
    app = targets(tmp_path, {"app.yaml": yaml_text})["app.yaml"]
    assert (app.python, [e.spec for e in app.entries], app.provided) == (python, entries, provided)
    assert [i.spec for i in app.installs] == ["requirements.txt"]


def test_app_yaml_that_is_not_app_engine_is_ignored(tmp_path: Path) -> None:
    assert targets(tmp_path, {"app.yaml": "name: something\nreplicas: 2\n"}) == {}


def test_fly_processes_reuse_the_dockerfile(tmp_path: Path) -> None:
    found = targets(
        tmp_path,
        {
            "fly.toml": """\
            app = "demo"
            [processes]
            web = "gunicorn main:app"
            worker = "python app.py"
            [deploy]
            release_command = "python manage.py migrate"
        """,
            "Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n"
            "RUN pip install -r requirements.txt\nCMD gunicorn app:app\n",
            "manage.py": DJANGO_MANAGE,
        },
    )
    assert sorted(found) == ["Dockerfile", "fly.toml:web", "fly.toml:worker"]
    web = found["fly.toml:web"]
    # The release command boots first, in every process's image: a step of each process.
    release = [("manage.py", "manage.py migrate", "master"), ("django", "release", "master")]
    assert [(e.spec, e.via, e.phase) for e in web.entries][:2] == release
    assert ([e.spec for e in web.entries][2:], web.python) == (["main:app", "gunicorn"], "3.12")
    assert [i.spec for i in web.installs] == ["requirements.txt"]
    assert any("release_command" in n for n in web.notes)
    assert "release: python manage.py migrate" in web.commands
    worker = found["fly.toml:worker"]
    assert [(e.spec, e.via, e.phase) for e in worker.entries][:2] == release
    assert [e.spec for e in worker.entries][2:] == ["app.py"]


def test_fly_experimental_cmd(tmp_path: Path) -> None:
    found = targets(
        tmp_path,
        {
            "fly.toml": '[experimental]\ncmd = ["uvicorn", "main:app"]\n',
            "Dockerfile": "FROM python:3.11\nCOPY . .\n",
        },
    )
    assert [e.spec for e in found["fly.toml"].entries] == ["main:app", "uvicorn"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "railway.json",
            '{"deploy": {"startCommand": "gunicorn main:app", "preDeployCommand": "python manage.py migrate"}}',
        ),
        (
            "railway.toml",
            '[deploy]\nstartCommand = "gunicorn main:app"\npreDeployCommand = "python manage.py migrate"\n',
        ),
    ],
)
def test_railway_on_nixpacks(tmp_path: Path, name: str, text: str) -> None:
    railway = targets(tmp_path, {name: text, "manage.py": DJANGO_MANAGE})[name]
    assert [(e.spec, e.via) for e in railway.entries] == [
        ("manage.py", "manage.py migrate"),
        ("main:app", "gunicorn"),
        ("django", "start command"),
        ("gunicorn", "start command"),
    ]
    assert [i.spec for i in railway.installs] == ["requirements.txt"]


def test_railway_dockerfile_builder(tmp_path: Path) -> None:
    found = targets(
        tmp_path,
        {
            "railway.toml": '[build]\nbuilder = "DOCKERFILE"\ndockerfilePath = "Dockerfile.prod"\n'
            '[deploy]\nstartCommand = "uvicorn main:app"\n',
            "Dockerfile.prod": "FROM python:3.13\nCOPY . .\nRUN pip install -r requirements.txt\n",
        },
    )
    railway = found["railway.toml"]
    assert ([e.spec for e in railway.entries], railway.python) == (["main:app", "uvicorn"], "3.13")


@pytest.mark.parametrize(
    ("name", "text", "missing", "target"),
    [
        (
            "render.yaml",
            "services:\n  - type: web\n    name: api\n    runtime: docker\n    dockerfilePath: ./api.Dockerfile\n",
            "api.Dockerfile",
            "render.yaml:api",  # FILE:NAME, as Procfile:web, even for one service
        ),
        (
            "railway.toml",
            '[build]\nbuilder = "DOCKERFILE"\ndockerfilePath = "Dockerfile.prod"\n',
            "Dockerfile.prod",
            "railway.toml",
        ),
    ],
)
def test_a_named_dockerfile_missing_from_the_repo_is_said(
    tmp_path: Path, name: str, text: str, missing: str, target: str
) -> None:
    found = targets(tmp_path, {name: text})[target]
    assert (found.kind, found.file, found.entries, found.installs) == ("platform", name, (), ())
    assert found.notes == (f"`{missing}` is not in the repo",)


def test_nixpacks(tmp_path: Path) -> None:
    nix = targets(
        tmp_path,
        {
            "nixpacks.toml": """\
        [variables]
        NIXPACKS_PYTHON_VERSION = "3.11"
        [phases.install]
        cmds = ["pip install -r requirements.txt", "pip install uvicorn"]
        [start]
        cmd = "uvicorn main:app --host 0.0.0.0"
    """
        },
    )["nixpacks.toml"]
    assert (nix.python, [e.spec for e in nix.entries]) == ("3.11", ["main:app", "uvicorn"])
    assert [i.spec for i in nix.installs] == ["requirements.txt", "uvicorn"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("render.yaml", "services: [oops"),
        ("fly.toml", "app = "),
        ("railway.json", "{bad json"),
        ("nixpacks.toml", "[start\ncmd = 1"),
        ("app.yaml", "runtime: [python312"),
    ],
)
def test_malformed_descriptors_are_warnings(tmp_path: Path, name: str, text: str) -> None:
    target = targets(tmp_path, {name: text})[name]
    assert target.warnings and target.entries == ()


NETBOX_UNIT = """\
    [Unit]
    Description=NetBox WSGI Service

    [Service]
    Type=simple
    WorkingDirectory=/opt/netbox
    Environment="DJANGO_SETTINGS_MODULE=netbox.settings" PYTHONUNBUFFERED=1
    ExecStartPre=-/opt/netbox/venv/bin/python /opt/netbox/netbox/manage.py migrate
    # Remove the following line if using uWSGI instead of Gunicorn
    ExecStart=/opt/netbox/venv/bin/gunicorn --pid /var/tmp/netbox.pid \\
        --pythonpath /opt/netbox/netbox --config /opt/netbox/gunicorn.py netbox.wsgi
    #ExecStart=/opt/netbox/venv/bin/uwsgi --ini /opt/netbox/uwsgi.ini
"""
SERVICE_FILES = {
    "requirements.txt": "django\n",
    "netbox/manage.py": DJANGO_MANAGE,
    "netbox/netbox/__init__.py": "",
    "netbox/netbox/wsgi.py": "",
    "contrib/gunicorn.py": "workers = 5\n",
}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "contrib/netbox.service",
            NETBOX_UNIT,
            {
                "contrib/netbox.service": [
                    ("netbox/manage.py", "pre-start"),
                    ("contrib/gunicorn.py", "gunicorn -c"),
                    ("netbox.wsgi:application", "gunicorn"),
                    ("django", "start command"),
                    ("gunicorn", "start command"),
                ]
            },
        ),
        (
            "contrib/netbox-rq.service",
            "[Service]\nWorkingDirectory=/opt/netbox\n"
            "ExecStart=/opt/netbox/venv/bin/python3 /opt/netbox/netbox/manage.py rqworker high default low\n",
            {
                "contrib/netbox-rq.service": [
                    ("netbox/manage.py", "manage.py rqworker"),
                    ("django_rq", "manage.py rqworker"),
                    ("rq", "manage.py rqworker"),
                    ("django", "start command"),
                ]
            },
        ),
        ("contrib/nginx.service", "[Service]\nExecStart=/usr/sbin/nginx -g 'daemon off;'\n", {}),
        ("contrib/empty.service", "[Service]\nExecStart=/opt/x/gunicorn app:app\nExecStart=\n", {}),
        (
            "deploy/supervisor/app.conf",
            "[program:web]\ncommand=/srv/venv/bin/gunicorn -w 4 netbox.wsgi\ndirectory=/srv/netbox\n"
            'environment=A="1",B=2\n\n[program:redis]\ncommand=redis-server\n',
            {
                "deploy/supervisor/app.conf:web": [
                    ("netbox.wsgi:application", "gunicorn"),
                    ("gunicorn", "start command"),
                ]
            },
        ),
        ("deploy/nginx.conf", "server {\n  listen 80;\n}\n", {}),
    ],
    ids=["systemd-gunicorn", "systemd-rqworker", "not-python", "reset-exec-start", "supervisor", "nginx-conf"],
)
def test_service_units(tmp_path: Path, name: str, text: str, expected: dict[str, list[tuple[str, str]]]) -> None:
    files = {**SERVICE_FILES, name: text}
    for path, body in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(textwrap.dedent(body))
    targets = {t.name: t for t in read_targets(tmp_path, sorted(files))}
    assert {n: [(e.spec, e.via) for e in t.entries] for n, t in targets.items()} == expected
    for target in targets.values():
        assert target.kind == "platform"
        assert [i.spec for i in target.installs] == ["requirements.txt"]
        assert any("does not say what its virtualenv holds" in note for note in target.notes)


def test_systemd_unit_paths_and_environment(tmp_path: Path) -> None:
    files = {**SERVICE_FILES, "contrib/netbox.service": NETBOX_UNIT}
    for path, body in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(textwrap.dedent(body))
    (target,) = read_targets(tmp_path, sorted(files))
    assert target.paths == ("netbox",)
    assert target.env == (("DJANGO_SETTINGS_MODULE", "netbox.settings"), ("PYTHONUNBUFFERED", "1"))
    assert target.line == 10


@pytest.mark.parametrize(
    "content", [b"\xff\xfe\x00garbage", b"[Service\nExecStart=\\", b"[program:x]\ncommand=\\\n"]
)
def test_unreadable_service_files_never_crash(tmp_path: Path, content: bytes) -> None:
    for name in ("a.service", "b.conf"):
        (tmp_path / name).write_bytes(content)
    targets = read_targets(tmp_path, ["a.service", "b.conf"])
    assert all(t.entries == () for t in targets)
