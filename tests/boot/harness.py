"""Boot truth: build what a sample target installs, start what it runs, compare with importaudit.

Cases come from each sample's expected.json "boot" block:

    "boot": {
      "routes": ["/", "/health"],          # GET after start-up (HTTP probe)
      "targets": {
        "Dockerfile": {"expect": "boots"},
        "Procfile:worker": {"expect": "fails-at-boot", "probe": "process"}
      },
      "skip": "reason"                     # optional, sample-wide; or per target "skip"
    }

"probe" says how the started command is observed:
  "http" (default): it boots when a listed route answers with a status < 500 within
    IMPORTAUDIT_BOOT_TIMEOUT (20 s); no answer or an exit is fails-at-boot; a 500 on a
    route with ModuleNotFoundError in the log is a request-time failure.
  "process" (a worker with no route: celery, rq ...): it fails at boot when it exits
    (any code) within IMPORTAUDIT_BOOT_PROCESS_WINDOW (8 s), with the ModuleNotFoundError
    names of its traceback as evidence; it boots when it is still running after the
    window, or earlier once it prints its ready line (boot_process.READY_LINES, e.g.
    celery's "celery@host ready."). routes are not needed.
Either way the command runs from a copy of the sample in a fresh venv holding exactly what
the target installs, in its own process group, which is killed afterwards; the comparison
with importaudit's verdict and findings is the same for both probes.

The real-image mode (boot_image.py, `-m boot_image`) builds the same Dockerfile cases with docker
and starts the image's own CMD instead, reporting the venv result next to it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from boot_descriptors import container_layout, cross_check, map_env_value
from boot_launch import (
    NON_HTTP_SERVERS,
    Observation,
    free_port,
    observe,
    plan_launch,
    run_release,
)
from boot_process import observe_process
from boot_venvs import (
    BuildFailed,
    Unsupported,
    ensure_venv,
    importable,
    interpreter_for,
    plan_steps,
)
from boot_verdicts import Prediction, absence_claims, describe, disagreements, predict

from importaudit.model import Target
from importaudit.targets import read_targets

REPO = Path(__file__).resolve().parents[2]
SAMPLES = Path(os.environ.get("IMPORTAUDIT_BOOT_SAMPLES", REPO / "sample_projects"))
RELEASE = "release: "  # how the targets stage marks a Procfile release command
HOST_PYTHON = "3.11"  # what importaudit assumes when a target names no Python (the dev venv's)
BOOT_TIMEOUT = float(os.environ.get("IMPORTAUDIT_BOOT_TIMEOUT", "20"))
# A process probe's start-up window: an exit within it is a failed boot.
PROCESS_WINDOW = float(os.environ.get("IMPORTAUDIT_BOOT_PROCESS_WINDOW", "8"))
PROBES = ("http", "process")
# Try cases expected.json skips anyway (to check whether a skip reason still holds).
RUN_SKIPPED = os.environ.get("IMPORTAUDIT_BOOT_RUN_SKIPPED") == "1"
_SKIP_DIRS = {
    ".git",
    "__pycache__",
    ".venv",
    "venv",
    "node_modules",
    ".mypy_cache",
    ".pytest_cache",
}


@dataclass(frozen=True)
class Case:
    sample: str
    target: str
    expect: str  # what expected.json says the real boot does
    routes: tuple[str, ...]
    skip: Optional[str] = None  # expected.json's boot.skip (sample-wide or per target)
    probe: str = "http"  # "http": request routes; "process": still running after a window
    problem: Optional[str] = None  # a malformed expected.json

    @property
    def id(self) -> str:
        return f"{self.sample}/{self.target}"

    @property
    def sample_dir(self) -> Path:
        return SAMPLES / self.sample


@dataclass
class CaseResult:
    case: Case
    status: str  # agree, disagree, skip, error
    reason: str = ""
    prediction: Optional[Prediction] = None
    observed: Optional[Observation] = None
    booted_python: Optional[str] = None
    problems: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # predict / venv / boot


RECORDS: list[CaseResult] = []
_records_lock = threading.Lock()


def discover_cases() -> list[Case]:
    """One case per (sample, target) that expected.json lists under boot.targets."""
    cases: list[Case] = []
    for expected_path in sorted(SAMPLES.glob("*/expected.json")):
        sample = expected_path.parent.name
        try:
            expected = json.loads(expected_path.read_text("utf-8"))
            boot = expected["boot"]
            routes = tuple(str(r) for r in boot.get("routes") or ())
            targets = boot.get("targets") or {}
            sample_skip = boot.get("skip")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            cases.append(Case(sample, "?", "?", (), problem=f"unreadable expected.json: {exc!r}"))
            continue
        for name, spec in sorted(targets.items()):
            spec = spec if isinstance(spec, dict) else {}
            skip = sample_skip or spec.get("skip")
            probe = str(spec.get("probe", "http"))
            problem = None if probe in PROBES else f"boot.targets.{name}.probe {probe!r}"
            cases.append(
                Case(
                    sample,
                    name,
                    str(spec.get("expect", "?")),
                    routes,
                    skip=str(skip) if skip else None,
                    probe=probe if problem is None else "http",
                    problem=f"{problem} is not one of {PROBES}" if problem else None,
                )
            )
    return cases


def project_files(root: Path) -> list[str]:
    """Every file of the sample, relative with '/' (what the discover stage would hand over)."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        rel = Path(dirpath).relative_to(root)
        out.extend((rel / f).as_posix() for f in sorted(filenames) if not f.endswith(".pyc"))
    return sorted(out)


