"""How findings.py turns each import of a hand-written project into a finding, seen through the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_support import audit, findings, only, verdicts, write

WEB = "Procfile:web"
FLASK_WEB = {
    "Procfile": "web: gunicorn app:app\n",
    "requirements.txt": "flask\ngunicorn\n",
}
# No Python version declared anywhere but requires-python: every supported version is judged.
ANY_PYTHON_FROM_3_9 = '[project]\nname = "shop"\nversion = "1"\nrequires-python = ">=3.9"\n'
ONLY_OLD = (
    " — only on Python 3.9, 3.10: no single Python version is declared, so importaudit judged every "
    "supported version the project allows (3.9-3.14); declare the version the target runs"
)


def test_a_fallback_needed_only_on_older_pythons_is_judged_on_each_version(tmp_path: Path) -> None:
    # tomllib is stdlib from 3.11: on 3.9 and 3.10 the except branch runs and needs tomli.
    write(tmp_path, {
        **FLASK_WEB,
        "pyproject.toml": ANY_PYTHON_FROM_3_9,
        "app.py": """
            import flask
            try:
                import tomllib
            except ImportError:
                import tomli as tomllib
            app = flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "boots"}  # a warning: the version is not known
    tomli = only(report, "tomli")
    assert (tomli["rule"], tomli["severity"], tomli["line"], tomli["context"]) == (
        "missing-at-boot", "warning", 5, "boot")
    assert tomli["message"] == (
        "app.py:5 imports tomli at boot, but Procfile:web installs nothing that provides it; "
        "add tomli to requirements.txt" + ONLY_OLD
    )
    assert code == 0


TEST_FILE = """
    from __future__ import annotations
    import typing
    import pytest
    import flask
    import app
    import markdown
    import yaml.constructor
    if typing.TYPE_CHECKING:
        import mypy_extensions
    try:
        import ujson as json
    except ImportError:
        import simplejson as json
    try:
        import orjson
    except ImportError:
        orjson = None
    if orjson is not None:  # orjson is a development requirement: this runs
        import requests
    try:
        import rapidjson
    except ImportError:
        rapidjson = None
    if rapidjson is not None:  # nothing provides rapidjson: this never runs
        import rapidjson_helpers
"""


