"""Start commands: what a command line (or the script it runs) installs, imports and needs."""

from __future__ import annotations

import dataclasses
import posixpath
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Callable, Optional, Union

from importaudit.model import Entry, EntryKind, Location, SourceWarning
from importaudit.targets.appspec import CommandContext, Parts, cwd_on_path, file_entry
from importaudit.targets.cli_options import CLI_ONE_SHOT, RELEASE_COMMANDS, UTILITIES
from importaudit.targets.console import (
    Handoff,
    file_launches,
    function_ctx,
    module_file,
    program_env,
    project_script,
    run_function,
    unknown_handoff,
    with_env,
)
from importaudit.targets.entry_points import runner_script
from importaudit.targets.installs import parse_install
from importaudit.targets.prefixes import PASS_THROUGH, WRAPPERS, after_options, command_after, su_command, uv_run
from importaudit.targets.servers import SERVERS, is_django_manage, parse_django_admin, parse_manage
from importaudit.targets.shell import expand_vars, is_python, program_name, split_assignments, split_words
from importaudit.targets.shell_run import Walker
from importaudit.targets.shell_syntax import parse_shell
from importaudit.targets.start_runs import Run, StartCommand, combine, python_heredoc
from importaudit.targets.supervisors import parse_s6_init

__all__ = ["StartCommand", "parse_start_command"]

_MAX_DEPTH = 4
# `python -m MODULE` forms that are a server's own command line.
_MODULE_PROGRAMS = {
    "gunicorn.app.wsgiapp": "gunicorn",
    "uvicorn.main": "uvicorn",
    "celery.__main__": "celery",
    "flask.cli": "flask",
    "waitress.runner": "waitress-serve",
    "daphne.cli": "daphne",
}


def _default_map(path: str) -> Optional[str]:
    """Commands run in a checkout of the repo: "/" is the root, nothing lies outside it."""
    return path.lstrip("/")


def parse_start_command(
    command: Union[str, Sequence[str]],
    *,
    root: Path,
    files: Sequence[str],
    workdir: str = "",
    env: Mapping[str, str] = {},
    location: Optional[Location] = None,
    shell: bool = True,
    container_workdir: Optional[str] = None,
    path_map: Optional[Callable[[str], Optional[str]]] = None,
    made_by: Optional[Callable[[str], Optional[str]]] = None,
    os_package: Optional[Callable[[str], Optional[str]]] = None,
) -> StartCommand:
    """Parse a start command (shell text, or an exec-form argv) into what it runs.

    `workdir` is the repo-relative directory the command runs in; a container passes
    `container_workdir` (its WORKDIR) and `path_map` (container path -> repo path) instead.
    """
    ctx = CommandContext(
        root=root,
        files=frozenset(files),
        cwd=(container_workdir or "/") if path_map else "/" + workdir.strip("/"),
        env=dict(env),
        location=location,
        path_map=path_map or _default_map,
        made_by=made_by or (lambda path: None),
        os_package=os_package or (lambda name: None),
    )
    runs: list[Run] = []
    notes: list[str] = []
    if isinstance(command, str):
        if shell:
            _run_shell(command, ctx, runs, notes, (), 0)
        else:
            _run_words(split_words(command), ctx, runs, notes, (), 0)
    else:
        _run_words(list(command), ctx, runs, notes, (), 0)
    return combine(runs, notes)


