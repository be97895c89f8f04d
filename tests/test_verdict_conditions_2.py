"""Requirement markers and version spellings judged for the target, whatever machine runs importaudit."""

from __future__ import annotations

from pathlib import Path

import packaging.markers
import pytest
from scenario_support import audit, findings, only, verdicts, write

from importaudit.source.conditions import TargetEnv, evaluate, marker_holds, parse_version, versions_text

# A machine as unlike the target (Linux CPython 3.12 on x86_64) as possible: when a marker key the
# target does not answer falls through to the machine running importaudit, this is what it gets.
FOREIGN_HOST = {
    "implementation_name": "pypy",
    "implementation_version": "2.7.18",
    "os_name": "nt",
    "platform_machine": "arm64",
    "platform_release": "10",
    "platform_system": "Windows",
    "platform_version": "10.0.19041",
    "python_full_version": "2.7.18",
    "platform_python_implementation": "PyPy",
    "python_version": "2.7",
    "sys_platform": "win32",
}


@pytest.fixture
def foreign_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packaging.markers, "default_environment", lambda: dict(FOREIGN_HOST))


DOCKERFILE_312 = """
    FROM python:3.12-slim
    COPY . .
    RUN pip install -r requirements.txt
    CMD ["gunicorn", "app:app"]
"""

# One requirement per PEP 508 environment key, each marker true on a Linux CPython 3.12 x86_64 image
# and false on the foreign host; the last two are false on the target (true on the host).
MARKED = """
    flask
    gunicorn
    markdown; implementation_name == "cpython"
    pyyaml; implementation_version >= "3.12"
    requests; os_name == "posix"
    rich; platform_machine == "x86_64"
    simplejson; platform_system == "Linux"
    redis; python_full_version >= "3.12.0"
    boto3; platform_python_implementation == "CPython"
    numpy; python_version == "3.12"
    pandas; sys_platform == "linux"
    pytz; sys_platform == "win32"
    toml; platform_release == "10" or platform_version == "10.0.19041"
"""


