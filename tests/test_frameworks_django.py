"""Django settings read statically: the settings module, apps, middleware, DB drivers, phases."""

from __future__ import annotations

from typing import Optional

import pytest
from frameworks_support import package_modules, parsed_context

from importaudit.frameworks import FrameworkResult, framework_imports
from importaudit.model import GuardKind, Location

PG = "psycopg|psycopg2|psycopg2-binary"
WSGI = """
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_wsgi_application()
"""


def analyse(
    files: dict[str, str],
    env: Optional[dict[str, str]] = None,
    boot: tuple[str, ...] = (),
) -> FrameworkResult:
    return framework_imports(parsed_context(files, package_modules(list(files)), env, {}, boot))


def django(settings: str, **extra: str) -> FrameworkResult:
    """A startproject layout with the given settings.py (extra files by dotted-ish path)."""
    files = {"mysite/__init__.py": "", "mysite/wsgi.py": WSGI, "mysite/settings.py": settings}
    files.update({path.replace("__", "/") + ".py": source for path, source in extra.items()})
    return analyse(files)


def found(result: FrameworkResult) -> set[tuple[str, Optional[str], Optional[str]]]:
    return {(item.module, item.phase, item.distribution_hint) for item in result.imports}


def modules(result: FrameworkResult) -> set[str]:
    return {item.module for item in result.imports}


# -- which settings module --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "env", "expected", "where"),
    [
        pytest.param(
            {"mysite/wsgi.py": WSGI}, {}, "mysite.settings", ("mysite/wsgi.py", 4), id="wsgi"
        ),
        pytest.param(
            {"mysite/wsgi.py": WSGI},
            {"DJANGO_SETTINGS_MODULE": "mysite.prod"},
            "mysite.prod",
            ("mysite/wsgi.py", 4),
            id="target-env-wins",
        ),
        pytest.param(
            {
                "manage.py": """
                import os, sys
                def main():
                    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.dev")
                """,
                "mysite/asgi.py": WSGI.replace("wsgi", "asgi").replace(
                    "mysite.settings", "mysite.prod"
                ),
            },
            {},
            "mysite.prod",
            ("mysite/asgi.py", 4),
            id="asgi-before-manage",
        ),
        pytest.param(
            {"manage.py": 'import os\nos.environ["DJANGO_SETTINGS_MODULE"] = "mysite.dev"\n'},
            {},
            "mysite.dev",
            ("manage.py", 2),
            id="manage-assignment",
        ),
        pytest.param({"app.py": "import flask\n"}, {}, None, None, id="no-django"),
        pytest.param(
            {"app.py": "x = 1\n"},
            {"DJANGO_SETTINGS_MODULE": "conf.settings"},
            "conf.settings",
            ("", 0),
            id="env-only",
        ),
    ],
)
def test_settings_module(
    files: dict[str, str],
    env: dict[str, str],
    expected: Optional[str],
    where: Optional[tuple[str, int]],
) -> None:
    result = analyse(files, env)
    assert result.settings_module == expected
    named = [item for item in result.imports if item.via == "DJANGO_SETTINGS_MODULE"]
    if expected is None:
        assert named == []
    else:
        assert where is not None
        assert [(i.module, i.phase, i.location.file, i.location.line) for i in named] == [
            (expected, "boot", *where)
        ]


# -- INSTALLED_APPS --------------------------------------------------------------------------

APP_FILES = {
    "blog__apps": (
        "from django.apps import AppConfig\nclass BlogConfig(AppConfig):\n    name = 'blog'\n"
    ),
    "blog__models": "",
    "blog__admin": "",
    "blog__urls": "urlpatterns = []\n",
    "blog__views": "",
    "shop__models": "",
}


