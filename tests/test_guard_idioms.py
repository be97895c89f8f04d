"""Issue 12, end to end: each idiom of the issue's "Why" as a small project run through the CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from importaudit import workspace
from importaudit.cli import main
from importaudit.judge import findings
from importaudit.providers import stdlib

DOCKERFILE = 'FROM python:{py}-slim\nCOPY . .\nRUN pip install -r requirements.txt\nCMD ["gunicorn", "app:app"]\n'


def audit(tmp_path: Path, files: dict[str, str], *args: str, py: str = "3.12") -> dict[str, Any]:
    for name, text in {"requirements.txt": "flask\ngunicorn\n", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    if py and "Dockerfile" not in files:
        (tmp_path / "Dockerfile").write_text(DOCKERFILE.format(py=py))
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json", *args], catch_exceptions=False)
    report: dict[str, Any] = json.loads(result.output)
    report["exit"] = result.exit_code
    return report


def shown(report: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    return sorted((f["severity"], f["rule"], f["module"], f["line"]) for f in report["findings"])


APP_HEAD = "from flask import Flask\napp = Flask(__name__)\n"

IDIOMS = {
    "sentinel": """\
        try:
            import ujson
        except ImportError:
            ujson = None
        if ujson is not None:
            from ujson import dumps
        """,
    "has-flags": """\
        try:
            import markdown
            HAS_MARKDOWN = True
        except ImportError:
            HAS_MARKDOWN = False
        try:
            import pygments
        except ImportError:
            pygments = None
        if HAS_MARKDOWN:
            from markdown.extensions import codehilite
        if markdown is not None and pygments is not None:
            from pygments.formatters import HtmlFormatter
        """,
    "find-spec": """\
        import importlib.util
        HAVE_ORJSON = importlib.util.find_spec("orjson") is not None
        if HAVE_ORJSON:
            import orjson
        """,
    "cython": """\
        try:
            import cython
        except ImportError:
            from types import SimpleNamespace
            cython = SimpleNamespace(compiled=False)
        if cython.compiled:
            from cython.cimports.libc import math
        """,
    "chain-four-deep": """\
        try:
            import simdjson as fast
        except ImportError:
            try:
                import orjson as fast
            except ImportError:
                try:
                    import ujson as fast
                except ImportError:
                    import json as fast
        """,
    "early-return": """\
        try:
            import redis
        except ImportError:
            redis = None
        def cache():
            if redis is None:
                return None
            from redis.client import Redis
            return Redis()
        """,
}


@pytest.mark.parametrize("idiom", sorted(IDIOMS))
def test_guard_idioms_are_no_errors(tmp_path: Path, idiom: str) -> None:
    report = audit(tmp_path, {"app.py": APP_HEAD + textwrap.dedent(IDIOMS[idiom])})
    assert [f for f in report["findings"] if f["severity"] != "info"] == []
    assert report["targets"][0]["verdict"] == "boots"
    assert report["exit"] == 0


def test_flag_guard_still_judges_the_branch_when_the_flag_module_is_installed(tmp_path: Path) -> None:
    # ujson installed: the branch runs, so what it imports must be there too
    report = audit(tmp_path, {
        "requirements.txt": "flask\ngunicorn\nujson\n",
        "app.py": APP_HEAD + "try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"
                             "if ujson is not None:\n    import simdjson\n",
    })
    assert shown(report) == [("error", "missing-at-boot", "simdjson", 8)]


def test_chain_fails_when_no_alternative_is_there(tmp_path: Path) -> None:
    report = audit(tmp_path, {"app.py": APP_HEAD + "try:\n    import simdjson\nexcept ImportError:\n"
                                                   "    try:\n        import orjson\n    except ImportError:\n"
                                                   "        import ujson\n"})
    assert ("error", "missing-at-boot", "ujson", 9) in shown(report)


def test_version_flag_imported_from_a_project_module(tmp_path: Path) -> None:
    files = {
        "compat.py": "import sys\nPY311 = sys.version_info >= (3, 11)\n",
        "app.py": APP_HEAD + "from compat import PY311\nif PY311:\n    import tomllib\nelse:\n    import tomli\n",
    }
    assert shown(audit(tmp_path / "a", files, py="3.12")) == []
    assert shown(audit(tmp_path / "b", files, py="3.10")) == [("error", "missing-at-boot", "tomli", 7)]


def test_fallback_in_test_code_is_silent(tmp_path: Path) -> None:
    report = audit(tmp_path, {
        "app.py": APP_HEAD,
        "tests/conftest.py": "try:\n    from http.server import HTTPServer\nexcept ImportError:\n"
                             "    from BaseHTTPServer import HTTPServer\n",
    })
    assert shown(report) == []


def test_configuration_branch_is_at_most_a_warning(tmp_path: Path) -> None:
    report = audit(tmp_path, {
        "app.py": APP_HEAD + "import os\nif os.environ.get('ENABLE_SENTRY'):\n    import sentry_sdk\n",
    })
    assert shown(report) == [("warning", "missing-at-boot", "sentry_sdk", 5)]
    assert "ENABLE_SENTRY" in report["findings"][0]["message"]


def test_configuration_branch_known_from_the_target_env(tmp_path: Path) -> None:
    app = APP_HEAD + "import os\nif os.environ.get('ENABLE_SENTRY') == '1':\n    import sentry_sdk\n"
    on = DOCKERFILE.format(py="3.12").replace("COPY", "ENV ENABLE_SENTRY=1\nCOPY")
    off = DOCKERFILE.format(py="3.12").replace("COPY", "ENV ENABLE_SENTRY=0\nCOPY")
    assert shown(audit(tmp_path / "on", {"app.py": app, "Dockerfile": on})) == [
        ("error", "missing-at-boot", "sentry_sdk", 5)
    ]
    assert shown(audit(tmp_path / "off", {"app.py": app, "Dockerfile": off})) == []


VERSION_BRANCH = (
    APP_HEAD + "import sys\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli\n"
)


def test_no_declared_version_judges_every_supported_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {"app.py": VERSION_BRANCH, "requirements.txt": "flask\n"}
    reports = []
    for host in ((3, 11), (3, 9), (3, 13)):  # whatever runs importaudit, the same answer
        for where in (stdlib, workspace, findings):  # every module that could read the host's
            monkeypatch.setattr(where, "host_version", lambda host=host: host)
        reports.append(audit(tmp_path / f"{host[1]}", files, py=""))
    first = reports[0]
    assert all(shown(r) == shown(first) for r in reports)
    assert shown(first) == [("warning", "missing", "tomli", 7)]
    assert "only on Python 3.9, 3.10" in first["findings"][0]["message"]
    assert first["targets"][0]["python"] == "3.9-3.14"
    # declared, it is decided: 3.10 takes the else branch, 3.11 does not
    declared = audit(tmp_path / "d10", files, "--python-version", "3.10", py="")
    assert shown(declared) == [("error", "missing", "tomli", 7)]
    assert shown(audit(tmp_path / "d11", files, "--python-version", "3.11", py="")) == []


def test_undeclared_version_and_a_removed_stdlib_module(tmp_path: Path) -> None:
    report = audit(tmp_path, {"app.py": APP_HEAD + "import imp\n", "requirements.txt": "flask\n"}, py="")
    assert shown(report) == [("warning", "stdlib-removed", "imp", 3)]
    assert "only on Python 3.12-3.14" in report["findings"][0]["message"]


def test_a_script_imports_its_siblings_by_bare_name(tmp_path: Path) -> None:
    # `python pkg/tool.py` puts pkg/ first on sys.path, even though pkg is a package
    report = audit(tmp_path, {
        "app.py": APP_HEAD,
        "pkg/__init__.py": "",
        "pkg/helper.py": "x = 1\n",
        "pkg/sub/__init__.py": "",
        "pkg/tool.py": "from helper import x\nimport sub\nimport requests\n"
                       "if __name__ == '__main__':\n    print(x)\n",
    })
    assert shown(report) == [("warning", "missing", "requests", 3)]


@pytest.mark.parametrize(
    "call",
    [
        "importlib.import_module('redis_plugin')",
        "import_string('redis_plugin.backends.Cache')",
    ],
)
def test_boot_call_into_a_project_function_imports_at_boot(tmp_path: Path, call: str) -> None:
    report = audit(tmp_path, {
        "plugins.py": "import importlib\nfrom django.utils.module_loading import import_string\n\n"
                      f"def load():\n    return {call}\n",
        "requirements.txt": "flask\ngunicorn\ndjango\n",
        "app.py": APP_HEAD + "from plugins import load\nload()\n",
    })
    assert shown(report) == [("error", "missing-at-boot", "redis_plugin", 5)]
    assert report["findings"][0]["chain"] == ["app.py", "plugins.py"]


@pytest.mark.parametrize(
    "test", ["settings.DEBUG", "'debug_toolbar' in settings.INSTALLED_APPS"]
)
def test_a_dev_app_under_a_settings_test_is_a_warning_naming_it(tmp_path: Path, test: str) -> None:
    report = audit(tmp_path, {
        "requirements.txt": "flask\ngunicorn\ndjango\n",
        "requirements-dev.txt": "django-debug-toolbar\n",
        "urls.py": f"from django.conf import settings\nurlpatterns = []\nif {test}:\n"
                   "    import debug_toolbar\n",
        "app.py": APP_HEAD + "import urls\n",
    })
    assert shown(report) == [("warning", "dev-only", "debug_toolbar", 4)]
    assert f"only when `{test.replace('settings.', 'django.conf.settings.')}` is true" in (
        report["findings"][0]["message"]
    )


DJANGO = {
    "requirements.txt": "django\ngunicorn\n",
    "requirements-dev.txt": "django-debug-toolbar\n",
    "Dockerfile": 'FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\n'
                  'CMD ["gunicorn", "mysite.wsgi"]\n',
    "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
    "mysite/__init__.py": "",
    "mysite/wsgi.py": "import os\nfrom django.core.wsgi import get_wsgi_application\n"
                      "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
                      "application = get_wsgi_application()\n",
    "mysite/urls.py": "from django.conf import settings\nurlpatterns = []\n"
                      "if 'debug_toolbar' in settings.INSTALLED_APPS:\n    import debug_toolbar\n",
}
SETTINGS = "ROOT_URLCONF = 'mysite.urls'\nDEBUG = {debug}\nINSTALLED_APPS = ['django.contrib.auth'{extra}]\n"


def test_the_targets_settings_decide_a_settings_test(tmp_path: Path) -> None:
    off = {**DJANGO, "mysite/settings.py": SETTINGS.format(debug=False, extra="")}
    on = {**DJANGO, "mysite/settings.py": SETTINGS.format(debug=True, extra=", 'debug_toolbar'")}
    assert [f for f in shown(audit(tmp_path / "off", off)) if f[2] == "debug_toolbar"] == []
    report = audit(tmp_path / "on", on)
    # INSTALLED_APPS itself loads it at boot; urls.py (ROOT_URLCONF, first request) imports it,
    # and the test is known true there: no "only when" hedge
    assert [f for f in shown(report) if f[2] == "debug_toolbar"] == [
        ("error", "dev-only", "debug_toolbar", 3), ("warning", "dev-only", "debug_toolbar", 4)
    ]
    urls = next(f for f in report["findings"] if f["file"] == "mysite/urls.py")
    assert "only when" not in urls["message"]


def test_a_settings_value_set_under_a_guard_is_not_known(tmp_path: Path) -> None:
    # pythondotorg's local settings: the app joins INSTALLED_APPS only when it imports
    settings = SETTINGS.format(debug=True, extra="") + (
        "try:\n    import debug_toolbar\n    INSTALLED_APPS += ['debug_toolbar']\nexcept ImportError:\n    pass\n"
    )
    wsgi = DJANGO["mysite/wsgi.py"] + "import mysite.urls\n"  # urls at boot: an error if known true
    report = audit(tmp_path, {**DJANGO, "mysite/settings.py": settings, "mysite/wsgi.py": wsgi})
    urls = [f for f in report["findings"] if f["file"] == "mysite/urls.py"]
    assert [(f["severity"], f["rule"]) for f in urls] == [("warning", "dev-only")]
    assert "only when `'debug_toolbar' in django.conf.settings.INSTALLED_APPS`" in urls[0]["message"]


def test_a_library_module_loaded_only_under_a_guard_is_no_error(tmp_path: Path) -> None:
    # no deploy descriptor: importing the package loads _cli only if click imports (httpx's CLI),
    # and web only on emscripten (urllib3's pyodide backend)
    report = audit(tmp_path, {
        "pyproject.toml": "[project]\nname = 'pkg'\nversion = '1'\nrequires-python = '>=3.10'\n"
                          "dependencies = []\n",
        "pkg/__init__.py": "import sys\ntry:\n    from ._cli import main\nexcept ImportError:\n    main = None\n"
                           "if sys.platform == 'emscripten':\n    from .web import fetch\n",
        "pkg/_cli.py": "import click\n\ndef main():\n    pass\n",
        "pkg/web.py": "import js\n\ndef fetch():\n    pass\n",
        "pkg/core.py": "import yaml\n",
    }, py="")
    errors = [f for f in shown(report) if f[0] == "error"]
    assert errors == [("error", "missing", "yaml", 1)]  # core.py is no guarded module: still an error
    assert {f[2] for f in shown(report) if f[0] == "warning"} >= {"click", "js"}
