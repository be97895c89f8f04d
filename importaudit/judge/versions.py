"""No declared Python version: judge what depends on the version on each supported one."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional

from importaudit.judge.audit import TargetAudit, development_requirements
from importaudit.model import Finding, GuardKind, Import, Severity
from importaudit.providers.provision import InstalledSet, Provisioner
from importaudit.providers.stdlib import is_stdlib
from importaudit.source.conditions import branch_taken, versions_text
from importaudit.workspace import Workspace

# Guards whose outcome may change with the version: the else of a version test, a fallback whose
# primary is stdlib only on newer Pythons, a flag set by such an import.
_VERSIONED = frozenset({GuardKind.CONDITION, GuardKind.HANDLER, GuardKind.AVAILABLE})


def at_version(ws: Workspace, ta: TargetAudit, version: tuple[int, int]) -> TargetAudit:
    """The target on one version: requirement markers and the stdlib evaluated there."""
    found = ta.by_version.get(version)
    if found is None:
        env = ta.env.at(version)
        installed = InstalledSet.build(
            env, ta.runtime, development_requirements(ws), ws.index, provided=ta.target.provided
        )
        found = replace(ta, env=env, installed=installed, provisioner=Provisioner(installed, ws.index, ws.names),
                        by_version={})  # fmt: skip
        ta.by_version[version] = found
    return found


def depends_on_version(ws: Workspace, ta: TargetAudit, imp: Import) -> bool:
    """Worth judging per version: its branch, its stdlib status or what provides it may change.

    An import whose guards do not depend on the version, whose stdlib status is the same on each,
    and whose provision is the same on each is judged the same on each: findings._judge_import_at
    reads nothing else that changes with the version. Then no version is judged again (msgraph:
    99,018 imports with a finding, judged on five versions each, were 60% of its run), and a module
    a marker installs on some versions only is judged on each even when the target's own version
    has it. Whether the provision varies is asked once per provisioner, module and hint."""
    if not ta.env.versions:
        return False
    if any(g.kind in _VERSIONED for g in imp.guards):
        return True
    if len({is_stdlib(imp.module, version) for version in (ta.env.python, *ta.env.versions)}) > 1:
        return True
    provisioner = ta.provisioner_for(imp.location.file)
    key = (id(provisioner), imp.module, imp.distribution_hint)
    varies = ta.provision_varies.get(key)
    if varies is None:
        module, hint, path = imp.module, imp.distribution_hint, imp.location.file
        first = provisioner.provision(module, hint)
        varies = ta.provision_varies[key] = any(
            at_version(ws, ta, version).provisioner_for(path).provision(module, hint) != first
            for version in ta.env.versions
        )
    return varies


def over_versions(
    ws: Workspace,
    ta: TargetAudit,
    imp: Import,
    representative: Optional[Finding],
    judge_at: Callable[[TargetAudit], Optional[Finding]],
) -> Optional[Finding]:
    """The finding on the versions where the import runs and fails; it names those versions.

    Failing on every supported version keeps its severity; failing on some only is at most a
    warning, because the target's version is not known.
    """
    if not depends_on_version(ws, ta, imp):
        return representative
    versions = ta.env.versions
    runs = [v for v in versions if branch_taken(imp.guards, ta.env.at(v))]
    judged = {v: judge_at(at_version(ws, ta, v)) for v in runs}
    failing = tuple(v for v in runs if judged[v] is not None)
    if not failing:
        return None
    finding = judged[failing[-1]]
    assert finding is not None
    if failing == versions:
        return finding
    severity = Severity.WARNING if finding.severity is Severity.ERROR else finding.severity
    note = (
        f" — only on Python {versions_text(failing)}: no single Python version is declared, so importaudit "
        f"judged every supported version the project allows ({versions_text(versions)}); declare the version "
        "the target runs"
    )
    return replace(finding, severity=severity, message=finding.message + note)
