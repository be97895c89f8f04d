"""Small hand-written projects whose verdict a wrong walk, filter or option would change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from scenario_support import audit, findings, only, verdicts, write

FLASK_WEB = {
    "Procfile": "web: gunicorn app:app\n",
    "requirements.txt": "flask\ngunicorn\n",
}


def test_a_shared_import_does_not_end_the_boot_walk(tmp_path: Path) -> None:
    # a and b both import shared, so shared is queued twice; c -> d is walked after that.
    write(tmp_path, {
        **FLASK_WEB,
        "app.py": "import flask\nimport a\nimport b\nimport c\napp = flask.Flask(__name__)\n",
        "a.py": "import shared\n",
        "b.py": "import shared\n",
        "c.py": "import d\n",
        "d.py": "import markdown\n",
        "shared.py": "VALUE = 1\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "file", "line", "chain") == {
        ("missing-at-boot", "error", "markdown", "d.py", 1, ("app.py", "c.py", "d.py")),
    }
    assert code == 1


def test_an_import_that_does_not_run_does_not_end_its_file(tmp_path: Path) -> None:
    # The TYPE_CHECKING import is skipped; the imports after it in the same file still run.
    write(tmp_path, {
        **FLASK_WEB,
        "app.py": """
            from typing import TYPE_CHECKING
            import flask
            if TYPE_CHECKING:
                import mypy_extensions
            import views
            app = flask.Flask(__name__)
        """,
        "views.py": "import markdown\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert ("missing-at-boot", "error", "markdown", ("app.py", "views.py")) in findings(
        report, "rule", "severity", "module", "chain")
    assert code == 1


def test_a_test_file_sorting_first_does_not_hide_a_boot_error(tmp_path: Path) -> None:
    # test_app.py sorts before web/views.py; tests are skipped, files after them are not.
    write(tmp_path, {
        **FLASK_WEB,
        "app.py": "import flask\nimport web.views\napp = flask.Flask(__name__)\n",
        "test_app.py": "import app\n",
        "web/__init__.py": "",
        "web/views.py": "import markdown\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "file", "chain") == {
        ("missing-at-boot", "error", "markdown", "web/views.py", ("app.py", "web/views.py")),
    }
    assert code == 1


TWO_PROCESSES = {
    "Procfile": "web: gunicorn app:app\nworker: python worker.py\n",
    "requirements.txt": "flask\ngunicorn\n",
    "app.py": "import flask\napp = flask.Flask(__name__)\n",
    "worker.py": "import markdown\n",
}


def test_target_option_audits_the_named_target_only(tmp_path: Path) -> None:
    write(tmp_path, TWO_PROCESSES)
    code, report = audit(tmp_path, "--target", "Procfile:web")
    assert verdicts(report) == {"Procfile:web": "boots"}
    # web never reaches worker.py: its import is only a warning for that target
    assert findings(report, "rule", "severity", "module", "target", "file") == {
        ("missing", "warning", "markdown", "Procfile:web", "worker.py"),
    }
    assert code == 0
    code, report = audit(tmp_path, "--target", "Procfile:worker")
    assert verdicts(report) == {"Procfile:worker": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "target", "file") == {
        ("missing-at-boot", "error", "markdown", "Procfile:worker", "worker.py"),
    }
    assert code == 1
    _code, both = audit(tmp_path)
    assert verdicts(both) == {"Procfile:web": "boots", "Procfile:worker": "fails-at-boot"}


def test_select_unused_keeps_the_unused_finding(tmp_path: Path) -> None:
    write(tmp_path, {
        "Procfile": "web: gunicorn app:app\n",
        "requirements.txt": "flask\ngunicorn\nrequests\n",
        "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path, "--select", "unused")
    assert findings(report, "rule", "severity", "module", "file", "line") == {
        ("unused", "warning", "requests", "requirements.txt", 3),
    }
    assert only(report, "requests")["message"] == (
        "requirements.txt declares requests, but no application code imports anything it provides and no "
        "framework setting names it; remove it, or tell importaudit what it provides with "
        "[tool.importaudit.module-map]"
    )
    assert code == 0  # the missing-at-boot error is not selected
    code, report = audit(tmp_path, "--ignore", "unused")
    assert findings(report, "rule", "module") == {("missing-at-boot", "markdown")}
    assert code == 1


def _fake_distribution(site: Path, name: str, version: str, module: str) -> None:
    """A distribution as pip leaves it: the package and its .dist-info with METADATA and RECORD."""
    (site / module).mkdir()
    (site / module / "__init__.py").write_text("")
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text(f"{module}/__init__.py,,\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n")


def test_python_option_reports_only_the_pins_the_environment_breaks(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    _fake_distribution(site, "pinned-pkg", "1.2.0", "pinned_pkg")
    _fake_distribution(site, "ranged-pkg", "2.5", "ranged_pkg")
    _fake_distribution(site, "drifted-pkg", "1.0", "drifted_pkg")
    project = write(tmp_path / "project", {
        "Procfile": "web: python app.py\n",
        "requirements.txt": "pinned-pkg==1.2.0\nranged-pkg>=2,<3\ndrifted-pkg==2.0\n",
        "app.py": "import pinned_pkg\nimport ranged_pkg\nimport drifted_pkg\n",
    })
    code, report = audit(project, "--python", str(python))
    # the boot imports the wrong version: an error
    assert findings(report, "rule", "severity", "module", "file", "line", "distribution", "context") == {
        ("version-conflict", "error", "drifted-pkg", "requirements.txt", 3, "drifted-pkg", "boot"),
    }
    assert only(report, "drifted-pkg")["message"] == (
        f"requirements.txt:3 asks for drifted-pkg==2.0, but {python} has drifted-pkg 1.0, and the boot imports it"
    )
    assert code == 1


def test_requirements_option_replaces_what_the_target_installs(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": """
            FROM python:3.12-slim
            COPY . .
            RUN pip install -r deploy-requirements.txt
            CMD ["gunicorn", "app:app"]
        """,
        "deploy-requirements.txt": "flask\ngunicorn\nmarkdown\n",
        "requirements.txt": "flask\ngunicorn\n",
        "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots"}
    assert code == 0
    code, report = audit(tmp_path, "--requirements", "requirements.txt")
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert findings(report, "rule", "module", "file", "line") == {("missing-at-boot", "markdown", "app.py", 2)}
    assert "add Markdown to requirements.txt" in only(report, "markdown")["message"]
    assert code == 1


DJANGO = {
    "requirements.txt": "Django==5.1.4\ngunicorn==23.0.0\n",
    "manage.py": """
        import os
        import sys

        if __name__ == "__main__":
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
            from django.core.management import execute_from_command_line
            execute_from_command_line(sys.argv)
    """,
    "mysite/__init__.py": "",
    "mysite/urls.py": "urlpatterns = []\n",
    "mysite/wsgi.py": """
        import os
        from django.core.wsgi import get_wsgi_application
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
        application = get_wsgi_application()
    """,
}
DOCKERFILE = "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\nCMD {}\n"


def test_migrate_loads_the_cache_backend_at_boot(tmp_path: Path) -> None:
    # `manage.py migrate` runs the system checks, which load CACHES; a plain worker loads it on use.
    write(tmp_path, {
        **DJANGO,
        "mysite/settings.py": """
            SECRET_KEY = "x"
            INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
            MIDDLEWARE = []
            ROOT_URLCONF = "mysite.urls"
            DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
            CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://r:6379"}}
        """,
        "Dockerfile": DOCKERFILE.format('["gunicorn", "mysite.wsgi"]'),
        "Dockerfile.release": DOCKERFILE.format("python manage.py migrate && gunicorn mysite.wsgi"),
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "boots", "Dockerfile.release": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "target", "file", "line", "context") == {
        ("missing-at-request", "warning", "django_redis", "Dockerfile", "mysite/settings.py", 6, "string"),
        ("missing-at-boot", "error", "django_redis", "Dockerfile.release", "mysite/settings.py", 6, "string"),
    }
    assert code == 1


def test_a_setting_read_from_the_environment_is_an_unresolved_finding(tmp_path: Path) -> None:
    write(tmp_path, {
        **DJANGO,
        "mysite/settings.py": """
            import os
            SECRET_KEY = "x"
            INSTALLED_APPS = ["django.contrib.contenttypes"]
            MIDDLEWARE = []
            DATABASES = {"default": {"ENGINE": os.environ["DB_ENGINE"], "NAME": "app"}}
        """,
        "Dockerfile": DOCKERFILE.format('["gunicorn", "mysite.wsgi"]'),
    })
    code, report = audit(tmp_path)
    finding = only(report, "DATABASES['default'] ENGINE")
    assert (finding["rule"], finding["severity"], finding["target"], finding["file"], finding["line"],
            finding["context"]) == ("unresolved", "warning", "Dockerfile", "mysite/settings.py", 5, "string")
    assert finding["message"].startswith("mysite/settings.py:5: ")
    assert "DB_ENGINE" in finding["message"]
    assert finding["message"].endswith(" — importaudit cannot tell what it loads")
    assert code == 0
    # the driver Django imports at boot is undecided: never `boots` (CONTRACT "Evidence and verdicts")
    (target,) = report["targets"]
    assert (target["verdict"], target["reason"].split(": ")[0]) == ("unknown", "mysite/settings.py:5")


def test_a_database_url_from_the_environment_with_a_driver_installed_is_a_warning_under_boots(
    tmp_path: Path,
) -> None:
    # DATABASE_URL is the platform's; the target installs a postgres driver, which the URL most
    # plausibly names: the warning says the driver is undecided, the verdict is not blocked.
    write(tmp_path, {
        **DJANGO,
        "requirements.txt": "Django==5.1.4\ngunicorn==23.0.0\ndj-database-url==2.3.0\npsycopg2-binary==2.9.10\n",
        "mysite/settings.py": """
            import dj_database_url
            SECRET_KEY = "x"
            INSTALLED_APPS = ["django.contrib.contenttypes"]
            MIDDLEWARE = []
            DATABASES = {"default": dj_database_url.config()}
        """,
        "Dockerfile": DOCKERFILE.format('["gunicorn", "mysite.wsgi"]'),
    })
    code, report = audit(tmp_path)
    finding = only(report, "DATABASES['default']")
    assert (finding["rule"], finding["severity"], finding["line"]) == ("unresolved", "warning", 5)
    (target,) = report["targets"]
    assert target["verdict"] == "boots"  # unknown without the driver (the test above)
    assert code == 0


@pytest.mark.parametrize(("addons", "expected"), [
    # Heroku sets DATABASE_URL from the postgres add-on: the mysql default is the developer's, and
    # the postgres driver the target installs serves the URL: nothing to say
    ('[{"plan": "heroku-postgresql", "options": {"version": "15"}}]', set()),
    # no add-on: nothing in the repo sets DATABASE_URL; the default applies only if it stays unset
    ("[]", {("missing-at-boot", "warning", "MySQLdb")}),
])
def test_heroku_addons_set_the_variables_a_procfile_process_reads(
    tmp_path: Path, addons: str, expected: set[tuple[str, str, str]]
) -> None:
    write(tmp_path, {
        **DJANGO,
        "requirements.txt": "Django==5.1.4\ngunicorn==23.0.0\ndj-database-url==2.3.0\npsycopg2-binary==2.9.10\n",
        "mysite/settings.py": """
            import dj_database_url
            SECRET_KEY = "x"
            INSTALLED_APPS = ["django.contrib.contenttypes"]
            MIDDLEWARE = []
            DATABASES = {"default": dj_database_url.config(default="mysql://root@localhost/site")}
        """,
        "Procfile": "web: gunicorn mysite.wsgi\n",
        "app.json": '{"name": "site", "addons": ' + addons + "}\n",
    })
    _code, report = audit(tmp_path)
    drivers = {"MySQLdb", "psycopg2", "psycopg"}
    found = {(f["rule"], f["severity"], f["module"]) for f in report["findings"] if f["module"] in drivers}
    assert found == expected


def test_a_requirement_with_an_unreadable_marker_is_a_warning_and_the_rest_counts(tmp_path: Path) -> None:
    write(tmp_path, {
        "Procfile": "web: gunicorn app:app\n",
        "requirements.txt": 'gunicorn\nmarkdown ; python_version >>> "3"\nflask ; python_version >= "3"\n',
        "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    # pip refuses the line, so nothing provides markdown; the valid marker keeps flask
    assert findings(report, "rule", "severity", "module", "file", "line") == {
        ("unreadable", "warning", "requirements.txt", "requirements.txt", 2),
        ("missing-at-boot", "error", "markdown", "app.py", 2),
    }
    assert code == 1


UV_LOCK = """
    version = 1
    revision = 1
    requires-python = ">=3.11"

    [[package]]
    name = "acme-client"
    version = "1.0"
    source = { registry = "https://pypi.org/simple" }
    dependencies = [
        { name = "acme-wire", marker = "MARKER" },
    ]

    [[package]]
    name = "acme-wire"
    version = "2.0"
    source = { registry = "https://pypi.org/simple" }

    [[package]]
    name = "svc"
    version = "0.1.0"
    source = { virtual = "." }
    dependencies = [
        { name = "acme-client" },
    ]

    [package.metadata]
    requires-dist = [{ name = "acme-client", specifier = "==1.0" }]
"""


@pytest.mark.parametrize(
    ("marker", "followed"),
    [
        ("python_version >>> '3'", True),  # unreadable: counted as true, the edge is followed
        ("sys_platform == 'linux'", True),
        ("sys_platform == 'win32'", False),
    ],
)
def test_a_lock_edge_is_followed_unless_its_marker_is_false(tmp_path: Path, marker: str, followed: bool) -> None:
    write(tmp_path, {
        "pyproject.toml": """
            [project]
            name = "svc"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["acme-client==1.0"]
        """,
        "uv.lock": UV_LOCK.replace("MARKER", marker),
        "main.py": "import acme_client\nimport acme_wire\n",
    })
    _code, report = audit(tmp_path)
    finding = only(report, "acme_wire")
    # followed: installed through acme-client; not followed: nothing known installs it, and since
    # acme-client's own modules are unknown that is a warning, never an error
    assert finding["severity"] == "warning"
    assert (finding["rule"] == "transitive") is followed, finding
