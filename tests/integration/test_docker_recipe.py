"""The README's Docker stage recipe, built for real with docker (BuildKit) on small apps.

Needs a running dockerd and a local python:3.11-slim (../shared/tools/docker-local.sh up on the
project's machines); otherwise every test is skipped with the reason. `RUN pip install` inside the
images reaches the package index; importaudit itself goes in from wheels built from this checkout.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Optional

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKER = "/usr/bin/docker"
BASE = "python:3.11-slim"

APP_STAGE = """\
FROM python:3.11-slim AS app
WORKDIR /app
COPY install.txt .
RUN pip install --no-cache-dir -r install.txt
COPY app.py requirements.txt ./
"""
CMD = 'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n'
INSTALLED = "flask==3.0.3\ngunicorn==22.0.0\n"  # what the image really installs
FLASK_APP = "from flask import Flask\n{extra}\napp = Flask(__name__)\n\n\n@app.route('/')\ndef index():\n" \
    "    return 'ok'\n"


def _unavailable() -> Optional[str]:
    if not os.path.exists(DOCKER):
        return f"no {DOCKER}: start one with ../shared/tools/docker-local.sh up"
    try:
        info = subprocess.run([DOCKER, "info"], capture_output=True, text=True, timeout=30)
        if info.returncode != 0:
            return f"dockerd is not running ({info.stderr.strip().splitlines()[-1:]})"
        image = subprocess.run([DOCKER, "image", "inspect", BASE], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker does not answer: {exc}"
    if image.returncode != 0:
        return f"no local {BASE} image (../shared/tools/docker-local.sh up builds one; never pulled)"
    return None


REASON = _unavailable() if os.environ.get("IMPORTAUDIT_NO_DOCKER") is None else "IMPORTAUDIT_NO_DOCKER is set"
pytestmark = [pytest.mark.docker, pytest.mark.skipif(REASON is not None, reason=REASON or "")]


def readme_recipe(name: str = "docker") -> str:
    """A README Docker block, verbatim."""
    text = (ROOT / "README.md").read_text()
    match = re.search(rf"<!-- readme-recipe: {name} -->\n```dockerfile\n(.*?)```", text, re.S)
    assert match, f"README.md has no {name} recipe block"
    return match.group(1)


def dockerfile_variant() -> str:
    """The recipe with its audit RUN replaced by the README's --dockerfile lines."""
    recipe = readme_recipe()
    audit = re.search(r"^RUN /opt/importaudit/bin/importaudit check .*?touch /importaudit-passed\n", recipe,
                      re.S | re.M)
    assert audit, "the docker recipe has no audit RUN"
    variant = readme_recipe("docker-dockerfile")
    assert "--dockerfile" in variant and "--entry" not in variant and "--requirements" not in variant
    return recipe.replace(audit.group(0), variant)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """importaudit and its dependencies as wheels, the README's `pip wheel -w importaudit-wheels .`."""
    out = tmp_path_factory.mktemp("wheels") / "importaudit-wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "-w", str(out), str(ROOT)], check=True,
                   timeout=600, capture_output=True)
    return out


def build(tmp_path: Path, wheels: Path, *, app: str, requirements: str, dockerfile: Optional[str] = None,
          ) -> tuple[subprocess.CompletedProcess[str], str]:
    context = tmp_path / "context"
    (context / "importaudit-wheels").mkdir(parents=True)
    for wheel in wheels.iterdir():
        os.link(wheel, context / "importaudit-wheels" / wheel.name)
    (context / "app.py").write_text(app)
    (context / "requirements.txt").write_text(requirements)
    (context / "install.txt").write_text(INSTALLED)
    (context / "Dockerfile").write_text(dockerfile or APP_STAGE + "\n" + readme_recipe() + CMD)
    tag = f"importaudit-recipe-test:{uuid.uuid4().hex[:12]}"
    proc = subprocess.run(
        [DOCKER, "build", "--progress=plain", "-t", tag, str(context)],
        capture_output=True, text=True, timeout=1200, env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )
    return proc, tag


def run_in(tag: str, *command: str) -> int:
    return subprocess.run([DOCKER, "run", "--rm", "--network", "none", tag, *command], capture_output=True,
                          timeout=120).returncode