@pytest.mark.parametrize(
    ("apps", "present", "absent"),
    [
        (
            '["django.contrib.admin", "blog"]',
            {"django.contrib.admin", "blog", "blog.apps", "blog.models", "blog.admin"},
            {"blog.views", "blog.urls"},
        ),
        (
            '["blog.apps.BlogConfig"]',  # no admin app: admin.py is not autodiscovered
            {"blog.apps", "blog.models"},
            {"blog.apps.BlogConfig", "blog.admin", "blog"},
        ),
        ('["shop", "allauth.account"]', {"shop", "shop.models", "allauth.account"}, {"shop.admin"}),
        (
            '["allauth.account.apps.AccountConfig"]',
            {"allauth.account.apps"},
            {"allauth.account.apps.AccountConfig"},
        ),
    ],
)
def test_installed_apps(apps: str, present: set[str], absent: set[str]) -> None:
    result = django(f"INSTALLED_APPS = {apps}\n", **APP_FILES)
    got = modules(result)
    assert present <= got
    assert not absent & got
    apps_found = [i for i in result.imports if i.via == "INSTALLED_APPS"]
    assert {i.phase for i in apps_found} == {"boot"}
    assert {i.location.file for i in apps_found} == {"mysite/settings.py"}


@pytest.mark.parametrize(
    ("code", "expected", "gone"),
    [
        ('APPS = ["a"]\nAPPS += ["extra"]', {"a", "extra"}, set()),
        ('APPS = ["a"]\nAPPS.append("extra")', {"a", "extra"}, set()),
        ('APPS = ("a",)\nAPPS += ("extra",)', {"a", "extra"}, set()),
        ('APPS = ["a"]\nAPPS.insert(0, "extra")', {"a", "extra"}, set()),
        ('APPS = ["a"]\nAPPS.extend(["extra", "more"])', {"a", "extra", "more"}, set()),
        ('BASE = ["a"]\nAPPS = BASE + ["extra"]', {"a", "extra"}, set()),
        ('BASE = ["a"]\nAPPS = ["extra"] + BASE', {"a", "extra"}, set()),
        ('BASE = ["a"]\nAPPS = [*BASE, "extra"]', {"a", "extra"}, set()),
        ('APPS = ["a", "extra"]\nAPPS.remove("extra")', {"a"}, {"extra"}),
        ('APPS = ["a"]\nAPPS = ["b"]', {"b"}, {"a"}),
        ("APPS = load_apps()", set(), {"a"}),
    ],
)
def test_list_operations(code: str, expected: set[str], gone: set[str]) -> None:
    result = django(code.replace("APPS", "INSTALLED_APPS") + "\n")
    apps = {i.module for i in result.imports if i.via == "INSTALLED_APPS"}
    assert apps == expected
    assert not gone & apps


def test_debug_block_is_recorded_with_its_condition() -> None:
    result = django(
        """
        DEBUG = False
        INSTALLED_APPS = ["a"]
        if DEBUG:
            INSTALLED_APPS += ["debug_toolbar"]
        """
    )
    (toolbar,) = [i for i in result.imports if i.module == "debug_toolbar"]
    assert toolbar.phase == "boot"
    assert [(g.kind, g.condition, g.negated) for g in toolbar.guards] == [
        (GuardKind.CONDITION, "DEBUG", False)
    ]
    (plain,) = [i for i in result.imports if i.module == "a"]
    assert plain.guards == ()


def test_optional_app_in_try_is_guarded() -> None:
    result = django(
        """
        INSTALLED_APPS = []
        try:
            import silk
            INSTALLED_APPS.append("silk")
        except ImportError:
            pass
        """
    )
    (silk,) = [i for i in result.imports if i.module == "silk"]
    assert [g.kind for g in silk.guards] == [GuardKind.EXCEPT_IMPORT]


