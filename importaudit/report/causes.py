"""One cause per (rule, module, file, line) with the targets it affects, and its stable fingerprint."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from importaudit.model import Context, Finding, Report, Rule, Severity
from importaudit.report.common import SEVERITY_ORDER

# Contexts of an import that runs in no target: the file is shipped or reached by none of them.
QUIET_CONTEXTS = frozenset({Context.MODULE})
_SPACE = re.compile(r"\s+")

Lines = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class Options:
    """How a report is rendered: where its files are, how they are named from the repo root."""

    root: Optional[Path] = None  # the audited folder on disk (to read statement text)
    prefix: str = ""  # the audited folder relative to the repository root ("" = the root itself)
    verbose: bool = False
    _lines: dict[str, Sequence[str]] = field(default_factory=dict, compare=False, repr=False)

    def lines(self, file: str) -> Sequence[str]:
        if file not in self._lines:
            text: Sequence[str] = ()
            if self.root is not None:
                try:
                    text = (self.root / file).read_text(encoding="utf-8", errors="replace").splitlines()
                except (OSError, ValueError):
                    text = ()
            self._lines[file] = text
        return self._lines[file]

    def repo_path(self, file: str) -> str:
        """A report path (relative to the audited folder) as the repository names it."""
        if file.startswith("/"):  # a descriptor outside the project (--dockerfile /tmp/x/Dockerfile)
            return file
        return f"{self.prefix}/{file}" if self.prefix else file


@dataclass(frozen=True)
class Cause:
    """One import (or declaration) that is wrong, and every target it is wrong for."""

    findings: tuple[Finding, ...]  # one per target, most severe first
    fingerprint: str

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def severity(self) -> Severity:
        return self.first.severity

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(sorted({f.target for f in self.findings if f.target}))

    @property
    def quiet(self) -> bool:
        """An import that no target runs: summarised unless --verbose (never an error)."""
        file = self.first.file or ""
        return self.severity is not Severity.ERROR and all(_unrun(f) for f in self.findings) \
            and file.endswith((".py", ".pyi", ".ipynb"))

    def message(self) -> str:
        """The first target's message; the others named, with their own fix where it differs."""
        text = self.first.message
        others = [f for f in self.findings[1:] if f.target]
        if others:
            fixes = sorted({f"{f.target}: {f.fix}" for f in others if f.fix and f.fix != self.first.fix})
            text += f" (also for {', '.join(sorted({f.target for f in others if f.target}))})"
            if fixes:
                text += "; " + "; ".join(fixes)
        return text


def _unrun(finding: Finding) -> bool:
    """An import no entry of its target runs: module level of an unreached file, or a framework
    string there (a string reached at boot or by a request is missing-at-boot/-at-request)."""
    if finding.context is Context.STRING:
        return finding.rule is Rule.MISSING
    return finding.context in QUIET_CONTEXTS


def cause_key(finding: Finding) -> tuple[str, str, str, int]:
    return (finding.rule.value, finding.module, finding.file or "", finding.line or 0)


def statement_text(lines: Sequence[str], line: Optional[int]) -> str:
    """The statement at `line` (1-based), continued while its brackets are open, blanks squeezed."""
    if not line or line > len(lines):
        return ""
    parts = [lines[line - 1]]
    depth = parts[0].count("(") - parts[0].count(")")
    index = line
    while (depth > 0 or parts[-1].rstrip().endswith("\\")) and index < len(lines) and index < line + 50:
        parts.append(lines[index])
        depth += lines[index].count("(") - lines[index].count(")")
        index += 1
    text = " ".join(p.strip().rstrip("\\") for p in parts)
    return _SPACE.sub(" ", text.split("#", 1)[0] if "import" in text else text).strip()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


Key = tuple[str, str, str, int]


def fingerprints(keys: Iterable[Key], options: Options) -> dict[Key, str]:
    """rule + module + file + the statement's text (not its line), numbered among identical statements
    of the same file so that two copies of one import stay two alerts."""
    out: dict[Key, str] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    for key in sorted(set(keys), key=lambda k: (k[2], k[3], k[0], k[1])):
        rule, module, file, line = key
        text = statement_text(options.lines(file), line) if file else ""
        if not text and line:
            text = f"line {line}"  # the file is not readable here: the line is all there is
        base = (rule, module, file, text)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        out[key] = _digest(rule, module, file, text, str(occurrence))
    return out


def causes(report: Report, options: Options) -> list[Cause]:
    """Findings grouped by cause, ordered by severity, file, line, rule, module."""
    grouped: dict[tuple[str, str, str, int], list[Finding]] = {}
    for finding in report.findings:
        grouped.setdefault(cause_key(finding), []).append(finding)
    prints = fingerprints(grouped, options)
    out = []
    for key, group in grouped.items():
        group.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.target or "", f.message))
        out.append(Cause(tuple(group), prints[key]))
    out.sort(key=lambda c: (SEVERITY_ORDER[c.severity], c.first.file or "", c.first.line or 0, c.first.rule.value,
                            c.first.module))
    return out


def finding_fingerprints(report: Report, options: Options) -> dict[int, str]:
    """id(finding) -> its cause's fingerprint, for the JSON report."""
    prints = fingerprints((cause_key(f) for f in report.findings), options)
    return {id(f): prints[cause_key(f)] for f in report.findings}


def cause_counts(found: Iterable[Cause]) -> dict[str, int]:
    """Errors, warnings and infos counted once per cause, whatever the number of targets."""
    out = {"errors": 0, "warnings": 0, "infos": 0}
    for cause in found:
        out[{"error": "errors", "warning": "warnings", "info": "infos"}[cause.severity.value]] += 1
    return out
