"""Task-queue workers: rq, dramatiq, huey, arq; what each imports at start and what it leaves lazy."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import Optional

from importaudit.model import Entry, EntryKind
from importaudit.targets.appspec import CommandContext, Parts, cwd_on_path, every, last, module_entry, scan_options

# What each worker leaves to run time: the precise reason its jobs are not followed.
LAZY_JOBS = "{program} imports job modules only when a job runs: they are not followed from here"

_RQ_VALUES = frozenset(
    {
        "-u",
        "--url",
        "-c",
        "--config",
        "-w",
        "--worker-class",
        "-j",
        "--job-class",
        "--queue-class",
        "--connection-class",
        "--path",
        "-P",
        "-n",
        "--name",
        "--results-ttl",
        "--worker-ttl",
        "--maintenance-interval",
        "--job-monitoring-interval",
        "--logging_level",
        "-l",
        "--log-format",
        "--date-format",
        "--exception-handler",
        "--pid",
        "-S",
        "--serializer",
        "--max-jobs",
        "--max-idle-time",
        "--sentry-ca-certs",
        "--sentry-dsn",
        "--dequeue-strategy",
        "--num-workers",
        "-N",
    }
)
# rq options whose value is a dotted `module.Class` the worker imports at start.
_RQ_CLASSES: tuple[str, ...] = ("--worker-class", "-w", "--job-class", "-j", "--queue-class")
_RQ_CLASSES += ("--connection-class", "--serializer", "-S", "--exception-handler")
_DRAMATIQ_VALUES = frozenset(
    {
        "-p",
        "--processes",
        "-t",
        "--threads",
        "-P",
        "--path",
        "-Q",
        "--queues",
        "--pid-file",
        "--log-file",
        "-f",
        "--fork-function",
        "--watch",
        "--watch-include",
        "--worker-shutdown-timeout",
    }
)
_HUEY_VALUES = frozenset(
    {
        "-w",
        "--workers",
        "-k",
        "--worker-type",
        "-d",
        "--delay",
        "-m",
        "--max-delay",
        "-b",
        "--backoff",
        "-s",
        "--scheduler-interval",
        "-l",
        "--logfile",
        "-L",
        "--extra-locks",
    }
)
_ARQ_VALUES = frozenset({"--watch", "--custom-log-dict"})


def _class_entry(value: str, parts: Parts, ctx: CommandContext, via: str) -> None:
    """A dotted `pkg.mod.Class` the worker imports: module `pkg.mod`, attribute `Class`."""
    if "." not in value or "$" in value:
        return
    module, attr = value.rsplit(".", 1)
    parts.entries.append(Entry(module, EntryKind.APP, attr, via=via, location=ctx.location, phase="master"))


def _paths(values: Sequence[str], parts: Parts, ctx: CommandContext, via: str) -> None:
    for value in values:
        parts.add_path(ctx.repo_path(value), ctx, f"{via} {value}")


def parse_rq(args: Sequence[str], parts: Parts, ctx: CommandContext, program: str = "rq") -> None:
    """`rq worker [queues]`, `rq worker-pool`; `rqworker` is rq's old name for `rq worker`."""
    options, positionals = scan_options(args, _RQ_VALUES)
    sub = "worker" if program == "rqworker" else (positionals[0] if positionals else "")
    parts.server = f"rq {sub}".strip()
    parts.server_entry("rq", "rq", f"rq {sub}".strip(), ctx)
    if sub not in ("worker", "worker-pool"):
        parts.one_shot = True  # rq info / rq empty / rq requeue end
        return
    path_values = every(options, "--path", "-P")
    if path_values:
        _paths(path_values, parts, ctx, "rq --path")
    else:
        cwd_on_path(parts, ctx)  # rq puts "." on sys.path by default
    config = last(options, "-c", "--config")
    if config:
        parts.entries.append(Entry(config, EntryKind.CONFIG, via="rq -c", location=ctx.location, phase="master"))
    for name in _RQ_CLASSES:
        for value in every(options, name):
            _class_entry(value, parts, ctx, f"rq {name}")
    if last(options, "--sentry-dsn"):
        parts.server_entry("sentry_sdk", "sentry-sdk", "rq --sentry-dsn", ctx)
    parts.note(LAZY_JOBS.format(program=f"rq {sub}"))


