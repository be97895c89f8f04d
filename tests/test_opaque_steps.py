"""An install step only the build can read makes uncertain only what it could plausibly provide."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from importaudit.cli import main
from importaudit.targets.installs import opaque_reason

APP = "import flask\nimport markdown\nimport yaml\napp = flask.Flask(__name__)\n"


def _severities(tmp_path: Path, step: str, files: dict[str, str]) -> dict[str, str]:
    for name, text in {"app.py": APP, "requirements.txt": "gunicorn\n", **files}.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\nARG X\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        f"{step}\nCMD [\"gunicorn\", \"app:app\"]\n"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report: dict[str, Any] = json.loads(result.output)
    return {f["module"]: f"{f['rule']} {f['severity']}" for f in report["findings"] if f["module"] in
            ("flask", "markdown", "yaml")}


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        # A free-form step may hold what no source declares (yaml). flask (requirements-dev.txt)
        # and markdown (requirements-extra.txt) are declared where this target does not install
        # them: the project says where they come from, so those errors stand.
        ("RUN pip install $X", {"flask": "dev-only error", "markdown": "missing-at-boot error",
                                "yaml": "missing-at-boot warning"}),
        ("RUN pip install https://example.org/pkgs/bundle.tar.gz",
         {"flask": "dev-only error", "markdown": "missing-at-boot error", "yaml": "missing-at-boot warning"}),
        # `-r $X` installs one of the repo's requirements files: it may provide what they declare
        # (flask, markdown), never what none of them names (yaml).
        ("RUN pip install -r $X", {"flask": "dev-only warning", "markdown": "missing-at-boot warning",
                                   "yaml": "missing-at-boot error"}),
        # Gated on the unset argument: nothing is installed by default, every error stands.
        ('RUN if [ -n "$X" ]; then pip install $X; fi', {"flask": "dev-only error",
                                                         "markdown": "missing-at-boot error",
                                                         "yaml": "missing-at-boot error"}),
    ],
)
def test_opaque_step_per_module(tmp_path: Path, step: str, expected: dict[str, str]) -> None:
    files = {"requirements-dev.txt": "flask\npytest\n", "requirements-extra.txt": "markdown\n"}
    assert _severities(tmp_path, step, files) == expected


def _report(tmp_path: Path, step: str, files: dict[str, str]) -> dict[str, Any]:
    _severities(tmp_path, step, files)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report: dict[str, Any] = json.loads(result.output)
    return report


def test_an_untraced_local_wheel_may_be_the_project(tmp_path: Path) -> None:
    """Wheels from an image importaudit cannot see (`COPY --from=ghcr.io/...`) installed by glob
    may be the project's own build: what the project declares as runtime (markdown in
    [project].dependencies) and what nothing declares (yaml) are uncertain, never "installs
    nothing"; flask, declared only for development, stays an error."""
    files = {
        "requirements-dev.txt": "flask\npytest\n",
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['markdown']\n",
    }
    step = "COPY --from=ghcr.io/acme/wheels:1 /wheels /opt/wheels\nRUN pip install /opt/wheels/*.whl"
    report = _report(tmp_path, step, files)
    found = {f["module"]: f for f in report["findings"] if f["module"] in ("flask", "markdown", "yaml")}
    assert {m: f"{f['rule']} {f['severity']}" for m, f in found.items()} == {
        "flask": "dev-only error", "markdown": "missing-at-boot warning", "yaml": "missing-at-boot warning"}
    for module in ("markdown", "yaml"):
        message = found[module]["message"]
        assert "installs nothing" not in message
        assert "pip install /opt/wheels/*.whl` (Dockerfile:7: " in message


def test_a_runtime_dependency_also_in_a_dev_extra_is_not_dev_only(tmp_path: Path) -> None:
    """click in [project].dependencies and in the dev extra: a target that lacks it lacks the
    project's runtime, which is not "only in the dev extra"."""
    files = {
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['flask']\n"
                          "[project.optional-dependencies]\ndev = ['flask', 'pytest']\n",
    }
    report = _report(tmp_path, "RUN true", files)
    flask = [f for f in report["findings"] if f["module"] == "flask"]
    assert flask and all(f["rule"] != "dev-only" and "only in" not in f["message"] for f in flask)
    assert ("missing-at-boot", "error") in {(f["rule"], f["severity"]) for f in flask}


