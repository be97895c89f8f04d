"""The README's install lines, run: from a git URL pinned to a commit, and from built wheels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _head() -> str:
    proc = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip("not a git checkout")
    return proc.stdout.strip()


@pytest.mark.integration
def test_install_from_a_git_url_pinned_to_a_commit(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The README's form with this checkout as the remote (file://localhost/: older pips reject file:///).
    url = f"importaudit @ git+file://localhost{ROOT}@{_head()}"
    proc = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", url], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sample = ROOT / "sample_projects" / "clean_app"
    check = subprocess.run([str(venv / "bin" / "importaudit"), "check", str(sample)],
                           capture_output=True, text=True, timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
