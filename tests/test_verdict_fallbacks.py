"""When a try's `except ImportError:` handler runs: as soon as one import its body runs fails."""

from __future__ import annotations

from pathlib import Path

from scenario_support import audit, findings, verdicts, write

IMAGE = {
    "Dockerfile": "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"
    'CMD ["gunicorn", "app:app"]\n',
    "requirements.txt": "flask\ngunicorn\nujson\n",
}


def test_one_missing_import_in_the_body_runs_the_handler(tmp_path: Path) -> None:
    # ujson is installed, orjson is not: `import orjson` raises, so the handler imports simplejson,
    # which nothing installs.
    write(tmp_path, {
        **IMAGE,
        "app.py": "import flask\ntry:\n    import ujson\n    import orjson\nexcept ImportError:\n"
        "    import simplejson\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert ("missing-at-boot", "error", "simplejson", "app.py", 6) in findings(
        report, "rule", "severity", "module", "file", "line")
    assert code == 1


def test_a_failure_a_nested_try_catches_does_not_run_the_outer_handler(tmp_path: Path) -> None:
    write(tmp_path, {
        **IMAGE,
        "app.py": "import flask\ntry:\n    try:\n        import orjson\n    except ImportError:\n"
        "        orjson = None\n    import ujson\nexcept ImportError:\n    import simplejson\n"
        "app = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    assert [f for f in report["findings"] if f["module"] == "simplejson" and f["severity"] == "error"] == []
    assert code == 0


def test_an_import_in_a_branch_that_does_not_run_does_not_run_the_handler(tmp_path: Path) -> None:
    write(tmp_path, {
        **IMAGE,
        "app.py": "import sys\nimport flask\ntry:\n    if sys.version_info < (3, 0):\n        import cPickle\n"
        "    import ujson\nexcept ImportError:\n    import simplejson\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    assert [f for f in report["findings"] if f["module"] == "simplejson" and f["severity"] == "error"] == []
    assert code == 0
