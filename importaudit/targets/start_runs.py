"""What one start command runs, merged from the commands it chains (the server, and what runs first)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional

from importaudit.model import Entry, EntryKind, Install, SourceWarning
from importaudit.targets.appspec import CommandContext, Parts
from importaudit.targets.launchers import program_imports


@dataclass(frozen=True)
class StartCommand:
    """What one start command runs; the pipeline turns it into a target's entries."""

    server: Optional[str] = None  # "gunicorn", "uvicorn", "python", "celery", "manage.py"...
    entries: tuple[Entry, ...] = ()
    installs: tuple[Install, ...] = ()  # what the command itself installs (`uv run` syncs)
    env: tuple[tuple[str, str], ...] = ()  # -e KEY=VAL, FOO=bar prefixes, --settings
    paths: tuple[str, ...] = ()  # sys.path roots it adds (--chdir, --app-dir), repo-relative
    notes: tuple[str, ...] = ()  # what could not be followed
    needs: tuple[str, ...] = ()  # distributions the command itself needs ("gunicorn")
    warnings: tuple[SourceWarning, ...] = ()  # unreadable files it names (a broken config)
    configs: tuple[str, ...] = ()  # process-manager configs it starts (supervisord -c FILE), repo paths
    # Why what it serves is not known although entries were found (a server handed computed arguments)
    unfollowed: tuple[str, ...] = ()


@dataclass
class Run:
    """One simple command of a start command, and what it contributed."""

    parts: Parts
    long_running: bool
    exec_form: bool
    via: Optional[str] = None  # set for what a server starts itself (a uWSGI hook or daemon)
    prestart: bool = False  # a step before the server (a `python << END` wait loop): never the server


def combine(runs: list[Run], notes: list[str]) -> StartCommand:
    """The last exec'd or long-running command is the server; the ones before run first."""
    candidates = [
        run for run in runs if (run.parts.server or run.parts.entries) and run.via is None and not run.prestart
    ]
    exec_runs = [run for run in candidates if run.exec_form and run.long_running]
    long_running = [run for run in candidates if run.long_running]
    chosen = exec_runs or long_running or candidates
    main = chosen[-1] if chosen else None
    merged = Parts(server=main.parts.server if main else None)
    for run in runs:
        for entry in run.parts.entries:
            if run.via is not None:
                entry = dataclasses.replace(entry, via=run.via, phase="master")
            elif run is not main and run.parts.server and entry.kind is not EntryKind.SERVER:
                entry = dataclasses.replace(entry, via="pre-start", phase="master")
            # The same entry named on two lines of a script (migrate, then collectstatic) is one entry.
            if all(dataclasses.replace(entry, location=e.location) != e for e in merged.entries):
                merged.entries.append(entry)
        merged.installs += [i for i in run.parts.installs if i not in merged.installs]
        merged.env += [e for e in run.parts.env if e not in merged.env]
        merged.paths += [p for p in run.parts.paths if p not in merged.paths]
        merged.warnings += run.parts.warnings
        merged.configs += [c for c in run.parts.configs if c not in merged.configs]
        merged.unfollowed += [u for u in run.parts.unfollowed if u not in merged.unfollowed]
        for need in run.parts.needs:
            merged.need(need)
        for note in run.parts.notes:
            merged.note(note)
    for note in notes:
        merged.note(note)
    steps = [run.parts.entries[0].via for run in runs if run.prestart and run.parts.entries]
    if main is None and steps:  # only the steps before a server were followed
        merged.unfollowed.append(f"{steps[0]} runs first, and what starts after it was not followed")
    return StartCommand(
        merged.server,
        tuple(merged.entries),
        tuple(merged.installs),
        tuple(merged.env),
        tuple(merged.paths),
        tuple(merged.notes),
        tuple(merged.needs),
        tuple(merged.warnings),
        tuple(merged.configs),
        tuple(merged.unfollowed),
    )


def python_heredoc(text: str, spot: str, ctx: CommandContext, runs: list[Run], notes: list[str]) -> None:
    """`python << END ... END`: the program's top-level imports run before what the script starts
    next (a wait-for-the-database loop that imports psycopg2 must find it installed)."""
    imported = program_imports(text)
    if imported is None:
        notes.append(f"python reads its program from a heredoc ({spot}) importaudit cannot parse: not followed")
        return
    parts = Parts(server="python")
    for module, _line in imported:
        parts.entries.append(Entry(module, EntryKind.APP, via=f"python heredoc ({spot})", location=ctx.location,
                                   phase="master"))
    runs.append(Run(parts, False, False, prestart=True))
