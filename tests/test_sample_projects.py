"""Every sample project under sample_projects/ audited end to end against its expected.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from importaudit.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects"
CASES = sorted(p.parent.name for p in SAMPLES.glob("*/expected.json"))
KEYS = ("rule", "severity", "module", "target", "file", "line")


def _audit(name: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    expected = json.loads((SAMPLES / name / "expected.json").read_text())
    args = ["check", str(SAMPLES / name), "--format", "json", *expected.get("args", [])]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, json.loads(result.output), expected


def _key(finding: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(finding.get(k) for k in KEYS)


def _show(findings: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {f['severity']:<7} {f['rule']:<18} {f.get('target')} {f.get('file')}:{f.get('line')} "
        f"{f['module']}" for f in findings
    ) or "  (none)"


MISSING = ("missing-at-boot", "missing", "missing-at-request")


def _message_parts(spec: dict[str, Any]) -> list[str]:
    """What the message must say, from the finding's hand-written fields and the CONTRACT's shape
    ("X imports M at boot (chain), but T installs nothing that provides it; add D to F"), plus
    any `message_contains` the sample states (an extra, a step)."""
    parts = [spec["module"]]
    if spec.get("file") and spec.get("line") and spec["rule"] not in ("unused", "config"):
        parts.append(f"{spec['file']}:{spec['line']}")
    chain = spec.get("chain") or []
    if len(chain) > 1:
        parts.append(" -> ".join(chain))
    dist, context = spec.get("distribution"), spec.get("context")
    if spec["rule"] in MISSING and context not in ("guarded", "type-checking"):
        if dist:
            parts.append(f"add {dist} to ")
        if spec["rule"] != "missing" and spec.get("target") and spec["severity"] == "error":
            # definitive evidence only; a warning may say what importaudit does not know instead
            parts.append(f"{spec['target']} installs nothing that provides it")
    if spec["rule"] == "dev-only" and dist:
        parts.append(f"{dist} is only in ")
    if spec["rule"] == "transitive" and dist:
        parts.append(f"{dist} is installed only because ")
    return [*parts, *spec.get("message_contains", [])]


def test_there_are_samples() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("name", CASES)
def test_sample(name: str) -> None:
    code, report, expected = _audit(name)
    got = {_key(f): f for f in report["findings"]}
    want = {_key(f): f for f in expected["findings"]}
    missing = [want[k] for k in sorted(want, key=str) if k not in got]
    extra = [got[k] for k in sorted(got, key=str) if k not in want]
    assert not missing and not extra, (
        f"{name}: findings differ\nexpected but not reported:\n{_show(missing)}\n"
        f"reported but not expected:\n{_show(extra)}"
    )
    for key, spec in want.items():
        for field in ("distribution", "chain", "context"):
            if field in spec:
                assert got[key][field] == spec[field], f"{name}: {key} {field}"
        message = got[key]["message"]
        absent = [part for part in _message_parts(spec) if part not in message]
        assert not absent, f"{name}: {key} message lacks {absent}: {message}"
        if spec["rule"] not in ("unused", "config") and spec.get("file") and spec.get("line"):
            assert message.startswith(f"{spec['file']}:{spec['line']}"), f"{name}: {key} message: {message}"
    verdicts = {t["name"]: t["verdict"] for t in report["targets"]}
    assert verdicts == expected["targets"], f"{name}: verdicts {verdicts}"
    # An `unknown` must say what could not be followed, where (CONTRACT "Evidence and verdicts").
    reasons = {t["name"]: t.get("reason") or "" for t in report["targets"]}
    for target, parts in expected.get("reasons", {}).items():
        lacking = [part for part in parts if part not in reasons[target]]
        assert not lacking, f"{name}: {target} reason lacks {lacking}: {reasons[target]}"
    assert code == expected["exit"], f"{name}: exit {code}"
