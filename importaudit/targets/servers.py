"""Servers and CLIs besides gunicorn: uvicorn, hypercorn, daphne, waitress, granian, flask..."""

from __future__ import annotations

import configparser
import dataclasses
import posixpath
import sys
from collections.abc import Sequence
from typing import Callable, Optional

from importaudit.model import Entry, EntryKind
from importaudit.targets.appspec import (
    CommandContext,
    Parts,
    cwd_on_path,
    file_entry,
    last,
    module_entry,
    scan_options,
)
from importaudit.targets.cli_options import GRANIAN_FLAGS, RELEASE_COMMANDS, UVICORN_VALUES, WAITRESS_FLAGS
from importaudit.targets.console import parse_pserve
from importaudit.targets.gunicorn import parse_gunicorn
from importaudit.targets.litestar import parse_litestar
from importaudit.targets.supervisors import parse_supervisord
from importaudit.targets.uwsgi import parse_uwsgi
from importaudit.targets.workers import (
    flask_app_from_dotenv,
    manage_worker,
    parse_arq,
    parse_dramatiq,
    parse_huey,
    parse_rq,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

_HYPERCORN_FLAGS = frozenset({"-D", "--daemon", "--debug", "--reload", "--help", "-h"})
_DAPHNE_FLAGS = frozenset({"--proxy-headers", "-s", "--no-server-name", "--help", "-h"})
# Option value -> (module, distribution) the server imports for it.
_UVICORN_OPTION_MODULES = {
    ("--loop", "uvloop"): ("uvloop", "uvloop"),
    ("--http", "httptools"): ("httptools", "httptools"),
    ("--ws", "websockets"): ("websockets", "websockets"),
    ("--ws", "websockets-sansio"): ("websockets", "websockets"),
    ("--ws", "wsproto"): ("wsproto", "wsproto"),
}
_LOOPS = {"uvloop": "uvloop", "rloop": "rloop", "winloop": "winloop", "trio": "trio"}
_FASTAPI_FILES = ("main.py", "app.py", "api.py", "app/main.py", "app/app.py", "app/api.py")


def parse_uvicorn(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    parts.server = "uvicorn"
    parts.need("uvicorn")
    options, positionals = scan_options(args, UVICORN_VALUES)
    for (option, value), (module, dist) in _UVICORN_OPTION_MODULES.items():
        if last(options, option) == value:
            parts.server_entry(module, dist, f"uvicorn {option}", ctx)
    if last(options, "--env-file"):
        parts.server_entry("dotenv", "python-dotenv", "uvicorn --env-file", ctx)
    log_config = last(options, "--log-config") or ""
    if log_config.endswith((".yaml", ".yml")):
        parts.server_entry("yaml", "PyYAML", "uvicorn --log-config", ctx)
    app_dir = last(options, "--app-dir")
    here = ctx
    if app_dir:
        here = dataclasses.replace(ctx, cwd=posixpath.normpath(posixpath.join(ctx.cwd, app_dir)))
        parts.add_path(here.repo_path("."), here, f"--app-dir {app_dir}")
    else:
        cwd_on_path(parts, ctx)
    if not positionals:
        parts.note("uvicorn is given no app (module:attr)")
        return
    if ":" not in positionals[0]:
        parts.note(f"uvicorn needs module:attr, got `{positionals[0]}` (it exits at start)")
    factory = any(name == "--factory" for name, _ in options)
    module_entry(positionals[0], parts, here, "uvicorn", None, "master", factory)


def parse_hypercorn(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    parts.server = "hypercorn"
    parts.need("hypercorn")
    options, positionals = scan_options(args, frozenset(), _HYPERCORN_FLAGS)
    worker = last(options, "-k", "--worker-class")
    if worker in _LOOPS:
        parts.server_entry(worker, _LOOPS[worker], "hypercorn -k", ctx)
    config = last(options, "-c", "--config")
    if config and config.startswith("python:"):
        parts.entries.append(
            Entry(config[7:], EntryKind.CONFIG, via="hypercorn -c", location=ctx.location, phase="master")
        )
    elif config and config.startswith("file:"):
        file_entry(config[5:], parts, ctx, "hypercorn -c", EntryKind.CONFIG)
    cwd_on_path(parts, ctx)
    if not positionals:
        parts.note("hypercorn is given no app")
        return
    spec = positionals[0]
    if spec.count(":") == 2 and spec.split(":", 1)[0] in ("asgi", "wsgi"):
        spec = spec.split(":", 1)[1]
    module_entry(spec, parts, ctx, "hypercorn", "app", "master")


def parse_daphne(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    parts.server = "daphne"
    parts.need("daphne")
    _, positionals = scan_options(args, frozenset({"-b", "-p", "-u", "-e", "-v", "-t"}), _DAPHNE_FLAGS)
    cwd_on_path(parts, ctx)
    if not positionals:
        parts.note("daphne is given no application")
        return
    module_entry(positionals[-1], parts, ctx, "daphne", None, "master")


def parse_waitress(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    parts.server = "waitress"
    parts.need("waitress")
    options, positionals = scan_options(args, frozenset(), WAITRESS_FLAGS)
    spec = last(options, "--app") or (positionals[0] if positionals else None)
    cwd_on_path(parts, ctx)
    if not spec:
        parts.note("waitress-serve is given no application")
        return
    if ":" not in spec and "." in spec:  # pkgutil.resolve_name also takes pkg.mod.obj
        spec = "{}:{}".format(*spec.rsplit(".", 1))
    call = any(name == "--call" for name, _ in options)
    module_entry(spec, parts, ctx, "waitress-serve", None, "master", call)


def parse_granian(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    parts.server = "granian"
    parts.need("granian")
    options, positionals = scan_options(args, frozenset(), GRANIAN_FLAGS)
    loop = last(options, "--loop")
    if loop in _LOOPS:
        parts.server_entry(loop, _LOOPS[loop], "granian --loop", ctx)
    if last(options, "--env-files"):
        parts.server_entry("dotenv", "python-dotenv", "granian --env-files", ctx)
    if last(options, "--interface") is None:
        parts.note("granian defaults to --interface rsgi: an ASGI/WSGI app needs --interface")
    working = last(options, "--working-dir")
    here = ctx
    if working:
        here = dataclasses.replace(ctx, cwd=posixpath.normpath(posixpath.join(ctx.cwd, working)))
    cwd_on_path(parts, here)
    if not positionals:
        parts.note("granian is given no app")
        return
    factory = any(name == "--factory" for name, _ in options)
    module_entry(positionals[0], parts, here, "granian", "app", "master", factory)


def _fastapi_entrypoint(ctx: CommandContext) -> Optional[str]:
    pyproject = ctx.repo_path("pyproject.toml")
    if not ctx.is_file(pyproject):
        return None
    try:
        data = tomllib.loads((ctx.root / str(pyproject)).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    value = data.get("tool", {}).get("fastapi", {}).get("entrypoint")
    return value if isinstance(value, str) else None


def parse_fastapi(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    parts.server = "fastapi"
    parts.need("fastapi-cli")
    parts.server_entry("fastapi_cli", "fastapi-cli", "fastapi", ctx)
    options, positionals = scan_options(
        args,
        frozenset(
            {
                "--app",
                "--entrypoint",
                "--host",
                "--port",
                "--root-path",
                "--workers",
                "--reload-dir",
                "--forwarded-allow-ips",
            }
        ),
    )
    if not positionals or positionals[0] not in ("run", "dev"):
        parts.note(f"could not tell what `fastapi {' '.join(args)}` runs")
        return
    attr = last(options, "--app") or "app"
    entrypoint = last(options, "--entrypoint") or _fastapi_entrypoint(ctx)
    if len(positionals) > 1:
        file_entry(positionals[1], parts, ctx, "fastapi", EntryKind.APP, attr)
    elif entrypoint:
        module_entry(entrypoint, parts, ctx, "fastapi", attr, "master")
    else:
        for candidate in _FASTAPI_FILES:
            if ctx.is_file(ctx.repo_path(candidate)):
                file_entry(candidate, parts, ctx, "fastapi", EntryKind.APP, attr)
                return
        parts.note("fastapi found none of main.py, app.py, api.py, app/main.py, app/app.py, app/api.py")


def parse_flask(args: Sequence[str], parts: Parts, ctx: CommandContext, program: str = "flask") -> None:
    parts.server = program
    parts.need(program)
    options, positionals = scan_options(
        args,
        frozenset(
            {
                "--app",
                "-A",
                "--env-file",
                "-e",
                "--host",
                "-h",
                "--port",
                "-p",
                "--cert",
                "--key",
                "--extra-files",
                "--exclude-patterns",
            }
        ),
    )
    if last(options, "--env-file", "-e"):
        parts.server_entry("dotenv", "python-dotenv", f"{program} --env-file", ctx)
    # `flask db upgrade`, `flask translate compile`: they import the app, then end.
    parts.one_shot = bool(positionals) and positionals[0] != "run"
    spec = last(options, "--app", "-A") or ctx.env.get(f"{program.upper()}_APP")
    cwd_on_path(parts, ctx)
    if not spec:
        found = flask_app_from_dotenv(ctx)
        if found:
            spec = found[0]
            # flask reads .flaskenv/.env only when python-dotenv is installed.
            parts.server_entry("dotenv", "python-dotenv", f"{program} {posixpath.basename(found[1])}", ctx)
    if not spec:
        defaults = ("app.py",) if program == "quart" else ("wsgi.py", "app.py")
        for candidate in defaults:
            if ctx.is_file(ctx.repo_path(candidate)):
                spec = candidate
                break
    if not spec:
        parts.note(f"{program} finds no app: no --app, no {program.upper()}_APP, no app.py")
        return
    module_entry(spec, parts, ctx, program, None, "master")


def parse_celery(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    parts.server = "celery"
    parts.need("celery")
    options, _ = scan_options(
        args,
        frozenset(
            {
                "-A",
                "--app",
                "-b",
                "--broker",
                "--result-backend",
                "--loader",
                "--config",
                "--workdir",
                "-l",
                "--loglevel",
                "-c",
                "--concurrency",
                "-P",
                "--pool",
                "-Q",
                "--queues",
                "-n",
                "--hostname",
                "-s",
                "--schedule",
                "-S",
                "--scheduler",
                "--logfile",
                "-f",
                "--pidfile",
                "-E",
                "--max-tasks-per-child",
                "--autoscale",
                "-O",
                "--uid",
                "--gid",
            }
        ),
    )
    pool = last(options, "-P", "--pool")
    if pool in ("gevent", "eventlet"):
        parts.server_entry(pool, pool, "celery --pool", ctx)
    app = last(options, "-A", "--app")
    cwd_on_path(parts, ctx)
    if not app:
        parts.note("celery is given no -A/--app")
        return
    if ":" in app:
        module_entry(app, parts, ctx, "celery", None, "master")
        return
    # celery tries the module, then `module.celery` for a package; `a.b` may be module a attr b.
    module = app
    repo_base = ctx.repo_path(app.replace(".", "/"))
    as_module = repo_base is not None and (
        ctx.is_file(f"{repo_base}.py") or ctx.is_file(f"{repo_base}/__init__.py")
    )
    if not as_module and "." in app:
        head, attr = app.rsplit(".", 1)
        head_base = ctx.repo_path(head.replace(".", "/"))
        if head_base is not None and (ctx.is_file(f"{head_base}.py") or ctx.is_file(f"{head_base}/__init__.py")):
            module_entry(f"{head}:{attr}", parts, ctx, "celery", None, "master")
            return
    if repo_base is not None and ctx.is_file(f"{repo_base}/celery.py"):
        parts.entries.append(Entry(module, EntryKind.APP, via="celery", location=ctx.location, phase="master"))
        module = f"{app}.celery"
    module_entry(module, parts, ctx, "celery", None, "master")


def parse_file_runner(program: str, args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """`streamlit run x.py`, `chainlit run x.py`: the file runs as a script."""
    parts.server = program
    parts.need(program)
    _, positionals = scan_options(args, frozenset(), frozenset({"--help", "-h", "-w"}))
    if len(positionals) >= 2 and positionals[0] == "run":
        file_entry(positionals[1], parts, ctx, f"{program} run")
    else:
        parts.note(f"could not tell what `{program} {' '.join(args)}` runs")


_DJANGO_MARKS = ("execute_from_command_line", "DJANGO_SETTINGS_MODULE", "django.core.management")


def is_django_manage(script: str, ctx: CommandContext) -> bool:
    """Django's manage.py calls execute_from_command_line or sets DJANGO_SETTINGS_MODULE; a file
    that cannot be read is taken to be Django's (the name's usual meaning)."""
    repo = ctx.repo_path(script)
    if not ctx.is_file(repo):
        return True
    try:
        text = (ctx.root / str(repo)).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return True
    return any(mark in text for mark in _DJANGO_MARKS)


def parse_manage(script: str, words: list[str], parts: Parts, ctx: CommandContext) -> None:
    """manage.py SUBCOMMAND [--settings=x]: runs manage.py, which sets up Django."""
    options, positionals = scan_options(words, frozenset({"--settings", "--pythonpath"}))
    sub = positionals[0] if positionals else ""
    parts.server = "manage.py runserver" if sub in ("runserver", "runserver_plus") else "manage.py"
    parts.need("django")
    file_entry(script, parts, ctx, f"manage.py {sub}".strip())
    worker = manage_worker(sub, parts, ctx)
    if worker:
        parts.server = f"manage.py {sub}"
    parts.one_shot = parts.server == "manage.py"
    for name, value in options:
        if name == "--settings":
            parts.env.append(("DJANGO_SETTINGS_MODULE", value))
        elif name == "--pythonpath":
            parts.add_path(ctx.repo_path(value), ctx, f"--pythonpath {value}")
    if sub and sub not in RELEASE_COMMANDS and not worker and parts.server == "manage.py":
        parts.note(f"manage.py {sub}: a custom or third-party command, followed as manage.py")


def parse_django_admin(words: list[str], parts: Parts, ctx: CommandContext) -> None:
    options, _ = scan_options(words, frozenset({"--settings", "--pythonpath"}))
    parts.server = "django-admin"
    parts.need("django")
    settings = dict(options).get("--settings") or ctx.env.get("DJANGO_SETTINGS_MODULE")
    for name, value in options:
        if name == "--pythonpath":
            parts.add_path(ctx.repo_path(value), ctx, f"--pythonpath {value}")
    if settings:
        parts.env.append(("DJANGO_SETTINGS_MODULE", settings))
        parts.entries.append(
            Entry(settings, EntryKind.MODULE, via="django-admin", location=ctx.location, phase="master")
        )
    else:
        parts.note("django-admin without --settings or DJANGO_SETTINGS_MODULE")


ServerParser = Callable[[Sequence[str], Parts, CommandContext], None]

SERVERS: dict[str, ServerParser] = {
    "gunicorn": parse_gunicorn,
    "uvicorn": parse_uvicorn,
    "hypercorn": parse_hypercorn,
    "daphne": parse_daphne,
    "waitress-serve": parse_waitress,
    "waitress": parse_waitress,
    "granian": parse_granian,
    "fastapi": parse_fastapi,
    "flask": parse_flask,
    "litestar": parse_litestar,
    "quart": lambda args, parts, ctx: parse_flask(args, parts, ctx, "quart"),
    "celery": parse_celery,
    "uwsgi": parse_uwsgi,
    "rq": parse_rq,
    "rqworker": lambda args, parts, ctx: parse_rq(args, parts, ctx, "rqworker"),
    "dramatiq": parse_dramatiq,
    "dramatiq-gevent": parse_dramatiq,
    "huey_consumer": parse_huey,
    "huey_consumer.py": parse_huey,
    "arq": parse_arq,
    "streamlit": lambda args, parts, ctx: parse_file_runner("streamlit", args, parts, ctx),
    "chainlit": lambda args, parts, ctx: parse_file_runner("chainlit", args, parts, ctx),
    "pserve": parse_pserve,
    "supervisord": parse_supervisord,
    "alembic": lambda args, parts, ctx: parse_alembic(args, parts, ctx),
}


def parse_alembic(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """`alembic [-c alembic.ini] upgrade head`: runs the env.py of the ini's script_location, which
    imports the app's models (a pre-start step whose imports must succeed)."""
    parts.server = "alembic"
    parts.need("alembic")
    parts.one_shot = True
    options, _ = scan_options(args, frozenset({"-c", "--config", "-n", "--name", "-x"}))
    written = last(options, "-c", "--config") or "alembic.ini"
    section = last(options, "-n", "--name") or "alembic"
    repo = ctx.repo_path(written)
    if repo is None or not ctx.is_file(repo):
        parts.note(f"alembic: `{written}` is not a file in the repo: its env.py is not known")
        return
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string((ctx.root / repo).read_text(encoding="utf-8"))
        location = parser.get(section, "script_location")
    except (OSError, UnicodeDecodeError, configparser.Error):
        parts.note(f"alembic: `{repo}` names no [{section}] script_location")
        return
    location = location.replace("%(here)s", posixpath.dirname(written) or ".")
    if ":" in location:  # `package:folder`, a package resource
        package, _, folder = location.partition(":")
        location = posixpath.join(package.replace(".", "/"), folder)
    env_py = posixpath.join(location, "env.py")
    paths = list(parts.paths)
    file_entry(env_py, parts, ctx, f"alembic ({repo} script_location)", EntryKind.APP)
    parts.paths[:] = paths  # alembic loads env.py by path: its folder is not put on sys.path