@pytest.mark.parametrize(
    ("spec", "why"),
    [
        ("$X", "build argument X has no default: only `--build-arg X=...` says what it holds"),
        ("${PLUGINS}", "$PLUGINS is not set by the descriptor: its value comes from the build's environment"),
        ("$(cat /etc/list.txt)", "/etc/list.txt is not a repo file the image holds"),
        ("`cat extra.txt`", "extra.txt is not a repo file the image holds"),
        ("$(curl -s https://example.org/list)", "its words are the output of a command importaudit does not run"),
        ("https://example.org/pkgs/bundle.tar.gz", "a URL: importaudit does not fetch what it points to"),
        ("git+https://example.org/x.git", "a URL: importaudit does not fetch what it points to"),
        ("/wheels/*.whl", "wheels or archives no stage builds from the repo"),
    ],
)
def test_why_a_step_is_opaque(spec: str, why: str) -> None:
    assert opaque_reason(spec, {"X"}) == why


def test_the_message_names_the_step_and_why(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "requirements.txt").write_text("flask\ngunicorn\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\nARG X\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
        "RUN pip install $X\nCMD [\"gunicorn\", \"app:app\"]\n"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.output)
    (yaml,) = [f for f in report["findings"] if f["module"] == "yaml"]
    assert yaml["severity"] == "warning"
    assert "`RUN pip install $X` (Dockerfile:6: build argument X has no default" in yaml["message"]
    (target,) = report["targets"]
    assert "Dockerfile:6: build argument X has no default" in target["reason"]


def test_a_project_install_of_an_unknown_folder_may_provide_the_projects_runtime(tmp_path: Path) -> None:
    """`uv sync` in an image whose files come from elsewhere (FROM acme/app): some project of the
    repo, so what the project declares as runtime is uncertain, not "installs nothing"."""
    files = {
        "app.py": "import flask\nimport yaml\napp = flask.Flask(__name__)\n",
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['flask']\n"
                          "[project.optional-dependencies]\ndev = ['pyyaml']\n",
        "Dockerfile": "FROM acme/app:1\nWORKDIR /app\nRUN uv sync\nCOPY app.py /srv/\n"
                      "CMD [\"gunicorn\", \"--chdir\", \"/srv\", \"app:app\"]\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    found = {f["module"]: f for f in json.loads(result.output)["findings"] if f["target"] == "Dockerfile"}
    assert (found["flask"]["rule"], found["flask"]["severity"]) == ("missing-at-boot", "warning")
    assert "`RUN uv sync` (Dockerfile:3" in found["flask"]["message"]
    assert (found["yaml"]["rule"], found["yaml"]["severity"]) == ("dev-only", "error")


def test_an_untraced_wheel_may_bring_what_the_lock_pins(tmp_path: Path) -> None:
    """fastapi-cli comes with fastapi[standard], pinned in uv.lock but named by no declaration:
    a wheel of the project would bring it, so its absence behind an unread wheel is uncertain."""
    files = {
        "app.py": "import fastapi_cli\napp = 1\n",
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['fastapi[standard]']\n",
        "uv.lock": 'version = 1\n\n[[package]]\nname = "fastapi-cli"\nversion = "0.0.7"\n'
                   'source = { registry = "https://pypi.org/simple" }\n',
        "Dockerfile": "FROM python:3.12-slim\nCOPY --from=ghcr.io/acme/wheels:1 /wheels /opt/wheels\n"
                      "RUN pip install /opt/wheels/*.whl\nCOPY app.py .\nCMD [\"gunicorn\", \"app:app\"]\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    found = {f["module"]: f for f in json.loads(result.output)["findings"] if f["target"] == "Dockerfile"}
    assert (found["fastapi_cli"]["rule"], found["fastapi_cli"]["severity"]) == ("missing-at-boot", "warning")


def test_the_fix_for_an_untraced_wheel_names_the_projects_metadata(tmp_path: Path) -> None:
    """Only a wheel of unknown origin installed: the fix is the project's own declaration (what
    a build of it reads), not "the pip install line of Dockerfile"."""
    files = {
        "app.py": "import markdown\napp = 1\n",
        "pyproject.toml": "[project]\nname = 'app'\nversion = '1'\ndependencies = ['flask']\n",
        "Dockerfile": "FROM python:3.12-slim\nCOPY --from=ghcr.io/acme/wheels:1 /wheels /opt/wheels\n"
                      "RUN pip install /opt/wheels/*.whl\nCOPY app.py .\nCMD [\"gunicorn\", \"app:app\"]\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    (found,) = [f for f in json.loads(result.output)["findings"] if f["module"] == "markdown"]
    assert "add Markdown to pyproject.toml" in found["message"]
