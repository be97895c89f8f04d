"""The `unused` rule: declared runtime distributions that nothing imports or names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from importaudit.judge.rules import unused_finding
from importaudit.model import Finding, How, Import, Requirement, Severity, Source
from importaudit.providers.names import named_like

if TYPE_CHECKING:
    from importaudit.judge.audit import TargetAudit
    from importaudit.workspace import Workspace

# Used without an import statement: servers and wrappers (named in start commands), database
# drivers and plugins loaded from settings strings, packaging tools, meta-packages.
NEVER_UNUSED = frozenset(
    {
        "gunicorn",
        "uvicorn",
        "uvicorn-worker",
        "hypercorn",
        "daphne",
        "waitress",
        "granian",
        "gevent",
        "eventlet",
        "meinheld",
        "uwsgi",
        "pyuwsgi",
        "mod-wsgi",
        "supervisor",
        "honcho",
        "newrelic",
        "ddtrace",
        "opentelemetry-distro",
        "opentelemetry-instrumentation",
        "sentry-sdk",
        "setuptools",
        "pip",
        "wheel",
        "pip-tools",
        "uv",
        "poetry",
        "pipenv",
        "pdm",
        "psycopg",
        "psycopg-binary",
        "psycopg-c",
        "psycopg2",
        "psycopg2-binary",
        "psycopg-pool",
        "mysqlclient",
        "pymysql",
        "mysql-connector-python",
        "cx-oracle",
        "oracledb",
        "pyodbc",
        "asyncpg",
        "aiosqlite",
        "aiomysql",
        "pg8000",
        "mssql-django",
        "uvloop",
        "httptools",
        "websockets",
        "wsproto",
        "watchfiles",
        "python-dotenv",
        "brotli",
        "brotlipy",
        "certifi",
        "tzdata",
        "gunicorn-h1c",
        "setproctitle",
        "whitenoise",
        "django-environ",
        "dj-database-url",
        "django-storages",
        "celery",
        "flower",
        "hiredis",
        "amqp",
        "kombu",
        "pycurl",
        "fastapi-cli",
        "streamlit",
        "alembic",
        # loaded by a framework when a feature is used: pydantic EmailStr, FastAPI forms and
        # ORJSONResponse, Django password hashers and ImageField, PyJWT/requests crypto backends
        "email-validator",
        "python-multipart",
        "orjson",
        "cryptography",
        "bcrypt",
        "argon2-cffi",
        "pillow",
        "gevent-websocket",
        "pyopenssl",
    }
)


# Distributions a library loads by name, never through an import in the project's code: a parser
# backend, a session signer, a driver named in a URL, a template engine, a search or cache backend.
# The loader (a distribution the target installs, directly or not) -> what it may load.
_DB_DRIVERS = ("psycopg", "psycopg2", "psycopg2-binary", "pymysql", "mysqlclient", "asyncpg", "aiosqlite",
               "aiomysql", "asyncmy", "oracledb", "cx-oracle", "pyodbc", "pg8000", "pymssql", "sqlalchemy-utils")
_CACHES = ("redis", "hiredis", "pylibmc", "pymemcache", "python-memcached", "cachelib")
# What a URL read at run time (DATABASE_URL, a broker URL) may select: drivers and transports.
RUNTIME_CHOSEN = frozenset((*_DB_DRIVERS, *_CACHES, "pika", "librabbitmq", "amqp", "pymongo", "boto3", "pycurl"))
LOADED_BY: dict[str, tuple[str, ...]] = {
    "beautifulsoup4": ("lxml", "html5lib"),
    "starlette": ("itsdangerous", "jinja2", "python-multipart", "pyyaml", "httpx"),
    "fastapi": ("itsdangerous", "jinja2", "python-multipart", "email-validator", "ujson", "orjson", "httpx"),
    "flask": ("python-dotenv", "watchdog", "asgiref"),
    "pydantic": ("email-validator", "python-dotenv"),
    "pydantic-settings": ("python-dotenv", "pyyaml"),
    "sqlalchemy": _DB_DRIVERS,
    "flask-sqlalchemy": _DB_DRIVERS,
    "alembic": _DB_DRIVERS,
    "databases": _DB_DRIVERS,
    "tortoise-orm": _DB_DRIVERS,
    "peewee": _DB_DRIVERS,
    "dj-database-url": _DB_DRIVERS,
    "django": (*_DB_DRIVERS, *_CACHES, "jinja2", "argon2-cffi", "bcrypt", "pillow", "pyyaml", "tblib"),
    "celery": ("redis", "librabbitmq", "pymongo", "sqlalchemy", "msgpack", "pyyaml", "eventlet", "gevent"),
    "kombu": ("redis", "librabbitmq", "pymongo", "boto3", "pycurl", "msgpack"),
    "dramatiq": ("redis", "pika"),
    "flask-caching": _CACHES,
    "flask-limiter": _CACHES,
    "flask-session": (*_CACHES, "pymongo", "sqlalchemy"),
    "django-redis": ("redis", "hiredis"),
    "channels": ("channels-redis", "daphne"),
    "django-haystack": ("elasticsearch", "whoosh", "pysolr", "xapian-haystack"),
    "django-storages": ("boto3", "google-cloud-storage", "azure-storage-blob", "paramiko", "dropbox"),
    "django-anymail": ("boto3", "requests"),
    "wagtail": ("elasticsearch", "pillow", "wand"),
    "pandas": ("openpyxl", "xlrd", "xlsxwriter", "odfpy", "pyarrow", "fastparquet", "tables", "lxml",
               "html5lib", "sqlalchemy", "tabulate"),
    "requests": ("pysocks", "chardet", "charset-normalizer", "brotli"),
    "httpx": ("h2", "socksio", "brotli", "zstandard"),
    "aiohttp": ("aiodns", "brotli", "cchardet"),
    "pyjwt": ("cryptography",),
    "python-jose": ("cryptography", "pycryptodome"),
    "passlib": ("bcrypt", "argon2-cffi"),
    "pymongo": ("dnspython",),
    "motor": ("dnspython",),
    "mongoengine": ("dnspython",),
    "markdown": ("pygments",),
    "mistune": ("pygments",),
    "jinja2": ("markupsafe", "babel"),
    "weasyprint": ("pydyf",),
    "social-auth-app-django": ("python3-openid", "pyjwt"),
    "django-allauth": ("python3-openid", "pyjwt", "requests-oauthlib", "cryptography", "fido2", "qrcode"),
    "django-markupfield": ("markdown", "docutils", "smartypants", "pygments"),
    "lxml": ("cssselect", "html5lib", "beautifulsoup4"),
    "pyquery": ("cssselect",),
    "structlog": ("rich", "colorama"),
}


def _is_stub(key: str) -> bool:
    return key.startswith("types-") or key.endswith("-stubs") or key.endswith("-types")


def _covers(ta: TargetAudit, path: str) -> bool:
    """Whether the target has this file: it ships it, or its boot reaches it."""
    return ta.target.carries(path) or (ta.graph is not None and ta.graph.reached(path))


def _used_names(ws: Workspace, audits: Sequence[TargetAudit]) -> set[str]:
    """What the code these targets have imports or names: another service's code, or code no
    target ships, does not make a distribution used in these targets' environment."""
    names: set[str] = set()

    def add(imp: Import) -> None:
        names.add(imp.module)
        if imp.how is How.FROM:
            names.update(f"{imp.module}.{n}" for n in imp.names if n != "*")

    for path, parsed in ws.parsed.items():
        if parsed.is_test or not any(_covers(ta, path) for ta in audits):
            continue
        for imp in parsed.imports:
            add(imp)
    for ta in audits:
        for imps in ta.string_imports.values():
            for imp in imps:
                add(imp)
        for imp in ta.entry_imports:
            add(imp)
    return names


