"""A Dockerfile's image: stages, what its RUNs install, what COPY brings from the repo, CMD."""

from __future__ import annotations

import dataclasses
import fnmatch
import posixpath
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..model import Install, InstallKind, Location, SourceWarning
from .dockerfile_syntax import Instruction, instruction_words, parse_dockerfile, python_from_image
from .installs import parse_install
from .shell import expand_vars, program_name, split_assignments, split_commands

# Where a stage keeps what it installed; copying one of these from a stage copies its installs.
_INSTALL_ROOTS = ("/usr/local", "/root/.local", "/opt/venv", "/venv", "/install")


@dataclass(frozen=True)
class StartSpec:
    """CMD or ENTRYPOINT as written: an exec-form argv or shell text."""

    exec_form: Optional[tuple[str, ...]]
    text: str
    line: int


@dataclass(frozen=True)
class Copy:
    dest: str  # absolute container path
    source: str  # repo-relative ("" = the root), or a glob pattern for kind "glob"
    kind: str  # "dir", "file", "glob"


@dataclass
class Stage:
    """The image state after each instruction of one stage (inherited by `FROM <stage>`)."""

    name: Optional[str]
    image: str
    line: int
    parent: Optional[int] = None
    env: dict[str, str] = field(default_factory=dict)
    args: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    copies: list[Copy] = field(default_factory=list)
    installs: list[Install] = field(default_factory=list)
    install_roots: list[str] = field(default_factory=list)
    wheel_dirs: dict[str, tuple[Install, ...]] = field(default_factory=dict)
    exports: dict[str, Install] = field(default_factory=dict)
    cmd: Optional[StartSpec] = None
    entrypoint: Optional[StartSpec] = None
    cmd_here: bool = False  # CMD set in this stage (an ENTRYPOINT here resets an inherited one)
    notes: list[str] = field(default_factory=list)


@dataclass
class Image:
    """What the Dockerfile builds for one stage: the pipeline's view of an image."""

    file: str
    stage: Stage
    files: frozenset[str]
    dirs: frozenset[str]
    python: Optional[str] = None
    python_source: Optional[str] = None
    notes: list[str] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)

    def path_map(self, copies: Optional[Sequence[Copy]] = None) -> Callable[[str], Optional[str]]:
        return _path_map(self.stage.copies if copies is None else copies, self.files, self.dirs)


def _path_map(
    copies: Sequence[Copy], files: frozenset[str], dirs: frozenset[str]
) -> Callable[[str], Optional[str]]:
    """Container path -> repo path, through the COPY/ADD instructions seen so far (last wins)."""

    def resolve(path: str) -> Optional[str]:
        for copy in reversed(copies):
            dest = copy.dest.rstrip("/")
            if copy.kind == "file" and path == copy.dest:
                return copy.source
            if copy.kind == "glob" and posixpath.dirname(path) == (dest or "/"):
                folder, pattern = posixpath.split(copy.source)
                name = posixpath.basename(path)
                candidate = posixpath.join(folder, name) if folder else name
                if fnmatch.fnmatch(name, pattern) and candidate in files:
                    return candidate
            if copy.kind == "dir":
                if path == (dest or "/"):
                    return copy.source
                if path.startswith(dest + "/"):
                    rest = path[len(dest) + 1 :]
                    candidate = posixpath.join(copy.source, rest) if copy.source else rest
                    if candidate in files or candidate in dirs:
                        return candidate
        return None

    return resolve


