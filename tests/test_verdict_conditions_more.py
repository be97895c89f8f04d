"""More version, platform and environment tests judged for the target: each guards one import."""

from __future__ import annotations

from pathlib import Path

from scenario_support import audit, findings, only, verdicts, write

DOCKERFILE_311 = """
    FROM python:3.11-slim
    ENV MODE=prod
    ENV FEATURE_X=1
    COPY . .
    RUN pip install -r requirements.txt
    CMD ["gunicorn", "app:app"]
"""

CONDITIONS = """
    import os
    import platform
    import sys
    from sys import version_info

    import flask
    import six

    PREFIX = "APP_"
    MIN_MINOR = 10
    PY2 = sys.version_info[0] == 2
    PY3 = sys.version_info[0] == 3

    if version_info >= (3, 11):
        import orjson
    if version_info.minor > 11:
        import msgpack
    if sys.version_info <= (3, 11):
        import tqdm
    if (3, 8) <= sys.version_info < (3, 12):
        import tabulate
    if (3, 8) <= sys.version_info < (3, 11):
        import xmltodict
    if sys.version_info[0] == 3:
        import arrow
    if sys.version_info[1] != 11:
        import pendulum
    if six.PY3:
        import emoji
    if six.PY2:
        import colorama
    if sys.platform.endswith("nux"):
        import termcolor
    if sys.platform.startswith(("win", "cygwin")):
        import docutils
    if sys.platform not in ("win32", "cygwin"):
        import pygments
    if sys.platform == "darwin" or os.name == "posix":
        import babel
    if os.environ.get("MODE") == "prod":
        import humanize
    if os.getenv("MODE", "dev") != "prod":
        import faker
    if os.environ["FEATURE_X"] == "1":
        import tenacity
    if sys.version_info > (3, 11, 0):
        import regex
    if sys.version_info[:1] >= (3,) and sys.version_info[1:] > (10,):
        import psutil
    if os.environ.get("UNSET_VAR") == "1":
        import cachetools
    if os.environ.get(PREFIX + "MODE") == "prod":
        import attr
    if platform.system() == "Linux":
        import pyparsing
    if sys.version_info[:2] <= (3, 11):
        import jmespath
    if sys.version_info[-3:-1] >= (3, 11):
        import tomlkit
    if sys.version_info[:-1] > (3, 10):
        import wrapt
    if sys.version_info[-3] == 3:
        import toolz
    if sys.version_info[:2] >= (3, MIN_MINOR):
        import sortedcontainers
    if os.environ[PREFIX + "MODE"] == "prod":
        import pyasn1
    if PY3 and sys.version_info.major == 3 and version_info.major == 3:
        import pyrsistent
    if PY2 or sys.version_info.major == 2:
        import future
    if not (six.PY3 and sys.platform == "win32"):
        import ecdsa
    if (six.PY3 and sys.platform == "win32") or os.name == "nt":
        import pywinauto

    app = flask.Flask(__name__)
"""


def test_more_version_platform_and_environment_tests_on_a_linux_python_3_11(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": DOCKERFILE_311,
        "requirements.txt": "flask\ngunicorn\nsix\n",
        "app.py": CONDITIONS,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    # True on Linux CPython 3.11.0 with MODE=prod and FEATURE_X=1: missing at boot, errors.
    runs = {"orjson", "tabulate", "arrow", "emoji", "termcolor", "pygments", "babel", "humanize",
            "tenacity", "psutil", "pyparsing", "jmespath", "pyrsistent", "ecdsa"}
    # UNSET_VAR is not set by the Dockerfile: the platform may set it, so the branch may run; a
    # variable whose name is computed is not known either.
    # Negative indexes, a name inside the tuple, a computed variable name: whether or not importaudit
    # decides them, the audit goes on and reports the import.
    others = {"tomlkit", "wrapt", "toolz", "sortedcontainers", "pyasn1"}
    found = findings(report, "module", "rule", "severity")
    assert {f for f in found if f[0] not in others} == {
        *((module, "missing-at-boot", "error") for module in runs),
        ("cachetools", "missing-at-boot", "warning"),
        ("attr", "missing-at-boot", "warning"),
    }
    assert {(module, rule) for module, rule, _severity in found if module in others} == {
        (module, "missing-at-boot") for module in others}
    assert only(report, "cachetools")["message"].endswith(
        "(only when `os.environ.get('UNSET_VAR') == '1'` is true at run time)")
    assert code == 1
