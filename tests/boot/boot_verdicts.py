"""importaudit's prediction for one target, and where it disagrees with what really happened."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from boot_launch import Observation

REPO = Path(__file__).resolve().parents[2]
# Findings that claim "this module is not there": the target's venv must not be able to import it.
ABSENCE_RULES = {
    "missing-at-boot",
    "missing",
    "missing-at-request",
    "dev-only",
    "stdlib-removed",
    "optional",
}
BOOT_ERROR_RULES = {"missing-at-boot", "dev-only", "stdlib-removed", "syntax-error"}
# Test-only: "sample/target" whose predicted verdict is flipped, to prove the suite can fail.
SELFTEST_FLIP = os.environ.get("IMPORTAUDIT_BOOT_SELFTEST_FLIP", "")


@dataclass
class Prediction:
    verdict: str
    findings: list[dict[str, Any]]
    python: Optional[str]
    source: str  # "cli" or "expected.json"
    flipped: bool = False
    notes: list[str] = field(default_factory=list)


def predict(sample_dir: Path, target: str, expected: dict[str, Any]) -> Prediction:
    """`importaudit check --format json --target NAME` on the untouched sample."""
    argv = [
        sys.executable,
        "-m",
        "importaudit",
        "check",
        str(sample_dir),
        "--format",
        "json",
        "--target",
        target,
        *[str(a) for a in expected.get("args", [])],
    ]
    # PYTHONPATH: the CLI under test is this checkout's, whatever the venv's editable install says.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=300, cwd=sample_dir, env=env
    )
    if done.returncode not in (0, 1):
        raise AssertionError(f"importaudit exited {done.returncode}:\n{done.stderr[-3000:]}")
    try:
        report = json.loads(done.stdout)
    except ValueError as exc:
        raise AssertionError(
            f"importaudit printed no JSON (exit {done.returncode}):\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        ) from exc
    result = next((t for t in report.get("targets", []) if t.get("name") == target), None)
    if result is None:
        raise AssertionError(
            f"importaudit reported no target named {target!r}: "
            f"{[t.get('name') for t in report.get('targets', [])]}"
        )
    prediction = Prediction(
        verdict=str(result.get("verdict")),
        findings=[f for f in report.get("findings", []) if f.get("target") == target],
        python=result.get("python"),
        source="cli",
    )
    if SELFTEST_FLIP and f"{sample_dir.name}/{target}" == SELFTEST_FLIP:
        prediction.verdict = {"boots": "fails-at-boot"}.get(prediction.verdict, "boots")
        prediction.flipped = True
    return prediction


def _matches(observed: str, predicted: str) -> bool:
    """`uvicorn` (what Python failed on) explains `uvicorn.workers` (what gunicorn imports)."""
    return (
        observed == predicted
        or observed.startswith(predicted + ".")
        or predicted.startswith(observed + ".")
    )


def disagreements(
    prediction: Prediction, observed: Observation, importable: dict[str, Optional[bool]]
) -> list[str]:
    """Every way importaudit's claim and the real boot differ; empty when they agree."""
    out: list[str] = []
    errors = [f for f in prediction.findings if f.get("severity") == "error"]
    if prediction.verdict != observed.outcome:
        out.append(
            f"verdict: importaudit says {prediction.verdict}, the real boot {observed.outcome}"
        )
    if observed.outcome == "fails-at-boot":
        for group in observed.boot_failures:
            if not any(_matches(name, str(f.get("module"))) for name in group for f in errors):
                out.append(
                    f"the boot died on ModuleNotFoundError {list(group)}; no error finding names it"
                )
        for program in observed.programs_missing:
            if not any(_matches(program, str(f.get("module"))) for f in errors):
                out.append(
                    f"the start command's program {program!r} is not installed; "
                    f"no error finding names it"
                )
        if (
            observed.syntax_error
            and not observed.boot_failures
            and not any(f.get("rule") == "syntax-error" for f in errors)
        ):
            out.append("the boot died on a SyntaxError; no syntax-error finding")
    for route, names in sorted(observed.request_failures.items()):
        # Also a dev-only finding in a request: the module is in a group the target leaves out.
        warned = [
            f for f in prediction.findings
            if f.get("rule") == "missing-at-request"
            or (f.get("rule") == "dev-only" and f.get("context") == "request")
        ]
        if not any(_matches(n, str(f.get("module"))) for n in names for f in warned):
            out.append(
                f"GET {route} failed on ModuleNotFoundError {names}; "
                f"no missing-at-request (or request dev-only) finding names it"
            )
    for finding in prediction.findings:
        module = str(finding.get("module"))
        if finding.get("rule") in ABSENCE_RULES and importable.get(module) is True:
            out.append(
                f"{finding.get('rule')} {module!r} ({finding.get('file')}:{finding.get('line')})"
                f": the target's environment imports it fine"
            )
    return out


def absence_claims(prediction: Prediction) -> list[str]:
    return sorted(
        {
            str(f.get("module"))
            for f in prediction.findings
            if f.get("rule") in ABSENCE_RULES and f.get("module")
        }
    )


def describe(
    prediction: Prediction, observed: Observation, command: str, installs: list[str], python: str
) -> str:
    """Both sides, for a failure message."""
    predicted = (
        "\n".join(
            f"    {f.get('severity')} {f.get('rule')} {f.get('module')} "
            f"at {f.get('file')}:{f.get('line')}"
            for f in prediction.findings
        )
        or "    (no findings)"
    )
    statuses = ", ".join(f"{r} -> {s}" for r, s in observed.statuses.items()) or "no HTTP answer"
    if observed.probe == "process":
        statuses = f"process probe: {observed.note}"
    tail = "\n".join("    " + line for line in observed.log.strip().splitlines()[-40:])
    flip = "  [SELFTEST FLIP ACTIVE]" if prediction.flipped else ""
    return (
        f"importaudit ({prediction.source}): {prediction.verdict}{flip}\n{predicted}\n"
        f"real boot: {observed.outcome} in {observed.seconds}s (exit {observed.returncode}); "
        f"{statuses}\n  python {python}; installs: {installs}\n  command: {command}\n"
        f"  log tail:\n{tail}"
    )