def _hinted(audits: Iterable[TargetAudit]) -> set[str]:
    from packaging.utils import canonicalize_name

    out: set[str] = set()
    for ta in audits:
        for imps in (*ta.string_imports.values(), ta.entry_imports):
            for imp in imps:
                if imp.distribution_hint:
                    out.update(canonicalize_name(h) for h in imp.distribution_hint.split("|"))
        for entry in ta.target.entries:
            if entry.distribution:
                out.update(canonicalize_name(d) for d in entry.distribution.split("|") if d.strip())
        out.update(canonicalize_name(p) for p in ta.target.provided)
    return out


def _matches(used: set[str], provided: Iterable[str]) -> bool:
    for module in provided:
        if module in used:
            return True
        prefix = module + "."
        if any(name.startswith(prefix) or module.startswith(name + ".") for name in used):
            return True
    return False


def _required_by_others(ws: Workspace, ta: TargetAudit) -> set[str]:
    """Declared distributions that another declared distribution depends on (freeze-style pins)."""
    out: set[str] = set()
    for key, req in ta.installed.direct.items():
        # Any platform or Python: a freeze pins what another package needs somewhere.
        out.update(dep for dep in ws.index.ever_requires(key, tuple(req.extras)) if dep != key)
    return out


def _named_like(key: str, tops: set[str]) -> bool:
    """An imported top-level name the distribution is named after: with nothing installed, the
    best evidence there is (names.named_like); one-word names under 4 letters are too weak."""
    return any(named_like(top, key) for top in tops if "_" in top or len(top) >= 4)


