"""A Dockerfile's image: stages, what its RUNs install, what COPY brings from the repo, CMD."""

from __future__ import annotations

import dataclasses
import posixpath
import re
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Callable, Optional

from importaudit.model import Install, InstallKind, Location, SourceWarning
from importaudit.targets.dockerfile_syntax import (
    Instruction,
    instruction_words,
    parse_dockerfile,
    python_from_image,
)
from importaudit.targets.exports import parse_build, parse_export
from importaudit.targets.image_state import (
    BASE_IMAGE_DIRS,
    Copy,
    Image,
    Stage,
    StartSpec,
    context_is_root,
    copies_under,
    image_glob,
    image_has,
    path_map,
    repo_script,
)
from importaudit.targets.installs import parse_install, project_folder
from importaudit.targets.shell import expand_vars, program_name, split_assignments
from importaudit.targets.shell_flow import flow_commands

# Where a stage keeps what it installed; copying one of these from a stage copies its installs.
_INSTALL_ROOTS = ("/usr/local", "/root/.local", "/opt/venv", "/venv", "/install")


class _Reader:
    """Walks the instructions once, keeping each stage's state."""

    def __init__(
        self, file: str, context: str, files: frozenset[str], build_args: Mapping[str, str], root: Path = Path(".")
    ) -> None:
        self.root = root
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
                stage.runs.append((inst.line, expand_vars(inst.args, self.vars(stage))))
                self.run(inst, stage)
            elif inst.keyword in ("CMD", "ENTRYPOINT"):
                spec = StartSpec(inst.exec_form, inst.args, inst.line)
                if inst.keyword == "CMD":
                    stage.cmd, stage.cmd_here = spec, True
                else:
                    stage.entrypoint = spec
                    if not stage.cmd_here:
                        stage.cmd = None  # Docker resets an inherited CMD on a new ENTRYPOINT

    def tool_folder(
        self, install: Install, resolve_abs: Callable[[str], Optional[str]], absolute: Callable[[str], str]
    ) -> Install:
        """`pipenv sync` (uv, poetry, pdm) with no --project reads the current directory: when the
        repo root has no manifest of that tool but the directory holds a copy of one (`COPY
        Pipfile Pipfile.lock ./` from src/), that copy's folder is the project."""
        names = _TOOL_MANIFESTS.get(install.tool, ())
        if install.kind is not InstallKind.PROJECT or install.spec != "." or not names:
            return install
        if any(name in self.files for name in names):
            return install
        for name in names:
            found = resolve_abs(absolute(name))
            if found is not None and found in self.files and found.rsplit("/", 1)[-1] == name:
                return dataclasses.replace(install, spec=posixpath.dirname(found) or ".")
        return install

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
                unset_args=set(),
                copies=list(base.copies),
                installs=list(base.installs),
                install_roots=list(base.install_roots),
                wheel_dirs=dict(base.wheel_dirs),
                exports=dict(base.exports),
                cmd_here=False,
                notes=list(base.notes),
                placed=list(base.placed),
                runs=list(base.runs),
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
                if not eq and key not in self.build_args and not self.global_args.get(key):
                    stage.unset_args.add(key)
                else:
                    stage.unset_args.discard(key)

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
            or dest == stage.workdir
            or dest in BASE_IMAGE_DIRS
            or dest in {copy.dest for copy in stage.copies if copy.kind == "dir"}
        )
        if "from" in flags:
            self.copy_from_stage(flags["from"], sources, dest, stage, stage)
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

    def find_stage(self, origin: str) -> Optional[Stage]:
        found = next((s for s in self.stages if s.name and s.name.lower() == origin.lower()), None)
        if found is None and origin.isdigit() and int(origin) < len(self.stages):
            found = self.stages[int(origin)]
        return found

    def copy_from_stage(self, origin: str, sources: list[str], dest: str, stage: Stage, into: Stage) -> None:
        """COPY --from (or a RUN --mount from=, then `into` is a scratch stage for that RUN)."""
        found = self.find_stage(origin)
        if found is None or found is stage:
            return  # an external image (`--from=ghcr.io/astral-sh/uv`): no Python packages
        for source in sources:
            path = posixpath.normpath(posixpath.join(found.workdir, source))
            if path in found.wheel_dirs:
                into.wheel_dirs[dest] = found.wheel_dirs[path]
                continue
            folder, name = posixpath.split(path)
            if folder in found.wheel_dirs and (name.endswith(".whl") or any(c in name for c in "*?[")):
                into.wheel_dirs[dest] = found.wheel_dirs[folder]  # COPY --from=builder /app/dist/*.whl /tmp/
                continue
            if path in found.exports:  # an exported requirements file travels with its meaning
                into.exports[dest] = found.exports[path]
                continue
            # Repo files the stage copied in travel too (COPY --from=builder /app /app).
            into.copies += copies_under(found.copies, path, dest, self.files)
            roots = [*found.install_roots, *_INSTALL_ROOTS]
            if any(
                path == root or root.startswith(path.rstrip("/") + "/") or path.startswith(root + "/")
                for root in roots
            ):
                into.installs += [i for i in found.installs if i not in into.installs]
                into.install_roots.append(dest)

    def mounts(self, inst: Instruction, stage: Stage) -> Stage:
        """The stage as one RUN sees it: `--mount=type=bind|cache` adds files for that RUN only."""
        scratch = dataclasses.replace(
            stage,
            copies=list(stage.copies),
            installs=[],
            install_roots=[],
            wheel_dirs=dict(stage.wheel_dirs),
            exports=dict(stage.exports),
        )
        for name, value in inst.flags:
            if name != "mount":
                continue
            options = dict(item.partition("=")[::2] for item in value.split(","))
            if options.get("type", "bind") not in ("bind", "cache"):
                continue
            source = options.get("source", options.get("src", ""))
            target = options.get("target", options.get("dst", options.get("destination")))
            if not target:
                continue
            dest = posixpath.normpath(posixpath.join(stage.workdir, target))
            if options.get("from"):
                self.copy_from_stage(options["from"], [source or "/"], dest, stage, scratch)
                continue
            if options.get("type", "bind") != "bind":
                continue  # a cache mount without from= starts empty
            repo = self.repo(source or ".")
            if repo is not None:
                kind = "file" if repo in self.files else "dir"
                scratch.copies.append(Copy(dest, repo, kind))
        return scratch

    def run(self, inst: Instruction, stage: Stage) -> None:
        scratch = self.mounts(inst, stage)
        texts: list[str] = []
        if inst.exec_form is not None:
            texts.append(shlex.join(inst.exec_form))
        elif inst.heredocs:
            texts += [body for _, body in inst.heredocs]
        else:
            texts.append(inst.args)
        resolve_abs = path_map(scratch.copies, self.files, self.dirs)
        for text in texts:
            self.run_text(text, inst, stage, stage.workdir, resolve_abs, scratch, 0)
        # What a mounted stage installed lands in this image when this RUN copies it into place.
        stage.installs += [i for i in scratch.installs if i not in stage.installs]

    def run_text(
        self,
        text: str,
        inst: Instruction,
        stage: Stage,
        cwd: str,
        resolve_abs: Callable[[str], Optional[str]],
        mounted: Stage,
        depth: int,
    ) -> None:
        """One RUN's shell text (or a script it runs), its tests and loops decided where known."""
        env = {k: v for k, v in self.vars(stage).items() if k not in stage.unset_args}
        commands, problem = flow_commands(
            text,
            env,
            unset=frozenset(stage.unset_args),
            exists=lambda path: image_has(path, resolve_abs, self.files, self.dirs),
            glob=lambda pattern: image_glob(pattern, resolve_abs, self.files, self.dirs),
            cwd=cwd,
        )
        if problem:
            stage.notes.append(f"line {inst.line}: {problem}")
        for words in commands:
            _, words = split_assignments(words)
            words = [p for w in words for p in (w.split() if " " in w and "$(" not in w else [w])]
            if not words:
                continue
            script = repo_script(words, cwd, resolve_abs, self.files)
            if script is not None and depth < 3:
                try:
                    body = (self.root / script).read_text("utf-8", errors="replace")
                except OSError:
                    body = ""
                self.run_text(body, inst, stage, cwd, resolve_abs, mounted, depth + 1)
                continue
            cwd = self.run_command(words, inst, stage, cwd, resolve_abs, mounted)

    def run_command(
        self,
        words: list[str],
        inst: Instruction,
        stage: Stage,
        cwd: str,
        resolve_abs: Callable[[str], Optional[str]],
        mounted: Stage,
    ) -> str:
        program = program_name(words[0])

        def absolute(path: str) -> str:
            return posixpath.normpath(posixpath.join(cwd, path))

        if program == "cd" and len(words) > 1:
            return absolute(words[1])
        if program in ("cp", "mv"):
            self.place(words, stage, absolute, resolve_abs)
            return cwd
        if program in ("virtualenv", "venv") or words[1:3] in (["-m", "venv"], ["-m", "virtualenv"]):
            stage.install_roots += [
                absolute(w) for w in words[1:] if not w.startswith("-") and w not in ("venv", "virtualenv")
            ][-1:]
            return cwd
        exported = parse_export(
            words, self.location(inst.line), lambda path: resolve_abs(absolute(path)), stage.notes
        )
        if exported is not None:  # `uv export -o requirements.txt`: that file holds the project's set
            output, install = exported
            folder = resolve_abs(cwd) or "."
            if install.spec == ".":
                install = dataclasses.replace(install, spec=folder)
            stage.exports[absolute(output)] = install
            return cwd
        built = parse_build(words)
        if built is not None:  # `uv build` / `python -m build`: DIR holds the project's wheel
            wheels, project = built
            source = project_folder(absolute(project), resolve_abs)
            if source is not None:
                made = Install(InstallKind.PROJECT, source, self.location(inst.line))
                stage.wheel_dirs[absolute(wheels)] = (made,)
            return cwd
        parsed = parse_install(
            words, location=self.location(inst.line), resolve=lambda path: resolve_abs(absolute(path))
        )
        if parsed is None:
            return cwd
        installs = []
        for install in parsed.installs:
            install = self.tool_folder(install, resolve_abs, absolute)
            installs += self.follow(install, stage, absolute, mounted)
        if parsed.wheel_dir:
            folder = absolute(parsed.wheel_dir)
            held = list(stage.wheel_dirs.get(folder, ()))
            stage.wheel_dirs[folder] = tuple(held + [i for i in installs if i not in held])
            return cwd
        if parsed.prefix:
            stage.install_roots.append(absolute(parsed.prefix))
        if any(i.kind is InstallKind.PROJECT and i.tool in ("uv", "poetry", "pdm", "pipenv") for i in installs):
            stage.install_roots.append(cwd)  # the project's .venv lives here
        stage.installs += [i for i in installs if i not in stage.installs]
        stage.notes += [n for n in parsed.notes if n not in stage.notes]
        return cwd

    def place(
        self, words: list[str], stage: Stage, absolute: Callable[[str], str],
        resolve_abs: Callable[[str], Optional[str]],
    ) -> None:
        """`cp deploy/config.py app/settings/local.py`: a repo Python file put where the code
        imports it (a settings module that exists only in the image)."""
        paths = [w for w in words[1:] if not w.startswith("-")]
        if len(paths) != 2 or not paths[0].endswith(".py"):
            return
        source = resolve_abs(absolute(paths[0]))
        dest = absolute(paths[1])
        if source is None or source not in self.files:
            return
        if not dest.endswith(".py"):
            dest = posixpath.join(dest, posixpath.basename(paths[0]))
        folder = resolve_abs(posixpath.dirname(dest))
        if folder is None or (folder not in self.dirs and folder != ""):
            return
        target = posixpath.join(folder, posixpath.basename(dest)) if folder else posixpath.basename(dest)
        if target != source:
            stage.placed.append((target, source))

    def follow(
        self, install: Install, stage: Stage, absolute: Callable[[str], str], mounted: Stage
    ) -> list[Install]:
        """Unknown paths that are really wheels built in a stage or an exported requirements."""
        if install.kind is not InstallKind.UNKNOWN:
            return [install]
        path = absolute(install.spec)
        for exports in (stage.exports, mounted.exports):  # written by this RUN, or mounted into it
            if path in exports:
                return [dataclasses.replace(exports[path], location=install.location)]
        folder = posixpath.dirname(path) if any(c in path for c in "*?") or path.endswith(".whl") else path
        for wheel_dirs in (stage.wheel_dirs, mounted.wheel_dirs):  # built by this RUN, or mounted
            if folder in wheel_dirs:
                return [
                    dataclasses.replace(i, location=install.location, no_deps=i.no_deps or install.no_deps)
                    for i in wheel_dirs[folder]
                ]
        if install.spec.startswith("/wheels"):  # installs.py leaves these to the stages
            stage.notes.append(f"could not tell which stage built `{install.spec}`")
        return [install]