# -- DATABASES -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "expected"),
    [
        ("django.db.backends.postgresql", {("psycopg2", PG)}),
        ("django.db.backends.postgresql_psycopg2", {("psycopg2", PG)}),
        ("django.contrib.gis.db.backends.postgis", {("psycopg2", PG)}),
        ("django.db.backends.mysql", {("MySQLdb", "mysqlclient")}),
        ("django.db.backends.oracle", {("oracledb", "oracledb|cx-Oracle")}),
        ("django.db.backends.sqlite3", set()),
        ("mssql", {("mssql", "mssql-django"), ("pyodbc", "pyodbc")}),
        ("django_cockroachdb", {("django_cockroachdb", "django-cockroachdb"), ("psycopg2", PG)}),
        (
            "dj_db_conn_pool.backends.postgresql",
            {("dj_db_conn_pool.backends.postgresql", None), ("psycopg2", PG)},
        ),
        ("ldapdb.backends.ldap", {("ldapdb.backends.ldap", None)}),
    ],
)
def test_database_engine(engine: str, expected: set[tuple[str, Optional[str]]]) -> None:
    result = django(f'DATABASES = {{"default": {{"ENGINE": "{engine}", "NAME": "db"}}}}\n')
    drivers = {
        (i.module, i.distribution_hint)
        for i in result.imports
        if i.via and i.via.startswith("DATABASES")
    }
    assert drivers == expected
    assert all(i.phase == "boot" for i in result.imports if i.via and i.via.startswith("DATABASES"))


@pytest.mark.parametrize(
    ("where", "code", "expected"),
    [
        (
            "mysite__init__",
            "import pymysql\npymysql.install_as_MySQLdb()\n",
            ("pymysql", "PyMySQL"),
        ),
        ("settings", "import pymysql\npymysql.install_as_MySQLdb()\n", ("pymysql", "PyMySQL")),
        ("boot", "import pymysql\npymysql.install_as_MySQLdb()\n", ("pymysql", "PyMySQL")),
        (
            "mysite__init__",
            "def f():\n    pymysql.install_as_MySQLdb()\n",
            ("MySQLdb", "mysqlclient"),
        ),
        ("unrelated", "import pymysql\npymysql.install_as_MySQLdb()\n", ("MySQLdb", "mysqlclient")),
    ],
)
def test_pymysql_install_as_mysqldb(where: str, code: str, expected: tuple[str, str]) -> None:
    databases = 'DATABASES = {"default": {"ENGINE": "django.db.backends.mysql"}}\n'
    files = {"mysite/wsgi.py": WSGI, "mysite/__init__.py": "", "mysite/settings.py": databases}
    boot: tuple[str, ...] = ()
    if where == "mysite__init__":
        files["mysite/__init__.py"] = code
    elif where == "settings":
        files["mysite/settings.py"] = code + databases
    elif where == "boot":
        files["app/patch.py"] = code
        boot = ("app/patch.py",)
    else:
        files["scripts/tool.py"] = code
    result = analyse(files, boot=boot)
    drivers = {
        (i.module, i.distribution_hint)
        for i in result.imports
        if i.via and i.via.startswith("DATABASES")
    }
    assert drivers == {expected}


@pytest.mark.parametrize(
    ("code", "env", "expected"),
    [
        (
            'DATABASES = {"default": dj_database_url.config(default="postgres://u:p@h/db")}',
            {},
            {("psycopg2", PG)},
        ),
        (
            'DATABASES = {"default": dj_database_url.config(default="mysql://h/db")}',
            {},
            {("MySQLdb", "mysqlclient")},
        ),
        ('DATABASES = {"default": dj_database_url.parse("sqlite:///db.sqlite3")}', {}, set()),
        (
            'DATABASES = {"default": dj_database_url.config(conn_max_age=600)}',
            {"DATABASE_URL": "postgresql://h/db"},
            {("psycopg2", PG)},
        ),
        (
            'DATABASES = {"default": dj_database_url.config(env="DB", default="sqlite://")}',
            {"DB": "oracle://h/db"},
            {("oracledb", "oracledb|cx-Oracle")},
        ),
        (
            'DATABASES = {"default": {}}\nDATABASES["default"].update(dj_database_url.config(default="postgis://h/d"))',
            {},
            {("psycopg2", PG)},
        ),
        (
            'DATABASES = {}\nDATABASES["default"] = dj_database_url.config(default="mysql2://h/d")',
            {},
            {("MySQLdb", "mysqlclient")},
        ),
        (
            'env = environ.Env()\nDATABASES = {"default": env.db(default="psql://h/d")}',
            {},
            {("psycopg2", PG)},
        ),
        (
            'DATABASES = {"default": env.db("DATABASE_URL", default="mssql://h/d")}',
            {},
            {("mssql", "mssql-django"), ("pyodbc", "pyodbc")},
        ),
        (
            'DATABASES = {"default": dj_database_url.config(default=os.environ.get("FALLBACK", "mysql://h/d"))}',
            {},
            {("MySQLdb", "mysqlclient")},
        ),
    ],
)
def test_database_url(
    code: str, env: dict[str, str], expected: set[tuple[str, Optional[str]]]
) -> None:
    files = {
        "mysite/wsgi.py": WSGI,
        "mysite/settings.py": "import os, dj_database_url, environ\n" + code + "\n",
    }
    result = analyse(files, env)
    drivers = {
        (i.module, i.distribution_hint)
        for i in result.imports
        if i.via and i.via.startswith("DATABASES")
    }
    assert drivers == expected
    assert result.unresolved == ()


