"""Human-readable report: per-target verdicts first, then findings grouped by target."""

from __future__ import annotations

from itertools import groupby

from importaudit.model import Finding, Report, Severity, TargetResult
from importaudit.report.common import counts, plural, sorted_findings, summary_counts

_COLORS = {"red": "31", "yellow": "33", "green": "32", "cyan": "36", "dim": "2", "bold": "1"}
_SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_MAX_PLACES = 6
# Rules whose every place is its own problem (each file, each declaration).
_PER_PLACE = frozenset({"syntax-error", "unused", "unreadable", "config", "unresolved"})
_VERDICT = {
    "boots": ("boots", "green"),
    "fails-at-boot": ("FAILS AT BOOT", "red"),
    "unknown": ("unknown", "yellow"),
}


def _paint(text: str, color: str, enabled: bool) -> str:
    return f"\033[{_COLORS[color]}m{text}\033[0m" if enabled else text


def _target_line(result: TargetResult, color: bool) -> list[str]:
    target = result.target
    label, tint = _VERDICT.get(result.verdict, (result.verdict, "yellow"))
    head = f"  {target.name:<28} {_paint(label, tint, color)}"
    if target.implicit:
        head += "  (no deploy descriptor found: every module counts as loaded)"
    lines = [head]
    facts = []
    if target.python:
        facts.append(f"python {target.python}" + (f" ({target.python_source})" if target.python_source else ""))
    if target.installs:
        facts.append("installs " + ", ".join(i.spec for i in target.installs))
    if target.commands:
        facts.extend("runs " + command for command in target.commands)
    elif target.entries:
        facts.append("runs " + ", ".join(e.spec for e in target.entries))
    for fact in facts:
        lines.append(_paint(f"      {fact}", "dim", color))
    if result.reason and result.verdict != "fails-at-boot":
        lines.append(_paint(f"      {result.reason}", "dim", color))
    return lines


def _where(finding: Finding) -> str:
    if finding.file and finding.line:
        return f"{finding.file}:{finding.line}"
    return finding.file or "-"


def _finding_lines(group: list[Finding], color: bool) -> list[str]:
    """One cause, one entry: the first place in full, the other places listed after it."""
    finding = group[0]
    sev = _paint(f"{finding.severity.value:<7}", _SEVERITY_COLOR[finding.severity], color)
    lines = [f"  {sev} {finding.rule.value:<18} {_where(finding)}  {_paint(finding.module, 'bold', color)}"]
    lines.append(f"          {finding.message}")
    others = [_where(f) for f in group[1:]]
    if others:
        shown = ", ".join(others[:_MAX_PLACES])
        more = f" and {len(others) - _MAX_PLACES} more" if len(others) > _MAX_PLACES else ""
        lines.append(_paint(f"          also at {shown}{more}", "dim", color))
    return lines


def _groups(findings: list[Finding]) -> list[list[Finding]]:
    """Findings of one target with the same rule and module, in first-seen order."""
    grouped: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in findings:
        if finding.rule.value in _PER_PLACE:
            grouped[(finding.rule.value, finding.module, f"{finding.file}:{finding.line}")] = [finding]
            continue
        grouped.setdefault((finding.rule.value, finding.module, finding.severity.value), []).append(finding)
    return list(grouped.values())


def render(report: Report, *, color: bool = False) -> str:
    out: list[str] = []
    out.append(_paint("Targets", "bold", color))
    for result in sorted(report.targets, key=lambda r: r.target.name):
        out.extend(_target_line(result, color))
    findings = sorted_findings(report)
    for target, group in groupby(findings, key=lambda f: f.target or ""):
        out.append("")
        out.append(_paint(target or "project", "bold", color))
        for same in _groups(list(group)):
            out.extend(_finding_lines(same, color))
    if report.warnings:
        out.append("")
        out.append(_paint("Could not read everything", "bold", color))
        for warning in report.warnings:
            loc = f"{warning.file}:{warning.line}" if warning.line else warning.file
            out.append(f"  {loc}: {warning.message}")
    c = counts(report)
    summary = f"{plural(report.files, 'file')}, {plural(report.imports, 'import')}: {summary_counts(report)}"
    out.append("")
    out.append(_paint(summary, "red" if c["errors"] else "green", color))
    return "\n".join(out) + "\n"