def _run_shell(
    text: str,
    ctx: CommandContext,
    runs: list[Run],
    notes: list[str],
    args: Sequence[str],
    depth: int,
    script: Optional[str] = None,
    zero: Optional[str] = None,
) -> None:
    """Shell text (a command line, or a whole script when `script` names its repo path)."""
    base = ctx.location
    where = script or (base.file if base else "the command")

    def located(line: int) -> Optional[Location]:
        if script is not None:
            return Location(script, line)
        return Location(base.file, base.line + line - 1) if base else None

    def run(fields: list[str], line: int, heredoc: Optional[str], certain: bool) -> None:
        here = dataclasses.replace(ctx, location=located(line))
        words = fields[1:] if program_name(fields[0]) == "exec" else fields
        if heredoc is not None and words and is_python(words[0]) and words[1:] in ([], ["-"]):
            spot = f"{where}:{line}" if script else where
            python_heredoc(heredoc, spot, here, runs, notes)
            return
        _run_words(fields, here, runs, notes, walker.args, depth)
        ctx.cwd, ctx.env = here.cwd, here.env

    walker = Walker(env=ctx.env, args=list(args), run=run, where=where, zero=zero or script or "sh")
    nodes, problem = parse_shell(text)
    if problem:
        notes.append(problem if script is None else f"{problem} in {script}")
    walker.walk(nodes)
    notes.extend(walker.notes)


def _run_words(
    words: list[str], ctx: CommandContext, runs: list[Run], notes: list[str], args: Sequence[str], depth: int
) -> None:
    """One simple command: strip prefixes and wrappers, then dispatch on the program."""
    parts = Parts()
    exec_form = False
    assignments, words = split_assignments(words)
    local_env = dict(ctx.env)
    for key, value in assignments:
        local_env[key] = expand_vars(value, local_env)
        parts.env.append((key, local_env[key]))
    if not words:
        ctx.env.update(local_env)  # `FOO=bar` alone sets a shell variable for what follows
        runs.append(Run(parts, False, False))
        return
    words = [expand_vars(word, local_env) for word in words]
    if assignments:  # `FOO=bar cmd`: the variable holds for this command only
        ctx = dataclasses.replace(ctx, env=local_env)
    while words:
        program = program_name(words[0])
        if program == "exec":
            exec_form = True
        if program == "env":
            more, words = split_assignments([w for w in words[1:] if not w.startswith("-")])
            for key, value in more:
                local_env[key] = value
                parts.env.append((key, value))
            continue
        runner = program in ("pdm", "pipenv") and words[1:2] == ["run"]
        if runner and _runner_script(words, ctx, runs, notes, depth):
            return
        if program in ("uv", "poetry", "pipenv", "pdm", "hatch", "rye") and words[1:2] == ["run"]:
            words = uv_run(words[2:], parts, ctx) if program == "uv" else words[2:]
            continue
        if program in PASS_THROUGH and program not in ("poetry", "pipenv", "pdm", "hatch", "rye"):
            words = after_options(words[1:], PASS_THROUGH[program])
            continue
        after = command_after(program, words[1:])
        if after is not None:
            words = after
            continue
        if program in WRAPPERS:
            dist, skip = WRAPPERS[program]
            if dist:
                parts.need(dist)
            words = after_options(words[1:], skip)
            continue
        break
    if not words:
        return
    _dispatch(words, parts, ctx, runs, notes, args, depth, exec_form)


def _runner_script(words: list[str], ctx: CommandContext, runs: list[Run], notes: list[str], depth: int) -> bool:
    """`pdm run NAME` / `pipenv run NAME` where NAME is a script of pyproject's [tool.pdm.scripts] or
    the Pipfile's [scripts]: its shell text (or `call`) runs, with the words after NAME appended."""
    if len(words) < 3 or depth >= _MAX_DEPTH:
        return False
    script = runner_script(ctx.root, ctx.repo_path(".") or "", words[2], program_name(words[0]))
    if script is None:
        return False
    via = f"{program_name(words[0])} script `{script.name}` ({script.file}:{script.line})"
    if script.command:
        text = " ".join([script.command, *(shlex.quote(word) for word in words[3:])])
        _run_shell(text, dataclasses.replace(ctx, location=Location(script.file, script.line)), runs, notes, (),
                   depth + 1)
        return True
    if script.call:
        parts = Parts()
        handoffs = run_function(script.call, parts, ctx, via, words[3:])
        runs.append(Run(parts, True, False))
        _run_launched(handoffs, function_ctx(script.call, parts, ctx), runs, notes, depth)
        return True
    return False


