"""uWSGI: its command line, UWSGI_* variables and .ini files (read as text, never run)."""

from __future__ import annotations

import dataclasses
import posixpath
import re
from collections.abc import Sequence
from typing import Optional

from importaudit.model import Entry, EntryKind, SourceWarning
from importaudit.targets.appspec import CommandContext, Parts, cwd_on_path, file_entry, module_entry, scan_options

# Either distribution gives the `uwsgi` program; the pipeline reads "|" as alternatives.
UWSGI_DISTRIBUTIONS = "uWSGI|pyuwsgi"
# Options that take a value (the ones these readers use, and common ones that would otherwise
# swallow a config file); unknown long options take the next word unless it starts with "-".
_VALUES = frozenset(
    {
        "--ini",
        "--module",
        "--wsgi",
        "--wsgi-file",
        "--file",
        "--callable",
        "--chdir",
        "--chdir2",
        "--pythonpath",
        "--python-path",
        "--pp",
        "--mount",
        "--env",
        "--import",
        "--pyimport",
        "--py-import",
        "--python-import",
        "--shared-import",
        "--shared-pyimport",
        "--http",
        "--http-socket",
        "--socket",
        "--processes",
        "--workers",
        "--threads",
        "--home",
        "--virtualenv",
        "--venv",
        "--plugin",
        "--plugins",
        "--gevent",
        "-w",
        "-s",
        "-p",
        "-H",
        "-b",
        "-t",
        "-x",
        "-y",
        "-j",
    }
)
_FLAGS = frozenset(
    {
        "--master",
        "--enable-threads",
        "--die-on-term",
        "--vacuum",
        "--lazy-apps",
        "--lazy",
        "--need-app",
        "--strict",
        "--single-interpreter",
        "--thunder-lock",
        "--no-orphans",
        "--auto-procname",
        "--disable-logging",
        "--log-5xx",
        "--manage-script-name",
        "--py-call-osafterfork",
        "--honour-stdin",
        "-M",
        "-T",
        "-L",
    }
)
_SHORT = {"w": "module", "s": "socket", "p": "processes", "H": "home", "M": "master", "x": "xml", "y": "yaml"}
_ALIASES = {
    "wsgi": "module",
    "file": "wsgi-file",
    "pp": "pythonpath",
    "python-path": "pythonpath",
    "pyimport": "import",
    "py-import": "import",
    "python-import": "import",
    "shared-import": "import",
    "shared-pyimport": "import",
    "shared-py-import": "import",
    "shared-python-import": "import",
    "lazy": "lazy-apps",
    "chdir2": "chdir",
    "yml": "yaml",
    "j": "json",
}
_DAEMONS = ("attach-daemon", "attach-control-daemon", "attach-daemon-as-root", "attach-daemon-as-user")
_MAX_INCLUDES = 4


