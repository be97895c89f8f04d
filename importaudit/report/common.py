"""Shared ordering and counting of findings for every formatter."""

from __future__ import annotations

from importaudit.model import Finding, Report, Severity

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def finding_key(finding: Finding) -> tuple[str, str, int, str, str]:
    return (
        finding.target or "",
        finding.file or "",
        finding.line or 0,
        finding.module,
        finding.rule.value,
    )


def sorted_findings(report: Report) -> list[Finding]:
    return sorted(report.findings, key=finding_key)


def counts(report: Report) -> dict[str, int]:
    out = {"errors": 0, "warnings": 0, "infos": 0}
    for finding in report.findings:
        out[{"error": "errors", "warning": "warnings", "info": "infos"}[finding.severity.value]] += 1
    return out


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary_counts(c: dict[str, int]) -> str:
    return f"{plural(c['errors'], 'error')}, {plural(c['warnings'], 'warning')}, {plural(c['infos'], 'info')}"