def _dispatch(
    words: list[str],
    parts: Parts,
    ctx: CommandContext,
    runs: list[Run],
    notes: list[str],
    args: Sequence[str],
    depth: int,
    exec_form: bool,
) -> None:
    program = program_name(words[0])
    text = " ".join(words)
    installed = parse_install(words, location=ctx.location, resolve=ctx.repo_path)
    if installed is not None:
        parts.installs += installed.installs
        for note in installed.notes:
            parts.note(note)
        runs.append(Run(parts, False, False))
        return
    if program in ("cd", "pushd"):
        target = words[1] if len(words) > 1 else "/"
        ctx.cwd = posixpath.normpath(posixpath.join(ctx.cwd, target))
        return
    if program == "export":
        for key, value in split_assignments(words[1:])[0]:
            ctx.env[key] = value
            parts.env.append((key, value))
        runs.append(Run(parts, False, False))
        return
    if program in ("sh", "bash", "dash", "ash", "zsh", "/bin/sh") and len(words) > 1:
        if "-c" in words[1:3] or any(w.startswith("-") and "c" in w for w in words[1:2]):
            position = next(i for i, w in enumerate(words) if w.startswith("-") and "c" in w)
            if position + 1 < len(words):
                zero = words[position + 2] if position + 2 < len(words) else None
                _run_shell(words[position + 1], ctx, runs, notes, words[position + 3 :], depth, zero=zero)
            return
        _run_script(words[1], words[2:], parts, ctx, runs, notes, depth, exec_form)
        return
    if program == "su":
        su_text = su_command(words[1:])
        if su_text is not None:
            _run_shell(su_text, ctx, runs, notes, (), depth)
            return
    if is_python(words[0]):
        _python(words[1:], parts, ctx, runs, notes, args, depth, exec_form)
        return
    if program == "manage.py":
        _manage(words[0], words[1:], parts, ctx, runs, notes, depth, exec_form)
        return
    if program == "django-admin":
        parse_django_admin(words[1:], parts, ctx)
        runs.append(Run(parts, "runserver" in words, exec_form))
        return
    server = SERVERS.get(program) or (parse_s6_init if words[0] == "/init" else None)
    if server is not None:
        needed = list(parts.needs)
        server(words[1:], parts, ctx)
        system = ctx.os_package(program) if "/" not in words[0] or words[0].startswith("/usr/bin/") else None
        if system is not None:  # the distribution's build (Debian's uwsgi), not a pip distribution
            parts.needs = needed
            parts.note(f"`{program}` is the OS package {system} installs: no pip distribution is needed for it")
        runs.append(Run(parts, not parts.one_shot, exec_form))
        for command, via, cwd in parts.follow_ups:
            started: list[Run] = []
            _run_shell(
                command, dataclasses.replace(ctx, cwd=cwd, env=dict(ctx.env)), started, notes, (), depth + 1
            )
            for run in started:
                run.via, run.long_running, run.exec_form = via, False, False
            runs += started
        return
    point = project_script(program, ctx)
    if point is not None and not ctx.is_file(ctx.repo_path(words[0])):
        via = f"console script `{program}` ({point.file}:{point.line})"
        handoffs = run_function(point.spec, parts, ctx, via, words[1:])
        runs.append(Run(parts, True, exec_form))
        _run_launched(handoffs, function_ctx(point.spec, parts, ctx), runs, notes, depth)
        return
    if "/" in words[0] or words[0].endswith((".sh", ".py")):
        _run_script(words[0], words[1:], parts, ctx, runs, notes, depth, exec_form)
        return
    if program in UTILITIES:
        return
    found = _on_path(words[0], ctx)
    if found is not None:  # a script of the repo in a folder the target puts on PATH
        _run_script(found, words[1:], parts, ctx, runs, notes, depth, exec_form)
        return
    parts.note(f"could not tell what `{text}` runs{_where(ctx)}")
    runs.append(Run(parts, False, exec_form))


