"""Deploy descriptors found on held-out real apps: podman-compose names, Cloud Foundry, fly release."""

from __future__ import annotations

from pathlib import Path

import pytest
from targets_support import write_files

from importaudit.targets import read_targets

IMAGE = """\
    FROM python:3.12-slim
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install -r requirements.txt
    COPY . .
"""


@pytest.mark.parametrize(
    "name", ["podman-compose.yml", "podman-compose.yaml", "container-compose.yml", "container-compose.yaml"]
)
def test_podman_compose_default_names_are_compose_files(tmp_path: Path, name: str) -> None:
    compose = "services:\n  web:\n    build: .\n    command: gunicorn app:app\n"
    files = write_files(tmp_path, {name: compose, "Dockerfile": IMAGE, "app.py": "", "requirements.txt": ""})
    targets = {t.name: t for t in read_targets(tmp_path, files)}
    web = targets[f"{name}:web"]
    assert web.kind == "compose"
    assert [e.spec for e in web.entries][:1] == ["app:app"]


def test_a_compose_override_name_is_not_a_descriptor_of_its_own(tmp_path: Path) -> None:
    files = write_files(
        tmp_path, {"podman-compose.override.yml": "services:\n  web:\n    command: gunicorn app:app\n"}
    )
    assert read_targets(tmp_path, files) == ()


def test_cloud_foundry_manifest_is_a_buildpack_target(tmp_path: Path) -> None:
    manifest = """\
        applications:
        - name: api
          path: ../app
          env:
            DJANGO_SETTINGS_MODULE: conf.prod
            WORKERS: 3
    """
    files = write_files(
        tmp_path,
        {
            "deploy/manifest.yml": manifest,
            "app/Procfile": "web: gunicorn main:app\n",
            "app/main.py": "",
            "app/requirements.txt": "flask\n",
            "app/Pipfile": "[packages]\n",
            "app/Pipfile.lock": "{}\n",
            "app/runtime.txt": "python-3.11.x\n",
        },
    )
    found = {t.name: t for t in read_targets(tmp_path, files)}
    cf = found["deploy/manifest.yml"]  # one application with one process: named after the file
    assert cf.kind == "platform"
    # requirements.txt wins over Pipfile.lock (the buildpack converts the lock only without one)
    assert [(i.kind.value, i.spec) for i in cf.installs] == [("requirements", "app/requirements.txt")]
    assert (cf.python, cf.python_source) == ("3.11", "app/runtime.txt")
    assert ("DJANGO_SETTINGS_MODULE", "conf.prod") in cf.env and ("WORKERS", "3") in cf.env
    # no `command`: the Procfile's web process, run from the pushed folder
    assert [e.spec for e in cf.entries][:1] == ["main:app"]
    assert cf.ships == ("app",)


def test_yaml_named_manifest_without_applications_is_not_a_target(tmp_path: Path) -> None:
    files = write_files(
        tmp_path,
        {
            "k8s/manifest.yaml": "apiVersion: apps/v1\nkind: Deployment\n",
            "manifest.yml": "- just a list\n",
            "broken/manifest.yml": "key: [unclosed\n",
            "requirements.txt": "",
        },
    )
    assert read_targets(tmp_path, files) == ()


def test_cloud_foundry_docker_and_foreign_buildpacks_are_not_python_targets(tmp_path: Path) -> None:
    manifest = """\
        applications:
        - name: img
          docker:
            image: org/app:latest
        - name: ui
          buildpacks: [nodejs_buildpack]
        - name: api
          command: gunicorn main:app
    """
    files = write_files(tmp_path, {"manifest.yml": manifest, "main.py": "", "requirements.txt": ""})
    assert [t.name for t in read_targets(tmp_path, files)] == ["manifest.yml:api"]


UNIT = "[Service]\nWorkingDirectory=/srv/app\nExecStart={command}\n"


@pytest.mark.parametrize(
    ("command", "provided"),
    [
        ("/home/web/.local/bin/gunicorn --bind 127.0.0.1:8000 app:app", ("gunicorn",)),
        ("/srv/app/.venv/bin/uvicorn app:app", ("uvicorn",)),
        ("/usr/bin/env FOO=1 gunicorn app:app", ()),  # env names no server by path
        ("/srv/app/.venv/bin/python -m gunicorn app:app", ()),  # python exists; gunicorn need not
        ("gunicorn app:app", ()),
        ("/srv/app/bin/start-web", ()),  # the repo's own script, followed as such
    ],
)
def test_a_service_server_named_by_absolute_path_exists(
    tmp_path: Path, command: str, provided: tuple[str, ...]
) -> None:
    files = write_files(
        tmp_path,
        {
            "deploy/app.service": UNIT.format(command=command),
            "bin/start-web": "#!/bin/sh\nexec gunicorn app:app\n",
            "app.py": "",
            "requirements.txt": "flask\n",
        },
    )
    (unit,) = read_targets(tmp_path, files)
    assert unit.provided == provided
    assert [e.spec for e in unit.entries][:1] == ["app:app"]


def test_a_service_server_named_by_path_is_not_reported_missing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from importaudit.cli import main

    write_files(
        tmp_path,
        {
            "deploy/app.service": UNIT.format(command="/home/web/.local/bin/gunicorn app:app"),
            "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
            "requirements.txt": "flask\n",
        },
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"])
    import json

    findings = [(f["module"], f["rule"]) for f in json.loads(result.output)["findings"]]
    assert ("gunicorn", "missing-at-boot") not in findings
    assert ("markdown", "missing-at-boot") in findings  # the app's own imports are still judged
