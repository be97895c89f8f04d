"""A requires-python range: an import is judged once when nothing about it changes with the version,
and on each version when its requirement's marker or its bundled package does."""

from __future__ import annotations

from pathlib import Path

from scenario_support import audit, findings, verdicts, write

DOCKERFILE = 'FROM debian:bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD ["gunicorn", "app:app"]\n'


def project(dependencies: str) -> dict[str, str]:
    return {
        "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\nrequires-python = ">=3.10"\n'
        f"dependencies = [{dependencies}]\n",
        "Dockerfile": DOCKERFILE,
    }


def test_a_marker_that_installs_a_package_on_newer_pythons_only_is_judged_per_version(tmp_path: Path) -> None:
    # markdown is installed from 3.11 on: on 3.10 the boot import fails, so it is a warning naming 3.10.
    write(tmp_path, {
        **project('"flask", "gunicorn", "markdown; python_version >= \'3.11\'"'),
        "app.py": "import markdown\nimport flask\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    (finding,) = report["findings"]
    assert (finding["rule"], finding["severity"], finding["module"]) == ("missing-at-boot", "warning", "markdown")
    assert "only on Python 3.10" in finding["message"]
    assert code == 0


def test_a_missing_module_on_every_version_stays_an_error(tmp_path: Path) -> None:
    # Nothing about yaml changes with the version: one error, no "only on" note.
    write(tmp_path, {
        **project('"flask", "gunicorn"'),
        "app.py": "import yaml\nimport flask\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "file", "line") == {
        ("missing-at-boot", "error", "yaml", "app.py", 1),
    }
    assert "only on Python" not in report["findings"][0]["message"]
    assert code == 1