def read_ini(text: str, section: str = "uwsgi") -> list[tuple[str, str]]:
    """The (key, value) lines of one section in order, repeats kept; `key` alone is "true".

    uWSGI's own reader, not configparser: keys repeat (pythonpath, attach-daemon), values keep
    `%(...)` / `$(VAR)` for later, and `;`/`#` start comments only at the start of a line.
    """
    pairs: list[tuple[str, str]] = []
    current: Optional[str] = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith((";", "#")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        if current != section:
            continue
        key, eq, value = line.partition("=")
        pairs.append((key.strip(), value.strip() if eq else "true"))
    return pairs


def _key(name: str) -> str:
    bare = name.lstrip("-")
    if name.startswith("-") and not name.startswith("--"):
        bare = _SHORT.get(bare, bare)
    bare = bare.lower().replace("_", "-")
    return _ALIASES.get(bare, bare)


def _expand(value: str, seen: dict[str, str], ctx: CommandContext, ini_dir: Optional[str]) -> str:
    """`$(VAR)` from the known environment, `%(option)` from earlier options, `%d` the ini's dir."""
    value = re.sub(r"\$\((\w+)\)", lambda m: ctx.env.get(m.group(1), m.group(0)), value)
    value = re.sub(r"%\(([\w-]+)\)", lambda m: seen.get(_key(m.group(1)), m.group(0)), value)
    if ini_dir is not None:
        value = value.replace("%d", ini_dir.rstrip("/") + "/")
    return value


class _Options:
    """Every option in the order uWSGI applies them: env first, then argv with files expanded."""

    def __init__(self, parts: Parts, ctx: CommandContext) -> None:
        self.parts = parts
        self.ctx = ctx
        self.pairs: list[tuple[str, str]] = []
        self.last: dict[str, str] = {}
        self.depth = 0

    def add(self, key: str, value: str, ini_dir: Optional[str] = None) -> None:
        key = _key(key)
        value = _expand(value, self.last, self.ctx, ini_dir)
        if key in ("ini", "xml", "yaml", "json"):
            self.include(key, value)
            return
        self.pairs.append((key, value))
        self.last[key] = value

    def include(self, kind: str, written: str) -> None:
        path, _, section = written.partition(":") if kind == "ini" and "://" not in written else (written, "", "")
        if kind != "ini" or "://" in written or path.startswith("@"):
            self.parts.note(f"uwsgi config `{written}` is not read (only .ini files are)")
            return
        repo = self.ctx.repo_path(path)
        if not self.ctx.is_file(repo) or self.depth >= _MAX_INCLUDES:
            self.parts.note(f"uwsgi config `{written}` is not a file in the repo")
            return
        assert repo is not None
        try:
            text = (self.ctx.root / repo).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            self.parts.warnings.append(SourceWarning(repo, 0, f"could not read: {exc.__class__.__name__}"))
            return
        ini_dir = posixpath.dirname(posixpath.normpath(posixpath.join(self.ctx.cwd, path)))
        self.depth += 1
        for key, value in read_ini(text, section or "uwsgi"):
            if key in ("if-env", "if-not-env", "if-exists", "if-not-exists", "if-file", "if-dir", "endif", "end"):
                continue  # conditional blocks: every branch may apply
            self.add(key, value, ini_dir)
        self.depth -= 1

    def values(self, key: str) -> list[str]:
        return [value for name, value in self.pairs if name == key]

    def value(self, key: str) -> Optional[str]:
        found = self.values(key)
        return found[-1] if found else None

    def flag(self, key: str) -> bool:
        return self.value(key) not in (None, "false", "0", "no", "off")


def parse_uwsgi(args: Sequence[str], parts: Parts, ctx: CommandContext) -> None:
    """uwsgi [file.ini] [--ini f] [--module m:app | --wsgi-file f --callable c] [--chdir d] ..."""
    parts.server = "uwsgi"
    parts.need(UWSGI_DISTRIBUTIONS)
    options = _Options(parts, ctx)
    for name, value in sorted(ctx.env.items()):
        if name.startswith("UWSGI_") and name not in ("UWSGI_VASSAL", "UWSGI_RELOADS"):
            options.add(name[len("UWSGI_") :], value)
    scanned, positionals = scan_options(args, _VALUES, _FLAGS)
    for name, value in scanned:
        options.add(name, value or "true")
    for positional in positionals:
        kind = positional.rsplit(".", 1)[-1].lower()
        options.add(kind if kind in ("xml", "yaml", "yml", "json") else "ini", positional)
    here = ctx
    chdir = options.value("chdir")
    if chdir:
        here = dataclasses.replace(ctx, cwd=posixpath.normpath(posixpath.join(ctx.cwd, chdir)))
        parts.add_path(here.repo_path("."), here, f"chdir {chdir}")
    else:
        cwd_on_path(parts, ctx)  # uWSGI puts "." first on sys.path
    for item in options.values("pythonpath"):
        parts.add_path(here.repo_path(item), here, f"pythonpath {item}")
    for item in options.values("env"):
        key, eq, value = item.partition("=")
        if eq:
            parts.env.append((key, value))
    if options.value("gevent"):
        parts.server_entry("gevent", "gevent", "uwsgi --gevent", ctx)
    phase = "worker" if options.flag("lazy-apps") else "master"
    for module in options.values("import"):
        _app(module, parts, here, "uwsgi --import", None, phase, EntryKind.MODULE)
    callable_name = options.value("callable") or "application"
    apps = 0
    for spec in options.values("module"):
        apps += _app(spec, parts, here, "uwsgi", callable_name, phase)
    for path in options.values("wsgi-file"):
        file_entry(path, parts, here, "uwsgi", EntryKind.APP, callable_name, phase=phase)
        apps += 1
    for mount in options.values("mount"):
        _, _, spec = mount.partition("=")
        apps += _app(spec, parts, here, "uwsgi --mount", callable_name, phase)
    for key, value in options.pairs:
        command = _hook_command(key, value)
        if command:
            parts.follow_ups.append((command, f"uwsgi {key}", here.cwd))
    if not apps:
        parts.note("uwsgi is given no app (module, wsgi-file or mount)")
    elif not options.flag("need-app"):
        parts.note("uWSGI without need-app keeps running when the app fails to import: every request fails")


def _app(
    spec: str,
    parts: Parts,
    ctx: CommandContext,
    via: str,
    default_attr: Optional[str],
    phase: str,
    kind: EntryKind = EntryKind.APP,
) -> int:
    """A module (`pkg.wsgi:app`, `pkg.wsgi`) or a file path (`app.py`, `app.wsgi`); 1 when named."""
    if "$(" in spec or "%(" in spec:
        parts.note(f"could not tell which module `{spec}` ({via}) names")
        return 0
    if kind is EntryKind.MODULE:
        parts.entries.append(Entry(spec, kind, via=via, location=ctx.location, phase=phase))
        return 1
    path, sep, attr = spec.partition(":")
    # `mysite.wsgi` is a module (Django's own docs); a `.wsgi` name is a file only when one exists.
    if path.endswith(".py") or "/" in path or (path.endswith(".wsgi") and ctx.is_file(ctx.repo_path(path))):
        file_entry(path, parts, ctx, via, EntryKind.APP, attr if sep else default_attr, phase=phase)
        return 1
    module_entry(spec, parts, ctx, via, default_attr, phase)
    return 1


def _hook_command(key: str, value: str) -> Optional[str]:
    """The shell command of `hook-pre-app = exec:cmd`, `exec-pre-app = cmd`, `attach-daemon = cmd`."""
    # Placeholders left unexpanded are words to the shell, not `(` subshells or `$(...)` commands.
    value = re.sub(r"%\(([^)]*)\)", r"%\1", re.sub(r"\$\((\w+)\)", r"$\1", value))
    if key.startswith("hook-") and value.startswith("exec:"):
        return value[len("exec:") :].strip() or None
    if key.startswith("exec-") or key in _DAEMONS:
        return value.strip() or None
    if key in ("smart-attach-daemon", "smart-attach-daemon-as-root"):
        _, _, command = value.strip().partition(" ")  # the first word is the pidfile
        return command.strip() or None
    return None
