"""Markdown for a CI job summary: a table of targets and verdicts, then each cause once."""

from __future__ import annotations

from typing import Optional

from importaudit.model import Report, Severity
from importaudit.report.causes import Cause, Options, cause_counts, causes
from importaudit.report.common import plural, summary_counts
from importaudit.report.digest import others_text, quiet_split, transitive_groups

_VERDICT = {"boots": "✅ boots", "fails-at-boot": "❌ fails at boot", "unknown": "❔ unknown"}
_HEADINGS = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Notes"}
_MAX_PLACES = 6


def _cell(text: str) -> str:
    """Table-safe text: pipes escaped, line breaks flattened."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _code(text: str) -> str:
    quoted = text.replace("`", "'")
    return f"`{quoted}`"


def _where(cause: Cause, options: Options) -> str:
    finding = cause.first
    if not finding.file:
        return ""
    path = options.repo_path(finding.file)
    return _code(f"{path}:{finding.line}" if finding.line else path)


def render(report: Report, options: Optional[Options] = None) -> str:
    options = options or Options()
    found = causes(report, options)
    out = ["## importaudit: will this deploy boot?", ""]
    if report.targets:
        out += ["| Target | Verdict | Python | Runs | Why |", "| --- | --- | --- | --- | --- |"]
        for result in sorted(report.targets, key=lambda r: r.target.name):
            target = result.target
            runs = "; ".join(target.commands) or ", ".join(e.spec for e in target.entries)
            cells = (_code(target.name), _VERDICT.get(result.verdict, result.verdict), target.python or "",
                     _cell(runs), _cell(result.reason))
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    out.append(f"**{summary_counts(cause_counts(found))}** in {plural(report.files, 'file')} "
               "(each cause counted once, whatever the number of targets it affects)")
    loud, summaries = quiet_split(found, options.verbose)
    groups = transitive_groups(loud, options.verbose)
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        chosen = [g for g in groups if g.first.severity is severity]
        folders = [s for s in summaries if s.severity is severity]
        if not chosen and not folders:
            continue
        out += ["", f"### {_HEADINGS[severity]}", ""]
        for group in chosen:
            cause = group.first
            targets = ", ".join(_code(t) for t in cause.targets) or "the project"
            line = f"- **{cause.first.rule.value}** {_code(cause.first.module)} {_where(cause, options)} — " \
                   f"{_cell(cause.message())} — *{targets}*"
            if len(group.causes) > 1:
                line += f" (also at {_cell(others_text(group, _MAX_PLACES, options.repo_path))})"
            out.append(line)
        for summary in folders:
            label = options.repo_path(summary.folder) if summary.folder else ""
            out.append(f"- **code no deploy target runs**: {_cell(summary.text(label))}")
    return "\n".join(out) + "\n"
