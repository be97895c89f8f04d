"""gunicorn: its command line, GUNICORN_CMD_ARGS and its config file (read as an AST, never run)."""

from __future__ import annotations

import ast
import dataclasses
import posixpath
from collections.abc import Sequence
from typing import Optional

from importaudit.model import Entry, EntryKind, SourceWarning
from importaudit.targets.appspec import CommandContext, Parts, every, last, module_entry, scan_options
from importaudit.targets.cli_options import GUNICORN_VALUES
from importaudit.targets.paste import paste_app
from importaudit.targets.shell import split_words

_BUILTIN_WORKERS = frozenset({"sync", "gthread", "asgi", "egg:gunicorn#sync", "egg:gunicorn#gthread"})
# Worker names (and gunicorn's own worker modules) whose module needs a third-party distribution.
_NAMED_WORKERS = {
    "gevent": ("gevent", "gevent"),
    "gevent_wsgi": ("gevent", "gevent"),
    "gevent_pywsgi": ("gevent", "gevent"),
    "tornado": ("tornado", "tornado"),
    "eventlet": ("eventlet", "eventlet"),
    "gunicorn.workers.ggevent": ("gevent", "gevent"),
    "gunicorn.workers.gtornado": ("tornado", "tornado"),
    "gunicorn.workers.geventlet": ("eventlet", "eventlet"),
    "uvicorn.workers": ("uvicorn.workers", "uvicorn"),
    "uvicorn_worker": ("uvicorn_worker", "uvicorn-worker"),
}
_CONFIG_NAMES = frozenset(
    {
        "wsgi_app",
        "worker_class",
        "pythonpath",
        "chdir",
        "preload_app",
        "raw_env",
        "logger_class",
        "logconfig_dict",
        "paste",
    }
)


def worker_entry(value: str, parts: Parts, ctx: CommandContext, via: str = "gunicorn -k") -> None:
    """The module a worker class string makes gunicorn import in the master."""
    value = value.strip()
    if not value or value in _BUILTIN_WORKERS or value.startswith("gunicorn.workers.sync"):
        return
    if value.startswith("egg:"):
        value = value.split("#", 1)[-1]
    module = value.rsplit(".", 1)[0] if "." in value else value
    if value == "eventlet" or module == "gunicorn.workers.geventlet":
        parts.note("gunicorn -k eventlet was removed in gunicorn 26 (deprecated in 25)")
    if module in _NAMED_WORKERS:
        name, dist = _NAMED_WORKERS[module]
        parts.server_entry(name, dist, via, ctx)
    elif "." in value:
        parts.server_entry(module, None, via, ctx)
    elif module.startswith("gunicorn.workers") or module in ("gthread", "sync"):
        return
    else:
        parts.note(f"unknown gunicorn worker class `{value}`")


