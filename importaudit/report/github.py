"""GitHub Actions workflow commands: one annotation per cause, paths from the repository root."""

from __future__ import annotations

from typing import Optional

from importaudit.model import Report, Severity
from importaudit.report.causes import Options, cause_counts, causes
from importaudit.report.common import summary_counts
from importaudit.report.digest import others_text, quiet_split, transitive_groups

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
_MAX_PLACES = 6


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _command(severity: Severity, file: Optional[str], line: Optional[int], title: str, message: str) -> str:
    props = []
    if file:
        props.append(f"file={_escape(file, prop=True)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={_escape(title, prop=True)}")
    return f"::{_LEVEL[severity]} {','.join(props)}::{_escape(message)}"


def render(report: Report, options: Optional[Options] = None) -> str:
    options = options or Options()
    found = causes(report, options)
    loud, summaries = quiet_split(found, options.verbose)
    lines = []
    for group in transitive_groups(loud, options.verbose):
        cause = group.first
        finding = cause.first
        title = f"importaudit {finding.rule.value}" + (f" ({', '.join(cause.targets)})" if cause.targets else "")
        message = cause.message()
        if len(group.causes) > 1:
            message += f"\nAlso at {others_text(group, _MAX_PLACES, options.repo_path)}"
        file = options.repo_path(finding.file) if finding.file else None
        lines.append(_command(cause.severity, file, finding.line, title, message))
    for summary in summaries:
        label = options.repo_path(summary.folder) if summary.folder else options.prefix
        text = summary.text(label)
        lines.append(_command(summary.severity, None, None, "importaudit: code no deploy target runs", text))
    lines.append(f"importaudit: {summary_counts(cause_counts(found))}")
    return "\n".join(lines) + "\n"
