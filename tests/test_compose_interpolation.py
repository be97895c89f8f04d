"""Compose: ${VAR} interpolation in build paths (.env, defaults, what stays unknown) and bind-mounted code."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from targets_support import write_files

from importaudit.targets import read_targets

FILES = {
    "docker/api/Dockerfile": "FROM python:3.12-slim\nCOPY . /srv\nWORKDIR /srv\nCMD gunicorn app:app\n",
    "app.py": "",
}
CASES: list[tuple[str, Optional[str], Optional[str]]] = [
    # the .env beside the compose file sets it (a trailing comment is not part of the value)
    ("dockerfile: docker/${KIND}/Dockerfile", "KIND=api # which image\n", None),
    ("dockerfile: docker/${KIND:-api}/Dockerfile", None, None),
    ("dockerfile: docker/${KIND-api}/Dockerfile", None, None),
    ("context: ${CTX:-.}\n      dockerfile: docker/api/Dockerfile", None, None),
    # nothing sets it: the service stays, unknown, with the variable and the line named
    ("dockerfile: docker/${KIND}/Dockerfile", None, "${KIND}"),
    ("dockerfile: docker/${KIND}/Dockerfile", "OTHER=1\n", "${KIND}"),
]


@pytest.mark.parametrize(("build", "dotenv", "unknown"), CASES)
def test_build_path_interpolation(
    tmp_path: Path, build: str, dotenv: Optional[str], unknown: Optional[str]
) -> None:
    compose = f"services:\n  web:\n    build:\n      {build}\n"
    # the compose file is in deploy/: a path is resolved from its folder (a dockerfile from the context)
    if "CTX" in compose:
        compose = compose.replace("${CTX:-.}", "${CTX:-..}")
    else:
        compose = compose.replace("docker/", "../docker/")
    files = {**FILES, "deploy/compose.yaml": compose}
    if dotenv is not None:
        files["deploy/.env"] = dotenv
    names = write_files(tmp_path, files)
    web = {t.name: t for t in read_targets(tmp_path, names)}["deploy/compose.yaml:web"]
    if unknown is None:
        assert [e.spec for e in web.entries if e.kind.value != "server"] == ["app:app"]
        assert web.unfollowed == ()
    else:
        assert web.entries == () and len(web.unfollowed) == 1
        assert web.unfollowed[0].startswith("deploy/compose.yaml:2: ") and unknown in web.unfollowed[0]
        assert "deploy/.env does not set" in web.unfollowed[0]


@pytest.mark.parametrize(
    "volume", [".:/app", "./:/app:rw", "{type: bind, source: ., target: /app}", "./svc:/app/svc"]
)
def test_bind_mounted_code_is_the_checkout(tmp_path: Path, volume: str) -> None:
    """The image copies no code (a dev image): what the command runs comes from the bind mount."""
    files = {
        "Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt /tmp/\n"
        "RUN pip install -r /tmp/requirements.txt\n",
        "requirements.txt": "gunicorn\n",
        "svc/start.sh": "#!/bin/sh\nexec gunicorn svc.app:app\n",
        "svc/__init__.py": "",
        "svc/app.py": "",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    command: ./svc/start.sh\n"
        f"    volumes:\n      - {volume}\n",
    }
    names = write_files(tmp_path, files)
    web = {t.name: t for t in read_targets(tmp_path, names)}["docker-compose.yml:web"]
    assert [e.spec for e in web.entries if e.kind.value != "server"] == ["svc.app:app"]


def test_working_dir_and_bind_mount(tmp_path: Path) -> None:
    """`working_dir:` is where the command runs; with the checkout bind-mounted there, its relative
    paths are the repo's (a Dockerfile with no WORKDIR runs in /)."""
    files = {
        "Dockerfile": "FROM python:3.12-slim\nRUN pip install gunicorn\n",
        "svc/__init__.py": "",
        "svc/app.py": "",
        "manage.py": "",
        "docker-compose.yml": "services:\n  web:\n    build: .\n    working_dir: /code\n"
        "    command: python manage.py\n    volumes:\n      - .:/code\n",
    }
    names = write_files(tmp_path, files)
    web = {t.name: t for t in read_targets(tmp_path, names)}["docker-compose.yml:web"]
    assert [e.spec for e in web.entries] == ["manage.py"]
