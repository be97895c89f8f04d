"""What a Dockerfile's RUN steps do to the image: installs, exports, built wheels, venvs, placed files."""

from __future__ import annotations

import dataclasses
import posixpath
import shlex
from typing import Callable, Optional

from importaudit.model import Install, InstallKind
from importaudit.targets.dockerfile_stages import StageReader
from importaudit.targets.dockerfile_syntax import Instruction
from importaudit.targets.exports import parse_build, parse_export
from importaudit.targets.image_state import (
    BASE_IMAGE_DIRS,
    Stage,
    image_glob,
    image_has,
    path_map,
    repo_script,
)
from importaudit.targets.installs import opaque_reason, parse_install, split_extras
from importaudit.targets.project_selection import project_folder
from importaudit.targets.shell import program_name, split_assignments
from importaudit.targets.shell_flow import flow_commands

_MAX_LIST_BYTES = 1 << 20  # a package list read for `$(cat FILE)`


class RunReader(StageReader):
    """The stage reader plus RUN: each step's shell text evaluated, its installs kept per stage."""

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
            read=lambda path: self.repo_text(resolve_abs(path)),
        )
        if problem:
            stage.notes.append(f"line {inst.line}: {problem}")
        pushed: list[str] = []  # bash's directory stack: `pushd DIR` ... `popd`
        for words in commands:
            _, words = split_assignments(words)
            # A known substitution (`$(cat packages.txt)`) is split into words, as the shell does.
            words = [p for w in words for p in (w.split() if " " in w and "$(" not in w else [w]) if p]
            if not words:
                continue
            if program_name(words[0]) == "pushd" and len(words) > 1:
                pushed.append(cwd)
                cwd = posixpath.normpath(posixpath.join(cwd, words[-1]))
                continue
            if program_name(words[0]) == "popd":
                cwd = pushed.pop() if pushed else cwd
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

    def repo_text(self, path: Optional[str]) -> Optional[str]:
        """The text of a repo file the image holds (`$(cat packages.txt)`), None if unknown."""
        if path is None or path not in self.files:
            return None
        try:
            raw = (self.root / path).read_bytes()
        except OSError:
            return None
        if len(raw) > _MAX_LIST_BYTES or b"\x00" in raw:
            return None  # no package list: a binary or an 8 MB file would be no install step's words
        return raw.decode("utf-8", errors="replace")

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
            self.move_wheels(words, stage, absolute)
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
            stage.exports[absolute(output)] = install
            return cwd
        built = parse_build(words)
        if built is not None:  # `uv build` / `python -m build`: DIR holds the project's wheel
            wheels, project = built
            source = project_folder(absolute(project), resolve_abs)
            holds = source is not None and any(
                (name if source == "." else f"{source}/{name}") in self.files
                for name in ("pyproject.toml", "setup.py", "setup.cfg")
            )
            if source is not None and holds:  # a folder without metadata builds no wheel we know
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
            for followed in self.follow(install, stage, absolute, mounted):
                if followed.kind is InstallKind.UNKNOWN or "$" in followed.spec or "`" in followed.spec:
                    followed = dataclasses.replace(followed, why=opaque_reason(followed.spec, stage.unset_args))
                installs.append(followed)
        if parsed.wheel_dir:
            folder = absolute(parsed.wheel_dir)
            # `pip wheel --no-deps` leaves the dependencies out of the folder, not out of the
            # wheels' metadata: installing them later resolves those (unless that install says --no-deps).
            installs = [dataclasses.replace(i, no_deps=False) for i in installs]
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

    def move_wheels(self, words: list[str], stage: Stage, absolute: Callable[[str], str]) -> None:
        """`mv /src/dist /dist` (or `cp -r`): the folder of built wheels keeps what they hold
        under its new name."""
        paths = [w for w in words[1:] if not w.startswith("-")]
        if len(paths) != 2 or absolute(paths[0]) not in stage.wheel_dirs:
            return
        source, dest = absolute(paths[0]), absolute(paths[1])
        if dest in stage.wheel_dirs or dest in BASE_IMAGE_DIRS:  # moved into an existing folder
            dest = posixpath.join(dest, posixpath.basename(source))
        stage.wheel_dirs[dest] = stage.wheel_dirs[source]

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
        path, extras = split_extras(path)  # `/tmp/dist/*.whl[postgres]`: the project with that extra
        folder = posixpath.dirname(path) if any(c in path for c in "*?") or path.endswith(".whl") else path
        for wheel_dirs in (stage.wheel_dirs, mounted.wheel_dirs):  # built by this RUN, or mounted
            if folder in wheel_dirs:
                return [
                    dataclasses.replace(
                        i, location=install.location, no_deps=i.no_deps or install.no_deps,
                        extras=tuple(sorted({*i.extras, *extras})) if i.kind is InstallKind.PROJECT else i.extras,
                    )
                    for i in wheel_dirs[folder]
                ]
        if install.spec.startswith("/wheels"):  # installs.py leaves these to the stages
            stage.notes.append(f"could not tell which stage built `{install.spec}`")
        return [install]
