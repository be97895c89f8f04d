"""Targets from their parts: an image or a platform's installs plus a parsed start command."""

from __future__ import annotations

import dataclasses
import posixpath
import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Callable, Optional, Union

from importaudit.model import Entry, EntryKind, Install, InstallKind, Location, SourceWarning, Target

# `from .. import commands` (not `from ..commands import ...`): commands.py imports this
# package's helpers, so either module may be the one that starts loading first.
from importaudit.targets import commands
from importaudit.targets.image_state import Image, StartSpec
from importaudit.targets.shell import split_words

# The module a needed distribution's program imports first: the server itself must be installed.
NEED_MODULES = {
    "gunicorn": "gunicorn",
    "uvicorn": "uvicorn",
    "hypercorn": "hypercorn",
    "daphne": "daphne",
    "waitress": "waitress",
    "granian": "granian",
    "celery": "celery",
    "flask": "flask",
    "quart": "quart",
    "django": "django",
    "streamlit": "streamlit",
    "chainlit": "chainlit",
    "fastapi-cli": "fastapi_cli",
    "newrelic": "newrelic",
    "ddtrace": "ddtrace",
    "opentelemetry-instrumentation": "opentelemetry.instrumentation",
    "uvicorn-worker": "uvicorn_worker",
    "python-dotenv": "dotenv",
    "PyYAML": "yaml",
    "gevent": "gevent",
    "eventlet": "eventlet",
    "tornado": "tornado",
    "uvloop": "uvloop",
    "httptools": "httptools",
    "websockets": "websockets",
    "wsproto": "wsproto",
    "PasteDeploy": "paste.deploy",
    "trio": "trio",
    "rloop": "rloop",
    "uWSGI|pyuwsgi": "uwsgi",
    "winloop": "winloop",
}

Command = Union[str, Sequence[str]]


def written(command: Command) -> str:
    return command if isinstance(command, str) else shlex.join(command)


def need_entries(start: commands.StartCommand, location: Optional[Location]) -> list[Entry]:
    """Each needed distribution without an entry of its own becomes a SERVER entry."""
    covered = {entry.distribution for entry in start.entries if entry.distribution}
    entries = []
    for need in start.needs:
        if need not in covered:
            entries.append(
                Entry(
                    NEED_MODULES.get(need, need.replace("-", "_")),
                    EntryKind.SERVER,
                    via="start command",
                    location=location,
                    distribution=need,
                    phase="master",
                )
            )
    return entries


def command_target(
    *,
    name: str,
    kind: str,
    file: str,
    line: int,
    start: Optional[commands.StartCommand],
    command_text: Sequence[str],
    installs: Sequence[Install],
    env: Sequence[tuple[str, str]],
    python: Optional[str],
    python_source: Optional[str],
    provided: Sequence[str] = (),
    notes: Sequence[str] = (),
    warnings: Sequence[SourceWarning] = (),
    placed: Sequence[tuple[str, str]] = (),
) -> Target:
    """Merge what a descriptor installs with what its start command runs."""
    all_installs = list(installs)
    entries: list[Entry] = []
    all_env = list(env)
    paths: list[str] = []
    all_notes = list(notes)
    all_warnings = list(warnings)
    if start is not None:
        all_installs += [i for i in start.installs if i not in all_installs]
        entries = list(start.entries) + need_entries(start, Location(file, line))
        all_env += [pair for pair in start.env if pair not in all_env]
        paths = list(start.paths)
        all_notes += [n for n in start.notes if n not in all_notes]
        all_warnings += start.warnings
    if start is None or not start.entries:
        all_notes.append("no entry point could be determined")
    return Target(
        name=name,
        kind=kind,
        file=file,
        line=line,
        python=python,
        python_source=python_source,
        installs=tuple(all_installs),
        entries=tuple(entries),
        commands=tuple(command_text),
        env=tuple(all_env),
        paths=tuple(paths),
        provided=tuple(provided),
        notes=tuple(all_notes),
        warnings=tuple(all_warnings),
        placed=tuple(placed),
        starts=tuple(start.configs) if start is not None else (),
        unfollowed=tuple(start.unfollowed) if start is not None else (),
    )


def _argv(spec: StartSpec) -> Command:
    return list(spec.exec_form) if spec.exec_form is not None else spec.text


