"""Process supervisors a container starts: supervisord's programs, s6-overlay's service `run` scripts."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Sequence

from importaudit.targets.appspec import CommandContext, Parts, last, scan_options
from importaudit.targets.ini_sections import ini_sections

_SUPERVISORD_DEFAULTS = ("/etc/supervisor/supervisord.conf", "/etc/supervisord.conf", "supervisord.conf")
_S6_DIRS = (
    re.compile(r"^/etc/s6-overlay/s6-rc\.d/(?P<service>[^/]+)/run$"),
    re.compile(r"^/etc/services\.d/(?P<service>[^/]+)/run$"),
)
_S6_FOLDERS = ("/etc/s6-overlay/s6-rc.d", "/etc/services.d")


def parse_supervisord(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """`supervisord -c FILE`: every `[program:x]` command starts with it."""
    parts.server = "supervisord"
    options, _ = scan_options(args, frozenset({"-c", "--configuration", "-d", "--directory", "-u", "--user"}))
    written = last(options, "-c", "--configuration")
    candidates = [written] if written else list(_SUPERVISORD_DEFAULTS)
    repo = next((path for path in map(ctx.repo_path, candidates) if ctx.is_file(path)), None)
    if repo is None:
        parts.note(f"supervisord: `{written or candidates[0]}` is not a file in the repo: programs unknown")
        return
    try:
        text = (ctx.root / repo).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        parts.note(f"supervisord: could not read `{repo}`")
        return
    parts.configs.append(repo)
    found = False
    for section, items in ini_sections(text):
        if not section.startswith("program:"):
            continue
        values = {key: value for key, value, _ in items}
        command = values.get("command")
        if not command:
            continue
        found = True
        folder = values.get("directory")
        cwd = posixpath.normpath(posixpath.join(ctx.cwd, folder)) if folder else ctx.cwd
        env = []
        for item in re.split(r",(?=\s*\w+=)", values.get("environment", "")):
            key, eq, value = item.strip().partition("=")
            if eq:
                env.append(f"{key}={shlex.quote(value.strip(chr(34) + chr(39)))}")
        # supervisor expands %(ENV_X)s itself: written as the shell's $X for the command reader.
        command = re.sub(r"%\(ENV_(\w+)\)s", r"${\1}", command)
        parts.follow_ups.append((" ".join([*env, command]), f"supervisord [{section}] ({repo})", cwd))
    if not found:
        parts.note(f"supervisord: `{repo}` has no [program:x] with a command")


def parse_s6_init(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """s6-overlay's `/init`: each service `run` script copied into the image starts, then the CMD."""
    parts.server = "s6-overlay"
    found = False
    for path in sorted(ctx.files):
        if not path.endswith("/run"):
            continue
        service = posixpath.basename(posixpath.dirname(path))
        for folder in _S6_FOLDERS:
            container = f"{folder}/{service}/run"
            if ctx.path_map(container) == path:
                parts.follow_ups.append((container, f"s6-overlay service {service} ({path})", "/"))
                found = True
                break
    if args:
        parts.follow_ups.append((shlex.join(args), "s6-overlay CMD", ctx.cwd))
        found = True
    if not found:
        parts.note("s6-overlay /init: no service run script of the repo is copied into the image")