def snapshot(root: Path) -> list[tuple[str, int, int]]:
    """Listing + sizes + mtimes: the sample must be exactly the same after a boot."""
    out = []
    for path in sorted(root.rglob("*")):
        info = path.stat()
        out.append((path.relative_to(root).as_posix(), info.st_size, info.st_mtime_ns))
    return out


def read_target(root: Path, name: str) -> Target:
    targets = read_targets(root, project_files(root))
    for target in targets:
        if target.name == name:
            return target
    raise AssertionError(
        f"the targets stage found no target {name!r} in {root.name} "
        f"(found: {[t.name for t in targets]})"
    )


def start_command(target: Target) -> tuple[str, list[str]]:
    """(the long-running command, the `release:` commands that run before it)."""
    commands = [c for c in target.commands if c.strip()]
    release = [c[len(RELEASE) :].strip() for c in commands if c.startswith(RELEASE)]
    servers = [c for c in commands if not c.startswith(RELEASE)]
    if not servers:
        raise Unsupported(f"{target.name} has no start command the targets stage could read")
    return servers[0], release


def unit_paths(root: Path, target: Target, command: str) -> str:
    """A systemd unit's host paths -> the copy's: its checkout (WorkingDirectory) is the sample
    folder, and a virtualenv's bin/X (/srv/app/venv/bin/gunicorn) is X of the venv on PATH."""
    if target.file is None or not target.file.endswith(".service"):
        return command
    unit = (root / target.file).read_text("utf-8", errors="replace")
    found = re.search(r"^WorkingDirectory=(\S+)", unit, re.MULTILINE)
    command = re.sub(r"(?<![\w.])/\S*?/(?:\.?venv|virtualenv|env)/bin/([\w.-]+)", r"\1", command)
    if found:
        checkout = found.group(1).rstrip("/")
        command = re.sub(re.escape(checkout) + r"(?=/|\s|$)", ".", command)
    return command


def _run_env(
    target: Target, root_copy: Path, mapping: dict[str, str], venv: Path, port: int, home: Path
) -> dict[str, str]:
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "VIRTUAL_ENV": str(venv),
        "PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        "TMPDIR": str(home),
    }
    for key, value in target.env:
        env[key] = map_env_value(value, mapping, root_copy)
    if "PATH" in dict(target.env):
        # `ENV PATH=/app/.venv/bin:$PATH`: the project's environment is the case's venv, and
        # the image's own PATH is the harness's.
        base = f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin"
        env["PATH"] = base + ":" + re.sub(r"\$\{?PATH\}?", base, env["PATH"])
    return env


