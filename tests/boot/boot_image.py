"""Real-image boot truth: build a sample's Dockerfile with docker, start its own CMD, compare.

The venv harness (harness.py) reproduces what a target installs; this mode builds the image the
Dockerfile really describes (`docker build`, BuildKit, the local python:3.11-slim of
../shared/tools/docker-local.sh) and starts it with its own CMD/ENTRYPOINT, unchanged, in a
container with no network. Only Dockerfiles whose base image is python:3.11* take part (the only
base the machine has; every other tag would need a registry). Images are cached by a hash of
their build context, so a rerun only starts containers.

expected.json's boot.skip describes what the venv harness cannot reproduce (RUN cp, a service's
build context); a real build has none of these limits, so this mode ignores it and honours only
"image_skip" (sample-wide or per target).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import posixpath
import re
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from boot_container import observe_container
from boot_descriptors import final_chain, read_stages
from boot_launch import Observation
from boot_venvs import BuildFailed, Unsupported
from boot_verdicts import ABSENCE_RULES, Prediction, describe, disagreements, predict
from harness import Case, CaseResult, discover_cases, read_target

DOCKER = "/usr/bin/docker"  # Debian's CLI: BuildKit built in (docker-local.sh says why)
BASES = ("python:3.11",)  # what docker-local.sh builds locally; anything else needs a registry
BUILD_TIMEOUT = float(os.environ.get("IMPORTAUDIT_IMAGE_BUILD_TIMEOUT", "1200"))
IMAGE_BOOT_TIMEOUT = float(os.environ.get("IMPORTAUDIT_IMAGE_BOOT_TIMEOUT", "40"))
_SKIP_DIRS = {".git", "__pycache__", ".venv", "venv", "node_modules", ".mypy_cache", ".pytest_cache"}


@functools.cache
def docker_unavailable() -> Optional[str]:
    """Why real images cannot be built here, or None."""
    if os.environ.get("IMPORTAUDIT_NO_DOCKER") is not None:
        return "IMPORTAUDIT_NO_DOCKER is set"
    if not os.path.exists(DOCKER):
        return f"no {DOCKER}: start one with ../shared/tools/docker-local.sh up"
    try:
        info = subprocess.run([DOCKER, "info"], capture_output=True, text=True, timeout=30)
        if info.returncode != 0:
            return f"dockerd is not running ({info.stderr.strip().splitlines()[-1:]})"
        image = subprocess.run([DOCKER, "image", "inspect", "python:3.11-slim"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker does not answer: {exc}"
    if image.returncode != 0:
        return "no local python:3.11-slim (../shared/tools/docker-local.sh up builds one; never pulled)"
    return None


@dataclass(frozen=True)
class ImagePlan:
    dockerfile: str  # relative to the sample
    context: str  # the build context, relative to the sample ("" = the sample itself)
    stage: Optional[str]  # `docker build --target`, when the deploy stage is not the last one
    base: str  # the FROM image of the deploy stage's chain


@dataclass
class ImageResult:
    case: Case
    status: str  # agree, disagree, skip, error
    reason: str = ""
    plan: Optional[ImagePlan] = None
    prediction: Optional[Prediction] = None
    observed: Optional[Observation] = None
    problems: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # build / boot
    cached: bool = False  # the image was already built from the same context
    venv: Optional[CaseResult] = None  # the venv harness's result for the same target


IMAGE_RECORDS: list[ImageResult] = []


def is_dockerfile(case: Case) -> bool:
    """A case whose target names a Dockerfile of the sample (Dockerfile, Dockerfile.x, x.Dockerfile)."""
    return "dockerfile" in posixpath.basename(case.target).lower() and (case.sample_dir / case.target).is_file()


def _copy_sources(text: str) -> list[str]:
    """COPY/ADD sources taken from the build context (not --from a stage, not URLs)."""
    sources: list[str] = []
    for stage in read_stages(text):
        for word, rest in stage.instructions:
            if word not in {"COPY", "ADD"} or "--from" in rest or "<<" in rest:
                continue
            try:
                parts = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
            except ValueError:
                continue
            parts = [str(p) for p in parts if not str(p).startswith("--")]
            sources += [p for p in parts[:-1] if "://" not in p and "$" not in p]
    return sources


def _exists(root: Path, context: str, source: str) -> bool:
    base = root / context
    if any(c in source for c in "*?["):
        return any(base.glob(source.lstrip("/")))
    return (base / source.lstrip("/")).exists()


def plan_image(root: Path, dockerfile: str) -> ImagePlan:
    """How a user builds it: from the Dockerfile's folder when its COPY sources are there,
    else from the repo root (`docker build -f sub/Dockerfile .`); the deploy stage as target."""
    text = (root / dockerfile).read_text("utf-8", "replace")
    stages = read_stages(text)
    chain = final_chain(stages)
    if not chain:
        raise Unsupported(f"{dockerfile} has no FROM")
    deploy = chain[-1]
    stage = None
    if deploy is not stages[-1]:
        if not deploy.name:
            raise Unsupported(f"{dockerfile}: the deploy stage has no name to pass to --target")
        stage = deploy.name
    folder = posixpath.dirname(dockerfile)
    sources = _copy_sources(text)
    context = folder if all(_exists(root, folder, s) for s in sources) else ""
    return ImagePlan(dockerfile, context, stage, chain[0].base)


def takes_part(plan: ImagePlan) -> bool:
    return plan.base.startswith(BASES)


def _context_hash(root: Path, plan: ImagePlan) -> str:
    """Every file of the build context (names and bytes), the Dockerfile and the stage."""
    digest = hashlib.sha256(json.dumps([plan.dockerfile, plan.context, plan.stage]).encode())
    digest.update((root / plan.dockerfile).read_bytes())
    base = root / plan.context
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.endswith(".pyc"):
                continue
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def image_tag(case: Case, root: Path, plan: ImagePlan) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{case.sample}-{case.target}".lower()).strip("-")
    return f"importaudit-boot/{slug}:{_context_hash(root, plan)}"


def _docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout)


def build_image(root: Path, plan: ImagePlan, tag: str) -> bool:
    """Build (or reuse) the image; True when it was already there. Older tags of it are dropped."""
    if _docker("image", "inspect", tag).returncode == 0:
        return True
    argv = ["build", "--progress=plain", "-t", tag, "-f", str(root / plan.dockerfile)]
    argv += ["--target", plan.stage] if plan.stage else []
    try:
        done = subprocess.run(
            [DOCKER, *argv, str(root / plan.context)], capture_output=True, text=True,
            timeout=BUILD_TIMEOUT, env={**os.environ, "DOCKER_BUILDKIT": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise BuildFailed(f"docker build timed out after {BUILD_TIMEOUT:.0f}s") from exc
    if done.returncode != 0:
        raise BuildFailed(f"docker build {' '.join(argv[1:])} exited {done.returncode}:\n{done.stderr[-4000:]}")
    repo = tag.split(":", 1)[0]
    listed = _docker("images", repo, "--format", "{{.Repository}}:{{.Tag}}").stdout.split()
    for old in listed:
        if old != tag:
            _docker("image", "rm", "-f", old)
    return False


def importable_in_image(tag: str, modules: list[str], paths: tuple[str, ...]) -> dict[str, Optional[bool]]:
    """find_spec for each module with the image's own python, WORKDIR and ENV."""
    probe = (
        "import importlib.util, json, os, sys\n"
        "sys.path[1:1] = [os.path.join(os.getcwd(), p) for p in json.loads(sys.argv[1])]\n"
        "out = {}\n"
        "for name in json.loads(sys.argv[2]):\n"
        "    try:\n"
        "        out[name] = importlib.util.find_spec(name) is not None\n"
        "    except ImportError:\n"
        "        out[name] = False\n"
        "    except Exception:\n"
        "        out[name] = None\n"
        "print(json.dumps(out))\n"
    )
    done = _docker("run", "--rm", "--network", "none", "--entrypoint", "python3", tag, "-c", probe,
                   json.dumps(list(paths)), json.dumps(modules))
    try:
        result: dict[str, Optional[bool]] = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {name: None for name in modules}
    return result


