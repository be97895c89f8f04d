"""What a target installs with --no-deps or with a version range, seen in the verdict."""

from __future__ import annotations

from pathlib import Path

from scenario_support import audit, only, verdicts, write

APP = "import flask\nimport captcha\nimport jinja2\napp = flask.Flask(__name__)\n"


def _dockerfile(install: str) -> str:
    return f"""
        FROM python:3.11-slim
        COPY . .
        RUN {install}
        CMD ["gunicorn", "app:app"]
    """


def test_no_deps_names_the_dependency_path_that_did_not_come(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": _dockerfile("pip install --no-deps -r requirements.txt"),
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport jinja2\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    # Flask needs Jinja2, but --no-deps installs flask alone: the path says why Jinja2 is absent.
    assert only(report, "jinja2")["message"] == (
        "app.py:2 imports jinja2 at boot, but Dockerfile installs nothing that provides it; Flask -> Jinja2: "
        "requirements.txt:1 installs flask with --no-deps, so its requirements do not come with it; "
        "add Jinja2 to requirements.txt"
    )
    assert code == 1


def test_a_version_range_of_a_distribution_keeps_the_tables_modules(tmp_path: Path) -> None:
    # `>=3.0` pins no release: only an `==` pin of another major release (3.0.0, which shipped
    # `captcha`) makes django-recaptcha's modules unknown. The table's 4.x ships django_recaptcha.
    write(tmp_path, {
        "Dockerfile": _dockerfile("pip install -r requirements.txt"),
        "requirements.txt": "flask\ngunicorn\ndjango-recaptcha>=3.0\n",
        "app.py": APP,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    finding = only(report, "captcha")
    assert (finding["rule"], finding["severity"], finding["message"]) == (
        "missing-at-boot", "error",
        "app.py:2 imports captcha at boot, but Dockerfile installs nothing that provides it; "
        "add captcha to requirements.txt")
    assert code == 1