def _literal(node: ast.AST, env: dict[str, str]) -> object:
    """A literal value, or the literal default of os.environ.get / os.getenv."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Call) and len(node.args) == 2 and isinstance(node.func, ast.Attribute):
        name = ast.unparse(node.func)
        key = node.args[0]
        if (
            name in ("os.environ.get", "os.getenv", "environ.get")
            and isinstance(key, ast.Constant)
            and isinstance(key.value, str)
        ):
            if key.value in env:
                return env[key.value]
            return _literal(node.args[1], env)
    return None


def read_config(path: str, ctx: CommandContext) -> tuple[dict[str, object], Optional[str]]:
    """Module-level settings of a gunicorn config file; the file is parsed, never executed."""
    try:
        text = (ctx.root / path).read_text(encoding="utf-8")
        tree = ast.parse(text, filename=path)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
        return {}, f"could not read gunicorn config {path}: {exc.__class__.__name__}"
    settings: dict[str, object] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: Optional[ast.expr] = None
        if isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in _CONFIG_NAMES and value is not None:
                settings[target.id] = True if target.id == "logconfig_dict" else _literal(value, ctx.env)
    return settings, None


def _config_path(config: Optional[str], ctx: CommandContext, parts: Parts) -> tuple[Optional[str], Optional[str]]:
    """(repo path of a config file, python module of a config) for -c, or the default file."""
    if config is None:
        default = ctx.repo_path("gunicorn.conf.py")
        return (default, None) if ctx.is_file(default) else (None, None)
    if config.startswith("python:"):
        return None, config[len("python:") :]
    written = config[len("file:") :] if config.startswith("file:") else config
    repo = ctx.repo_path(written)
    if not ctx.is_file(repo):
        parts.note(f"gunicorn config `{written}` is not a file in the repo")
        return None, None
    return repo, None


def parse_gunicorn(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """gunicorn [OPTIONS] [APP_MODULE]: app entry, worker class, config file, paths, env."""
    parts.server = "gunicorn"
    parts.need("gunicorn")
    cli, positionals = scan_options(args, GUNICORN_VALUES)
    from_env: list[tuple[str, str]] = []
    if ctx.env.get("GUNICORN_CMD_ARGS"):
        from_env, _ = scan_options(split_words(ctx.env["GUNICORN_CMD_ARGS"]), GUNICORN_VALUES)
    # Priority: command line > GUNICORN_CMD_ARGS > config file (gunicorn docs, configure.md).
    options = from_env + cli
    chdir = last(options, "--chdir")
    here = ctx
    if chdir:
        here = dataclasses.replace(ctx, cwd=posixpath.normpath(posixpath.join(ctx.cwd, chdir)))
    config_file, config_module = _config_path(last(options, "-c", "--config"), here, parts)
    settings: dict[str, object] = {}
    if config_module:
        parts.entries.append(
            Entry(config_module, EntryKind.CONFIG, via="gunicorn -c", location=ctx.location, phase="master")
        )
    if config_file:
        parts.entries.append(
            Entry(
                "__config__",
                EntryKind.CONFIG,
                via="gunicorn -c",
                location=ctx.location,
                path=config_file,
                phase="master",
            )
        )
        settings, problem = read_config(config_file, here)
        if problem:
            parts.warnings.append(SourceWarning(config_file, 0, problem))
    if not chdir and isinstance(settings.get("chdir"), str):
        chdir = str(settings["chdir"])
        here = dataclasses.replace(ctx, cwd=posixpath.normpath(posixpath.join(ctx.cwd, chdir)))
    if chdir:
        parts.add_path(here.repo_path("."), here, f"--chdir {chdir}")
    else:
        here_path = ctx.repo_path(".")
        if here_path:
            parts.add_path(here_path, ctx, ctx.cwd)
    pythonpath = last(options, "--pythonpath")
    if pythonpath is None and isinstance(settings.get("pythonpath"), str):
        pythonpath = str(settings["pythonpath"])
    for item in (pythonpath or "").split(","):
        if item.strip():
            parts.add_path(here.repo_path(item.strip()), here, f"--pythonpath {item.strip()}")
    raw_env: list[str] = []
    configured_env = settings.get("raw_env")
    if isinstance(configured_env, (list, tuple)):
        raw_env += [str(item) for item in configured_env]
    raw_env += every(options, "-e", "--env")
    for item in raw_env:
        key, eq, value = item.partition("=")
        if eq:
            parts.env.append((key, value))
    worker = last(options, "-k", "--worker-class")
    if worker is None and isinstance(settings.get("worker_class"), str):
        worker = str(settings["worker_class"])
    if worker:
        worker_entry(worker, parts, ctx)
    logger = last(options, "--logger-class")
    if logger is None and isinstance(settings.get("logger_class"), str):
        logger = str(settings["logger_class"])
    if logger and "." in logger and not logger.startswith("gunicorn."):
        parts.server_entry(logger.rsplit(".", 1)[0], None, "gunicorn --logger-class", ctx)
    preload = any(name == "--preload" for name, _ in options) or settings.get("preload_app") is True
    phase = "master" if preload else "worker"
    paste = last(options, "--paste", "--paster")
    if paste is None and isinstance(settings.get("paste"), str):
        paste = str(settings["paste"])
    app = positionals[0] if positionals else None
    if app is None and isinstance(settings.get("wsgi_app"), str):
        app = str(settings["wsgi_app"])
    if paste:
        parts.server_entry("paste.deploy", "PasteDeploy", "gunicorn --paste", ctx)
        paste_app(paste, parts, here, "gunicorn --paste", phase)
        return
    if app is None:
        parts.note("gunicorn is given no APP_MODULE (nor wsgi_app in its config)")
        return
    module_entry(app, parts, here, "gunicorn", "application", phase)