class _Reader:
    """Walks the instructions once, keeping each stage's state."""

    def __init__(self, file: str, context: str, files: frozenset[str], build_args: Mapping[str, str]) -> None:
        self.file = file
        self.context = context
        self.files = files
        self.dirs = frozenset(
            {""}
            | {posixpath.dirname(name) for name in files}
            | {name.rsplit("/", n)[0] for name in files for n in range(1, name.count("/") + 1)}
        )
        self.build_args = dict(build_args)
        self.global_args: dict[str, str] = {}
        self.stages: list[Stage] = []

    def location(self, line: int) -> Location:
        return Location(self.file, line)

    def vars(self, stage: Optional[Stage]) -> dict[str, str]:
        if stage is None:
            return dict(self.global_args)
        return {**stage.args, **stage.env}

    def read(self, instructions: list[Instruction]) -> None:
        stage: Optional[Stage] = None
        for inst in instructions:
            if inst.keyword == "FROM":
                stage = self.start_stage(inst)
            elif inst.keyword == "ARG":
                self.arg(inst, stage)
            elif stage is None:
                continue
            elif inst.keyword == "ENV":
                self.env(inst, stage)
            elif inst.keyword == "WORKDIR":
                target = expand_vars(inst.args.strip(), self.vars(stage))
                stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, target))
            elif inst.keyword in ("COPY", "ADD"):
                self.copy(inst, stage)
            elif inst.keyword == "RUN":
                self.run(inst, stage)
            elif inst.keyword in ("CMD", "ENTRYPOINT"):
                spec = StartSpec(inst.exec_form, inst.args, inst.line)
                if inst.keyword == "CMD":
                    stage.cmd, stage.cmd_here = spec, True
                else:
                    stage.entrypoint = spec
                    if not stage.cmd_here:
                        stage.cmd = None  # Docker resets an inherited CMD on a new ENTRYPOINT

    def start_stage(self, inst: Instruction) -> Stage:
        words = expand_vars(inst.args, self.global_args).split()
        image = words[0] if words else ""
        name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
        parent = next(
            (
                index
                for index, stage in enumerate(self.stages)
                if stage.name and stage.name.lower() == image.lower()
            ),
            None,
        )
        if parent is not None:
            base = self.stages[parent]
            stage = dataclasses.replace(
                base,
                name=name,
                image=image,
                line=inst.line,
                parent=parent,
                env=dict(base.env),
                args={},
                copies=list(base.copies),
                installs=list(base.installs),
                install_roots=list(base.install_roots),
                wheel_dirs=dict(base.wheel_dirs),
                exports=dict(base.exports),
                cmd_here=False,
                notes=list(base.notes),
            )
        else:
            stage = Stage(name=name, image=image, line=inst.line)
        self.stages.append(stage)
        return stage

    def arg(self, inst: Instruction, stage: Optional[Stage]) -> None:
        for word in instruction_words(inst.args):
            key, eq, default = word.partition("=")
            if stage is None:
                self.global_args[key] = self.build_args.get(key, default)
            else:
                value = self.build_args.get(key, default if eq else self.global_args.get(key, ""))
                stage.args[key] = expand_vars(value, self.vars(stage))

    def env(self, inst: Instruction, stage: Stage) -> None:
        words = instruction_words(inst.args)
        if words and "=" not in words[0]:  # legacy `ENV KEY value with spaces`
            key, _, value = inst.args.strip().partition(" ")
            stage.env[key] = expand_vars(value.strip(), self.vars(stage))
            return
        for word in words:
            key, _, value = word.partition("=")
            stage.env[key] = expand_vars(value, self.vars(stage))

    def repo(self, source: str) -> Optional[str]:
        path = (
            posixpath.normpath(posixpath.join(self.context, source))
            if self.context
            else (posixpath.normpath(source))
        )
        if path.startswith("..") or path.startswith("/"):
            return None
        return "" if path == "." else path

    def copy(self, inst: Instruction, stage: Stage) -> None:
        flags = dict(inst.flags)
        if inst.heredocs:
            return  # COPY <<EOF writes inline text, nothing from the repo
        words = [expand_vars(word, self.vars(stage)) for word in instruction_words(inst.args)]
        if len(words) < 2:
            return
        sources, written_dest = words[:-1], words[-1]
        dest = posixpath.normpath(posixpath.join(stage.workdir, written_dest))
        dest_is_dir = (
            written_dest.endswith(("/", "."))
            or len(sources) > 1
            or dest == (stage.workdir)
            or dest in {copy.dest for copy in stage.copies if copy.kind == "dir"}
        )
        if "from" in flags:
            self.copy_from_stage(flags["from"], sources, dest, stage)
            return
        for source in sources:
            repo = self.repo(source)
            if repo is None or "://" in source:
                continue
            if any(char in source for char in "*?["):
                stage.copies.append(Copy(dest, repo, "glob"))
            elif repo in self.dirs and repo not in self.files:
                stage.copies.append(Copy(dest, repo, "dir"))
            elif dest_is_dir:
                target = posixpath.join(dest, posixpath.basename(repo))
                stage.copies.append(Copy(target, repo, "file"))
            else:
                stage.copies.append(Copy(dest, repo, "file"))

    def copy_from_stage(self, origin: str, sources: list[str], dest: str, stage: Stage) -> None:
        found = next((s for s in self.stages if s.name and s.name.lower() == origin.lower()), None)
        if found is None and origin.isdigit() and int(origin) < len(self.stages):
            found = self.stages[int(origin)]
        if found is None or found is stage:
            return  # an external image (`--from=ghcr.io/astral-sh/uv`): no Python packages
        for source in sources:
            path = posixpath.normpath(posixpath.join(found.workdir, source))
            if path in found.wheel_dirs:
                stage.wheel_dirs[dest] = found.wheel_dirs[path]
                continue
            if path in found.exports:  # an exported requirements file travels with its meaning
                stage.exports[dest] = found.exports[path]
                continue
            roots = [*found.install_roots, *_INSTALL_ROOTS]
            if any(
                path == root or root.startswith(path.rstrip("/") + "/") or path.startswith(root + "/")
                for root in roots
            ):
                stage.installs += [i for i in found.installs if i not in stage.installs]
                stage.install_roots.append(dest)

    def run(self, inst: Instruction, stage: Stage) -> None:
        copies = list(stage.copies)
        for name, value in inst.flags:
            if name == "mount" and "type=bind" in value:
                options = dict(item.partition("=")[::2] for item in value.split(","))
                repo = self.repo(options.get("source", options.get("src", ".")))
                target = options.get("target", options.get("dst", options.get("destination")))
                if repo is not None and target:
                    kind = "file" if repo in self.files else "dir"
                    copies.append(Copy(posixpath.normpath(posixpath.join(stage.workdir, target)), repo, kind))
        texts: list[str] = []
        if inst.exec_form is not None:
            texts.append(shlex.join(inst.exec_form))
        elif inst.heredocs:
            texts += [body for _, body in inst.heredocs]
        else:
            texts.append(inst.args)
        resolve_abs = _path_map(copies, self.files, self.dirs)
        for text in texts:
            commands, problem = split_commands(text)
            if problem:
                stage.notes.append(f"line {inst.line}: {problem}")
            cwd = stage.workdir
            for words in commands:
                _, words = split_assignments(words)
                words = [expand_vars(word, self.vars(stage)) for word in words]
                if not words:
                    continue
                cwd = self.run_command(words, inst, stage, cwd, resolve_abs)

    def run_command(
        self,
        words: list[str],
        inst: Instruction,
        stage: Stage,
        cwd: str,
        resolve_abs: Callable[[str], Optional[str]],
    ) -> str:
        program = program_name(words[0])

        def absolute(path: str) -> str:
            return posixpath.normpath(posixpath.join(cwd, path))

        if program == "cd" and len(words) > 1:
            return absolute(words[1])
        if program in ("virtualenv", "venv") or words[1:3] in (["-m", "venv"], ["-m", "virtualenv"]):
            stage.install_roots += [
                absolute(w) for w in words[1:] if not w.startswith("-") and w not in ("venv", "virtualenv")
            ][-1:]
            return cwd
        if program in ("poetry", "uv", "pdm") and words[1:2] == ["export"]:
            self.export(words, stage, cwd, resolve_abs, inst.line)
            return cwd
        parsed = parse_install(
            words, location=self.location(inst.line), resolve=lambda path: resolve_abs(absolute(path))
        )
        if parsed is None:
            return cwd
        installs = []
        for install in parsed.installs:
            installs += self.follow(install, stage, absolute)
        if parsed.wheel_dir:
            stage.wheel_dirs[absolute(parsed.wheel_dir)] = tuple(installs)
            return cwd
        if parsed.prefix:
            stage.install_roots.append(absolute(parsed.prefix))
        if any(i.kind is InstallKind.PROJECT and i.tool in ("uv", "poetry", "pdm", "pipenv") for i in installs):
            stage.install_roots.append(cwd)  # the project's .venv lives here
        stage.installs += [i for i in installs if i not in stage.installs]
        stage.notes += [n for n in parsed.notes if n not in stage.notes]
        return cwd

    def follow(self, install: Install, stage: Stage, absolute: Callable[[str], str]) -> list[Install]:
        """Unknown paths that are really wheels built in a stage or an exported requirements."""
        if install.kind is not InstallKind.UNKNOWN:
            return [install]
        path = absolute(install.spec)
        if path in stage.exports:
            return [stage.exports[path]]
        folder = posixpath.dirname(path) if any(c in path for c in "*?") or path.endswith(".whl") else path
        if folder in stage.wheel_dirs:
            return [dataclasses.replace(i, location=install.location) for i in stage.wheel_dirs[folder]]
        if install.spec.startswith("/wheels"):  # installs.py leaves these to the stages
            stage.notes.append(f"could not tell which stage built `{install.spec}`")
        return [install]

    def export(
        self, words: list[str], stage: Stage, cwd: str, resolve_abs: Callable[[str], Optional[str]], line: int
    ) -> None:
        """`poetry export -o requirements.txt`: that file will hold the project's dependencies."""
        output = None
        for index, word in enumerate(words):
            if word in ("-o", "--output", "--output-file") and index + 1 < len(words):
                output = words[index + 1]
            elif word.startswith(("--output=", "--output-file=")):
                output = word.split("=", 1)[1]
        if output is None:
            return
        with_dev = "--dev" in words or any(w in ("--with=dev", "--all-groups") for w in words)
        folder = resolve_abs(cwd) or "."
        stage.exports[posixpath.normpath(posixpath.join(cwd, output))] = Install(
            InstallKind.PROJECT,
            folder or ".",
            self.location(line),
            include_dev=with_dev,
            tool=program_name(words[0]),
        )