@pytest.mark.parametrize(
    ("code", "needs"),
    [
        ('DATABASES = {"default": dj_database_url.config(conn_max_age=600)}', "DATABASE_URL"),
        ('DATABASES = {"default": env.db()}', "DATABASE_URL"),
        ('DATABASES = {"default": {"ENGINE": os.environ["DB_ENGINE"]}}', "DB_ENGINE"),
    ],
)
def test_database_from_environment_is_unresolved(code: str, needs: str) -> None:
    result = analyse({"mysite/wsgi.py": WSGI, "mysite/settings.py": "import os\n" + code + "\n"})
    assert not [i for i in result.imports if i.via and i.via.startswith("DATABASES")]
    assert len(result.unresolved) == 1
    assert result.unresolved[0].location == Location("mysite/settings.py", 2)
    assert needs in result.unresolved_messages[0]
    assert any(needs in note for note in result.notes)


def test_engine_from_environment_with_default() -> None:
    code = (
        "import os\n"
        'DATABASES = {"default": {"ENGINE": os.getenv("ENGINE", "django.db.backends.mysql")}}\n'
    )
    files = {"mysite/wsgi.py": WSGI, "mysite/settings.py": code}
    assert ("MySQLdb", "boot", "mysqlclient") in found(analyse(files))
    targeted = analyse(files, {"ENGINE": "django.db.backends.postgresql"})
    assert ("psycopg2", "boot", PG) in found(targeted)
    assert "MySQLdb" not in modules(targeted)


# -- split settings ---------------------------------------------------------------------------

SPLIT = {
    "mysite/__init__.py": "",
    "mysite/wsgi.py": WSGI.replace('"mysite.settings"', '"mysite.settings.dev"'),
    "mysite/settings/__init__.py": "",
    "mysite/settings/base.py": """
        INSTALLED_APPS = ["django.contrib.auth"]
        MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
        DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}
        """,
    "mysite/settings/dev.py": """
        from .base import *
        INSTALLED_APPS += ["debug_toolbar"]
        """,
    "mysite/settings/production.py": """
        from mysite.settings.base import *
        MIDDLEWARE.insert(0, "whitenoise.middleware.WhiteNoiseMiddleware")
        DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
        try:
            from .local import *
        except ImportError:
            pass
        """,
    "mysite/settings/local.py": 'INSTALLED_APPS = ["local_only"]\n',
}


@pytest.mark.parametrize(
    ("env", "present", "absent"),
    [
        (
            {},
            {"mysite.settings.dev", "django.contrib.auth", "debug_toolbar"},
            {"whitenoise.middleware", "psycopg2"},
        ),
        (
            {"DJANGO_SETTINGS_MODULE": "mysite.settings.production"},
            {
                "mysite.settings.production",
                "django.contrib.auth",
                "whitenoise.middleware",
                "psycopg2",
            },
            {"debug_toolbar", "local_only", "mysite.settings.dev"},
        ),
    ],
)
def test_split_settings(env: dict[str, str], present: set[str], absent: set[str]) -> None:
    result = analyse(SPLIT, env)
    got = modules(result)
    assert present <= got
    assert not absent & got
    # each string is located where it is written, not in the module that star-imports it
    (auth,) = [i for i in result.imports if i.module == "django.contrib.auth"]
    assert auth.location.file == "mysite/settings/base.py"


