"""The JSON report (CONTRACT.md, schema 1)."""

from __future__ import annotations

import json
from typing import Any, Optional

from importaudit.model import Finding, Report, TargetResult
from importaudit.report.causes import Options, finding_fingerprints
from importaudit.report.common import counts, sorted_findings


def target_dict(result: TargetResult) -> dict[str, Any]:
    target = result.target
    return {
        "name": target.name,
        "kind": target.kind,
        "file": target.file,
        "line": target.line or None,
        "python": target.python,
        "python_source": target.python_source,
        "installs": [install.spec for install in target.installs],
        "entries": [entry.spec for entry in target.entries],
        "commands": list(target.commands),
        "verdict": result.verdict,
        "reason": result.reason or None,
        "notes": list(target.notes),
    }


def finding_dict(finding: Finding, fingerprint: Optional[str] = None) -> dict[str, Any]:
    out = {
        "rule": finding.rule.value,
        "severity": finding.severity.value,
        "module": finding.module,
        "distribution": finding.distribution,
        "target": finding.target,
        "file": finding.file,
        "line": finding.line,
        "context": finding.context.value,
        "chain": list(finding.chain),
        "message": finding.message,
        "fix": finding.fix,
        "decided_by": finding.provider_source,
        # What importaudit could not know, which kept the finding from being an error.
        "unknown": list(finding.unknown),
        "candidates": list(finding.candidates),
    }
    if fingerprint is not None:
        # The cause's identity: equal for every target the cause affects, stable when lines move.
        out["fingerprint"] = fingerprint
    return out


def report_dict(report: Report, options: Optional[Options] = None) -> dict[str, Any]:
    options = options or Options()
    prints = finding_fingerprints(report, options)
    summary: dict[str, Any] = {"files": report.files, "imports": report.imports}
    summary.update(counts(report))
    summary["causes"] = len(set(prints.values()))
    return {
        "schema": 1,
        "tool": {"name": "importaudit", "version": report.version},
        "root": report.root,
        "targets": [target_dict(t) for t in sorted(report.targets, key=lambda t: t.target.name)],
        "findings": [finding_dict(f, prints[id(f)]) for f in sorted_findings(report)],
        "summary": summary,
    }


def render(report: Report, options: Optional[Options] = None) -> str:
    return json.dumps(report_dict(report, options), indent=2) + "\n"
