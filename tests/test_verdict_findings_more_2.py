"""More findings.py scenarios: the edges of requires-python and of newer-syntax checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_support import audit, findings, verdicts, write

import importaudit.judge.findings as findings_module

DOCKER_39 = """
    FROM python:3.9-slim
    COPY . .
    RUN pip install .
    CMD ["gunicorn", "app:app"]
"""


def test_a_requires_python_above_every_real_release_of_the_image_minor_is_a_config_warning(tmp_path: Path) -> None:
    # No 3.9 release is newer than 3.9.99: the image's Python cannot install the project.
    write(tmp_path, {
        "Dockerfile": DOCKER_39,
        "pyproject.toml": """
            [project]
            name = "shop"
            version = "1"
            requires-python = ">3.9.99"
            dependencies = ["flask", "gunicorn"]
        """,
        "app.py": "import flask\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert findings(report, "rule", "severity", "target", "message") == {(
        "config", "warning", "Dockerfile",
        "pyproject.toml says requires-python >3.9.99, but Dockerfile runs Python 3.9 (Dockerfile:1 FROM "
        "python:3.9-slim): installing the project there fails, and the code may rely on what that Python lacks",
    )}
    assert code == 0


def test_syntax_of_exactly_the_target_python_is_no_finding(tmp_path: Path) -> None:
    # A match statement needs 3.10; an image on 3.10 runs it: nothing to report.
    write(tmp_path, {
        "Dockerfile": """
            FROM python:3.10-slim
            COPY . .
            RUN pip install -r requirements.txt
            CMD ["gunicorn", "app:app"]
        """,
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport modern\napp = flask.Flask(__name__)\n",
        "modern.py": "def f(x):\n    match x:\n        case 1:\n            return 2\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    assert report["findings"] == []
    assert code == 0


def test_on_the_python_running_importaudit_a_syntax_error_is_one_not_a_guess_about_newer_syntax(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # importaudit runs the very Python the image runs: what it cannot parse, the image cannot either.
    monkeypatch.setattr(findings_module, "host_version", lambda: (3, 12))
    write(tmp_path, {
        "Dockerfile": """
            FROM python:3.12-slim
            COPY . .
            RUN pip install -r requirements.txt
            CMD ["gunicorn", "app:app"]
        """,
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport broken\napp = flask.Flask(__name__)\n",
        "broken.py": "def f(:\n    pass\n",
        "orphan.py": "x = 1\ndef g(:\n",  # nothing imports it
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "context", "target", "message") == {
        ("syntax-error", "error", "broken", "boot", "Dockerfile",
         "broken.py:1: invalid syntax (app.py -> broken.py)"),
        ("syntax-error", "warning", "orphan", "module", None,
         "orphan.py:2: invalid syntax (no deploy target loads this file)"),
    }
    assert code == 1


def test_a_syntax_error_in_the_started_file_itself_names_no_chain(tmp_path: Path) -> None:
    write(tmp_path, {
        "Procfile": "web: gunicorn app:app\n",
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\napp = flask.Flask(__name__\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "context", "chain", "message") == {
        ("syntax-error", "error", "app", "boot", ("app.py",), "app.py:2: '(' was never closed"),
    }
    assert code == 1


def test_a_test_file_that_reads_the_running_script_through_main_needs_no_requirement(tmp_path: Path) -> None:
    # `__main__` is whatever script runs (pytest here): no distribution provides it, none is needed.
    write(tmp_path, {
        "Procfile": "web: gunicorn app:app\n",
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\napp = flask.Flask(__name__)\n",
        "tests/test_app.py": "import __main__\nimport markdown\n\n\ndef test_app():\n    assert __main__\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "boots"}
    assert findings(report, "rule", "module", "line", "target") == {("missing", "markdown", 2, None)}
    assert code == 0


def test_a_bad_line_two_targets_share_is_said_once_and_a_later_one_still_said(tmp_path: Path) -> None:
    # Both targets read requirements.txt (its bad line said once); the Procfile's own bad line comes after.
    write(tmp_path, {
        "Dockerfile": """
            FROM python:3.12-slim
            COPY . .
            RUN pip install -r requirements.txt
            CMD ["gunicorn", "app:app"]
        """,
        "Procfile": "web: gunicorn app:app\n: nothing\n",
        "requirements.txt": 'flask\ngunicorn\nmarkdown ; python_version >>> "3"\n',
        "app.py": "import flask\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    unreadable = sorted(
        (f["file"], f["line"], f["message"]) for f in report["findings"] if f["rule"] == "unreadable"
    )
    assert unreadable == [
        ("Procfile", 2, "Procfile:2: not a `name: command` line"),
        ("requirements.txt", 3, "requirements.txt:3: Expected a marker variable or quoted string"),
    ]
    assert code == 0