@pytest.mark.parametrize(
    ("env", "present", "absent"),
    [
        ({"DJANGO_ENV": "production"}, "prod_only", "dev_only"),
        ({}, "dev_only", "prod_only"),
        ({"DJANGO_ENV": "staging"}, "dev_only", "prod_only"),
    ],
)
def test_settings_package_selected_by_environment(
    env: dict[str, str], present: str, absent: str
) -> None:
    files = {
        "mysite/wsgi.py": WSGI,
        "mysite/settings/__init__.py": """
            import os
            if os.environ.get("DJANGO_ENV", "development") == "production":
                from .production import *
            else:
                from .dev import *
            """,
        "mysite/settings/production.py": 'INSTALLED_APPS = ["prod_only"]\n',
        "mysite/settings/dev.py": 'INSTALLED_APPS = ["dev_only"]\n',
    }
    got = modules(analyse(files, env))
    assert present in got
    assert absent not in got


def test_undecided_branches_are_both_read() -> None:
    files = {
        "mysite/wsgi.py": WSGI,
        "mysite/settings/__init__.py": (
            "if SOMETHING:\n    from .a import *\nelse:\n    from .b import *\n"
        ),
        "mysite/settings/a.py": 'MIDDLEWARE = ["a.M"]\n',
        "mysite/settings/b.py": 'MIDDLEWARE = ["b.M"]\n',
    }
    assert {"a", "b"} <= modules(analyse(files))


# -- other settings and their phases ---------------------------------------------------------

FULL = """
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware"]
SESSION_ENGINE = "redis_sessions.session"
ROOT_URLCONF = "mysite.urls"
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    },
    "local": {"BACKEND": "django.core.cache.backends.redis.RedisCache"},
}
TEMPLATES = [{
    "BACKEND": "django.template.backends.jinja2.Jinja2",
    "OPTIONS": {
        "context_processors": ["mysite.context.site"],
        "loaders": [("django.template.loaders.cached.Loader", ["apptemplates.Loader"])],
        "libraries": {"tags": "mysite.templatetags.tags"},
    },
}]
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
STORAGES = {"default": {"BACKEND": "storages.backends.s3boto3.S3Boto3Storage"}}
STATICFILES_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer"}}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_FILTER_BACKENDS": ("django_filters.rest_framework.DjangoFilterBackend",),
    "PAGE_SIZE": 10,
}
WSGI_APPLICATION = "mysite.wsgi.application"
LOGGING = {
    "version": 1,
    "formatters": {"json": {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"}},
    "handlers": {"sentry": {"class": "sentry_sdk.integrations.logging.EventHandler"}},
}
"""


@pytest.mark.parametrize(
    ("module", "phase"),
    [
        ("corsheaders.middleware", "boot"),
        ("redis_sessions.session", "boot"),
        ("pythonjsonlogger.jsonlogger", "boot"),
        ("sentry_sdk.integrations.logging", "boot"),
        ("mysite.urls", "migrate"),
        ("blog.urls", "migrate"),
        ("api.urls", "migrate"),
        ("django_redis.cache", "migrate"),
        ("django_redis.client", "request"),
        ("redis", "request"),
        ("django.template.backends.jinja2", "migrate"),
        ("mysite.context", "migrate"),
        ("django.template.loaders.cached", "migrate"),
        ("apptemplates", "migrate"),
        ("mysite.templatetags.tags", "migrate"),
        ("rest_framework_simplejwt.authentication", "migrate"),
        ("django_filters.rest_framework", "migrate"),
        ("allauth.account.auth_backends", "request"),
        ("django.contrib.auth.hashers", "request"),
        ("storages.backends.s3boto3", "request"),
        ("whitenoise.storage", "request"),
        ("anymail.backends.mailgun", "request"),
        ("channels_redis.core", "request"),
        ("mysite.wsgi", "request"),
    ],
)
def test_setting_phases(module: str, phase: str) -> None:
    urls = {
        "mysite__urls": 'urlpatterns = [path("", include("blog.urls"))]\n',
        "blog__urls": 'urlpatterns = [path("api/", include(("api.urls", "api")))]\n',  # namespaced
    }
    result = django(FULL, **urls)
    phases = {i.phase for i in result.imports if i.module == module}
    assert phases == {phase}


