"""A Dockerfile's stages as instructions build them: FROM, ARG, ENV, COPY/ADD, mounts, COPY --from."""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Optional

from importaudit.model import Location
from importaudit.targets.dockerfile_syntax import (
    Instruction,
    instruction_words,
)
from importaudit.targets.foreign_envs import foreign_environments
from importaudit.targets.image_state import (
    BASE_IMAGE_DIRS,
    Copy,
    Stage,
    copies_under,
)
from importaudit.targets.inherited_workdir import workdir_unknown
from importaudit.targets.shell import expand_vars

# Where a stage keeps what it installed; copying one of these from a stage copies its installs.
_INSTALL_ROOTS = ("/usr/local", "/root/.local", "/opt/venv", "/venv", "/install")


class StageReader:
    """Each stage's state (variables, copies, installs) as the instructions before a RUN leave it."""

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
                loose=list(base.loose),
            )
        else:
            stage = Stage(name=name, image=image, line=inst.line, workdir_unknown=workdir_unknown(image))
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
            origin = self.find_stage(flags["from"])
            stage.installs += foreign_environments(
                flags["from"], None if origin is stage else origin, sources, self.location(inst.line)
            )
            return
        before = len(stage.copies)
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
        if stage.workdir_unknown and not written_dest.startswith("/"):
            stage.loose += [(stage.workdir, copy) for copy in stage.copies[before:]]

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
            if repo is not None and (repo in self.files or repo in self.dirs):  # else the build fails
                kind = "file" if repo in self.files else "dir"
                scratch.copies.append(Copy(dest, repo, kind))
        return scratch
