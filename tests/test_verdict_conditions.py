"""Version and platform tests judged for the target's interpreter, and messages word for word."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_support import audit, findings, only, verdicts, write

DOCKERFILE = """
    FROM python:3.12-slim
    COPY . .
    RUN pip install -r requirements.txt
    CMD ["gunicorn", "app:app"]
"""

# Each test guards one import; the target is Linux. Which modules run depends on the Python version.
BRANCHES = """
    import os
    import platform
    import sys

    import flask

    if sys.version_info[:2] >= (3, 12):
        import markdown
    if sys.version_info[:2] < (3, 12):
        import yaml
    if sys.version_info[:2] == (3, 12):
        import rich
    if sys.version_info.major == 3 and sys.version_info.minor >= 12:
        import requests
    if sys.version_info.minor < 12:
        import toml
    if os.name == "posix":
        import simplejson
    if os.name == "nt":
        import ujson
    if platform.system() == "Linux":
        import redis
    if platform.system() == "Windows":
        import boto3
    if not sys.platform.startswith("win"):
        import numpy
    if sys.platform.startswith("win"):
        import pandas
    if sys.platform.startswith("lin"):
        import jwt
    if sys.platform != "win32":
        import lxml
    if sys.platform != "linux":
        import bs4
    if sys.platform in ("linux", "darwin"):
        import dateutil
    if sys.platform in ("win32", "cygwin"):
        import pytz
    if os.name == "nt":
        import pymysql
    else:
        import psycopg2

    app = flask.Flask(__name__)
"""
ON_LINUX = {"simplejson", "redis", "numpy", "jwt", "lxml", "dateutil", "psycopg2"}


@pytest.mark.parametrize(
    ("python", "by_version"),
    [
        ("3.12", {"markdown", "rich", "requests"}),
        ("3.13", {"markdown", "requests"}),
        ("3.11", {"yaml", "toml"}),
    ],
)
def test_version_and_platform_branches_follow_the_target(tmp_path: Path, python: str,
                                                         by_version: set[str]) -> None:
    write(tmp_path, {
        "Dockerfile": DOCKERFILE.replace("3.12", python),
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": BRANCHES,
    })
    code, report = audit(tmp_path)
    assert report["targets"][0]["python"] == python
    # a branch known to run is an unguarded boot import; one known not to run is not reported at all
    assert findings(report, "rule", "module", "context") == {
        ("missing-at-boot", module, "boot") for module in ON_LINUX | by_version
    }
    assert code == 1


def test_python_version_option_overrides_the_descriptor(tmp_path: Path) -> None:
    write(tmp_path, {"Dockerfile": DOCKERFILE, "requirements.txt": "flask\ngunicorn\n", "app.py": BRANCHES})
    _code, report = audit(tmp_path, "--python-version", "3.11")
    assert {f["module"] for f in report["findings"]} == ON_LINUX | {"yaml", "toml"}


def test_a_condition_importaudit_cannot_decide_is_named_in_a_warning(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": DOCKERFILE,
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": """
            import sys
            import flask
            MIN = (3, 10)
            if sys.version_info >= MIN:
                import markdown
            app = flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    finding = only(report, "markdown")
    assert (finding["rule"], finding["severity"]) == ("missing-at-boot", "warning")
    assert finding["message"] == (
        "app.py:5 imports markdown at boot, but Dockerfile installs nothing that provides it; "
        "add Markdown to requirements.txt (only when `sys.version_info >= MIN` is true at run time)"
    )
    assert code == 0


# The CONTRACT's message shape: "X imports M at boot (chain), but T installs nothing that provides it;
# add D to F", on Python 3.12 (where a stray setuptools note would show).
def test_missing_at_boot_message_word_for_word(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": DOCKERFILE,
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport views\napp = flask.Flask(__name__)\n",
        "views.py": "import os\n\nimport markdown\n",
    })
    code, report = audit(tmp_path)
    finding = only(report, "markdown")
    assert finding["message"] == (
        "views.py:3 imports markdown at boot (app.py -> views.py), but Dockerfile installs nothing "
        "that provides it; add Markdown to requirements.txt"
    )
    assert (finding["file"], finding["line"], finding["chain"], finding["distribution"]) == (
        "views.py", 3, ["app.py", "views.py"], "Markdown")
    assert code == 1