def test_urlconf_includes_are_located_in_the_urlconf() -> None:
    result = django(
        'ROOT_URLCONF = "mysite.urls"\n',
        mysite__urls='urlpatterns = [\n    include("blog.urls"),\n]\n',
    )
    (blog,) = [i for i in result.imports if i.module == "blog.urls"]
    assert (blog.location.file, blog.location.line, blog.via) == (
        "mysite/urls.py",
        2,
        "include() in mysite.urls",
    )


@pytest.mark.parametrize(
    "settings",
    [
        "INSTALLED_APPS = [1, None, 'has space', '', '.relative']\n",
        "DATABASES = {'default': 42}\n",
        "DATABASES = make()\nDATABASES['default']['ENGINE'] = 'x'\n",
        "TEMPLATES = {'not': 'a list'}\nCACHES = []\nLOGGING = 'x'\n",
        "from . import *\nfrom ....too.far import *\n",
    ],
)
def test_odd_settings_do_not_crash(settings: str) -> None:
    result = django(settings)
    assert result.settings_module == "mysite.settings"
    assert modules(result) == {"mysite.settings"}


def test_settings_module_outside_the_project_is_a_note() -> None:
    result = analyse({"mysite/wsgi.py": WSGI.replace("mysite.settings", "elsewhere.settings")})
    assert modules(result) == {"elsewhere.settings"}
    assert any("elsewhere.settings" in note for note in result.notes)


def test_star_import_cycle_terminates() -> None:
    files = {
        "mysite/wsgi.py": WSGI,
        "mysite/settings.py": 'from mysite.other import *\nMIDDLEWARE = ["x.M"]\n',
        "mysite/other.py": "from mysite.settings import *\n",
    }
    assert "x" in modules(analyse(files))


# -- AppConfig.ready(): Django calls it at the end of populate() -------------------------------

APPS_PY = """
from django.apps import AppConfig

class BlogConfig(AppConfig):
    name = "blog"
    def ready(self):
        from blog import signals

class OtherConfig(AppConfig):
    name = "blog"
    default = {default}
    def ready(self):
        import yaml
"""


def ready_callbacks(apps_py: str, init: str = "", django_version: str = "") -> set[tuple[str, str]]:
    files = {
        "mysite/__init__.py": "", "mysite/wsgi.py": WSGI,
        "mysite/settings.py": 'INSTALLED_APPS = ["blog", "shop.apps.ShopConfig"]\n',
        "blog/__init__.py": init, "blog/apps.py": apps_py, "blog/signals.py": "",
        "shop/__init__.py": "", "shop/apps.py": "",
    }
    installed = {"django": django_version} if django_version else {}
    ctx = parsed_context(files, package_modules(list(files)), {}, installed)
    return {(imp.module, function) for imp, function in framework_imports(ctx).callbacks}


@pytest.mark.parametrize(
    ("apps_py", "init", "version", "expected"),
    [
        # the only AppConfig subclass of apps.py (Django 3.2+ picks it by itself)
        (APPS_PY.split("class OtherConfig")[0], "", "", {("blog.apps", "BlogConfig.ready")}),
        # two configs: the one marked default = True
        (APPS_PY.format(default="True"), "", "5.1.4", {("blog.apps", "OtherConfig.ready")}),
        # two configs, none marked: Django uses the base AppConfig, whose ready() does nothing
        (APPS_PY.format(default="False"), "", "", set()),
        # before 3.2 only default_app_config chooses
        (APPS_PY.split("class OtherConfig")[0], "", "2.2.28", set()),
        (APPS_PY.format(default="False"), 'default_app_config = "blog.apps.OtherConfig"\n', "2.2.28",
         {("blog.apps", "OtherConfig.ready")}),
    ],
)
def test_the_app_config_whose_ready_runs_at_boot(
    apps_py: str, init: str, version: str, expected: set[tuple[str, str]]
) -> None:
    # shop.apps.ShopConfig is named outright: its ready() is always the one called
    assert ready_callbacks(apps_py, init, version) == {*expected, ("shop.apps", "ShopConfig.ready")}
