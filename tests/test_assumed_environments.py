"""What a deploy installs is evidence only when a descriptor says it, or when nothing competes with the assumption.

A supervisord config that an image starts runs inside that image; a systemd or supervisord program
of its own has a virtualenv no file describes, and importaudit assumes the buildpack convention.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from importaudit.cli import main


def _audit(root: Path, files: dict[str, str]) -> tuple[int, dict[str, Any]]:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


APP = {
    "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
    "conf/supervisord.conf": """\
        [supervisord]
        nodaemon=true
        [program:web]
        command=gunicorn --bind 0.0.0.0:8000 app:app
        """,
}


def test_a_supervisord_config_the_image_starts_is_part_of_the_image(tmp_path: Path) -> None:
    code, report = _audit(tmp_path, {
        **APP,
        "requirements/prod.txt": "flask\ngunicorn\nsupervisor\n",
        "Dockerfile": """\
            FROM python:3.12-slim
            WORKDIR /app
            COPY . .
            RUN pip install -r requirements/prod.txt
            CMD ["supervisord", "-c", "conf/supervisord.conf"]
            """,
    })
    assert [t["name"] for t in report["targets"]] == ["Dockerfile"]
    assert report["targets"][0]["verdict"] == "fails-at-boot"
    errors = [(f["target"], f["module"]) for f in report["findings"] if f["severity"] == "error"]
    assert errors == [("Dockerfile", "markdown")]
    assert code == 1


def test_a_program_on_its_own_with_competing_sources_is_unknown_not_an_error(tmp_path: Path) -> None:
    code, report = _audit(tmp_path, {
        **APP,
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask", "gunicorn"]\n',
        "requirements/prod.txt": "flask\ngunicorn\nmarkdown\n",
    })
    assert {t["name"]: t["verdict"] for t in report["targets"]} == {"conf/supervisord.conf:web": "unknown"}
    markdown = [f for f in report["findings"] if f["module"] == "markdown"]
    assert [(f["rule"], f["severity"]) for f in markdown] == [("missing-at-boot", "warning")]
    assert "importaudit assumed ., and the repo also has requirements/prod.txt" in markdown[0]["message"]
    assert code == 0


def test_a_program_whose_only_source_is_the_assumption_keeps_its_error(tmp_path: Path) -> None:
    code, report = _audit(tmp_path, {**APP, "requirements.txt": "flask\ngunicorn\n"})
    assert {t["name"]: t["verdict"] for t in report["targets"]} == {"conf/supervisord.conf:web": "fails-at-boot"}
    errors = [(f["rule"], f["module"]) for f in report["findings"] if f["severity"] == "error"]
    assert errors == [("missing-at-boot", "markdown")]
    assert code == 1
