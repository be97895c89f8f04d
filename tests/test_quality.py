"""The repository's own gates: ruff, mypy strict, and importaudit auditing itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from importaudit.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.fail(f"{name} is not installed: install the test extra (pip install -e '.[test]')")
    return which


def test_ruff_is_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "importaudit", "tests"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importaudit_audits_itself() -> None:
    result = CliRunner().invoke(main, ["check", str(ROOT)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
