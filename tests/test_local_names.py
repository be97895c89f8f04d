"""A folder the server runs from makes its namespace directories importable, as Python does."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from importaudit.cli import main


def test_a_namespace_folder_beside_the_app_is_first_party(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "flask\ngunicorn\n",
        "Procfile": "web: cd site && gunicorn app:app\n",
        "site/app.py": "import flask\nfrom utils.admin import x\nimport markdown\napp = flask.Flask(__name__)\n",
        "site/utils/admin.py": "x = 1\n",  # no __init__.py: a namespace package under site/
    }
    for relpath, text in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.output)
    errors = sorted((f["module"], f["file"], f["line"]) for f in report["findings"] if f["severity"] == "error")
    assert errors == [("markdown", "site/app.py", 3)]  # utils.admin is the app's own; markdown is missing



def test_a_started_file_the_image_does_not_take_from_the_repo_is_not_a_distribution(tmp_path: Path) -> None:
    files = {
        "requirements.txt": "flask\n",
        "Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py /app/\n"
                      'RUN pip install -r requirements.txt\nCMD ["python", "/opt/tools/main.py"]\n',
        "app.py": "import flask\n",
    }
    for relpath, text in files.items():
        (tmp_path / relpath).write_text(text)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.output)
    (target,) = report["targets"]
    assert target["verdict"] == "unknown"
    assert not [f for f in report["findings"] if f["module"] == "main"]  # not "add a distribution named main"
