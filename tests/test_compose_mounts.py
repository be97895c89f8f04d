"""Compose bind mounts and working_dir: which repo paths a service's container sees, and where."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from targets_support import write_files

from importaudit.targets import read_targets

COMPOSE = """\
    services:
      web:
        build: .
        volumes: [{volume}]
        command: python {script}
"""


@pytest.mark.parametrize(
    ("volume", "script", "path"),
    [
        ('".:/app"', "/app/tools/run.py", "svc/tools/run.py"),
        ('"./tools/run.py:/etc/run.py:ro"', "/etc/run.py", "svc/tools/run.py"),  # a file bind
        ("{type: bind, source: ../shared, target: /opt/shared}", "/opt/shared/go.py", "shared/go.py"),
        ('"data:/app"', "/app/tools/run.py", None),  # a named volume: not the repo
        ('"/srv/checkout:/app"', "/app/tools/run.py", None),  # a host path outside the checkout
        ('"../../elsewhere:/app"', "/app/tools/run.py", None),  # outside the repo
    ],
)
def test_bind_mounts_resolve_from_the_compose_folder(
    tmp_path: Path, volume: str, script: str, path: Optional[str]
) -> None:
    files = write_files(
        tmp_path,
        {
            "svc/docker-compose.yml": COMPOSE.format(volume=volume, script=script),
            "svc/Dockerfile": "FROM python:3.12\nWORKDIR /srv\nCOPY requirements.txt .\n",
            "svc/requirements.txt": "",
            "svc/tools/run.py": "",
            "shared/go.py": "",
        },
    )
    web = {t.name: t for t in read_targets(tmp_path, files)}["svc/docker-compose.yml:web"]
    assert [e.path for e in web.entries if e.path] == ([path] if path else [])


def test_a_bound_checkout_is_where_the_command_finds_its_script(tmp_path: Path) -> None:
    files = write_files(
        tmp_path,
        {
            "svc/docker-compose.yml": """\
                services:
                  web:
                    build: .
                    volumes: [".:/code"]
                    working_dir: /code/app
                    entrypoint: python /code/start.py
                  cli:
                    build: .
                    working_dir: /code/app
                    command: python main.py
            """,
            "svc/Dockerfile": "FROM python:3.12\nCOPY requirements.txt /tmp/\n"
            "RUN pip install -r /tmp/requirements.txt\n",
            "svc/requirements.txt": "",
            "svc/start.py": "",
            "svc/app/main.py": "",
        },
    )
    targets = {t.name: t for t in read_targets(tmp_path, files)}
    assert [e.path for e in targets["svc/docker-compose.yml:web"].entries] == ["svc/start.py"]
    # no bind mount: the image holds no main.py, whatever working_dir says
    assert [e.path for e in targets["svc/docker-compose.yml:cli"].entries if e.path] == []
