"""Django settings that decide string imports: found and read, read in part (noted), or not at all
(then the target cannot be said to boot)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

import pytest
from frameworks_support import package_modules, parsed_context

from importaudit.config import Config
from importaudit.frameworks import FrameworkResult, framework_imports
from importaudit.pipeline import run_audit

WSGI_NO_DEFAULT = "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
WSGI = ("import os\nfrom django.core.wsgi import get_wsgi_application\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
        "application = get_wsgi_application()\n")
APPS = "INSTALLED_APPS = ['django.contrib.auth', 'blog']\n"


def analyse(files: dict[str, str], env: Optional[dict[str, str]] = None,
            boot: tuple[str, ...] = ("mysite/wsgi.py",)) -> FrameworkResult:
    files = {"mysite/__init__.py": "", "blog/__init__.py": "", **files}
    return framework_imports(parsed_context(files, package_modules(list(files)), env, {}, boot))


CASES = [
    pytest.param({"mysite/wsgi.py": WSGI, "mysite/settings.py": APPS}, {}, None, id="setdefault-read"),
    pytest.param({"mysite/wsgi.py": WSGI_NO_DEFAULT, "mysite/settings.py": APPS}, {},
                 "mysite/wsgi.py:2: starts Django, but no DJANGO_SETTINGS_MODULE was found",
                 id="no-settings-module"),
    pytest.param({"mysite/wsgi.py": WSGI_NO_DEFAULT, "mysite/settings.py": APPS},
                 {"DJANGO_SETTINGS_MODULE": "mysite.settings"}, None, id="target-env-names-it"),
    pytest.param({"mysite/wsgi.py": WSGI, "mysite/settings.py": APPS}, {"DJANGO_SETTINGS_MODULE": "config.prod"},
                 "mysite/wsgi.py:3: DJANGO_SETTINGS_MODULE is config.prod, which is not a module of the project",
                 id="settings-outside-the-project"),
    pytest.param({"mysite/wsgi.py": WSGI, "mysite/settings.py": "INSTALLED_APPS = load_apps()\n"}, {},
                 "mysite/settings.py:1: INSTALLED_APPS is built in a way importaudit cannot read",
                 id="installed-apps-unreadable"),
    pytest.param({"mysite/wsgi.py": WSGI, "mysite/settings.py": "DEBUG = True\n"}, {},
                 "mysite/settings.py:1: the settings module mysite.settings sets no INSTALLED_APPS",
                 id="installed-apps-absent"),
    pytest.param({"mysite/wsgi.py": WSGI, "mysite/dev.py": APPS, "mysite/prod.py": APPS,
                  "mysite/settings.py": "try:\n    from .dev import *\n"
                                        "except ImportError:\n    from .prod import *\n"},
                 {}, "mysite/settings.py:2: skipped the guarded import of mysite.dev, and mysite.settings sets "
                 "INSTALLED_APPS nowhere else", id="settings-only-in-a-guarded-import"),
    pytest.param({"mysite/wsgi.py": WSGI, "mysite/settings.py": "from .base import *\n",
                  "mysite/base.py": APPS}, {}, None, id="star-import-chain-read-through"),
    pytest.param({"mysite/wsgi.py": WSGI_NO_DEFAULT, "mysite/settings.py": APPS}, {}, None, id="not-at-boot",
                 marks=()),
]


@pytest.mark.parametrize(("files", "env", "unfollowed"), CASES)
def test_settings_found_and_read_or_said(files: dict[str, str], env: dict[str, str], unfollowed: Optional[str],
                                         request: pytest.FixtureRequest) -> None:
    boot = () if request.node.callspec.id == "not-at-boot" else ("mysite/wsgi.py",)
    result = analyse(files, env, boot)
    if unfollowed is None:
        assert result.unfollowed == ()
    else:
        assert len(result.unfollowed) == 1 and result.unfollowed[0].startswith(unfollowed), result.unfollowed


@pytest.mark.parametrize(
    ("settings", "env", "apps", "note"),
    [
        pytest.param("import os\nBASE = ['django.contrib.auth', 'blog']\n"
                     "INSTALLED_APPS = BASE + os.environ.get('EXTRA', '').split(',')\n", {},
                     {"django.contrib.auth", "blog"}, True, id="base-plus-env"),
        pytest.param("MIDDLEWARE = _base()\nMIDDLEWARE += ['whitenoise.middleware.WhiteNoiseMiddleware']\n"
                     "INSTALLED_APPS = ['blog']\n", {}, {"blog", "whitenoise.middleware"}, False,
                     id="augmented-call"),
        pytest.param("INSTALLED_APPS = get_apps()\nINSTALLED_APPS.append('storages')\n", {},
                     {"storages"}, True, id="append-to-call"),
        # a starred list that cannot be read (a conditional expression) keeps every literal app
        pytest.param("import os\nEXTRA = ['staff'] if not os.environ.get('STATIC') else []\n"
                     "INSTALLED_APPS = [*EXTRA, 'django.contrib.auth', 'blog']\n", {},
                     {"django.contrib.auth", "blog"}, True, id="starred-unreadable-part"),
        pytest.param("BASE = ['django.contrib.auth']\nINSTALLED_APPS = [*BASE, 'blog']\n", {},
                     {"django.contrib.auth", "blog"}, False, id="starred-literal-part"),
        pytest.param("INSTALLED_APPS = ['blog']\nINSTALLED_APPS.insert(0, 'daphne')\n", {},
                     {"blog", "daphne"}, False, id="insert"),
        pytest.param("import environ\nenv = environ.Env()\nDEBUG = env.bool('DEBUG', default=False)\n"
                     "INSTALLED_APPS = ['blog']\nif DEBUG:\n    INSTALLED_APPS += ['debug_toolbar']\n",
                     {"DEBUG": "True"}, {"blog", "debug_toolbar"}, False, id="debug-true-from-env"),
        pytest.param("import environ\nenv = environ.Env()\nDEBUG = env.bool('DEBUG', default=False)\n"
                     "INSTALLED_APPS = ['blog']\nif DEBUG:\n    INSTALLED_APPS += ['debug_toolbar']\n",
                     {"DEBUG": "False"}, {"blog"}, False, id="debug-false-from-env"),
    ],
)
def test_lists_built_in_steps_keep_what_is_known(settings: str, env: dict[str, str], apps: set[str],
                                                 note: bool) -> None:
    result = analyse({"mysite/wsgi.py": WSGI, "mysite/settings.py": settings}, env)
    named = {i.module for i in result.imports if i.via in ("INSTALLED_APPS", "MIDDLEWARE")}
    assert named == apps
    assert result.unfollowed == ()
    assert any("INSTALLED_APPS has" in n and "cannot read" in n for n in result.notes) == note


# -- Celery: the worker imports its task modules at start ------------------------------------

CELERY_DJANGO = ("import os\nfrom celery import Celery\n"
                 "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
                 "app = Celery('mysite')\napp.config_from_object('django.conf:settings', namespace='CELERY')\n")


@pytest.mark.parametrize(
    ("call", "worker", "expected"),
    [
        pytest.param("app.autodiscover_tasks()", True, {("blog.tasks", "boot")}, id="django-apps-worker"),
        pytest.param("app.autodiscover_tasks()", False, {("blog.tasks", "request")}, id="django-apps-web"),
        pytest.param("app.autodiscover_tasks(lambda: settings.INSTALLED_APPS)", True, {("blog.tasks", "boot")},
                     id="lambda-installed-apps"),
        pytest.param("app.autodiscover_tasks(['shop'])", True, {("shop.tasks", "boot")}, id="literal-packages"),
        pytest.param("app.autodiscover_tasks(['shop'], related_name='jobs')", True, {("shop.jobs", "boot")},
                     id="related-name"),
        pytest.param("app.autodiscover_tasks(find_packages())", True, set(), id="unreadable-list-claims-nothing"),
    ],
)
def test_autodiscovered_task_modules(call: str, worker: bool, expected: set[tuple[str, str]]) -> None:
    files = {"mysite/__init__.py": "", "blog/__init__.py": "", "blog/tasks.py": "import requests\n",
             "shop/__init__.py": "", "shop/tasks.py": "", "shop/jobs.py": "",
             "mysite/settings.py": APPS, "mysite/celery.py": CELERY_DJANGO + call + "\n"}
    ctx = parsed_context(files, package_modules(list(files)), {}, {}, ("mysite/celery.py",))
    result = framework_imports(replace(ctx, worker=worker))
    found = {(i.module, i.phase) for i in result.imports if i.via == "Celery autodiscover_tasks"}
    assert found == expected


@pytest.mark.parametrize(
    ("docker_env", "loads", "verdict"),
    [
        pytest.param("", "from dotenv import load_dotenv\nload_dotenv()\n", "fails-at-boot",
                     id="dotenv-names-settings"),
        pytest.param("ENV DJANGO_SETTINGS_MODULE=mysite.clean\n",
                     "from dotenv import load_dotenv\nload_dotenv()\n", "boots", id="target-env-wins-over-dotenv"),
        pytest.param("", "", "unknown", id="dotenv-not-loaded-by-the-code"),
    ],
)
def test_dotenv_loaded_by_boot_code(tmp_path: Path, docker_env: str, loads: str, verdict: str) -> None:
    files = {
        "mysite/__init__.py": "",
        "mysite/wsgi.py": loads + "from django.core.wsgi import get_wsgi_application\n"
                                  "application = get_wsgi_application()\n",
        "mysite/settings.py": "INSTALLED_APPS = ['rest_framework']\n",
        "mysite/clean.py": "INSTALLED_APPS = ['django.contrib.auth']\n",
        ".env": "DJANGO_SETTINGS_MODULE=mysite.settings\n",
        "requirements.txt": "django\ngunicorn\npython-dotenv\n",
        "Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
                      f"RUN pip install -r requirements.txt\nCOPY . .\n{docker_env}CMD gunicorn mysite.wsgi\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    report = run_audit(tmp_path, Config())
    assert [t.verdict for t in report.targets] == [verdict]