def _declared(ws: Workspace, req: Requirement) -> Requirement:
    """A locked entry's own declaration (pyproject's line, not the lock's), when there is one."""
    if not req.locked or ws.declaration is None:
        return req
    groups = (ws.declaration.main, *ws.declaration.extras.values(), *ws.declaration.groups.values())
    for group in groups:
        for declared in group:
            if declared.key == req.key:
                return declared
    return req


def _unparsed(ws: Workspace, ta: TargetAudit) -> Optional[str]:
    """A source file this target carries that could not be parsed: its imports are unknown."""
    for path, parsed in sorted(ws.parsed.items()):  # the stored facts: a sweep parses nothing
        if parsed.syntax_error is not None and not parsed.is_test and ta.target.carries(path):
            return path
    return None


def _loaded(ws: Workspace, ta: TargetAudit) -> set[str]:
    """What the libraries this target installs may load by name (LOADED_BY)."""
    have = set(ta.installed.direct) | set(ta.installed.transitive)
    out: set[str] = set()
    for loader in have:
        out.update(LOADED_BY.get(loader, ()))
    return out


def _dynamic(ta: TargetAudit, key: str) -> Optional[str]:
    """A setting that names a module only at run time (an env var with no default) and may name this
    distribution: any, when the setting names a module; a driver or transport, when it is a URL."""
    for imp, why in ta.unresolved_strings:
        if imp.module or key in RUNTIME_CHOSEN:
            return f"{imp.location.file}:{imp.location.line} ({why or imp.via or 'a setting'})"
    return None


def _has_code(ws: Workspace, audits: Sequence[TargetAudit]) -> bool:
    """Whether these targets carry any application code: an image of a tool (mkdocs, sphinx, a
    schema generator) uses what it installs through that tool, never through an import."""
    return any(
        not parsed.is_test and any(_covers(ta, path) for ta in audits) for path, parsed in ws.parsed.items()
    )


def _sharing(audits: Sequence[TargetAudit], req: Requirement) -> list[TargetAudit]:
    """The targets that install this declaration (the same line of the same file): removing it
    changes every one of them, so it is unused only when none of them uses it."""
    return [ta for ta in audits if (other := ta.installed.direct.get(req.key)) is not None
            and other.source == req.source]


def unused_requirements(ws: Workspace, audits: Sequence[TargetAudit]) -> list[Finding]:
    local = ws.project.first_party | ws.local_names()
    hinted = _hinted(audits)
    usage: dict[frozenset[str], tuple[set[str], set[str], set[str]]] = {}

    def used_by(group: Sequence[TargetAudit]) -> tuple[set[str], set[str], set[str]]:
        """(names used, their top-level names, those no known distribution provides)."""
        key = frozenset(ta.target.name for ta in group)
        if key not in usage:
            used = _used_names(ws, group)
            tops = {name.split(".")[0] for name in used} - local
            # Imported names no known distribution provides: a declared distribution whose files
            # nobody knows may be the one (django-activity-stream for actstream): not unused.
            unexplained = {top for top in tops if ws.index.provider(top).source is Source.GUESS}
            usage[key] = (used, tops, unexplained)
        return usage[key]

    blind = {ta.target.name: _unparsed(ws, ta) is not None for ta in audits}

    def unparsed(ta: TargetAudit) -> bool:
        return blind.get(ta.target.name, False)

    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for ta in sorted(audits, key=lambda a: a.target.name):
        if unparsed(ta):
            continue  # an import in that file may be the one that uses it: never "remove it" blind
        words = " ".join(ta.target.commands).lower()
        pulled = _required_by_others(ws, ta) | _loaded(ws, ta)
        for key, req in sorted(ta.installed.direct.items()):
            if (req.source, key) in seen or req.dev or (req.locked and not req.direct):
                continue
            if req.group.startswith("extra:") or key in pulled:
                # An extra is opt-in; a pin of another requirement's dependency is a choice.
                continue
            seen.add((req.source, key))
            if key in NEVER_UNUSED or key in hinted or _is_stub(key) or key in words:
                continue
            if ws.declaration is not None and key == ws.declaration.name:
                continue
            group = _sharing(audits, req) or [ta]
            if any(unparsed(other) for other in group) or not _has_code(ws, group):
                continue
            used, tops, unexplained = used_by(group)
            if _matches(used, ws.index.modules_of(key)) or _named_like(key, tops):
                continue
            if unexplained and not ws.index.modules_known(key):
                continue
            target = None if ta.target.implicit else ta.target.name
            finding = unused_finding(_declared(ws, req), target, ta.target.name)
            dynamic = _dynamic(ta, key)
            if finding is not None and dynamic is not None:
                finding = replace(
                    finding, severity=Severity.INFO,
                    message=f"{finding.file} declares {req.name}, and no code imports it; but a setting names "
                    f"a module only at run time at {dynamic}, which may load it: keep it unless you know it "
                    "does not",
                    fix=None,
                )
            if finding is not None:
                out.append(finding)
    return out
