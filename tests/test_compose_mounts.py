"""Compose bind mounts and working_dir: which repo paths a service's container sees, and where."""

from __future__ import annotations

from pathlib import Path

from targets_support import write_files

from importaudit.targets import read_targets
from importaudit.targets.compose_mounts import mounts
from importaudit.targets.image_state import Copy

FILES = frozenset({"src/app.py", "src/settings.ini", "run.py"})
DIRS = frozenset({"src"})


def test_relative_binds_resolve_from_the_compose_folder() -> None:
    volumes = [
        ".:/app",
        "./settings.ini:/etc/app.ini:ro",
        {"type": "bind", "source": "../run.py", "target": "/bin/run.py"},
        "data:/var/lib/data",  # a named volume
        "/var/run/docker.sock:/var/run/docker.sock",  # outside the checkout
        "../../elsewhere:/x",  # outside the repo
        {"type": "volume", "source": "cache", "target": "/cache"},
        "./missing:/m",
    ]
    assert mounts(volumes, "src", FILES, DIRS) == [
        Copy("/app", "src", "dir"),
        Copy("/etc/app.ini", "src/settings.ini", "file"),
        Copy("/bin/run.py", "run.py", "file"),
    ]
    assert mounts([".:/app"], "", FILES, DIRS) == [Copy("/app", "", "dir")]
    assert mounts("not-a-list", "", FILES, DIRS) == []


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
