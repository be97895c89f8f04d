"""A Dockerfile's image: its stages walked in order (dockerfile_stages, dockerfile_run), the deploy stage, CMD."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Optional

from importaudit.model import SourceWarning
from importaudit.targets.dockerfile_run import RunReader
from importaudit.targets.dockerfile_syntax import (
    Instruction,
    parse_dockerfile,
    python_from_image,
)
from importaudit.targets.image_state import (
    Image,
    Stage,
    StartSpec,
    context_is_root,
)
from importaudit.targets.shell import expand_vars, program_name

__all__ = ["python_from_image", "read_image"]


class _Reader(RunReader):
    """Walks the instructions once, keeping each stage's state."""

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
                stage.workdir_unknown = stage.workdir_unknown and not target.startswith("/")
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
