"""The `unused` rule: declared runtime distributions that nothing imports or names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from importaudit.judge.rules import unused_finding
from importaudit.model import Finding, How, Import, Requirement, Source
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


def _is_stub(key: str) -> bool:
    return key.startswith("types-") or key.endswith("-stubs") or key.endswith("-types")


def _used_names(ws: Workspace, audits: Sequence[TargetAudit]) -> set[str]:
    names: set[str] = set()

    def add(imp: Import) -> None:
        names.add(imp.module)
        if imp.how is How.FROM:
            names.update(f"{imp.module}.{n}" for n in imp.names if n != "*")

    for parsed in ws.parsed.values():
        if parsed.is_test:
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


def unused_requirements(ws: Workspace, audits: Sequence[TargetAudit]) -> list[Finding]:
    used = _used_names(ws, audits)
    local = ws.project.first_party | ws.local_names()
    tops = {name.split(".")[0] for name in used} - local
    hinted = _hinted(audits)
    # Imported names no known distribution provides: a declared distribution whose files nobody
    # knows may be the one (django-activity-stream for actstream), so it is not called unused.
    unexplained = {top for top in tops if ws.index.provider(top).source is Source.GUESS}
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for ta in sorted(audits, key=lambda a: a.target.name):
        words = " ".join(ta.target.commands).lower()
        pulled = _required_by_others(ws, ta)
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
            if _matches(used, ws.index.modules_of(key)) or _named_like(key, tops):
                continue
            if unexplained and not ws.index.modules_known(key):
                continue
            target = None if ta.target.implicit else ta.target.name
            finding = unused_finding(_declared(ws, req), target, ta.target.name)
            if finding is not None:
                out.append(finding)
    return out
