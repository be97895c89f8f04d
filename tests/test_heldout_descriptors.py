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