def read_image(
    root: Path,
    relpath: str,
    files: Sequence[str],
    stage: Optional[str] = None,
    context: Optional[str] = None,
    build_args: Mapping[str, str] = {},
) -> Image:
    """The image a Dockerfile builds (its final stage, or `stage`); never raises."""
    file_set = frozenset(files)
    reader = _Reader(relpath, posixpath.dirname(relpath) if context is None else context, file_set, build_args)
    image = Image(relpath, Stage(None, "", 0), file_set, reader.dirs)
    try:
        raw = (root / relpath).read_bytes()
        if b"\x00" in raw:
            raise UnicodeDecodeError("utf-8", raw, 0, 1, "binary file")
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        image.warnings.append(SourceWarning(relpath, 0, f"could not read: {exc}"))
        return image
    instructions, problems = parse_dockerfile(text)
    image.warnings += [SourceWarning(relpath, p.line, p.message) for p in problems]
    reader.read(instructions)
    if not reader.stages:
        image.warnings.append(SourceWarning(relpath, 0, "no FROM instruction"))
        return image
    chosen = reader.stages[-1]
    if stage is not None:
        named = [s for s in reader.stages if s.name and s.name.lower() == stage.lower()]
        if named:
            chosen = named[0]
        else:
            image.notes.append(f"build target `{stage}` is not a stage of {relpath}")
    image.stage = chosen
    base = chosen
    while base.parent is not None:
        base = reader.stages[base.parent]
    image.python, note = python_from_image(base.image)
    if image.python:
        image.python_source = f"{relpath}:{base.line} FROM {base.image}"
    if note:
        image.notes.append(note)
    image.notes += chosen.notes
    return image