def _where(ctx: CommandContext) -> str:
    """` (entrypoint.sh:12)`: where the command that could not be followed is written."""
    spot = ctx.location
    return f" ({spot.file}:{spot.line})" if spot is not None and spot.file else ""


# The PATH a container has when the image sets none: Docker's default (the python images' too).
_IMAGE_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def _on_path(program: str, ctx: CommandContext) -> Optional[str]:
    """`name` found in a $PATH folder that holds a copy of a repo file (ENV PATH=/app/bin:$PATH, or
    `COPY entrypoint.sh /usr/local/bin/name` on the image's default PATH)."""
    if "/" in program:
        return None
    image = ctx.path_map is not _default_map  # a checkout's /usr/bin is the host's, not the repo's
    written = ctx.env.get("PATH")
    folders: list[str] = []
    for folder in (written.split(":") if written is not None else ["$PATH"]):
        if folder in ("$PATH", "${PATH}"):
            folders += _IMAGE_PATH if image else ()
        elif folder.startswith("/") and "$" not in folder:
            folders.append(folder)
    for folder in dict.fromkeys(folders):
        candidate = posixpath.join(folder, program)
        if ctx.is_file(ctx.path_map(posixpath.normpath(candidate))):
            return candidate
    return None


def _python(
    words: list[str],
    parts: Parts,
    ctx: CommandContext,
    runs: list[Run],
    notes: list[str],
    args: Sequence[str],
    depth: int,
    exec_form: bool,
) -> None:
    """python [-u -O -W x -X y] (-m module | file.py | -c code) args."""
    index = 0
    while index < len(words) and words[index].startswith("-") and words[index] not in ("-m", "-c"):
        index += 2 if words[index] in ("-W", "-X") else 1
    rest = words[index:]
    if not rest:
        parts.note("`python` with no script starts a REPL: nothing to follow")
        runs.append(Run(parts, False, exec_form))
        return
    if rest[0] == "-c":
        parts.note("`python -c` code is not followed")
        runs.append(Run(parts, False, exec_form))
        return
    if rest[0] == "-m" and len(rest) > 1:
        module: str = _MODULE_PROGRAMS.get(rest[1]) or rest[1]
        if module in SERVERS:
            _dispatch([module, *rest[2:]], parts, ctx, runs, notes, args, depth, exec_form)
            return
        package = ctx.repo_path(module.replace(".", "/"))
        if package is not None and ctx.is_file(f"{package}/__main__.py".lstrip("/")):
            module = f"{module}.__main__"  # `python -m pkg` runs pkg/__init__.py, then pkg/__main__.py
        parts.server = "python"
        cwd_on_path(parts, ctx)  # `python -m` puts the current directory first on sys.path
        parts.entries.append(
            Entry(module, EntryKind.MODULE, via="python -m", location=ctx.location, phase="master")
        )
        runs.append(Run(parts, True, exec_form))
        _follow_python(parts, ctx, runs, notes, depth, rest[2:])
        return
    if program_name(rest[0]) == "manage.py":
        _manage(rest[0], rest[1:], parts, ctx, runs, notes, depth, exec_form)
        return
    parts.server = "python"
    file_entry(rest[0], parts, ctx, "python")
    runs.append(Run(parts, True, exec_form))
    _follow_python(parts, ctx, runs, notes, depth, rest[1:])


