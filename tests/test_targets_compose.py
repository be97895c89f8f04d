"""Compose targets: built services on their Dockerfile stage, with overrides and environment."""

from __future__ import annotations

from pathlib import Path

import pytest
from targets_support import DJANGO_MANAGE, write_files

from importaudit.targets import read_targets

DOCKERFILE = """\
    FROM python:3.12-slim AS base
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install -r requirements.txt
    COPY . .
    CMD ["gunicorn", "app:app"]
    FROM base AS dev
    COPY requirements-dev.txt .
    RUN pip install -r requirements-dev.txt
    CMD ["python", "app.py"]
"""


def project(root: Path, compose: str, name: str = "docker-compose.yml") -> list[str]:
    return write_files(
        root,
        {
            name: compose,
            "Dockerfile": DOCKERFILE,
            "app.py": "",
            "tasks.py": "",
            "manage.py": DJANGO_MANAGE,
            "requirements.txt": "",
            "requirements-dev.txt": "",
            "docker/worker.Dockerfile": "FROM python:3.11\nCOPY . /w\nWORKDIR /w\nCMD celery -A tasks worker\n",
        },
    )


def test_services_with_build_are_targets(tmp_path: Path) -> None:
    names = project(
        tmp_path,
        """\
        services:
          web:
            build: .
            command: gunicorn --bind 0.0.0.0:${PORT:-8000} app:app
            environment:
              - DJANGO_SETTINGS_MODULE=mysite.settings
              - DEBUG
          dev:
            build:
              context: .
              target: dev
          worker:
            build:
              context: .
              dockerfile: docker/worker.Dockerfile
            environment:
              BROKER_URL: ${BROKER_URL:-redis://cache:6379/0}
          cache:
            image: redis:7
          db:
            image: postgres:16
    """,
    )
    targets = {t.name: t for t in read_targets(tmp_path, names)}
    assert sorted(targets) == [
        "Dockerfile",
        "docker-compose.yml:dev",
        "docker-compose.yml:web",
        "docker-compose.yml:worker",
        "docker/worker.Dockerfile",
    ]
    web = targets["docker-compose.yml:web"]
    assert (web.kind, web.file, web.line, web.python) == ("compose", "docker-compose.yml", 2, "3.12")
    assert web.commands == ("gunicorn --bind 0.0.0.0:8000 app:app",)
    assert ("DJANGO_SETTINGS_MODULE", "mysite.settings") in web.env
    dev = targets["docker-compose.yml:dev"]
    assert [e.spec for e in dev.entries] == ["app.py"]
    assert [i.spec for i in dev.installs] == ["requirements.txt", "requirements-dev.txt"]
    worker = targets["docker-compose.yml:worker"]
    assert ("BROKER_URL", "redis://cache:6379/0") in worker.env
    assert [e.spec for e in worker.entries] == ["tasks", "celery"]
    assert worker.python == "3.11"


def test_entrypoint_override_clears_cmd(tmp_path: Path) -> None:
    names = project(
        tmp_path,
        """\
        services:
          api:
            build: .
            entrypoint: ["uvicorn", "app:app"]
          shell:
            build: .
            entrypoint: sh -c "python manage.py migrate && gunicorn app:app"
    """,
        "compose.yaml",
    )
    targets = {t.name: t for t in read_targets(tmp_path, names)}
    assert [e.spec for e in targets["compose.yaml:api"].entries] == ["app:app", "uvicorn"]
    shell = targets["compose.yaml:shell"]
    assert [(e.spec, e.via) for e in shell.entries] == [
        ("manage.py", "pre-start"),
        ("app:app", "gunicorn"),
        ("django", "start command"),
        ("gunicorn", "start command"),
    ]


def test_compose_in_a_subdirectory_resolves_its_context(tmp_path: Path) -> None:
    names = project(
        tmp_path,
        """\
        services:
          web:
            build:
              context: ..
              dockerfile: Dockerfile
    """,
        "deploy/docker-compose.yml",
    )
    targets = {t.name: t for t in read_targets(tmp_path, names)}
    # No build target: the last stage (dev) is what compose builds.
    web = targets["deploy/docker-compose.yml:web"]
    assert ([e.spec for e in web.entries], web.python) == (["app.py"], "3.12")


