"""Files importaudit cannot parse or read, as findings: syntax errors, newer syntax, unread files, warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_support import audit, findings, verdicts, write
from test_verdict_findings_more import ANY_PYTHON_FROM_3_9, FLASK_WEB, WEB

import importaudit.judge.findings as findings_module
from importaudit.source import imports


def _syntax_findings(report: dict[str, object]) -> set[tuple[object, ...]]:
    return {f for f in findings(report, "rule", "severity", "module", "file", "line", "context", "chain", "target",
                                 "message")
            if f[0] in ("syntax-error", "unreadable")}


BROKEN_PACKAGE = {
    "requirements.txt": "flask\ngunicorn\n",
    "app.py": "import flask\nimport pkg.views\napp = flask.Flask(__name__)\n",
    "pkg/__init__.py": "",
    "pkg/views.py": "import pkg.broken\nimport pkg.modern\n",
    "pkg/broken.py": "x = 1\ndef f(:\n    pass\n",
    "pkg/modern.py": "def f(x):\n    match x:\n        case 1:\n            return 2\n",
    "pkg/orphan.py": "def g(:\n",  # nothing imports it
    "test_bad.py": "def g(:\n",
}


def test_syntax_errors_at_boot_name_the_chain_and_the_others_say_no_target_loads_them(tmp_path: Path) -> None:
    write(tmp_path, {
        **BROKEN_PACKAGE,
        "Dockerfile": """
            FROM python:3.9-slim
            COPY . .
            RUN pip install -r requirements.txt
            CMD ["gunicorn", "app:app"]
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    chain, docker = ("app.py", "pkg/views.py"), "Dockerfile"
    assert _syntax_findings(report) == {
        ("syntax-error", "error", "pkg.broken", "pkg/broken.py", 2, "boot", (*chain, "pkg/broken.py"), docker,
         "pkg/broken.py:2: invalid syntax (app.py -> pkg/views.py -> pkg/broken.py)"),
        ("syntax-error", "error", "pkg.modern", "pkg/modern.py", 2, "boot", (*chain, "pkg/modern.py"), docker,
         "pkg/modern.py:2: uses a match statement, which needs Python 3.10, but Dockerfile runs Python 3.9 "
         "(app.py -> pkg/views.py -> pkg/modern.py)"),
        ("syntax-error", "warning", "pkg.orphan", "pkg/orphan.py", 1, "module", (), None,
         "pkg/orphan.py:1: invalid syntax (no deploy target loads this file)"),
    }  # test_bad.py: a test file no target loads is left to the test runner (README)
    assert code == 1


def test_syntax_errors_of_the_project_without_a_declared_python(tmp_path: Path) -> None:
    # No target: every application file counts; the match statement fails only on 3.9 of 3.9-3.14.
    write(tmp_path, {**BROKEN_PACKAGE, "pyproject.toml": ANY_PYTHON_FROM_3_9})
    code, report = audit(tmp_path)
    assert _syntax_findings(report) == {
        ("syntax-error", "error", "pkg.broken", "pkg/broken.py", 2, "module", (), None,
         "pkg/broken.py:2: invalid syntax"),
        ("syntax-error", "warning", "pkg.modern", "pkg/modern.py", 2, "module", (), None,
         "pkg/modern.py:2: uses a match statement, which needs Python 3.10, but the project runs an undeclared "
         "Python version; it fails on Python 3.9: declare the version"),
        ("syntax-error", "error", "pkg.orphan", "pkg/orphan.py", 1, "module", (), None,
         "pkg/orphan.py:1: invalid syntax"),
        ("syntax-error", "warning", "test_bad", "test_bad.py", 1, "module", (), None,
         "test_bad.py:1: invalid syntax (no deploy target loads this file)"),
    }
    assert code == 1


def test_a_python_older_than_the_target_says_the_file_may_be_valid_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # importaudit runs on 3.10, the image on 3.12: what 3.10 cannot parse may be 3.12 syntax.
    monkeypatch.setattr(findings_module, "host_version", lambda: (3, 10))
    write(tmp_path, {
        **BROKEN_PACKAGE,
        "Dockerfile": """
            FROM python:3.12-slim
            COPY . .
            RUN pip install -r requirements.txt
            CMD ["gunicorn", "app:app"]
        """,
    })
    code, report = audit(tmp_path)
    chain = ("app.py", "pkg/views.py", "pkg/broken.py")
    assert _syntax_findings(report) == {
        ("unreadable", "warning", "pkg.broken", "pkg/broken.py", 2, "module", chain, "Dockerfile",
         "pkg/broken.py:2: Python 3.10 (running importaudit) cannot parse this file (invalid syntax); it may use "
         "syntax of Python 3.12, which the target runs, so its imports were not checked: run importaudit with "
         "Python 3.12 or newer"),
        ("unreadable", "warning", "pkg.orphan", "pkg/orphan.py", 1, "module", (), None,
         "pkg/orphan.py:1: invalid syntax (no deploy target loads this file; it may be valid Python 3.12, newer "
         "than the Python running importaudit)"),
    }
    assert verdicts(report) == {"Dockerfile": "unknown"}
    assert code == 0


def test_a_file_too_large_to_read_is_unreadable_and_its_imports_unchecked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imports, "MAX_SOURCE_BYTES", 200)
    write(tmp_path, {
        **FLASK_WEB,
        "app.py": "import flask\nimport generated\napp = flask.Flask(__name__)\n",
        "generated.py": "import markdown\n" + "TABLE = 1\n" * 40,
    })
    code, report = audit(tmp_path)
    assert _syntax_findings(report) == {
        ("unreadable", "warning", "generated", "generated.py", 1, "module", ("app.py", "generated.py"), WEB,
         "generated.py: cannot read: larger than 0 MB; not read, so its imports were not checked"),
    }
    assert verdicts(report) == {"Procfile:web": "unknown"}
    assert code == 0


def test_what_could_not_be_read_is_said_once_with_its_line_when_it_has_one(tmp_path: Path) -> None:
    # Both processes read requirements.txt: its bad line is one warning, not one per target.
    write(tmp_path, {
        "Procfile": "web: gunicorn app:app\nworker: python worker.py\n",
        "requirements.txt": 'gunicorn\nmarkdown ; python_version >>> "3"\nflask\n',
        "app.py": "import flask\napp = flask.Flask(__name__)\n",
        "worker.py": "import flask\n",
        "pyproject.toml": "[project\nname = 1\n",
        "pyvenv.cfg": "home = /usr/bin\n",  # audited from inside a virtualenv
        "lib/python3.12/site-packages/six.py": "",
    })
    code, report = audit(tmp_path)
    unreadable = sorted(
        (f["severity"], f["module"], f["file"], f["line"], f["context"], f["target"], f["message"])
        for f in report["findings"] if f["rule"] == "unreadable"
    )
    assert unreadable == [
        ("warning", "pyproject.toml", "pyproject.toml", 1, "module", None,
         "pyproject.toml:1: invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 9)"),
        ("warning", "pyvenv.cfg", "pyvenv.cfg", None, "module", None,
         "pyvenv.cfg: the audited folder is itself a Python environment; its lib/ were skipped and only the "
         "project files beside them were audited"),
        ("warning", "requirements.txt", "requirements.txt", 2, "module", None,
         "requirements.txt:2: Expected a marker variable or quoted string"),
    ]
    assert code == 0
