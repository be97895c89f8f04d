"""Command prefixes: runners (`uv run`, `poetry run`) and wrappers (`ddtrace-run`, `gosu user`)."""

from __future__ import annotations

import re
from typing import Optional

from importaudit.model import Install, InstallKind
from importaudit.targets.appspec import CommandContext, Parts
from importaudit.targets.install_options import UV_RUN_VALUED
from importaudit.targets.shell import split_words

# Programs that only prepare the environment; the real command follows their own options.
PASS_THROUGH = {
    "exec": 0,
    "nohup": 0,
    "time": 0,
    "dumb-init": 0,
    "tini": 0,
    "gosu": 1,
    "su-exec": 1,
    "setuidgid": 1,
    "s6-setuidgid": 1,
    "s6-envdir": 1,
    "with-contenv": 0,
    "fdmove": 2,
    "chpst": 0,
    "stdbuf": 0,
    "poetry": 1,
    "pipenv": 1,
    "pdm": 1,
    "hatch": 1,
    "rye": 1,
}
WRAPPERS = {
    "newrelic-admin": ("newrelic", 1),
    "ddtrace-run": ("ddtrace", 0),
    "opentelemetry-instrument": ("opentelemetry-instrumentation", 0),
    "doppler": (None, 1),
    "infisical": (None, 1),
}


def after_options(words: list[str], positional_skip: int) -> list[str]:
    """Drop a wrapper's own options (and `positional_skip` words such as `run-program`)."""
    index = 0
    while index < len(words) and words[index].startswith("-"):
        if words[index] == "--":
            index += 1
            break
        # `--opt value` is ambiguous; options written `--opt=value` or as flags are the norm.
        index += (
            2
            if words[index].startswith("--")
            and "=" not in words[index]
            and index + 1 < len(words)
            and not words[index + 1].startswith("-")
            and _looks_like_value(words[index + 1])
            else 1
        )
    return words[index + positional_skip :]


def _looks_like_value(word: str) -> bool:
    return word in ("console", "otlp", "none", "prometheus", "true", "false") or word.isdigit()


def uv_run(words: list[str], parts: Parts, ctx: CommandContext) -> list[str]:
    """`uv run [options] cmd`: records the sync it performs unless --no-sync."""
    options: list[tuple[str, str]] = []
    index = 0
    flags: set[str] = set()
    while index < len(words) and words[index].startswith("-"):
        name, eq, value = words[index].partition("=")
        if name == "--":
            index += 1
            break
        if name in UV_RUN_VALUED and not eq and index + 1 < len(words):
            value = words[index + 1]
            index += 1
        options.append((name, value))
        flags.add(name)
        index += 1
    for name, value in options:
        if name == "--with":
            for package in value.split(","):
                parts.installs.append(Install(InstallKind.PACKAGE, package, ctx.location, tool="uv"))
        if name == "--env-file":
            parts.note("uv run --env-file loads variables this audit cannot see")
    if "--no-sync" not in flags and not ctx.env.get("UV_NO_SYNC"):
        include_dev = not ({"--no-dev", "--no-default-groups", "--only-group"} & flags)
        extras = tuple(sorted(v for n, v in options if n == "--extra"))
        groups = tuple(sorted(v for n, v in options if n == "--group"))
        parts.installs.append(
            Install(
                InstallKind.PROJECT,
                ".",
                ctx.location,
                extras=extras,
                groups=groups,
                include_dev=include_dev,
                tool="uv",
            )
        )
    rest = words[index:]
    if rest[:1] in (["-m"], ["--module"]):
        rest = ["python", *rest]
    return rest


# Programs that wait for something (a port, a file), then run the command after `--`.
_WAITERS = re.compile(r"^(?:wait[-_]?for(?:[-_]it)?|sh-wait|wait[-_]for[-_][a-z]+)(?:\.sh)?$")
_DOCKERIZE_FLAGS = frozenset({"-no-overwrite", "-version", "--no-overwrite"})
_WATCHMEDO_VALUES = frozenset(
    {
        "-d",
        "--directory",
        "-p",
        "--patterns",
        "-i",
        "--ignore-patterns",
        "--signal",
        "--kill-after",
        "--debounce-interval",
    }
)
_WATCHFILES_VALUES = frozenset(
    {
        "--filter",
        "--target-type",
        "--args",
        "--ignore-paths",
        "--sigint-timeout",
        "--sigkill-timeout",
        "--grace-period",
    }
)
_SUDO_VALUES = frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-R", "-T", "-U", "--user", "--group"})


def command_after(program: str, args: list[str]) -> Optional[list[str]]:
    """The command a waiting or user-switching wrapper runs next ([] = none); None for other programs."""
    if _WAITERS.match(program):
        return args[args.index("--") + 1 :] if "--" in args else []
    if program == "dockerize":  # every -option takes a value except the few flags
        index = 0
        while index < len(args) and args[index].startswith("-"):
            if args[index] == "--":
                index += 1
                break
            index += 1 if args[index] in _DOCKERIZE_FLAGS or "=" in args[index] else 2
        return args[index:]
    if program == "watchmedo" and args[:1] == ["auto-restart"]:  # restarts the command on changes
        rest = args[1:]
        if "--" in rest:
            return rest[rest.index("--") + 1 :]
        index = 0
        while index < len(rest) and rest[index].startswith("-"):
            index += 2 if rest[index] in _WATCHMEDO_VALUES else 1
        return rest[index:]
    if program == "watchfiles":  # `watchfiles [options] 'command args' [paths]`
        index = 0
        while index < len(args) and args[index].startswith("-"):
            index += 2 if args[index] in _WATCHFILES_VALUES and "=" not in args[index] else 1
        return split_words(args[index]) if index < len(args) else []
    if program in ("sudo", "runuser", "doas"):
        index = 0
        while index < len(args) and args[index].startswith("-"):
            if args[index] == "--":
                index += 1
                break
            index += 2 if args[index] in _SUDO_VALUES else 1
        return args[index:]
    return None


def su_command(args: list[str]) -> Optional[str]:
    """`su [-] [user] -c 'text'`: the shell text su runs; None when it runs a login shell."""
    for index, word in enumerate(args[:-1]):
        if word in ("-c", "--command", "--session-command"):
            return args[index + 1]
    return None
