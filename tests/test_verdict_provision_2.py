"""What a target installs with --no-deps or with a pin of an older release, seen in the verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
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


@pytest.mark.parametrize(("spec", "severity"), [
    ("==3.0.0, <5", "warning"),  # the set's text is sorted: `<5,==3.0.0`
    ("==3.0.0,>=3.0", "warning"),
    ("===3.0.0", "warning"),
    ("==3.*", "warning"),
    ("==4.*", "error"),
    (">=3.0", "error"),  # a range pins no release
])
def test_only_a_pin_of_another_major_release_leaves_the_tables_modules_unknown(
    tmp_path: Path, spec: str, severity: str,
) -> None:
    # The bundled table read django-recaptcha 4.x, which ships django_recaptcha; 3.x shipped
    # `captcha`. A pin to 3.x (whatever else the specifier says) may provide captcha: a warning
    # naming django-recaptcha. Otherwise the table's answer stands: captcha is missing, an error.
    write(tmp_path, {
        "Dockerfile": _dockerfile("pip install -r requirements.txt"),
        "requirements.txt": f"flask\ngunicorn\ndjango-recaptcha{spec}\n",
        "app.py": APP,
    })
    code, report = audit(tmp_path)
    finding = only(report, "captcha")
    assert (finding["rule"], finding["severity"]) == ("missing-at-boot", severity)
    if severity == "error":
        assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
        assert finding["message"] == (
            "app.py:2 imports captcha at boot, but Dockerfile installs nothing that provides it; "
            "add captcha to requirements.txt")
    else:
        assert verdicts(report) == {"Dockerfile": "unknown"}
        assert finding["message"] == (
            "app.py:2 imports captcha at boot, but nothing Dockerfile installs is known to provide it; "
            "django-recaptcha is named like it and may provide it, but importaudit does not know its files "
            "(a name resemblance only); add captcha to requirements.txt")
    assert code == (1 if severity == "error" else 0)