def _manage(
    script: str,
    words: list[str],
    parts: Parts,
    ctx: CommandContext,
    runs: list[Run],
    notes: list[str],
    depth: int,
    exec_form: bool,
) -> None:
    """manage.py is Django's only when it is (it calls execute_from_command_line or sets
    DJANGO_SETTINGS_MODULE); otherwise it is the project's own CLI (Flask, click, Flask-Script)."""
    if is_django_manage(script, ctx):
        parse_manage(script, words, parts, ctx)
        runs.append(Run(parts, not parts.one_shot, exec_form))
        return
    positionals = [word for word in words if not word.startswith("-")]
    sub = positionals[0] if positionals else ""
    parts.server = f"manage.py {sub}".strip()
    file_entry(script, parts, ctx, f"manage.py {sub} (not Django's: the project's CLI)".replace("  ", " "))
    runs.append(Run(parts, sub not in CLI_ONE_SHOT and sub not in RELEASE_COMMANDS, exec_form))
    _follow_python(parts, ctx, runs, notes, depth, words)


def _follow_python(
    parts: Parts, ctx: CommandContext, runs: list[Run], notes: list[str], depth: int, args: Sequence[str] = ()
) -> None:
    """A Python program run as __main__ may start a server itself (`uvicorn.run("app:app")`, an exec)."""
    entry = parts.entries[-1] if parts.entries else None
    if entry is None or depth >= _MAX_DEPTH:
        return
    path = entry.path or module_file(entry.module, ctx)
    if path is None:
        return
    here = with_env(parts, ctx, program_env(ctx, path, None, as_main=True))
    _run_launched(file_launches(path, parts, ctx, f"python {path}", args), here, runs, notes, depth)


def _serves(program: str) -> bool:
    """Programs a Python program may hand over to whose app is followed."""
    return program in SERVERS or program == "django-admin"


def _run_launched(
    handoffs: Sequence[Handoff], ctx: CommandContext, runs: list[Run], notes: list[str], depth: int
) -> None:
    """Command lines the program executes itself: only servers are followed (an `except ImportError:
    subprocess.call(["pip", "install", ...])` fallback is not what the deploy installs)."""
    for handoff in handoffs:
        argv = handoff.argv
        computed = handoff.computed and (not argv or _serves(program_name(argv[0])) or is_python(argv[0]))
        if computed and depth < _MAX_DEPTH:
            parts = Parts()
            parts.unfollowed.append(unknown_handoff(handoff, ctx))
            runs.append(Run(parts, False, False))
            continue
        if handoff.passthrough and argv and depth < _MAX_DEPTH:
            _run_words(list(argv), ctx, runs, notes, (), depth + 1)
            continue
        if not argv or not (_serves(program_name(argv[0])) or is_python(argv[0])) or depth >= _MAX_DEPTH:
            continue
        _run_words(list(argv), ctx, runs, notes, (), depth + 1)


def _run_script(
    written: str,
    args: list[str],
    parts: Parts,
    ctx: CommandContext,
    runs: list[Run],
    notes: list[str],
    depth: int,
    exec_form: bool,
) -> None:
    """A script in the repo: a shell script is read (never run); a Python one is an entry."""
    repo = ctx.repo_path(written)
    if not ctx.is_file(repo) or depth >= _MAX_DEPTH:
        parts.note(
            f"could not tell what `{' '.join([written, *args])}` runs{_where(ctx)}"
            + ("" if ctx.is_file(repo) else f" (`{written}` is not a file in the repo)")
        )
        runs.append(Run(parts, False, exec_form))
        return
    assert repo is not None
    try:
        text = (ctx.root / repo).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        parts.warnings.append(SourceWarning(repo, 0, f"could not read: {exc.__class__.__name__}"))
        runs.append(Run(parts, False, exec_form))
        return
    first = text.split("\n", 1)[0]
    if repo.endswith(".py") or (first.startswith("#!") and "python" in first):
        parts.server = "python"
        file_entry(written, parts, ctx, "python")
        runs.append(Run(parts, True, exec_form))
        _follow_python(parts, ctx, runs, notes, depth, args)
        return
    _run_shell(text, dataclasses.replace(ctx, env=dict(ctx.env)), runs, notes, args, depth + 1, repo)
