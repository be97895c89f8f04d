"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from importaudit.model import Report, Severity
from importaudit.report.common import sorted_findings, summary_counts

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render(report: Report) -> str:
    lines = []
    for finding in sorted_findings(report):
        props = []
        if finding.file:
            props.append(f"file={_escape(finding.file, prop=True)}")
            if finding.line:
                props.append(f"line={finding.line}")
        title = f"importaudit {finding.rule.value}" + (f" ({finding.target})" if finding.target else "")
        props.append(f"title={_escape(title, prop=True)}")
        lines.append(f"::{_LEVEL[finding.severity]} {','.join(props)}::{_escape(finding.message)}")
    lines.append(f"importaudit: {summary_counts(report)}")
    return "\n".join(lines) + "\n"
