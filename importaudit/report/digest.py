"""Quiet by default: imports no target runs summarised per folder, repeated `transitive` per distribution."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

from importaudit.model import Rule, Severity
from importaudit.report.causes import Cause
from importaudit.report.common import SEVERITY_ORDER, plural

_SAMPLE = 5


@dataclass(frozen=True)
class Group:
    """Causes shown as one entry: the first in full, the others as places."""

    causes: tuple[Cause, ...]

    @property
    def first(self) -> Cause:
        return self.causes[0]


@dataclass(frozen=True)
class FolderSummary:
    """Imports in one folder that no target runs: counted, not listed."""

    folder: str
    severity: Severity
    causes: tuple[Cause, ...]

    @property
    def files(self) -> int:
        return len({c.first.file for c in self.causes})

    @property
    def modules(self) -> list[str]:
        return sorted({c.first.module for c in self.causes})

    def text(self, label: str = "") -> str:
        label = label or self.folder or "files at the top"
        modules = self.modules
        sample = ", ".join(modules[:_SAMPLE])
        if len(modules) > _SAMPLE:
            sample += f" and {len(modules) - _SAMPLE} more"
        rules = sorted({c.first.rule.value for c in self.causes})
        return (
            f"{label}: {plural(len(self.causes), 'import')} of {plural(len(modules), 'module')} ({sample}) "
            f"in {plural(self.files, 'file')} that no deploy target runs ({', '.join(rules)}); they fail only "
            "if something runs those files; --verbose lists each"
        )


def folder_of(path: str) -> str:
    """Where a summary line is kept: the file's folder, two levels at most (a monorepo's service,
    a Django app's `management/`), "" for files at the top."""
    folders = path.split("/")[:-1][:2]
    return "/".join(folders) + "/" if folders else ""


def quiet_split(causes: Sequence[Cause], verbose: bool) -> tuple[list[Cause], list[FolderSummary]]:
    """The causes to show one by one, and the per-folder summaries of the rest."""
    if verbose:
        return list(causes), []
    loud: list[Cause] = []
    folders: dict[tuple[str, Severity], list[Cause]] = {}
    for cause in causes:
        if cause.quiet:
            folders.setdefault((folder_of(cause.first.file or ""), cause.severity), []).append(cause)
        else:
            loud.append(cause)
    summaries = [FolderSummary(folder, severity, tuple(group)) for (folder, severity), group in folders.items()]
    summaries.sort(key=lambda s: (SEVERITY_ORDER[s.severity], s.folder))
    return loud, summaries


# Declaration-level rules whose repeats in one file are one statement about several names
# ("X is in pyproject.toml but not in requirements.txt" for 36 names is one disagreement).
_SIMILAR = frozenset({Rule.CONFIG, Rule.UNUSED})


def shape(cause: Cause) -> str:
    """The message with the cause's own names blanked: equal for the same statement about others."""
    finding = cause.first
    text = finding.message
    for name in sorted({finding.module, finding.distribution or ""} - {""}, key=len, reverse=True):
        text = text.replace(name, "{}")
    return text


def similar_key(cause: Cause, verbose: bool) -> tuple[str, ...]:
    """Which group a cause joins: `transitive` per distribution, repeated declaration findings per
    file and message shape; everything else (and everything with --verbose) alone."""
    finding = cause.first
    if verbose or cause.severity is Severity.ERROR:
        return ("one", cause.fingerprint)
    if finding.rule is Rule.TRANSITIVE:
        return ("transitive", finding.distribution or finding.module, cause.severity.value, *cause.targets)
    if finding.rule in _SIMILAR:
        return ("similar", finding.rule.value, cause.severity.value, finding.file or "", shape(cause),
                *cause.targets)
    return ("one", cause.fingerprint)


def transitive_groups(causes: Sequence[Cause], verbose: bool) -> list[Group]:
    """Causes grouped by similar_key, in first-seen order."""
    groups: dict[tuple[str, ...], list[Cause]] = {}
    for cause in causes:
        groups.setdefault(similar_key(cause, verbose), []).append(cause)
    return [Group(tuple(group)) for group in groups.values()]


def others_text(group: Group, limit: int, path: Callable[[str], str] = str) -> str:
    """The other places of a group, named with their module when the group's modules differ."""
    modules = {c.first.module for c in group.causes}
    shown = []
    for cause, place in zip(group.causes[1:limit + 1], places(group)[:limit]):
        shown.append(f"{cause.first.module} ({path(place)})" if len(modules) > 1 else path(place))
    more = len(group.causes) - 1 - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def places(group: Group) -> list[str]:
    """file:line of every cause of a group after the first."""
    return [
        f"{c.first.file}:{c.first.line}" if c.first.file and c.first.line else (c.first.file or "-")
        for c in group.causes[1:]
    ]
