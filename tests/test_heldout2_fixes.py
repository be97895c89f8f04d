"""uv `--package` naming the workspace root or several packages; a script copied onto PATH and run by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from importaudit.cli import main


def audit(path: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json"], catch_exceptions=False)
    report: dict[str, Any] = json.loads(result.output)
    return report


def _uv_workspace(tmp_path: Path, packages: str) -> None:
    """A uv workspace whose root project `svc` has a member `svc-common`; the image syncs `packages`."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1"\ndependencies = ["flask", "gunicorn"]\n'
        '[tool.uv.workspace]\nmembers = ["libs/*"]\n')
    (tmp_path / "libs" / "common").mkdir(parents=True)
    (tmp_path / "libs" / "common" / "pyproject.toml").write_text(
        '[project]\nname = "svc-common"\nversion = "1"\ndependencies = ["markdown"]\n')
    (tmp_path / "app.py").write_text("import flask\nimport markdown\napp = flask.Flask('x')\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /app\nCOPY . /app\n"
        f"RUN uv sync --frozen {packages}\n"
        'CMD ["gunicorn", "app:app"]\n')


def _findings(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["rule"], f["module"] or f["message"]) for f in report["findings"]}


def test_uv_sync_package_naming_the_workspace_root_installs_the_root_project(tmp_path: Path) -> None:
    _uv_workspace(tmp_path, "--package svc")
    report = audit(tmp_path)
    assert not [f for f in report["findings"] if f["rule"] == "unreadable"], report["findings"]
    errors = {f["module"] for f in report["findings"] if f["severity"] == "error"}
    assert errors == {"markdown"}, report["findings"]  # flask and gunicorn come from the root project


def test_uv_sync_installs_every_package_option(tmp_path: Path) -> None:
    _uv_workspace(tmp_path, "--package svc --package svc-common")
    report = audit(tmp_path)
    assert report["findings"] == [] and report["targets"][0]["verdict"] == "boots", report["findings"]


def test_uv_sync_package_not_in_the_workspace_is_a_warning(tmp_path: Path) -> None:
    _uv_workspace(tmp_path, "--package nope --package svc")
    report = audit(tmp_path)
    (unreadable,) = [f for f in report["findings"] if f["rule"] == "unreadable"]
    assert "no uv workspace package named nope" in unreadable["message"]


def _path_script_image(tmp_path: Path, copy: str, env: str) -> dict[str, Any]:
    """An image whose ENTRYPOINT names, by bare command name, a repo script COPY put on PATH."""
    (tmp_path / "requirements.txt").write_text("flask\ngunicorn\n")
    (tmp_path / "app.py").write_text("import flask\nimport markdown\napp = flask.Flask('x')\n")
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "custom-entrypoint").write_text("#!/bin/sh\nset -e\necho starting\nexec \"$@\"\n")
    (tmp_path / "Dockerfile").write_text(
        f"FROM python:3.12\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\n{env}"
        f"{copy}\nENTRYPOINT [\"custom-entrypoint\"]\nCMD [\"gunicorn\", \"app:app\"]\n")
    return audit(tmp_path)


def test_a_script_copied_onto_the_default_path_is_followed_when_run_by_name(tmp_path: Path) -> None:
    report = _path_script_image(tmp_path, "COPY docker/custom-entrypoint /usr/local/bin/custom-entrypoint", "")
    (target,) = report["targets"]
    assert "app:app" in target["entries"] and target["verdict"] == "fails-at-boot", report
    assert {f["module"] for f in report["findings"] if f["severity"] == "error"} == {"markdown"}


def test_a_script_copied_into_a_path_folder_is_found_through_an_extended_path(tmp_path: Path) -> None:
    """`COPY x /usr/bin` puts the file in the folder; ENV PATH=/opt/venv/bin:$PATH keeps the defaults."""
    path = "ENV PATH=/opt/venv/bin:$PATH\n"
    report = _path_script_image(tmp_path, "COPY docker/custom-entrypoint /usr/bin", path)
    (target,) = report["targets"]
    assert "app:app" in target["entries"] and target["verdict"] == "fails-at-boot", report


def _uwsgi_image(tmp_path: Path, apt: str) -> dict[str, Any]:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("import flask\napp = flask.Flask('x')\n")
    (tmp_path / "Dockerfile").write_text(
        f"FROM python:3.12\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends {apt} \\\n"
        "    && rm -rf /var/lib/apt/lists/*\nWORKDIR /app\nCOPY . /app\nRUN pip install -r requirements.txt\n"
        'CMD ["uwsgi", "--http", ":8000", "--module", "app:app"]\n')
    return audit(tmp_path)


def test_a_server_the_image_installs_as_an_os_package_needs_no_pip_distribution(tmp_path: Path) -> None:
    report = _uwsgi_image(tmp_path, "libpq5 uwsgi uwsgi-plugin-python3")
    assert report["findings"] == [], report["findings"]
    assert any("OS package" in note for note in report["targets"][0]["notes"])


def test_an_os_package_of_another_name_does_not_provide_the_server(tmp_path: Path) -> None:
    report = _uwsgi_image(tmp_path, "libpq5 uwsgi-src")
    assert {(f["module"], f["rule"]) for f in report["findings"]} == {("uwsgi", "missing-at-boot")}


_UV_LOCK = '''version = 1
requires-python = ">=3.12"

[[package]]
name = "flask"
version = "3.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "gunicorn"
version = "23.0.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "markdown"
version = "3.7"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pygments" }]

[[package]]
name = "pygments"
version = "2.18.0"
source = { registry = "https://pypi.org/simple" }
'''


def test_a_workspace_member_is_installed_from_the_workspace_lock(tmp_path: Path) -> None:
    """uv keeps one uv.lock at the workspace root: a member's dependencies' dependencies come from it."""
    _uv_workspace(tmp_path, "--package svc --package svc-common")
    (tmp_path / "uv.lock").write_text(_UV_LOCK)
    (tmp_path / "app.py").write_text("import flask\nimport markdown\nimport pygments\napp = flask.Flask('x')\n")
    report = audit(tmp_path)
    # Pygments is installed, through markdown's locked dependencies: not declared directly, not missing.
    found = [(f["module"], f["rule"]) for f in report["findings"]]
    assert found == [("pygments", "transitive")], report["findings"]
