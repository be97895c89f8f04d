"""A project tool run without --project reads its current directory: the repo folder a WORKDIR maps to."""

from __future__ import annotations

from pathlib import Path

import pytest
from targets_support import write_files

from importaudit.targets import read_targets


@pytest.mark.parametrize(
    ("copy", "install", "spec"),
    [
        ("COPY . /app", "pipenv install --system --deploy", "svc"),
        ("COPY Pipfile Pipfile.lock ./", "pipenv sync --system --dev", "svc"),
        ("COPY pyproject.toml poetry.lock ./", "poetry install --no-root", "svc"),
        ("COPY uv.lock pyproject.toml ./", "uv sync --frozen", "svc"),
    ],
)
def test_project_tool_reads_the_workdir(tmp_path: Path, copy: str, install: str, spec: str) -> None:
    files = {
        "svc/Dockerfile": f"FROM python:3.12\nWORKDIR /app\n{copy}\nRUN {install}\nCMD gunicorn app:app\n",
        "svc/Pipfile": "[packages]\ngunicorn = '*'\n",
        "svc/Pipfile.lock": "{}",
        "svc/pyproject.toml": "[project]\nname = 'svc'\n",
        "svc/poetry.lock": "",
        "svc/uv.lock": "",
        "svc/app.py": "",
    }
    names = write_files(tmp_path, files)
    (target,) = read_targets(tmp_path, names)
    assert [(i.kind.value, i.spec) for i in target.installs if i.kind.value == "project"] == [("project", spec)]


def test_a_root_project_stays_the_project(tmp_path: Path) -> None:
    """With the tool's manifest at the repo root the install stays the root's (a Dockerfile kept in
    a subfolder but built from the root, fastapi-nano's dockerfiles/python313/Dockerfile)."""
    files = {
        "pyproject.toml": "[project]\nname = 'svc'\n",
        "uv.lock": "",
        "docker/Dockerfile": "FROM python:3.12\nWORKDIR /app\n"
        "RUN --mount=type=bind,source=uv.lock,target=uv.lock uv sync --locked\nCOPY . /app\nCMD python x.py\n",
    }
    names = write_files(tmp_path, files)
    (target,) = read_targets(tmp_path, names)
    assert [(i.kind.value, i.spec) for i in target.installs if i.kind.value == "project"] == [("project", ".")]