def test_setuptools_note_only_for_what_setuptools_provides(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": DOCKERFILE,
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport pkg_resources\napp = flask.Flask(__name__)\n",
    })
    _code, report = audit(tmp_path)
    finding = only(report, "pkg_resources")
    assert (finding["rule"], finding["severity"]) == ("missing-at-boot", "error")
    assert finding["message"] == (
        "app.py:2 imports pkg_resources at boot, but Dockerfile installs nothing that provides it; "
        "python 3.12+ images and virtualenvs no longer ship setuptools, which provides pkg_resources; "
        "add setuptools to requirements.txt"
    )


def test_an_install_step_importaudit_cannot_read_is_named_in_each_message(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": """
            FROM python:3.12-slim
            COPY . .
            RUN pip install -r requirements.txt
            RUN pip install $(cat extra-packages.txt)
            CMD ["gunicorn", "app:app"]
        """,
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "unknown"}
    finding = only(report, "markdown")
    assert (finding["rule"], finding["severity"]) == ("missing-at-boot", "warning")
    assert finding["message"] == (
        "app.py:2 imports markdown at boot, but nothing Dockerfile installs is known to provide it; "
        "add Markdown to requirements.txt (unless `RUN pip install $(cat extra-packages.txt)` "
        "(Dockerfile:4: extra-packages.txt is not a repo file the image holds) installs it: importaudit "
        "cannot read that step)"
    )
    assert code == 0


def test_request_transitive_and_dev_messages_word_for_word(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": DOCKERFILE,
        "requirements.txt": "flask\ngunicorn\n",
        "requirements-dev.txt": "pytest\nmarkdown\n",
        "app.py": """
            import flask
            import markdown
            import werkzeug

            app = flask.Flask(__name__)


            @app.route("/")
            def index():
                import yaml
                return yaml.dump({})
        """,
    })
    _code, report = audit(tmp_path)
    messages = {f["module"]: (f["rule"], f["severity"], f["message"]) for f in report["findings"]}
    assert messages == {
        "markdown": ("dev-only", "error",
                     "app.py:2 imports markdown at boot, but markdown is only in requirements-dev.txt, which "
                     "Dockerfile does not install; move it to the runtime dependencies"),
        "werkzeug": ("transitive", "warning",
                     "app.py:3 imports werkzeug at boot; Werkzeug is installed only because Flask -> Werkzeug "
                     "depends on it; declare it directly so an upgrade of Flask cannot remove it"),
        "yaml": ("missing-at-request", "warning",
                 "app.py:10 imports yaml inside index(), but Dockerfile installs nothing that provides it; "
                 "it fails when that code runs; add PyYAML to requirements.txt"),
    }


PIP_INSTALL_DOT = """
    FROM python:3.12-slim
    COPY . .
    RUN pip install .
    CMD ["gunicorn", "app:app"]
"""


def test_dev_only_messages_name_the_extra_or_group(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": """
            [project]
            name = "svc"
            version = "0.1.0"
            dependencies = ["flask", "gunicorn"]

            [project.optional-dependencies]
            docs = ["markdown"]

            [dependency-groups]
            dev = ["pyyaml"]
        """,
        "Dockerfile": PIP_INSTALL_DOT,
        "app.py": "import flask\nimport markdown\nimport yaml\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    messages = {f["module"]: (f["rule"], f["severity"], f["message"]) for f in report["findings"]}
    assert messages == {
        "markdown": ("dev-only", "error",
                     "app.py:2 imports markdown at boot, but markdown is only in the docs extra of "
                     "pyproject.toml, which Dockerfile does not install; install that extra (`.[docs]`) or move "
                     "it to the runtime dependencies"),
        "yaml": ("dev-only", "error",
                 "app.py:3 imports yaml at boot, but pyyaml is only in the dev group of pyproject.toml, which "
                 "Dockerfile does not install; move it to the runtime dependencies"),
    }
    assert code == 1


def test_dev_only_message_names_a_poetry_group(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": """
            [tool.poetry]
            name = "svc"
            version = "0.1.0"
            description = ""
            authors = ["A <a@example.com>"]

            [tool.poetry.dependencies]
            python = "^3.12"
            flask = "^3.0"
            gunicorn = "^23.0"

            [tool.poetry.group.dev.dependencies]
            markdown = "^3.7"
        """,
        "Dockerfile": PIP_INSTALL_DOT.replace("pip install .", "pip install poetry && poetry install --only main"),
        "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
    })
    _code, report = audit(tmp_path)
    assert only(report, "markdown")["message"] == (
        "app.py:2 imports markdown at boot, but markdown is only in the dev group of pyproject.toml, which "
        "Dockerfile does not install; move it to the runtime dependencies"
    )


def test_project_messages_say_where_the_import_stands(tmp_path: Path) -> None:
    # No deploy descriptor: the implicit project target, module level is an error.
    write(tmp_path, {
        "requirements.txt": "flask\n",
        "app.py": """
            from typing import TYPE_CHECKING

            import flask

            try:
                import ujson as json
            except ImportError:
                import json

            if TYPE_CHECKING:
                import mypy_boto3_s3

            import markdown


            def report():
                import pandas
                return pandas
        """,
    })
    _code, report = audit(tmp_path)
    messages = {f["module"]: (f["rule"], f["severity"], f["context"], f["message"]) for f in report["findings"]}
    assert messages == {
        "ujson": ("missing", "info", "guarded", "app.py:6 imports ujson inside try/except ImportError; optional: "
                  "nothing declared provides it, so the fallback runs"),
        "mypy_boto3_s3": ("missing", "info", "type-checking",
                          "app.py:11 imports mypy_boto3_s3 under TYPE_CHECKING; never imported at run time"),
        "markdown": ("missing", "error", "module", "app.py:13 imports markdown at module level, but no "
                     "requirement of the project provides it; add Markdown to requirements.txt"),
        "pandas": ("missing-at-request", "warning", "request", "app.py:17 imports pandas inside report(), but no "
                   "requirement of the project provides it; it fails when that code runs; add pandas to "
                   "requirements.txt"),
    }


def test_target_messages_for_a_factory_an_unreached_file_and_a_pipfile_dev_package(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": PIP_INSTALL_DOT.replace("pip install .", "pip install -r requirements.txt").replace(
            '["gunicorn", "app:app"]', '["waitress-serve", "--call", "app:create_app"]'),
        "requirements.txt": "flask\nwaitress\n",
        "Pipfile": '[packages]\nflask = "*"\nwaitress = "*"\n\n[dev-packages]\npyyaml = "*"\n',
        "app/__init__.py": """
            import flask


            def create_app():
                import markdown
                return flask.Flask(__name__)
        """,
        "app/tools.py": "import yaml\n\n\ndef export():\n    import toml\n",
    })
    code, report = audit(tmp_path)
    messages = {f["module"]: (f["rule"], f["severity"], f["context"], f["message"]) for f in report["findings"]}
    assert messages == {
        "markdown": ("missing-at-boot", "error", "boot",
                     "app/__init__.py:5 imports markdown at boot, in create_app() which runs then, but Dockerfile "
                     "installs nothing that provides it; add Markdown to requirements.txt"),
        "yaml": ("dev-only", "warning", "module",
                 "app/tools.py:1 imports yaml at module level, but pyyaml is only in the dev group of Pipfile, "
                 "which Dockerfile does not install; move it to the runtime dependencies"),
        "toml": ("missing", "warning", "module",
                 "app/tools.py:5 imports toml inside export(), but Dockerfile installs nothing that provides it; "
                 "no entry of the target reaches this file, so it fails only if something imports it; add toml "
                 "to requirements.txt"),
    }
    assert code == 1
