"""action.yml end to end: its install step builds importaudit's own virtualenv from the checkout
(pip, the package index), then the audit step runs from it, as on a GitHub runner."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from action_support import run_steps

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "monorepo_two_services"


@pytest.mark.integration
def test_install_and_audit_steps(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(SAMPLE, workspace, ignore=shutil.ignore_patterns("expected.json"))
    python_bin = Path(shutil.which("python3") or sys.executable).parent
    steps = run_steps({"path": ".", "sarif": "out.sarif"}, tmp_path / "runner", workspace, python_bin=python_bin)
    names = [s.name for s in steps]
    assert names == ["Install importaudit in its own virtualenv", "Audit"], [s.stderr[-2000:] for s in steps]
    install, audit = steps
    assert install.returncode == 0, install.stderr[-2000:]
    assert audit.returncode == 1, audit.stderr[-2000:]
    assert audit.stdout.startswith("::error file=services/api/app/cache.py,line=3,")
    assert (workspace / "out.sarif").is_file()
    assert (tmp_path / "runner" / "temp" / "importaudit-venv" / "bin" / "importaudit").is_file()
