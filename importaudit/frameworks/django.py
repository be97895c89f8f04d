"""Django: the settings module and the dotted paths its settings make Django import."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Optional

from importaudit.frameworks.appconfig import app_config_setting, config_name, default_config, django_before
from importaudit.frameworks.context import Collector, FrameworkContext, module_name
from importaudit.frameworks.django_settings import (
    Settings,
    assignment_line,
    find_settings_module,
    installs_pymysql_as_mysqldb,
    literal_settings,
    read_settings,
    runs_django,
)
from importaudit.frameworks.drivers import (
    ANY_DJANGO_DRIVER,
    PSYCOPG_ANY,
    Driver,
    django_engine_drivers,
    django_url_engine,
)
from importaudit.frameworks.logconfig import dictconfig_strings, owner
from importaudit.frameworks.values import (
    CallValue,
    Dict,
    EnvRead,
    Seq,
    Text,
    Value,
    dotted,
    resolve_env,
)
from importaudit.frameworks.walk import all_calls
from importaudit.model import Guard, GuardKind, Location

# Phases (research §3): "boot" = django.setup() + load_middleware(); "migrate" = what
# `manage.py check`/`migrate` also load (URLconf, caches, templates); "request" = first use.
_CLASS_SETTINGS = (
    ("MIDDLEWARE", "boot"),
    ("MIDDLEWARE_CLASSES", "boot"),
    ("AUTHENTICATION_BACKENDS", "request"),
    ("PASSWORD_HASHERS", "request"),
    ("DEFAULT_FILE_STORAGE", "request"),
    ("STATICFILES_STORAGE", "request"),
    ("EMAIL_BACKEND", "request"),
    ("MESSAGE_STORAGE", "request"),
    ("WSGI_APPLICATION", "request"),
    ("ASGI_APPLICATION", "request"),
    ("LOGGING_CONFIG", "boot"),
)
# (setting, key of each alias's dict, phase)
_BACKEND_SETTINGS = (
    ("CACHES", "BACKEND", "migrate"),
    ("STORAGES", "BACKEND", "request"),
    ("CHANNEL_LAYERS", "BACKEND", "request"),
)
# Django's own cache backends import their client library on first use.
_LAZY_CACHE_CLIENTS = {
    "django.core.cache.backends.redis.RedisCache": Driver("redis", "redis"),
    "django.core.cache.backends.memcached.PyMemcacheCache": Driver("pymemcache", "pymemcache"),
    "django.core.cache.backends.memcached.PyLibMCCache": Driver("pylibmc", "pylibmc"),
    "django.core.cache.backends.memcached.MemcachedCache": Driver("memcache", "python-memcached"),
}
_CACHE_OPTION_CLASSES = (
    "CLIENT_CLASS",
    "SERIALIZER",
    "COMPRESSOR",
    "PARSER_CLASS",
    "CONNECTION_POOL_CLASS",
)
_DB_URL_READERS = {"dj_database_url.config": "dj", "dj_database_url.parse": "dj"}


def django_imports(ctx: FrameworkContext, out: Collector) -> None:
    """Everything the Django settings of this target name, with the phase that imports it."""
    found = find_settings_module(ctx)
    runs = runs_django(ctx)
    if found is None:
        if runs is not None:
            out.unfollowed.append(
                f"{runs.file}:{runs.line}: starts Django, but no DJANGO_SETTINGS_MODULE was found (not in the "
                "target's environment, a --settings option, nor an os.environ.setdefault() of a file it runs), "
                "so INSTALLED_APPS and the other settings Django imports were not read"
            )
        return
    module, where = found
    out.settings_module = module
    out.add(module, where, "DJANGO_SETTINGS_MODULE", "boot")
    settings = read_settings(module, ctx)
    out.settings_files.extend(settings.files)
    _included_files(ctx, out, settings)
    out.notes.extend(settings.notes)
    if runs is not None and not settings.files:
        at = f"{where.file}:{where.line}" if where.file else f"{runs.file}:{runs.line}"
        out.unfollowed.append(
            f"{at}: DJANGO_SETTINGS_MODULE is {module}, which is not a module of the project, so its "
            "INSTALLED_APPS and the other settings Django imports were not read"
        )
    out.settings_values = literal_settings(settings.namespace, ctx.env)
    _SettingsStrings(ctx, out, settings).emit(runs is not None)


def _included_files(ctx: FrameworkContext, out: Collector, settings: Settings) -> None:
    """A file django-split-settings includes runs (exec) when the including module is imported:
    its import statements are boot imports, reached through the including file."""
    for host, line, path in settings.included:
        name = module_name(ctx, path)
        if name is None:
            out.notes.append(f"{host}:{line}: include() runs {path}, which is not importable as a module: "
                             "its import statements were not followed")
            continue
        out.add(name, Location(host, line), "django-split-settings include()", "boot")


def _is_path(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


class _SettingsStrings:
    def __init__(self, ctx: FrameworkContext, out: Collector, settings: Settings) -> None:
        self.ctx, self.out, self.settings = ctx, out, settings
        self.ns = settings.namespace
        self.env = dict(ctx.env)

    def emit(self, runs_django: bool = False) -> None:
        self.installed_apps(runs_django)
        self.databases()
        for name, phase in _CLASS_SETTINGS:
            self.classes(self.ns.get(name), name, phase)
        session = self.texts(self.ns.get("SESSION_ENGINE"))
        for text in session:  # SessionMiddleware.__init__ imports the engine module itself
            self.add(text.value, text, "SESSION_ENGINE", "boot")
        for name, key, phase in _BACKEND_SETTINGS:
            for alias, entry in self.aliases(name):
                self.classes(entry.get(key), f"{name}['{alias}'] {key}", phase)
        self.caches()
        self.templates()
        self.rest_framework()
        for module, text in dictconfig_strings(self.ns.get("LOGGING"), self.env):
            self.add(module, text, "LOGGING", "boot")
        for text in self.texts(self.ns.get("ROOT_URLCONF")):
            self.add(text.value, text, "ROOT_URLCONF", "migrate")
            self.urlconf(text.value, ())

    # -- helpers -----------------------------------------------------------------------------

    def add(self, module: str, text: Text, via: str, phase: str, hint: Optional[str] = None) -> None:
        if module:
            self.out.add_text(module, text, via, phase, hint)

    def texts(self, value: Optional[Value]) -> list[Text]:
        """The strings of a setting, env reads replaced by the target's value or default."""
        value = resolve_env(value, self.env)
        if isinstance(value, Text):
            return [value] if _is_path(value.value) else []
        if isinstance(value, Seq):
            return [text for item in value.items for text in self.texts(item)]
        return []

    def classes(self, value: Optional[Value], via: str, phase: str) -> None:
        for text in self.texts(value):
            self.add(owner(text.value), text, via, phase)

    def aliases(self, name: str) -> list[tuple[str, Dict]]:
        value = self.ns.get(name)
        if not isinstance(value, Dict):
            return []
        return [(alias, entry) for alias, entry in value.entries if isinstance(entry, Dict)]

    # -- settings ----------------------------------------------------------------------------

    def installed_apps(self, runs_django: bool = False) -> None:
        value = resolve_env(self.ns.get("INSTALLED_APPS"), self.env)
        if self.settings.files:
            self.check_readable("INSTALLED_APPS", value, runs_django)
        apps = self.texts(value)
        autodiscover = any(
            text.value.startswith("django.contrib.admin") and not text.value.endswith("SimpleAdminConfig")
            for text in apps
        )
        for text in apps:
            entry = text.value
            module, app, config = entry, entry, None
            last = entry.rsplit(".", 1)[-1]
            if entry not in self.ctx.modules and "." in entry and last[:1].isupper():
                module, config = owner(entry), last  # "blog.apps.BlogConfig": an AppConfig class
                app = self.app_of_config(module, last)
            self.add(module, text, "INSTALLED_APPS", "boot")
            if config is not None:
                self.ready(module, config)
            self.out.django_apps.append(app)
            # populate() imports each app's `apps` and `models`; admin autodiscovery its `admin`
            for sub in ("apps", "models", "admin"):
                implied = f"{app}.{sub}"
                if implied != module and implied in self.ctx.modules and (sub != "admin" or autodiscover):
                    self.add(implied, text, "INSTALLED_APPS", "boot")
                    if sub == "apps" and config is None:
                        self.ready(implied, self.package_config(app, implied))
            if entry == "django.contrib.postgres":  # psycopg_any imports the driver at populate()
                self.add(
                    PSYCOPG_ANY.module,
                    text,
                    "INSTALLED_APPS django.contrib.postgres",
                    "boot",
                    PSYCOPG_ANY.hint,
                )

    def package_config(self, app: str, apps_module: str) -> Optional[str]:
        """The AppConfig of an app listed by its package: `default_app_config` in its __init__
        (the only way before Django 3.2), else (3.2+) the one apps.py defines by default."""
        named = app_config_setting(self.ctx, self.ctx.modules.get(app))
        if named is not None and named.rpartition(".")[0] == apps_module:
            return named.rpartition(".")[2]
        if named is not None or django_before(self.ctx.installed.get("django", ""), (3, 2)):
            return None  # another module's config, or a Django that picks none by itself
        return default_config(self.ctx, self.ctx.modules[apps_module])

    def ready(self, module: str, config: Optional[str]) -> None:
        """populate() ends by calling each app config's `ready()`: what it imports and calls runs
        at boot (`import blog.signals`). The import just added is the one that loads the class."""
        if config is not None and module in self.ctx.modules:
            self.out.callbacks.append((self.out.imports[-1], f"{config}.ready"))

    def check_readable(self, name: str, value: Optional[Value], runs_django: bool) -> None:
        """A setting Django imports from at boot: read whole, read in part (noted), or not at all
        (the target cannot be said to boot, when it runs Django)."""
        line = assignment_line(self.ctx, self.settings.files, name)
        if isinstance(value, Seq):
            unknown = sum(1 for item in value.items if not isinstance(resolve_env(item, self.env), (Text, Seq)))
            if unknown:
                where = f"{line[0]}:{line[1]}" if line else self.settings.files[0]
                self.out.notes.append(
                    f"{where}: {name} has {unknown} element(s) importaudit cannot read (an environment value, "
                    "a call or a condition): only its literal entries were checked"
                )
            return
        if not runs_django:
            return
        guarded = [n for n in self.settings.notes if ": skipped the guarded import of " in n]
        if line is None and guarded:
            # `try: from .dev import * / except: from .prod import *`: which one the deploy gets
            # depends on whether the first import succeeds there
            self.out.unfollowed.append(
                f"{guarded[0]}, and {self.settings.module} sets {name} nowhere else: which settings "
                "the deploy gets depends on whether that import succeeds there"
            )
        elif line is None:
            self.out.unfollowed.append(
                f"{self.settings.files[0]}:1: the settings module {self.settings.module} sets no {name} "
                "that importaudit can find (read: " + ", ".join(self.settings.files) + ")"
            )
        else:
            self.out.unfollowed.append(
                f"{line[0]}:{line[1]}: {name} is built in a way importaudit cannot read, so the apps "
                "Django imports at boot are unknown"
            )

    def app_of_config(self, module: str, class_name: str) -> str:
        """The app package of an AppConfig: its `name = "..."`, else the module's parent."""
        path = self.ctx.modules.get(module)
        name = config_name(self.ctx, path, class_name) if path is not None else None
        if name is not None:
            return name
        return owner(module) if module.endswith(".apps") else module

    def databases(self) -> None:
        pymysql = installs_pymysql_as_mysqldb(self.ctx, self.settings)
        value = self.ns.get("DATABASES")
        if not isinstance(value, Dict):
            return
        for alias, entry in value.entries:
            via = f"DATABASES['{alias}']"
            if isinstance(entry, Dict):
                url_call = entry.get("**")  # DATABASES["default"].update(dj_database_url.config())
                if url_call is not None:
                    self.database_url(url_call, via, pymysql)
                    continue
                engine = entry.get("ENGINE")
                if engine is not None:
                    self.engine(engine, f"{via} ENGINE", pymysql)
            elif entry is not None:
                self.database_url(entry, via, pymysql)

    def engine(self, value: Value, via: str, pymysql: bool) -> None:
        resolved = resolve_env(value, self.env)
        if isinstance(resolved, Text):
            self.drivers(django_engine_drivers(resolved.value, pymysql), resolved, via)
        elif isinstance(value, EnvRead):
            where = Location(value.file, value.line)
            self.out.unknown(
                "",
                where,
                via,
                "boot",
                (
                    f"{via} comes from the environment variable {value.var} with no default; "
                    f"the database driver is unknown (set a default or the target's {value.var})"
                ),
                hint=ANY_DJANGO_DRIVER,
            )

    def database_url(self, value: Value, via: str, pymysql: bool) -> None:
        """dj_database_url.config()/parse() and django-environ env.db(): URL scheme -> ENGINE."""
        if not isinstance(value, CallValue):
            return
        library = _DB_URL_READERS.get(value.callee)
        if library is None and value.callee.rsplit(".", 1)[-1] in {"db", "db_url"}:
            library = "environ"
        if library is None:
            return
        var, url = _url_source(value)
        from_default = bool(var) and var not in self.env
        if var and var in self.env:
            url = Text(self.env[var], value.file, value.line)
        url = resolve_env(url, self.env)
        where = Location(value.file, value.line)
        if from_default and isinstance(url, Text):
            # The default is the database only where nothing sets the variable, and the platform
            # may (a Heroku add-on, a compose env_file, a secret): the driver it names is needed
            # under that condition, a warning that says so, never a certain boot failure.
            unset = Guard(GuardKind.CONDITION, f"not os.environ.get({var!r})", line=value.line)
            url = replace(url, guards=(*url.guards, unset))
        if not isinstance(url, Text):
            self.out.unknown(
                "",
                where,
                via,
                "boot",
                (
                    f"{via} is read from the environment variable {var or 'DATABASE_URL'} "
                    "with no default; the database driver is unknown (set a default or the "
                    "target's DATABASE_URL)"
                ),
                hint=ANY_DJANGO_DRIVER,
            )
            return
        engine = django_url_engine(url.value, library)
        if engine is None:
            self.out.unknown("", where, via, "boot", f"{via}: the URL {url.value!r} names no known engine")
            return
        self.drivers(django_engine_drivers(engine, pymysql), url, f"{via} {value.callee}")

    def drivers(self, drivers: tuple[Driver, ...], text: Text, via: str) -> None:
        for driver in drivers:
            self.add(driver.module, text, via, "boot", driver.hint)

    def caches(self) -> None:
        for alias, entry in self.aliases("CACHES"):
            for text in self.texts(entry.get("BACKEND")):
                client = _LAZY_CACHE_CLIENTS.get(text.value)
                if client is not None:
                    self.add(client.module, text, f"CACHES['{alias}'] BACKEND", "request", client.hint)
            options = entry.get("OPTIONS")
            if isinstance(options, Dict):
                for key in _CACHE_OPTION_CLASSES:
                    self.classes(options.get(key), f"CACHES['{alias}'] OPTIONS {key}", "request")

    def templates(self) -> None:
        value = self.ns.get("TEMPLATES")
        engines = value.items if isinstance(value, Seq) else ()
        for engine in engines:
            if not isinstance(engine, Dict):
                continue
            self.classes(engine.get("BACKEND"), "TEMPLATES BACKEND", "migrate")
            options = engine.get("OPTIONS")
            if not isinstance(options, Dict):
                continue
            self.classes(options.get("loaders"), "TEMPLATES loaders", "migrate")
            self.classes(options.get("context_processors"), "TEMPLATES context_processors", "migrate")
            for text in self.texts(options.get("builtins")):
                self.add(text.value, text, "TEMPLATES builtins", "migrate")
            libraries = options.get("libraries")
            if isinstance(libraries, Dict):
                for _, library in libraries.entries:
                    for text in self.texts(library):
                        self.add(text.value, text, "TEMPLATES libraries", "migrate")

    def rest_framework(self) -> None:
        value = self.ns.get("REST_FRAMEWORK")
        if not isinstance(value, Dict):
            return
        for key, item in value.entries:
            if key.startswith("DEFAULT_") or key.endswith(("_CLASS", "_CLASSES", "_HANDLER")):
                self.classes(item, f"REST_FRAMEWORK {key}", "migrate")

    def urlconf(self, module: str, seen: tuple[str, ...]) -> None:
        """`include("x.urls")` strings of a first-party URLconf, recursively."""
        path = self.ctx.modules.get(module)
        if path is None or module in seen:
            return
        for text in _includes(self.ctx, path):
            self.add(text.value, text, f"include() in {module}", "migrate")
            self.urlconf(text.value, (*seen, module))