def remove(tag: str) -> None:
    subprocess.run([DOCKER, "image", "rm", "-f", tag], capture_output=True, timeout=120)


def test_a_clean_app_builds_and_the_audit_stage_ran(tmp_path: Path, wheels: Path) -> None:
    proc, tag = build(tmp_path, wheels, app=FLASK_APP.format(extra=""), requirements=INSTALLED)
    try:
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "/opt/importaudit/bin/importaudit check /app" in proc.stderr  # BuildKit ran the stage
        assert run_in(tag, "test", "-f", "/importaudit-passed") == 0
        assert run_in(tag, "test", "-e", "/opt/importaudit") != 0  # the final image does not carry it
        assert run_in(tag, "python", "-c", "import yaml") != 0  # nor its dependencies
    finally:
        remove(tag)


def test_a_missing_boot_module_fails_the_build(tmp_path: Path, wheels: Path) -> None:
    proc, tag = build(tmp_path, wheels, app=FLASK_APP.format(extra="import requests"), requirements=INSTALLED)
    remove(tag)
    assert proc.returncode != 0
    assert "missing-at-boot" in proc.stderr and "requests" in proc.stderr


def test_a_version_conflict_on_a_boot_import_fails_the_build(tmp_path: Path, wheels: Path) -> None:
    pinned = INSTALLED.replace("flask==3.0.3", "flask==3.1.0")
    proc, tag = build(tmp_path, wheels, app=FLASK_APP.format(extra=""), requirements=pinned)
    remove(tag)
    assert proc.returncode != 0
    assert "version-conflict" in proc.stderr and "flask==3.1.0" in proc.stderr.lower()


def test_importaudits_own_dependencies_never_hide_a_not_installed(tmp_path: Path, wheels: Path) -> None:
    # requirements.txt declares PyYAML (an importaudit dependency) but the image never installed it:
    # only the real environment can tell, and importaudit's own copy must not count.
    proc, tag = build(tmp_path, wheels, app=FLASK_APP.format(extra="import yaml"),
                      requirements=INSTALLED + "pyyaml\n")
    remove(tag)
    assert proc.returncode != 0
    assert "not-installed" in proc.stderr and "yaml" in proc.stderr


def test_the_dockerfile_variant_builds_a_clean_app(tmp_path: Path, wheels: Path) -> None:
    """--dockerfile: the audit reads the copied Dockerfile (its installs and CMD), not --entry."""
    proc, tag = build(tmp_path, wheels, app=FLASK_APP.format(extra=""), requirements=INSTALLED,
                      dockerfile=APP_STAGE + "\n" + dockerfile_variant() + CMD)
    try:
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "--dockerfile /tmp/importaudit/Dockerfile" in proc.stderr  # BuildKit ran the stage
        assert run_in(tag, "test", "-f", "/importaudit-passed") == 0
    finally:
        remove(tag)


def test_the_dockerfile_variant_fails_on_a_missing_boot_module(tmp_path: Path, wheels: Path) -> None:
    # requirements.txt declares requests, but what the Dockerfile installs (install.txt) does not:
    # the copied descriptor, not the declaration, says what the image has.
    proc, tag = build(tmp_path, wheels, app=FLASK_APP.format(extra="import requests"),
                      requirements=INSTALLED + "requests\n",
                      dockerfile=APP_STAGE + "\n" + dockerfile_variant() + CMD)
    remove(tag)
    assert proc.returncode != 0
    assert "missing-at-boot" in proc.stderr and "requests" in proc.stderr
    assert "Dockerfile installs nothing that provides it" in proc.stderr


def test_without_the_marker_buildkit_skips_the_audit_stage(tmp_path: Path, wheels: Path) -> None:
    """Why the recipe copies a marker: a stage nothing depends on is never built."""
    recipe = "\n".join(line for line in readme_recipe().splitlines() if "--from=importaudit" not in line)
    dockerfile = APP_STAGE + "\n" + recipe + "\n" + CMD
    proc, tag = build(tmp_path, wheels, app=FLASK_APP.format(extra="import requests"), requirements=INSTALLED,
                      dockerfile=dockerfile)
    remove(tag)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "/opt/importaudit/bin/importaudit check /app" not in proc.stderr
