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
        for part in spec.get("message_contains", []):  # what the message must say (an extra, a step)
            assert part in got[key]["message"], f"{name}: {key} message lacks {part!r}"
    verdicts = {t["name"]: t["verdict"] for t in report["targets"]}
    assert verdicts == expected["targets"], f"{name}: verdicts {verdicts}"
    assert code == expected["exit"], f"{name}: exit {code}"