OTHER_BASES: list[str] = []  # Dockerfile cases left out: their base needs a registry


def image_cases() -> list[Case]:
    """Every boot case whose target is a Dockerfile of its sample built FROM python:3.11*."""
    cases: list[Case] = []
    for case in discover_cases():
        if case.problem is not None or not is_dockerfile(case):
            continue
        try:
            plan = plan_image(case.sample_dir, case.target)
        except (Unsupported, OSError):
            cases.append(case)  # run_image_case says why
            continue
        if takes_part(plan):
            cases.append(case)
        else:
            OTHER_BASES.append(f"{case.id} (FROM {plan.base})")
    return cases


def _image_skip(case: Case, expected: dict[str, Any]) -> Optional[str]:
    boot = expected.get("boot") or {}
    spec = (boot.get("targets") or {}).get(case.target) or {}
    skip = boot.get("image_skip") or (spec.get("image_skip") if isinstance(spec, dict) else None)
    return str(skip) if skip else None


def run_image_case(case: Case) -> ImageResult:
    """Build, start, observe and compare one Dockerfile target; never raises."""
    try:
        return _run_image_case(case)
    except Unsupported as exc:
        return ImageResult(case, "skip", str(exc))
    except BuildFailed as exc:
        return ImageResult(case, "error", f"the image did not build:\n{exc}")
    except Exception as exc:  # a harness bug must show up as a failing case
        return ImageResult(case, "error", f"{type(exc).__name__}: {exc}")


def _run_image_case(case: Case) -> ImageResult:
    root = case.sample_dir
    expected: dict[str, Any] = json.loads((root / "expected.json").read_text("utf-8"))
    skip = _image_skip(case, expected)
    if skip:
        return ImageResult(case, "skip", f"expected.json: {skip}")
    plan = plan_image(root, case.target)
    if not takes_part(plan):
        return ImageResult(case, "skip", f"base {plan.base} is not python:3.11* (no registry here)", plan)
    prediction = predict(root, case.target, expected)
    tag = image_tag(case, root, plan)
    clock = time.monotonic()
    cached = build_image(root, plan, tag)
    seconds = {"build": time.monotonic() - clock}
    clock = time.monotonic()
    observed = observe_container(
        tag, list(case.routes), probe=case.probe, timeout=IMAGE_BOOT_TIMEOUT, window=8.0
    )
    claims = sorted({str(f["module"]) for f in prediction.findings
                     if f.get("module") and f.get("rule") in ABSENCE_RULES})
    # --chdir/--pythonpath folders, relative to WORKDIR (where the CMD starts)
    paths = read_target(root, case.target).paths
    found = importable_in_image(tag, claims, paths) if claims else {}
    seconds["boot"] = time.monotonic() - clock
    problems = disagreements(prediction, observed, found) + observed.problems
    if case.expect in {"boots", "fails-at-boot"} and observed.outcome != case.expect:
        problems.append(f"expected.json says the real boot {case.expect}; the image {observed.outcome}")
    status = "disagree" if problems else "agree"
    built = f"docker build -f {plan.dockerfile}" + (f" --target {plan.stage}" if plan.stage else "")
    built += f" {plan.context or '.'}"
    message = describe(prediction, observed, "the image's own CMD/ENTRYPOINT", [built], "the image's")
    return ImageResult(case, status, message, plan, prediction, observed, problems, seconds, cached)