def test_test_files_are_checked_against_runtime_and_development_requirements(tmp_path: Path) -> None:
    write(tmp_path, {
        **FLASK_WEB,
        "requirements-dev.txt": "pytest\norjson\n",
        "app.py": "import flask\napp = flask.Flask(__name__)\n",
        "tests/test_app.py": TEST_FILE,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {WEB: "boots"}  # test code is not the target's
    assert findings(report, "rule", "severity", "module", "line", "context", "target", "fix", "message") == {
        ("missing", "warning", "markdown", 6, "module", None, "add Markdown to requirements-dev.txt",
         "tests/test_app.py:6 imports markdown at module level, but no runtime or development requirement "
         "provides it"),
        ("missing", "warning", "yaml", 7, "module", None, "add PyYAML to requirements-dev.txt",
         "tests/test_app.py:7 imports yaml at module level, but no runtime or development requirement "
         "provides it"),
        ("missing", "info", "ujson", 11, "guarded", None, None,
         "tests/test_app.py:11 imports ujson inside try/except ImportError; optional: nothing declared "
         "provides it, so the fallback runs"),
        ("missing", "warning", "simplejson", 13, "module", None, "add simplejson to requirements-dev.txt",
         "tests/test_app.py:13 imports simplejson at module level, but no runtime or development requirement "
         "provides it"),
        ("missing", "warning", "requests", 19, "module", None, "add requests to requirements-dev.txt",
         "tests/test_app.py:19 imports requests at module level, but no runtime or development requirement "
         "provides it"),
        ("missing", "info", "rapidjson", 21, "guarded", None, None,
         "tests/test_app.py:21 imports rapidjson inside try/except ImportError; optional: nothing declared "
         "provides it, so the fallback runs"),
    }
    assert code == 0


def test_without_a_deploy_target_the_messages_speak_of_the_project(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "flask\n",
        "requirements-dev.txt": "pytest\n",
        "app.py": "import flask\nimport pytest\nimport yaml\n\ndef render():\n    import markdown\n",
    })
    code, report = audit(tmp_path)
    assert findings(report, "rule", "severity", "module", "line", "context", "target", "fix", "message") == {
        ("dev-only", "error", "pytest", 2, "module", None,
         "move pytest from requirements-dev.txt to requirements.txt",
         "app.py:2 imports pytest at module level, but pytest is only in requirements-dev.txt, which the project "
         "does not install; move it to the runtime dependencies"),
        ("missing", "error", "yaml", 3, "module", None, "add PyYAML to requirements.txt",
         "app.py:3 imports yaml at module level, but no requirement of the project provides it; "
         "add PyYAML to requirements.txt"),
        ("missing-at-request", "warning", "markdown", 6, "request", None, "add Markdown to requirements.txt",
         "app.py:6 imports markdown inside render(), but no requirement of the project provides it; it fails when "
         "that code runs; add Markdown to requirements.txt"),
    }
    assert code == 1


def test_a_driver_the_project_declares_only_for_development_stays_an_error_beside_an_unreadable_install(
    tmp_path: Path,
) -> None:
    # ENGINE postgresql is served by psycopg2 or psycopg; the project declares psycopg, for development
    # only. `pip install $PLUGINS` may install anything, but the project says where psycopg comes from.
    write(tmp_path, {
        **DJANGO_SITE,
        "requirements-dev.txt": "psycopg\n",
        "mysite/settings.py": """
            SECRET_KEY = "x"
            INSTALLED_APPS = ["django.contrib.contenttypes"]
            MIDDLEWARE = []
            DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "app"}}
        """,
        "Dockerfile": """
            FROM python:3.12-slim
            COPY . .
            RUN pip install -r requirements.txt
            RUN pip install $PLUGINS
            CMD ["gunicorn", "mysite.wsgi"]
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    driver = only(report, "psycopg2")
    assert (driver["rule"], driver["severity"], driver["distribution"]) == ("dev-only", "error", "psycopg")
    assert driver["message"] == (
        "mysite/settings.py:4: DATABASES['default'] ENGINE loads psycopg2 when the target boots "
        "(mysite/wsgi.py -> mysite/settings.py), but psycopg is only in requirements-dev.txt, which Dockerfile "
        "does not install; move it to the runtime dependencies"
    )
    assert code == 1


@pytest.mark.parametrize(("requires", "excluded"), [
    (">=3.11", True),
    (">=3.10", True),
    (">=3.9.5", False),  # a later 3.9 release is allowed
    ("<3.9.1", False),  # 3.9.0 is allowed
    (">=3.8,<3.10", False),
])
def test_a_requires_python_that_excludes_the_image_is_a_config_warning(
    tmp_path: Path, requires: str, excluded: bool,
) -> None:
    write(tmp_path, {
        "Dockerfile": """
            FROM python:3.9-slim
            COPY . .
            RUN pip install .
            CMD ["gunicorn", "app:app"]
        """,
        "pyproject.toml": f"""
            [project]
            name = "shop"
            version = "1"
            requires-python = "{requires}"
            dependencies = ["flask", "gunicorn"]
        """,
        "app.py": "import flask\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    expected = {(
        "config", "warning", "python", "pyproject.toml", None, "module", "Dockerfile",
        f"pyproject.toml says requires-python {requires}, but Dockerfile runs Python 3.9 (Dockerfile:1 FROM "
        "python:3.9-slim): installing the project there fails, and the code may rely on what that Python lacks",
    )} if excluded else set()
    fields = ("rule", "severity", "module", "file", "line", "context", "target", "message")
    assert findings(report, *fields) == expected
    assert code == 0


def test_requires_python_is_not_checked_against_the_project_without_a_target(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": '[project]\nname = "shop"\nversion = "1"\nrequires-python = ">=3.11"\n'
                          'dependencies = ["flask"]\n',
        "app.py": "import flask\n",
    })
    code, report = audit(tmp_path, "--python-version", "3.9")
    assert report["findings"] == []
    assert code == 0


def test_a_failure_caught_by_an_inner_try_does_not_make_the_outer_fallback_run(tmp_path: Path) -> None:
    write(tmp_path, {
        "Procfile": "web: gunicorn app:app\n",
        "requirements.txt": "flask\ngunicorn\nujson\n",
        "app.py": """
            import flask
            try:
                import ujson
                try:
                    import orjson
                except ImportError:
                    orjson = None
            except ImportError:
                import simplejson as ujson
            app = flask.Flask(__name__)
        """,
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {WEB: "boots"}
    # orjson is optional; ujson is installed, so simplejson is never imported.
    assert findings(report, "rule", "severity", "module", "line", "context") == {
        ("missing", "info", "orjson", 5, "guarded"),
    }
    assert code == 0


DJANGO_SITE = {
    "requirements.txt": "Django==5.1.4\ngunicorn==23.0.0\n",
    "mysite/__init__.py": "",
    "mysite/wsgi.py": """
        import os
        from django.core.wsgi import get_wsgi_application
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
        application = get_wsgi_application()
    """,
    "mysite/settings.py": """
        import os
        SECRET_KEY = "x"
        INSTALLED_APPS = ["django.contrib.contenttypes"]
        MIDDLEWARE = []
        DATABASES = {"default": {"ENGINE": os.environ["DB_ENGINE"], "NAME": "app"}}
    """,
}
UNRESOLVED_ENGINE = (
    "mysite/settings.py:5: DATABASES['default'] ENGINE comes from the environment variable DB_ENGINE with no "
    "default; the database driver is unknown (set a default or the target's DB_ENGINE) — importaudit cannot tell "
    "what it loads"
)


def test_a_setting_only_the_environment_decides_is_a_warning_at_boot_and_a_note_for_the_project(
    tmp_path: Path,
) -> None:
    write(tmp_path, DJANGO_SITE)
    fields = ("rule", "severity", "module", "file", "line", "context", "target", "message")
    _code, report = audit(tmp_path)  # no target: nothing says it boots
    assert findings(report, *fields) == {
        ("unresolved", "info", "DATABASES['default'] ENGINE", "mysite/settings.py", 5, "string", None,
         UNRESOLVED_ENGINE),
    }
    write(tmp_path, {"Procfile": "web: gunicorn mysite.wsgi\n"})
    _code, report = audit(tmp_path)  # the web process loads the settings at boot
    assert findings(report, *fields) == {
        ("unresolved", "warning", "DATABASES['default'] ENGINE", "mysite/settings.py", 5, "string", WEB,
         UNRESOLVED_ENGINE),
    }
    assert verdicts(report) == {WEB: "unknown"}


def test_the_main_block_of_the_started_script_runs_at_boot_and_no_other(tmp_path: Path) -> None:
    write(tmp_path, {
        "Procfile": "web: python app.py\n",
        "requirements.txt": "flask\n",
        "app.py": """
            import flask
            import helpers
            app = flask.Flask(__name__)
            if __name__ == "__main__":
                import markdown
                app.run()
        """,
        "helpers.py": 'if __name__ == "__main__":\n    import yaml\n',  # imported, never started
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {WEB: "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "file", "line", "chain", "message") == {
        ("missing-at-boot", "error", "markdown", "app.py", 5, ("app.py",),
         "app.py:5 imports markdown at boot, but Procfile:web installs nothing that provides it; "
         "add Markdown to requirements.txt"),
    }
    assert code == 1


def test_each_process_reports_the_environment_decided_settings_it_loads_and_only_those(tmp_path: Path) -> None:
    write(tmp_path, {
        **DJANGO_SITE,
        "requirements.txt": "Django==5.1.4\ngunicorn==23.0.0\nSQLAlchemy\n",
        "Procfile": "web: gunicorn mysite.wsgi\nworker: python worker.py\n",
        "worker.py": """
            import os
            from sqlalchemy import create_engine
            engine = create_engine(os.environ["DATABASE_URL"])
        """,
    })
    _code, report = audit(tmp_path)
    assert findings(report, "rule", "severity", "module", "file", "line", "target", "message") == {
        ("unresolved", "warning", "DATABASES['default'] ENGINE", "mysite/settings.py", 5, WEB, UNRESOLVED_ENGINE),
        ("unresolved", "warning", "create_engine", "worker.py", 3, "Procfile:worker",
         "worker.py:3: create_engine: DATABASE_URL is read from the environment with no default; set a default "
         "or set DATABASE_URL in the target to tell which database driver is needed — importaudit cannot tell "
         "what it loads"),
    }
    assert verdicts(report) == {WEB: "unknown", "Procfile:worker": "unknown"}
