"""unused.unused_requirements: declared runtime distributions nothing imports, and the exemptions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from targets_support import write_files

from importaudit.config import Config
from importaudit.judge.audit import audit_target, select_targets
from importaudit.judge.unused import unused_requirements
from importaudit.model import Finding
from importaudit.providers.distributions import DistributionIndex
from importaudit.providers.names import DisplayNames
from importaudit.workspace import load_workspace

DOCKERFILE = """\
FROM python:3.12-slim
COPY . /app
WORKDIR /app
RUN pip install -r requirements.txt
CMD ["gunicorn", "app:app"]
"""


def audit_unused(root: Path, files: dict[str, str]) -> list[Finding]:
    """Write the project, read it with the real stages (bundled tables only), return `unused` findings."""
    write_files(root, files)
    ws = load_workspace(root, Config())
    ws = replace(ws, index=DistributionIndex(environment=None), names=DisplayNames(None))
    audits = [audit_target(ws, target) for target in select_targets(ws)]
    return unused_requirements(ws, audits)


def flagged(findings: list[Finding]) -> list[str]:
    return sorted(f.module for f in findings)


CASES = [
    pytest.param(
        {"requirements.txt": "flask\nrequests\n", "app.py": "import flask\n"},
        ["requests"],
        id="plain-unused",
    ),
    pytest.param(
        {"requirements.txt": "flask\nrequests\n", "app.py": "import flask\nfrom requests import get\n"},
        [],
        id="all-used",
    ),
    pytest.param(
        {
            "requirements.txt": "Flask\nPyYAML\nbeautifulsoup4\n",
            "app.py": "import flask\nimport yaml\nimport bs4\n",
        },
        [],
        id="import-name-differs-from-distribution",
    ),
    pytest.param(
        {
            "requirements.txt": "flask\nrequests\n",
            "app.py": "import flask\n",
            "tests/test_app.py": "import requests\n",
        },
        ["requests"],
        id="test-only-import-does-not-count",
    ),
    pytest.param(
        {
            "requirements.txt": "flask\ngunicorn\nuvicorn[standard]\nwaitress\nhypercorn\n",
            "app.py": "import flask\n",
        },
        [],
        id="servers-and-wrappers",
    ),
    pytest.param(
        {
            "requirements.txt": "requests\ntypes-requests\ndjango-stubs\nboto3-stubs[s3]\n",
            "app.py": "import requests\n",
        },
        [],
        id="type-stubs",
    ),
    pytest.param(
        {
            "requirements.txt": "django\npsycopg2-binary\nmysqlclient\nwhitenoise\nsetuptools\npip\nwheel\n",
            "app.py": "import django\n",
        },
        [],
        id="drivers-plugins-packaging-tools",
    ),
    pytest.param(
        {
            "requirements.txt": "flask==3.0.0\njinja2==3.1.2\nwerkzeug==3.0.1\nmarkupsafe==2.1.3\n",
            "app.py": "import flask\n",
        },
        [],
        id="pins-required-by-another-declared-dist",
    ),
    pytest.param(
        {
            "requirements.txt": "flask\nsocial-auth-core\nstrawberry-graphql-django\n",
            "app.py": "import flask\nfrom social_core.backends import google\nimport strawberry_django\n",
        },
        [],
        id="name-like-matches",
    ),
    pytest.param(
        {
            "requirements.txt": "flask\nsocial-auth-core\n",
            "app.py": "import flask\nimport core\n",
            "core/__init__.py": "",
        },
        ["social-auth-core"],
        id="first-party-core-does-not-use-social-auth-core",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_unused(tmp_path: Path, files: dict[str, str], expected: list[str]) -> None:
    findings = audit_unused(tmp_path, {"Dockerfile": DOCKERFILE, **files})
    assert flagged(findings) == expected
    for finding in findings:
        assert finding.rule.value == "unused"
        assert finding.severity.value == "warning"
        assert finding.target == "Dockerfile"
        assert finding.file == "requirements.txt"


def test_unused_points_at_the_declaring_line(tmp_path: Path) -> None:
    findings = audit_unused(
        tmp_path,
        {
            "Dockerfile": DOCKERFILE,
            "requirements.txt": "flask\n# http\nrequests==2.31\n",
            "app.py": "import flask\n",
        },
    )
    assert [(f.file, f.line, f.distribution) for f in findings] == [("requirements.txt", 3, "requests")]
    assert findings[0].fix == "remove requests from requirements.txt"


def test_implicit_project_target_is_null(tmp_path: Path) -> None:
    findings = audit_unused(tmp_path, {"requirements.txt": "flask\nrequests\n", "app.py": "import flask\n"})
    assert [(f.module, f.target) for f in findings] == [("requests", None)]


def test_once_per_file_and_distribution_first_target_by_name(tmp_path: Path) -> None:
    compose = """\
    services:
      web:
        build: .
        command: gunicorn app:app
      worker:
        build: .
        command: python worker.py
    """
    findings = audit_unused(
        tmp_path,
        {
            "Dockerfile": DOCKERFILE,
            "docker-compose.yml": compose,
            "requirements.txt": "flask\nrequests\n",
            "app.py": "import flask\n",
            "worker.py": "import flask\n",
        },
    )
    assert [(f.module, f.target) for f in findings] == [("requests", "Dockerfile")]


def test_optional_extra_is_not_unused(tmp_path: Path) -> None:
    pyproject = """\
    [project]
    name = "demo"
    version = "0.1"
    dependencies = ["flask", "requests"]

    [project.optional-dependencies]
    cache = ["redis"]
    """
    dockerfile = DOCKERFILE.replace("pip install -r requirements.txt", "pip install .[cache]")
    findings = audit_unused(
        tmp_path, {"Dockerfile": dockerfile, "pyproject.toml": pyproject, "app.py": "import flask\n"}
    )
    assert flagged(findings) == ["requests"]
    assert findings[0].file == "pyproject.toml"


# ---------------------------------------------------------------------------------------------
# only when sure (issue 14)

SURE_CASES = [
    pytest.param(
        {"requirements.txt": "flask\nrequests\n", "app.py": "import flask\n",
         "jobs.py": "match x:\n    case 1: import requests\n  bad indent\n"},
        [],
        id="a-file-that-cannot-be-parsed-may-use-it",
    ),
    pytest.param(
        {"requirements.txt": "flask\nrequests\n", "app.py": "import flask\n",
         "tests/test_x.py": "def broken(:\n"},
        ["requests"],
        id="a-broken-test-file-does-not-count",
    ),
    pytest.param(
        {"requirements.txt": "flask\nbeautifulsoup4\nlxml\nhtml5lib\n", "app.py": "import flask\nimport bs4\n"},
        [],
        id="parser-backends-of-beautifulsoup",
    ),
    pytest.param(
        {"requirements.txt": "flask\nlxml\n", "app.py": "import flask\n"},
        ["lxml"],
        id="no-loader-declared-still-unused",
    ),
    pytest.param(
        {"requirements.txt": "flask\nstarlette\nitsdangerous\n", "app.py": "import flask\nimport starlette\n"},
        [],
        id="starlette-sessions-sign-with-itsdangerous",
    ),
    pytest.param(
        {"requirements.txt": "flask\nlxml\ncssselect\n", "app.py": "import flask\nimport lxml.html\n"},
        [],
        id="lxml-css-selectors-need-cssselect",
    ),
]


@pytest.mark.parametrize(("files", "expected"), SURE_CASES)
def test_unused_only_when_sure(tmp_path: Path, files: dict[str, str], expected: list[str]) -> None:
    assert flagged(audit_unused(tmp_path, {"Dockerfile": DOCKERFILE, **files})) == expected


DJANGO_SETTINGS = """\
import os
INSTALLED_APPS = ["django.contrib.auth"]
HAYSTACK_CONNECTIONS = {
    "default": {"ENGINE": "haystack.backends.elasticsearch7_backend.Elasticsearch7SearchEngine"},
}
"""


def test_a_search_backend_named_in_settings_is_used(tmp_path: Path) -> None:
    files = {
        "Dockerfile": DOCKERFILE.replace("gunicorn app:app", "gunicorn mysite.wsgi"),
        "requirements.txt": "django\ngunicorn\ndjango-haystack\nelasticsearch\nrequests\n",
        "mysite/__init__.py": "",
        "mysite/settings.py": DJANGO_SETTINGS,
        "mysite/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
    }
    found = flagged(audit_unused(tmp_path, files))
    assert "elasticsearch" not in found
    assert "requests" in found  # still reported: nothing names it


def test_a_url_read_at_run_time_does_not_excuse_a_non_driver(tmp_path: Path) -> None:
    settings = DJANGO_SETTINGS + 'DATABASES = {"default": {"ENGINE": os.environ.get("DB_ENGINE")}}\n'
    files = {
        "Dockerfile": DOCKERFILE.replace("gunicorn app:app", "gunicorn mysite.wsgi"),
        "requirements.txt": "django\ngunicorn\nwhoosh\npymssql\n",
        "mysite/__init__.py": "",
        "mysite/settings.py": settings,
        "mysite/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
    }
    found = audit_unused(tmp_path, files)
    # Django loads the pymssql driver by name; the engine read from the environment never picks whoosh
    assert [(f.module, f.severity.value) for f in found] == [("whoosh", "warning")]


@pytest.mark.parametrize(
    ("module", "key", "dynamic"),
    [("", "pymssql", True), ("", "whoosh", False), ("myplugins.search", "whoosh", True)],
)
def test_what_a_setting_read_at_run_time_may_name(module: str, key: str, dynamic: bool) -> None:
    """A URL (no module named) may pick a driver or transport; a setting naming a module, anything."""
    from types import SimpleNamespace
    from typing import Any, cast

    from importaudit.judge.unused import _dynamic
    from importaudit.model import How, Import, Location

    imp = Import(module=module, location=Location("settings.py", 9), how=How.STRING, via="X")
    audit = cast(Any, SimpleNamespace(unresolved_strings=[(imp, "X comes from the environment")]))
    assert (_dynamic(audit, key) is not None) is dynamic