def test_missing_build_file_is_a_note(tmp_path: Path) -> None:
    names = project(tmp_path, "services:\n  web:\n    build:\n      dockerfile: Nope\n")
    targets = {t.name: t for t in read_targets(tmp_path, names)}
    assert any("Nope" in n for n in targets["docker-compose.yml:web"].notes)


@pytest.mark.parametrize("content", ["services: [unclosed", "services:\n  web: {build: .\n", "\t- bad:\n  indent"])
def test_bad_yaml_is_a_warning(tmp_path: Path, content: str) -> None:
    names = write_files(tmp_path, {"docker-compose.yml": content})
    (target,) = read_targets(tmp_path, names)
    assert target.name == "docker-compose.yml"
    assert target.warnings and target.entries == ()


@pytest.mark.parametrize("content", ["", "just a string", "services: 3", "[1, 2]"])
def test_compose_without_services(tmp_path: Path, content: str) -> None:
    names = write_files(tmp_path, {"docker-compose.yml": content})
    assert read_targets(tmp_path, names) == ()


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                ".devcontainer/Dockerfile": "FROM mcr.microsoft.com/devcontainers/python:3.12\n",
                ".devcontainer/docker-compose.yml": (
                    "services:\n  app:\n    build:\n      context: ..\n"
                    "      dockerfile: .devcontainer/Dockerfile\n    command: sleep infinity\n"
                ),
            },
            ["Dockerfile"],
        ),
        (
            {".worktree-container/docker-compose.yml": "services:\n  app:\n    build: ..\n"},
            ["Dockerfile"],
        ),
        (
            {
                "compose.yml": (
                    "services:\n  dev:\n    build: .\n    command: sleep infinity\n  web:\n    build: .\n"
                )
            },
            ["Dockerfile", "compose.yml:web"],
        ),
        ({"compose.yml": "services:\n  dev:\n    build: .\n    command: tail -f /dev/null\n"}, ["Dockerfile"]),
        (
            {"compose.yml": "services:\n  dev:\n    build: .\n    command: [sleep, '30']\n"},
            ["Dockerfile", "compose.yml:dev"],
        ),
        ({"Dockerfile.dev": 'FROM python:3.12\nCMD ["sleep", "infinity"]\n'}, ["Dockerfile"]),
    ],
    ids=[
        "devcontainer",
        "worktree-container",
        "sleep-infinity",
        "tail-dev-null",
        "short-sleep-kept",
        "idle-image",
    ],
)
def test_development_containers_are_not_deploys(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    names = write_files(
        tmp_path,
        {"Dockerfile": 'FROM python:3.12\nCOPY . /app\nCMD ["python", "/app/app.py"]\n', "app.py": "", **files},
    )
    assert [t.name for t in read_targets(tmp_path, names)] == expected


def test_env_file_values_reach_the_service_and_environment_wins(tmp_path: Path) -> None:
    names = project(
        tmp_path,
        """\
        services:
          web:
            build: ..
            env_file:
              - ../config/web.env
              - path: ./missing.env
                required: false
            environment:
              DEBUG: "0"
    """,
        "deploy/docker-compose.yml",
    )
    (tmp_path / "config").mkdir()
    (tmp_path / "config/web.env").write_text(
        "# web settings\nexport DJANGO_SETTINGS_MODULE=mysite.settings.prod\nDEBUG=1\n"
        "QUOTED='a b' # comment\nBARE=x # trailing\n"
    )
    web = {t.name: t for t in read_targets(tmp_path, [*names, "config/web.env"])}["deploy/docker-compose.yml:web"]
    env = dict(web.env)
    assert env["DJANGO_SETTINGS_MODULE"] == "mysite.settings.prod"
    assert (env["DEBUG"], env["QUOTED"], env["BARE"]) == ("0", "a b", "x")
    assert "env_file deploy/missing.env is not in the repo: its variables are unknown" in web.notes