# What each project tool reads in the folder it installs.
_TOOL_MANIFESTS = {
    "pipenv": ("Pipfile", "Pipfile.lock"),
    "uv": ("pyproject.toml", "uv.lock"),
    "poetry": ("pyproject.toml", "poetry.lock"),
    "pdm": ("pyproject.toml", "pdm.lock"),
}


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
    reader = _Reader(
        relpath, posixpath.dirname(relpath) if context is None else context, file_set, build_args, root
    )
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
    if (
        context is None
        and reader.context
        and context_is_root(instructions, reader.context, reader.files | reader.dirs)
    ):
        # `docker build -f docker/Dockerfile .`: its COPY sources exist only from the root.
        reader.context = ""
        image.notes.append(f"{relpath} copies files found from the repo root: built with the root as context")
    reader.read(instructions)
    if not reader.stages:
        image.warnings.append(SourceWarning(relpath, 0, "no FROM instruction"))
        return image
    chosen = reader.stages[-1]
    if stage is None:
        chosen = _deploy_stage(reader.stages, image.notes)
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


# A trailing stage that only checks the code (`FROM base AS test` + `RUN pytest`) is built by CI
# with `--target test`; the deploy runs the stage before it.
_CHECK_STAGE = re.compile(r"^(test|tests|testing|lint|linting|check|checks|ci|qa|typecheck)([-_].*)?$", re.I)
_CHECK_TOOLS = frozenset({"pytest", "py.test", "tox", "nox", "ruff", "flake8", "pylint", "mypy", "black",
                          "isort", "coverage", "bandit", "pre-commit"})


def _runs_checks(stage: Stage) -> bool:
    spec = stage.cmd or stage.entrypoint
    if spec is None:
        return False
    words = list(spec.exec_form) if spec.exec_form else spec.text.split()
    words = [w for w in words if w not in ("python", "python3", "-m", "uv", "run", "poetry")]
    return bool(words) and program_name(words[0]) in _CHECK_TOOLS


def _deploy_stage(stages: Sequence[Stage], notes: list[str]) -> Stage:
    """The last stage, unless it is a test/lint stage: then the last stage before it that is not."""
    last = stages[-1]
    if len(stages) < 2 or not (_CHECK_STAGE.match(last.name or "") or _runs_checks(last)):
        return last
    for candidate in reversed(stages[:-1]):
        if not (_CHECK_STAGE.match(candidate.name or "") or _runs_checks(candidate)):
            notes.append(f"the final stage `{last.name or len(stages) - 1}` only checks the code: "
                         f"the deploy runs stage `{candidate.name or stages.index(candidate)}`")
            return candidate
    return last