def run_case(case: Case) -> CaseResult:
    """Everything for one (sample, target); never raises."""
    try:
        result = _run_case(case)
    except Unsupported as exc:
        result = CaseResult(case, "skip", str(exc))
    except BuildFailed as exc:
        result = CaseResult(case, "error", f"the target's installs failed:\n{str(exc)[-6000:]}")
    except AssertionError as exc:
        result = CaseResult(case, "error", str(exc))
    except Exception:  # a harness bug must show up as a failing case, not kill the session
        result = CaseResult(case, "error", traceback.format_exc())
    with _records_lock:
        RECORDS.append(result)
    return result


def _run_case(case: Case) -> CaseResult:
    if case.problem:
        return CaseResult(case, "error", case.problem)
    if case.skip and not RUN_SKIPPED:
        return CaseResult(case, "skip", f"expected.json: {case.skip}")
    root = case.sample_dir
    before = snapshot(root)
    expected: dict[str, Any] = json.loads((root / "expected.json").read_text("utf-8"))
    target = read_target(root, case.target)
    problems = [f"targets stage vs descriptor: {p}" for p in cross_check(root, target)]
    clock = time.monotonic()
    prediction = predict(root, case.target, expected)
    timings = {"predict": time.monotonic() - clock}
    python = prediction.python or target.python or HOST_PYTHON
    interpreter = interpreter_for(python)
    port = free_port()
    command, release = start_command(target)
    launch = plan_launch(unit_paths(root, target, command), port)
    if case.probe == "http" and launch.server.split(" ")[0] in NON_HTTP_SERVERS:
        raise Unsupported(
            f"`{launch.server}` serves no HTTP; expected.json could say \"probe\": \"process\""
        )
    if case.probe == "http" and not case.routes:
        return CaseResult(case, "error", "expected.json lists no boot.routes to probe")
    steps = plan_steps(root, target)
    clock = time.monotonic()
    venv = ensure_venv(root, interpreter, steps)
    timings["venv"] = time.monotonic() - clock
    workdir, mapping = container_layout(root, target)
    with tempfile.TemporaryDirectory(prefix="importaudit-boot-") as tmp:
        copy = Path(tmp) / "app"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
        home = Path(tmp) / "home"
        home.mkdir()
        cwd = copy / workdir
        env = _run_env(target, copy, mapping, venv, port, home)
        clock = time.monotonic()
        # A release command that fails aborts the deploy: the web process never starts.
        observed = run_release(release, cwd=cwd, env=env, timeout=BOOT_TIMEOUT)
        if observed is None and case.probe == "process":
            observed = observe_process(
                launch, cwd=cwd, env=env, log_path=Path(tmp) / "server.log", window=PROCESS_WINDOW
            )
        if observed is None:
            observed = observe(
                launch,
                cwd=cwd,
                env=env,
                port=port,
                routes=list(case.routes),
                log_path=Path(tmp) / "server.log",
                timeout=BOOT_TIMEOUT,
            )
        claims = absence_claims(prediction)
        found = importable(venv, claims, cwd, env, target.paths) if claims else {}
        timings["boot"] = time.monotonic() - clock
    problems += disagreements(prediction, observed, found)
    problems += observed.problems
    if case.expect in {"boots", "fails-at-boot"} and observed.outcome != case.expect:
        problems.append(f"expected.json says the real boot {case.expect}; it {observed.outcome}")
    after = snapshot(root)
    if after != before:
        changed = sorted(set(before) ^ set(after))
        problems.append(f"the sample folder changed during the boot: {changed[:6]}")
    message = describe(prediction, observed, launch.shown, [s.shown for s in steps], python)
    status = "disagree" if problems else "agree"
    return CaseResult(case, status, message, prediction, observed, python, problems, timings)