def test_every_marker_key_is_the_targets_never_the_hosts(tmp_path: Path, foreign_host: None) -> None:
    write(tmp_path, {
        "Dockerfile": DOCKERFILE_312,
        "requirements.txt": MARKED,
        "app.py": """
            import flask
            import boto3, markdown, numpy, pandas, pytz, redis, requests, rich, simplejson, toml, yaml
            app = flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    # Only the Windows-only requirement and the one for the host's kernel are left out of the image:
    # their imports fail at boot, and the message says which marker excluded it on which target.
    assert findings(report, "module", "rule", "severity") == {
        ("pytz", "missing-at-boot", "error"), ("toml", "missing-at-boot", "error")}
    assert only(report, "pytz")["message"] == (
        "app.py:2 imports pytz at boot, but Dockerfile installs nothing that provides it; "
        "requirements.txt:12 declares pytz with the marker `sys_platform == \"win32\"`, which is false "
        "on the target (Linux, Python 3.12); add pytz to requirements.txt"
    )
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert code == 1


@pytest.mark.parametrize(("marker", "holds"), [
    ('implementation_name == "cpython"', True),
    ('implementation_version == "3.12.0"', True),
    ('os_name == "posix"', True),
    ('platform_machine == "x86_64"', True),
    ('platform_system == "Linux"', True),
    ('python_full_version == "3.12.0"', True),
    ('platform_python_implementation == "CPython"', True),
    ('python_version == "3.12"', True),
    ('sys_platform == "linux"', True),
    # The target's kernel is not known: never the host's release or version.
    ('platform_release == "10"', False),
    ('platform_version == "10.0.19041"', False),
    ('python_version < "3"', False),
    ('sys_platform == "win32" or implementation_name == "pypy"', False),
])
def test_marker_keys_on_a_linux_cpython_3_12_target(foreign_host: None, marker: str, holds: bool) -> None:
    assert marker_holds(marker, TargetEnv((3, 12))) is holds


def test_a_marker_on_an_extra_holds_when_any_requested_extra_matches(foreign_host: None) -> None:
    env = TargetEnv((3, 12))
    assert marker_holds('extra == "socks"', env, ("security", "socks")) is True
    assert marker_holds('extra == "socks"', env, ("security",)) is False
    assert marker_holds('extra == "socks"', env) is False
    assert marker_holds('python_version >= "3.8"', env, ("security", "socks")) is True
    # no marker, or one importaudit cannot read: the requirement is kept
    assert marker_holds(None, env) is True
    assert marker_holds("", env) is True
    assert marker_holds('python_version >>> "3"', env) is True


@pytest.mark.parametrize(("text", "version"), [
    ("3.11", (3, 11)),
    ("3.11.4", (3, 11)),
    (" 3.12\n", (3, 12)),
    ("python-3.11.4", (3, 11)),  # Heroku runtime.txt
    ("Python-3.10.2", (3, 10)),
    ("python3.9", (3, 9)),
    ("python311", (3, 11)),
    ("cpython-3.11", (3, 11)),  # uv's request spelling
    ("cpython-3.12.4-linux-x86_64-gnu", (3, 12)),
    ("py311", (3, 11)),  # tox / ruff target-version
    ("py39", (3, 9)),
    ("310", (3, 10)),
    ("27", (2, 7)),
    ("3", None),
    ("3.x", None),
    ("x.11", None),
    ("latest", None),
    ("41", None),
    ("pypy3.10", None),
    ("", None),
])
def test_version_spellings(text: str, version: tuple[int, int] | None) -> None:
    assert parse_version(text) == version


# No Python version declared anywhere: each version test is judged on 3.9 to 3.14, and what fails on
# some of them only is a warning naming those versions.
UNDECLARED_BRANCHES = """
    import sys

    import flask

    if sys.version_info < (3, 11):
        import tomli
    if sys.version_info < (3, 12):
        import toml
    if sys.version_info[:2] in ((3, 9), (3, 12)):
        import yaml
    if sys.version_info >= (3, 9):
        import markdown
    if sys.version_info < (3, 9):
        import simplejson
    if sys.platform[:3] == "win":
        import pywin32_ctypes
    if sys.platform[:5] == "linux" and sys.platform[0] != "w":
        import redis
    if sys.version_info[3] == "final":
        import rich
    app = flask.Flask(__name__)
"""


def _only_on(versions: str) -> str:
    return (f" — only on Python {versions}: no single Python version is declared, so importaudit judged every "
            "supported version the project allows (3.9-3.14); declare the version the target runs")


def test_version_tests_with_no_declared_version_are_judged_on_every_supported_version(tmp_path: Path) -> None:
    write(tmp_path, {"Procfile": "web: gunicorn app:app\n", "requirements.txt": "flask\ngunicorn\n",
                     "app.py": UNDECLARED_BRANCHES})
    code, report = audit(tmp_path)
    assert [(t["name"], t["python"], t["verdict"]) for t in report["targets"]] == [
        ("Procfile:web", "3.9-3.14", "fails-at-boot")]
    missing = ("imports {module} at boot, but Procfile:web installs nothing that provides it; "
               "add {dist} to requirements.txt")
    messages = {f["module"]: (f["severity"], f["message"]) for f in report["findings"]}
    assert messages == {
        # true on some supported versions only: a warning naming them (a run of three or more as a range)
        "tomli": ("warning", "app.py:6 " + missing.format(module="tomli", dist="tomli") + _only_on("3.9, 3.10")),
        "toml": ("warning", "app.py:8 " + missing.format(module="toml", dist="toml") + _only_on("3.9-3.11")),
        "yaml": ("warning", "app.py:10 " + missing.format(module="yaml", dist="PyYAML") + _only_on("3.9, 3.12")),
        # true on every supported version: an error; false on every one (simplejson): nothing
        "markdown": ("error", "app.py:12 " + missing.format(module="markdown", dist="Markdown")),
        # sys.platform sliced and indexed is the target's Linux: the Windows branch never runs
        "redis": ("error", "app.py:18 " + missing.format(module="redis", dist="redis")),
        # the release level is not part of what importaudit knows of the target: undecided
        "rich": ("warning", "app.py:20 " + missing.format(module="rich", dist="rich")
                 + " (only when `sys.version_info[3] == 'final'` is true at run time)"),
    }
    assert code == 1


def test_conditions_that_would_raise_in_python_are_undecided_warnings_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": DOCKERFILE_312,
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": """
            import sys
            import flask
            if sys.platform.startswith(("win", 1)):
                import pywin32_ctypes
            if sys.version_info.major[:1] == (3,):
                import markdown
            if sys.version_info[1.5:2] == (12,):
                import yaml
            if sys.version_info[::2] == (3, 0):
                import toml
            if sys.version_info[:1.5] == (3,):
                import tomli
            if sys.version_info.major[0] == 3:
                import simplejson
            if sys.platform.startswith("nux", 2):
                import ujson
            if sys.platform.count("w"):
                import orjson
            if sys.version_info.startswith("3"):
                import rich
            app = flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    conditions = {f["module"]: (f["severity"], f["message"].rpartition(" (only when ")[2])
                  for f in report["findings"]}
    assert conditions == {
        "pywin32_ctypes": ("warning", "`sys.platform.startswith(('win', 1))` is true at run time)"),
        "markdown": ("warning", "`sys.version_info.major[:1] == (3,)` is true at run time)"),
        "yaml": ("warning", "`sys.version_info[1.5:2] == (12,)` is true at run time)"),
        # a step is not judged: the real version_info has five items, importaudit's model three
        "toml": ("warning", "`sys.version_info[::2] == (3, 0)` is true at run time)"),
        "tomli": ("warning", "`sys.version_info[:1.5] == (3,)` is true at run time)"),
        "simplejson": ("warning", "`sys.version_info.major[0] == 3` is true at run time)"),
        # only startswith/endswith with one argument are judged; a tuple has neither
        "ujson": ("warning", "`sys.platform.startswith('nux', 2)` is true at run time)"),
        "orjson": ("warning", "`sys.platform.count('w')` is true at run time)"),
        "rich": ("warning", "`sys.version_info.startswith('3')` is true at run time)"),
    }
    assert code == 0


def test_a_django_settings_branch_on_a_bare_version_info_is_judged_for_the_target(tmp_path: Path) -> None:
    # The settings reader keeps a test as written (`from sys import version_info` is not spelled out
    # as sys.version_info there): the bare name, .major and .minor are the target's 3.12.
    from test_verdict_scenarios import DJANGO, DOCKERFILE

    write(tmp_path, {
        **DJANGO,
        "Dockerfile": DOCKERFILE.format('["gunicorn", "mysite.wsgi"]'),
        "mysite/settings.py": """
            from sys import version_info
            SECRET_KEY = "x"
            INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
            if version_info >= (3, 11):
                INSTALLED_APPS += ["debug_toolbar"]
            if version_info.major == 3 and version_info.minor >= 12:
                INSTALLED_APPS += ["corsheaders"]
            if version_info.minor < 12 or version_info.major == 2:
                INSTALLED_APPS += ["django_extensions"]
            MIDDLEWARE = []
            ROOT_URLCONF = "mysite.urls"
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    # decided true on 3.12: errors with no condition named; django_extensions' branch never runs
    assert {f["module"]: (f["severity"], f["line"], f["message"]) for f in report["findings"]} == {
        "debug_toolbar": ("error", 5,
                          "mysite/settings.py:5: INSTALLED_APPS loads debug_toolbar when the target boots "
                          "(mysite/wsgi.py -> mysite/settings.py), but Dockerfile installs nothing that provides "
                          "it; add django-debug-toolbar to requirements.txt"),
        "corsheaders": ("error", 7,
                        "mysite/settings.py:7: INSTALLED_APPS loads corsheaders when the target boots "
                        "(mysite/wsgi.py -> mysite/settings.py), but Dockerfile installs nothing that provides "
                        "it; add django-cors-headers to requirements.txt"),
    }
    assert code == 1


def test_six_flags_and_literal_django_settings_decide_branches(tmp_path: Path) -> None:
    from test_verdict_scenarios import DJANGO, DOCKERFILE

    write(tmp_path, {
        **DJANGO,
        "requirements.txt": "Django==5.1.4\ngunicorn==23.0.0\nsix\n",
        "Dockerfile": DOCKERFILE.format('["gunicorn", "mysite.wsgi"]'),
        "mysite/settings.py": """
            from six import PY2, PY3
            SECRET_KEY = "x"
            DEBUG = False
            SENTRY = None
            INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
            if PY3:
                INSTALLED_APPS += ["corsheaders"]
            if PY2:
                INSTALLED_APPS += ["south"]
            MIDDLEWARE = []
            ROOT_URLCONF = "mysite.urls"
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
        """,
        "mysite/urls.py": """
            from django.conf import settings
            if settings.DEBUG:
                import debug_toolbar
            if settings.SENTRY:
                import sentry_sdk
            if settings.USE_S3:
                import storages
            urlpatterns = []
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    # PY3 is true on the target, PY2 false; DEBUG and SENTRY are literal false values, so their
    # imports never run; USE_S3 is no literal setting: the import may run when the urls load.
    assert findings(report, "module", "rule", "severity", "file", "line") == {
        ("corsheaders", "missing-at-boot", "error", "mysite/settings.py", 7),
        ("storages", "missing-at-request", "warning", "mysite/urls.py", 7),
    }
    assert code == 1


def test_versions_are_named_as_a_range_only_for_three_or_more_in_a_row() -> None:
    assert versions_text(((3, 11), (3, 9), (3, 10))) == "3.9-3.11"
    assert versions_text(((3, 9), (3, 10))) == "3.9, 3.10"
    assert versions_text(((3, 9), (3, 10), (3, 12))) == "3.9, 3.10, 3.12"
    assert versions_text(((3, 12),)) == "3.12"
    assert versions_text(()) == ""


@pytest.mark.parametrize("python", [(3, 2), (3, 9), (3, 12)])
def test_six_py2_is_false_and_py3_true_on_every_python_3(python: tuple[int, int]) -> None:
    env = TargetEnv(python)
    assert (evaluate("six.PY2", env), evaluate("PY2", env)) == (False, False)
    assert (evaluate("six.PY3", env), evaluate("PY3", env)) == (True, True)


def test_with_no_declared_version_a_test_is_decided_only_when_every_version_agrees() -> None:
    undeclared = TargetEnv((3, 14), versions=((3, 9), (3, 10), (3, 11)))
    assert evaluate("sys.version_info >= (3, 9)", undeclared) is True
    assert evaluate("sys.version_info < (3, 9)", undeclared) is False
    assert evaluate("sys.version_info >= (3, 10)", undeclared) is None
    assert undeclared.version_text == "3.9-3.11"
    assert undeclared.at((3, 10)).version_text == "3.10"
