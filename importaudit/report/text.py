"""Human-readable report: per-target verdicts first, then each cause once under the targets it affects."""

from __future__ import annotations

from typing import Optional

from importaudit.model import Finding, Report, Rule, Severity, TargetResult
from importaudit.report.causes import Cause, Options, cause_counts, causes
from importaudit.report.common import plural, summary_counts
from importaudit.report.digest import Group, others_text, quiet_split, similar_key

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


def _entry_lines(group: Group, color: bool) -> list[str]:
    """One cause, one entry: the first place in full, the other places listed after it."""
    cause = group.first
    finding = cause.first
    sev = _paint(f"{cause.severity.value:<7}", _SEVERITY_COLOR[cause.severity], color)
    lines = [f"  {sev} {finding.rule.value:<18} {_where(finding)}  {_paint(finding.module, 'bold', color)}"]
    lines.append(f"          {cause.message()}")
    if len(group.causes) > 1:
        lines.append(_paint(f"          also at {others_text(group, _MAX_PLACES)}", "dim", color))
    return lines


def _groups(causes: list[Cause], verbose: bool) -> list[Group]:
    """Causes with the same rule and module (distribution for `transitive`; the same statement in
    one file for declaration rules) in first-seen order."""
    grouped: dict[tuple[str, ...], list[Cause]] = {}
    for cause in causes:
        finding = cause.first
        if verbose:
            key: tuple[str, ...] = ("place", cause.fingerprint)
        elif finding.rule in (Rule.TRANSITIVE, Rule.CONFIG, Rule.UNUSED):
            key = similar_key(cause, verbose)
        elif finding.rule.value in _PER_PLACE:
            key = ("place", cause.fingerprint)
        else:
            key = (finding.rule.value, finding.module, cause.severity.value)
        grouped.setdefault(key, []).append(cause)
    return [Group(tuple(group)) for group in grouped.values()]


def _heading(targets: tuple[str, ...]) -> str:
    return ", ".join(targets) if targets else "project"


def render(report: Report, *, color: bool = False, options: Optional[Options] = None) -> str:
    options = options or Options()
    out: list[str] = []
    out.append(_paint("Targets", "bold", color))
    for result in sorted(report.targets, key=lambda r: r.target.name):
        out.extend(_target_line(result, color))
    all_causes = causes(report, options)
    loud, summaries = quiet_split(all_causes, options.verbose)
    by_targets: dict[tuple[str, ...], list[Cause]] = {}
    for cause in loud:
        by_targets.setdefault(cause.targets, []).append(cause)
    for targets in sorted(by_targets, key=lambda t: (bool(t), t)):
        out.append("")
        out.append(_paint(_heading(targets), "bold", color))
        for group in _groups(by_targets[targets], options.verbose):
            out.extend(_entry_lines(group, color))
    if summaries:
        out.append("")
        out.append(_paint("Code no deploy target runs", "bold", color))
        for folder in summaries:
            sev = _paint(f"{folder.severity.value:<7}", _SEVERITY_COLOR[folder.severity], color)
            out.append(f"  {sev} {folder.text()}")
    if report.warnings:
        out.append("")
        out.append(_paint("Could not read everything", "bold", color))
        for warning in report.warnings:
            loc = f"{warning.file}:{warning.line}" if warning.line else warning.file
            out.append(f"  {loc}: {warning.message}")
    c = cause_counts(all_causes)
    summary = f"{plural(report.files, 'file')}, {plural(report.imports, 'import')}: {summary_counts(c)}"
    out.append("")
    out.append(_paint(summary, "red" if c["errors"] else "green", color))
    return "\n".join(out) + "\n"