def parse_dramatiq(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """`dramatiq [options] broker [modules...]`: every module is imported when the workers start."""
    parts.server = "dramatiq"
    parts.server_entry("dramatiq", "dramatiq", "dramatiq", ctx)
    options, positionals = scan_options(args, _DRAMATIQ_VALUES)
    path_values = every(options, "-P", "--path")
    if path_values:
        _paths(path_values, parts, ctx, "dramatiq --path")
    else:
        cwd_on_path(parts, ctx)
    if last(options, "--watch"):
        parts.server_entry("watchdog", "watchdog", "dramatiq --watch", ctx)
    fork = last(options, "-f", "--fork-function")
    if fork:
        module_entry(fork, parts, ctx, "dramatiq --fork-function", None, "master")
    if not positionals:
        parts.note("dramatiq is given no broker module")
        return
    for spec in positionals:
        module_entry(spec, parts, ctx, "dramatiq", None, "master")


def parse_huey(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """`huey_consumer path.to.huey`: the module is imported, the attribute is the Huey instance."""
    parts.server = "huey_consumer"
    parts.server_entry("huey", "huey", "huey_consumer", ctx)
    options, positionals = scan_options(args, _HUEY_VALUES)
    if last(options, "-k", "--worker-type") == "greenlet":
        parts.server_entry("gevent", "gevent", "huey_consumer -k greenlet", ctx)
    cwd_on_path(parts, ctx)
    if not positionals:
        parts.note("huey_consumer is given no huey instance (module.attr)")
        return
    _dotted_attr(positionals[0], parts, ctx, "huey_consumer")


def parse_arq(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """`arq module.WorkerSettings`: the settings class names the job functions (already imported)."""
    parts.server = "arq"
    parts.server_entry("arq", "arq", "arq", ctx)
    options, positionals = scan_options(args, _ARQ_VALUES)
    if last(options, "--watch"):
        parts.server_entry("watchfiles", "watchfiles", "arq --watch", ctx)
    cwd_on_path(parts, ctx)
    if "--check" in [name for name, _ in options]:
        parts.one_shot = True
    if not positionals:
        parts.note("arq is given no worker settings (module.Class)")
        return
    _dotted_attr(positionals[0], parts, ctx, "arq")


def _dotted_attr(spec: str, parts: Parts, ctx: CommandContext, via: str) -> None:
    """`pkg.mod.attr` (import_string style: the last dot separates the attribute)."""
    if ":" in spec or "." not in spec:
        module_entry(spec, parts, ctx, via, None, "master")
        return
    module, attr = spec.rsplit(".", 1)
    module_entry(f"{module}:{attr}", parts, ctx, via, None, "master")


# manage.py commands that start a worker: the (distribution, module) pairs each needs. rq and
# django-q import a job's function by its dotted path when the job runs; huey and dramatiq
# autodiscover the apps' tasks modules at start, which Django's INSTALLED_APPS already reach.
MANAGE_WORKERS = {
    "rqworker": (("django-rq", "django_rq"), ("rq", "rq")),
    "rqworker-pool": (("django-rq", "django_rq"), ("rq", "rq")),
    "rqscheduler": (("django-rq", "django_rq"), ("rq", "rq")),
    "qcluster": (("django-q2|django-q", "django_q"),),
    "run_huey": (("huey", "huey"),),
    "rundramatiq": (("django-dramatiq", "django_dramatiq"), ("dramatiq", "dramatiq")),
}
_LAZY_MANAGE = frozenset({"rqworker", "rqworker-pool", "rqscheduler", "qcluster"})


def manage_worker(sub: str, parts: Parts, ctx: CommandContext) -> bool:
    """`manage.py rqworker high default`: needs its app's distributions; rq's jobs stay lazy."""
    needed = MANAGE_WORKERS.get(sub)
    if needed is None:
        return False
    for distribution, module in needed:
        parts.server_entry(module, distribution, f"manage.py {sub}", ctx)
    if sub in _LAZY_MANAGE:
        parts.note(LAZY_JOBS.format(program=f"manage.py {sub}"))
    return True


def flask_app_from_dotenv(ctx: CommandContext) -> Optional[tuple[str, str]]:
    """FLASK_APP from `.env` / `.flaskenv`, found like flask's load_dotenv: from the working
    directory up (python-dotenv's find_dotenv); `.env` wins as it is loaded first."""
    here = ctx.repo_path(".")
    if here is None:
        return None
    folders = [here]
    while folders[-1]:
        folders.append(posixpath.dirname(folders[-1]))
    for name in (".env", ".flaskenv"):
        for folder in folders:
            repo = posixpath.join(folder, name) if folder else name
            if not ctx.is_file(repo):
                continue
            value = _dotenv_value(ctx, repo, "FLASK_APP")
            if value:
                return value, repo
            break  # find_dotenv stops at the first file of that name
    return None


def _dotenv_value(ctx: CommandContext, repo: str, wanted: str) -> Optional[str]:
    try:
        text = (ctx.root / repo).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("export "):
            line = line[len("export ") :].strip()
        key, eq, value = line.partition("=")
        if eq and key.strip() == wanted and value.strip().strip("'\""):
            return value.strip().strip("'\"")
    return None
