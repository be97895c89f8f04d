"""The README's CI recipes, run: the workflow's Action inputs through action.yml's steps, the
pre-commit hook as pre-commit runs it. (The Docker recipe: tests/integration/test_docker_recipe.py;
installing from a git URL or a wheel: tests/integration/test_install_recipes.py.)"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from action_support import ACTION, run_steps

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SAMPLES = ROOT / "sample_projects"


def recipe(name: str, lang: str) -> str:
    match = re.search(rf"<!-- readme-recipe: {name} -->\n```{lang}\n(.*?)```", README, re.S)
    assert match, f"README.md has no {name} recipe"
    return match.group(1)


def workflow_steps() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    doc = yaml.safe_load(recipe("workflow", "yaml"))
    return doc, doc["jobs"]["importaudit"]["steps"]


def test_workflow_uses_only_the_actions_inputs_and_uploads_its_sarif() -> None:
    doc, steps = workflow_steps()
    ours = next(s for s in steps if s.get("id") == "importaudit")
    assert set(ours["with"]) <= set(ACTION["inputs"])
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["with"]["sarif_file"] == ours["with"]["sarif"]
    assert doc["permissions"]["security-events"] == "write"
    assert "steps.importaudit.outputs.sarif" in upload["if"] and "sarif" in ACTION["outputs"]


def test_workflow_inputs_run_through_the_actions_steps(tmp_path: Path) -> None:
    _doc, steps = workflow_steps()
    given = next(s for s in steps if s.get("id") == "importaudit")["with"]
    # The runner hands every input over as a string: YAML's true is "true".
    inputs = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in given.items()}
    workspace = tmp_path / "workspace"
    shutil.copytree(SAMPLES / "monorepo_two_services", workspace, ignore=shutil.ignore_patterns("expected.json"))
    runner = tmp_path / "runner"
    (runner / "temp").mkdir(parents=True)
    (runner / "temp" / "importaudit-venv").symlink_to(Path(sys.prefix))
    audit = run_steps(inputs, runner, workspace, skip_install=True)[-1]
    assert audit.returncode == 1, audit.stderr
    assert audit.stdout.startswith("::error file=services/api/app/cache.py,line=3,")
    assert (workspace / inputs["sarif"]).is_file()
    assert "❌ fails at boot" in (runner / "github_step_summary.txt").read_text()


def test_pre_commit_recipe_pins_a_commit_and_names_a_real_hook() -> None:
    (entry,) = yaml.safe_load(recipe("pre-commit", "yaml"))
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert [h["id"] for h in entry["hooks"]] == ["importaudit"]
    assert set(hooks) == {"importaudit"}
    assert entry["rev"] == "COMMIT_SHA" and "40-character commit SHA" in recipe("pre-commit", "yaml")


@pytest.mark.parametrize(("sample", "status"), [("paas_flask_zeabur", 1), ("clean_app", 0)])
def test_pre_commit_hook_runs_as_pre_commit_does(tmp_path: Path, sample: str, status: int) -> None:
    """pre-commit runs `entry` (plus `args`) from the repository root, no file names (pass_filenames:
    false), with the hook's virtualenv first on PATH."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["pass_filenames"] is False and hook["language"] == "python"
    repo = tmp_path / "repo"
    shutil.copytree(SAMPLES / sample, repo, ignore=shutil.ignore_patterns("expected.json"))
    bin_dir = str(Path(sys.executable).parent)
    proc = subprocess.run([*shlex.split(hook["entry"]), *hook.get("args", [])], cwd=repo, capture_output=True,
                          text=True, env={"PATH": f"{bin_dir}:/usr/bin:/bin"}, timeout=300)
    assert proc.returncode == status, proc.stdout + proc.stderr
