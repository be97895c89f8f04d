"""Run action.yml's shell steps the way the Actions runner does: expressions substituted, INPUT_*
variables from the step's env, `bash --noprofile --norc -eo pipefail` on a script file."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
_EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@dataclass
class StepRun:
    name: str
    returncode: int
    stdout: str
    stderr: str


def _expand(text: str, context: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in context:
            raise KeyError(f"action.yml uses ${{{{ {key} }}}}, which this runner stand-in does not know")
        return context[key]

    return _EXPR.sub(one, text)


def run_steps(inputs: dict[str, str], runner: Path, workspace: Path, *, skip_install: bool = False,
              python_bin: Path | None = None) -> list[StepRun]:
    """Every `run:` step of the composite action, in order, stopping at the first failure."""
    context = {f"inputs.{name}": str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    context.update({f"inputs.{name}": value for name, value in inputs.items()})
    context["github.action_path"] = str(ROOT)
    temp = runner / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    files = {key: runner / f"{key.lower()}.txt" for key in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
    for path in files.values():
        path.touch()
    env = {
        "PATH": f"{python_bin}:{os.environ['PATH']}" if python_bin else os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "RUNNER_TEMP": str(temp),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTIONS": "true",
        **{key: str(path) for key, path in files.items()},
    }
    done: list[StepRun] = []
    for index, step in enumerate(ACTION["runs"]["steps"]):
        if "run" not in step:
            continue  # `uses:` steps (setup-python): the test provides `python` on PATH instead
        name = step.get("name", f"step {index}")
        if skip_install and name.startswith("Install"):
            continue
        step_env: dict[str, Any] = {k: _expand(str(v), context) for k, v in (step.get("env") or {}).items()}
        script = runner / f"step{index}.sh"
        script.write_text(_expand(step["run"], context))
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace, env={**env, **step_env}, capture_output=True, text=True, timeout=600,
        )
        done.append(StepRun(name, proc.returncode, proc.stdout, proc.stderr))
        if proc.returncode != 0:
            break
    return done