def _includes(ctx: FrameworkContext, path: str) -> tuple[Text, ...]:
    """The `include("x.urls")` strings of a URLconf file, in source order (read once per run)."""
    key = "django-includes:" + path
    found = ctx.run.memo.get(key)
    if isinstance(found, tuple):
        return found
    texts: list[Text] = []
    tree = ctx.tree(path)
    for node in all_calls(tree) if tree is not None else ():
        if (dotted(node.func) or "").rsplit(".", 1)[-1] != "include":
            continue
        if not node.args:
            continue
        first = node.args[0]
        if isinstance(first, ast.Tuple) and first.elts:
            first = first.elts[0]  # include(("blog.urls", "blog"))
        if isinstance(first, ast.Constant) and isinstance(first.value, str) and _is_path(first.value):
            texts.append(Text(first.value, path, first.lineno, first.col_offset))
    result = ctx.run.memo[key] = tuple(texts)
    return result


def _url_source(call: CallValue) -> tuple[str, Optional[Value]]:
    """(environment variable, default URL) of a URL-reading call."""
    first = call.args[0] if call.args else None
    if call.callee == "dj_database_url.parse":
        return "", first
    if call.callee == "dj_database_url.config":
        env = call.kwarg("env")
        var = env.value if isinstance(env, Text) else "DATABASE_URL"
        return var, call.kwarg("default")
    var_value = call.kwarg("var") or first
    var = var_value.value if isinstance(var_value, Text) else "DATABASE_URL"
    default = call.kwarg("default") or (call.args[1] if len(call.args) > 1 else None)
    return var, default
