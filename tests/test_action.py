"""action.yml's audit step run in a shell as the runner runs it (INPUT_* variables, RUNNER_TEMP,
GITHUB_STEP_SUMMARY), on the monorepo sample checked out as the workspace. The install step is
run for real by tests/integration/test_action_install.py."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from action_support import ACTION, run_steps

from tests.test_report_causes import sarif_validate

SAMPLE = Path(__file__).resolve().parent.parent / "sample_projects" / "monorepo_two_services"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("expected.json"))
    return root


@pytest.fixture
def runner(tmp_path: Path) -> Path:
    """RUNNER_TEMP with importaudit's virtualenv in place: this test interpreter's own."""
    runner = tmp_path / "runner"
    (runner / "temp").mkdir(parents=True)
    (runner / "temp" / "importaudit-venv").symlink_to(Path(sys.prefix))
    return runner


def test_the_action_declares_its_inputs() -> None:
    assert {"path", "args", "sarif", "summary", "python-version"} <= set(ACTION["inputs"])
    assert ACTION["inputs"]["summary"]["default"] == "true"


def test_audit_step_with_sarif_and_summary(workspace: Path, runner: Path) -> None:
    steps = run_steps({"path": "services/api", "sarif": "importaudit.sarif"}, runner, workspace, skip_install=True)
    audit = steps[-1]
    assert audit.returncode == 1, audit.stderr  # the api fails at boot: the job fails
    assert audit.stdout.startswith("::error file=services/api/app/cache.py,line=3,")
    doc = json.loads((workspace / "importaudit.sarif").read_text())
    sarif_validate(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "services/api/app/cache.py"
    assert "sarif=importaudit.sarif" in (runner / "github_output.txt").read_text()
    summary = (runner / "github_step_summary.txt").read_text()
    assert "| `Dockerfile` | ❌ fails at boot |" in summary


def test_audit_step_args_and_no_summary(workspace: Path, runner: Path) -> None:
    inputs = {"path": ".", "args": "--target services/sales/Dockerfile --exit-zero", "summary": "false"}
    audit = run_steps(inputs, runner, workspace, skip_install=True)[-1]
    assert audit.returncode == 0, audit.stderr
    assert "services/sales/app.py" in audit.stdout and "services/api" not in audit.stdout
    assert (runner / "github_step_summary.txt").read_text() == ""
    assert not (workspace / "importaudit.sarif").exists()


def test_a_tool_failure_still_fails_the_step(workspace: Path, runner: Path) -> None:
    audit = run_steps({"path": "no/such/folder", "sarif": "x.sarif"}, runner, workspace, skip_install=True)[-1]
    assert audit.returncode == 2
    assert "no such file or directory" in audit.stderr
    assert "sarif=" not in (runner / "github_output.txt").read_text()  # upload-sarif's `if:` skips it