def image_command(entrypoint: Optional[StartSpec], cmd: Optional[StartSpec]) -> tuple[Optional[Command], int]:
    """What a container runs: an exec ENTRYPOINT gets CMD as arguments; a shell one runs as
    `/bin/sh -c TEXT CMD...`, so CMD is only seen through `$0 $@` in TEXT."""
    if entrypoint is not None:
        if entrypoint.exec_form is None:
            if cmd is not None and cmd.exec_form and re.search(r"\$(?:0|@|\*|\{[0@*]\}|[1-9])", entrypoint.text):
                return ["/bin/sh", "-c", entrypoint.text, *cmd.exec_form], entrypoint.line
            return entrypoint.text, entrypoint.line
        args: list[str] = []
        if cmd is not None:
            args = list(cmd.exec_form) if cmd.exec_form is not None else ["/bin/sh", "-c", cmd.text]
        return [*entrypoint.exec_form, *args], (cmd or entrypoint).line
    if cmd is not None:
        return _argv(cmd), cmd.line
    return None, 0


def image_target(
    root: Path,
    image: Image,
    *,
    name: str,
    kind: str = "dockerfile",
    file: Optional[str] = None,
    command: Optional[Command] = None,
    entrypoint: Optional[Command] = None,
    extra_env: Sequence[tuple[str, str]] = (),
    line: int = 0,
    binds: Sequence[tuple[str, str]] = (),
    workdir: Optional[str] = None,
) -> Target:
    """A target running `image`, with compose-style command/entrypoint overrides and bind mounts
    ((container folder, repo folder): the checkout seen in the container, over the image's copy)."""
    stage = image.stage
    entry_spec, cmd_spec = stage.entrypoint, stage.cmd
    if entrypoint is not None:
        words = split_words(entrypoint) if isinstance(entrypoint, str) else list(entrypoint)
        entry_spec, cmd_spec = StartSpec(tuple(words), written(entrypoint), line), None
    if command is not None:
        words = split_words(command) if isinstance(command, str) else list(command)
        cmd_spec = StartSpec(tuple(words), written(command), line)
    run, run_line = image_command(entry_spec, cmd_spec)
    env = dict(stage.env)
    env.update(dict(extra_env))
    start = None
    notes = list(image.notes)
    if run is None:
        notes.append("no CMD or ENTRYPOINT: the base image's default runs (python3 for python images)")
    else:
        location = Location(file or image.file, run_line or line)
        start = commands.parse_start_command(
            run,
            root=root,
            files=sorted(image.files),
            env=env,
            location=location,
            container_workdir=posixpath.join(stage.workdir, workdir) if workdir else stage.workdir,
            path_map=_with_binds(image.path_map(), binds),
            made_by=image.made_by,
            os_package=image.os_package,
        )
        # What following the command found out about the image (a path matched under a base
        # image's WORKDIR) is said with the image's own notes.
        notes += [note for note in image.notes if note not in notes]
    target = command_target(
        name=name,
        kind=kind,
        file=file or image.file,
        line=run_line or line or stage.line,
        start=start,
        command_text=() if run is None else (written(run),),
        installs=stage.installs,
        env=sorted(env.items()) if extra_env else list(env.items()),
        python=image.python,
        python_source=image.python_source,
        notes=notes,
        warnings=image.warnings,
        placed=tuple(stage.placed),
    )
    return dataclasses.replace(target, ships=image_ships(image))


def _with_binds(
    path_map: Callable[[str], Optional[str]], binds: Sequence[tuple[str, str]]
) -> Callable[[str], Optional[str]]:
    """A container path under a bind mount is the repo's file; the image's map for the rest."""
    ordered = sorted(binds, key=lambda bind: len(bind[0]), reverse=True)

    def resolve(path: str) -> Optional[str]:
        for dest, source in ordered:
            if path == dest or path.startswith(dest.rstrip("/") + "/"):
                rest = path[len(dest) :].strip("/")
                return posixpath.join(source, rest) if source and rest else (source or rest)
        return path_map(path)

    return resolve if ordered else path_map


def image_ships(image: Image) -> Optional[tuple[str, ...]]:
    """The repo paths the image's COPY/ADD put in it (None: it copies the whole context's root, or
    may install it another way, a RUN --mount or a wheel built in a stage; (): nothing from the repo
    at all, only published packages). A compose service that bind-mounts the code says None itself."""
    sources = {copy.source for copy in image.stage.copies}
    if "" in sources:
        return None
    if not sources:
        if any(install.kind in (InstallKind.PROJECT, InstallKind.UNKNOWN) for install in image.stage.installs):
            # `RUN --mount=type=bind,target=/src pip install /src`, or a wheel another stage built
            # (`COPY --from=build /dist/*.whl`): the repo's code may well be in it
            return None
        return ()
    # A file a RUN copies into place (`cp deploy/x.py app/local.py`) came in with a COPY anyway.
    return tuple(sorted(sources | {repo for _path, repo in image.stage.placed}))
