"""The pipeline: the one place where the stages meet (DESIGN.md)."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from importaudit import __version__, runmemo
from importaudit.config import Config
from importaudit.deadline import budget
from importaudit.judge.audit import TargetAudit, audit_target, runtime_requirements, select_targets, target_env
from importaudit.judge.findings import (
    environment_findings,
    project_findings,
    requires_python_findings,
    target_findings,
    warning_findings,
)
from importaudit.judge.roles import assign_roles
from importaudit.judge.rules import apply_selection
from importaudit.judge.unused import unused_requirements
from importaudit.model import (
    Context,
    Finding,
    Report,
    Rule,
    Severity,
    Target,
    TargetResult,
)
from importaudit.workspace import Workspace, load_workspace


def _verdict(ta: TargetAudit, findings: Sequence[Finding]) -> tuple[str, str]:
    name = None if ta.target.implicit else ta.target.name
    boot_errors = [
        f
        for f in findings
        if f.target == name and f.severity is Severity.ERROR and f.context in (Context.BOOT, Context.STRING)
    ]
    if ta.target.implicit and not ta.target.entries:
        return "unknown", "no entry point known: every application module was checked instead"
    if boot_errors:
        first = boot_errors[0]
        return "fails-at-boot", f"{first.module} ({first.rule.value})"
    doubtful = [
        f for f in findings
        if f.target == name and (f.unknown or f.candidates) and f.context in (Context.BOOT, Context.STRING)
        and f.rule in (Rule.MISSING_AT_BOOT, Rule.DEV_ONLY, Rule.STDLIB_REMOVED)
    ]
    if doubtful:
        # A guess never passes a boot import (CONTRACT, "Evidence and verdicts").
        first = doubtful[0]
        unknown = ", ".join((*first.candidates, *first.unknown)[:3])
        return "unknown", f"{first.module} at boot: not known to be installed (unknown: {unknown})"
    if ta.opaque:
        return "unknown", "installs what importaudit cannot read: " + "; ".join(ta.opaque)
    if ta.assumed and any(f.target == name and f.context in (Context.BOOT, Context.STRING) for f in findings
                          if f.rule in (Rule.MISSING_AT_BOOT, Rule.DEV_ONLY)):
        return "unknown", f"a boot import may be missing, depending on {ta.assumed}"
    if not ta.target.entries or (
        ta.unresolved_entries and ta.graph is not None and not ta.graph.parents and not ta.entry_imports
    ):
        # What could not be followed (a compose build path) is the reason, before the generic one.
        reason = "; ".join(ta.unresolved_entries) or (ta.unfollowed[:1] or ["could not tell what it runs"])[0]
        notes = [note for note in ta.target.notes if note not in reason]
        if notes:
            reason += "; " + "; ".join(notes)
        return "unknown", reason
    if ta.unfollowed:  # CONTRACT: `boots` needs the app reached and its settings read
        return "unknown", ta.unfollowed[0]
    unread = [f for f in findings if f.target == name and f.rule is Rule.UNREADABLE and f.chain]
    if unread:  # a file the boot imports whose own imports were never read: the app is not read
        first = unread[0]
        return "unknown", (f"{first.file}:{first.line} is imported at boot ({' -> '.join(first.chain)}) but "
                           "could not be read: its imports were not checked")
    return "boots", "; ".join(ta.unresolved_entries)



def _opaque_target(target: Target) -> bool:
    """A target known only by why it cannot be followed (a compose build path naming an unset
    variable): what it installs and runs are both unknown, so no import can be judged against it."""
    return bool(target.unfollowed) and not target.installs and not target.entries and not target.commands


def _in_scope(ws: Workspace, audits: Sequence[TargetAudit], finding: Finding) -> bool:
    """A target's finding about a source file its deploy does not carry is another service's code
    (a monorepo's sibling): not this target's business. Errors stay whatever: never silenced."""
    if finding.target is None or finding.file is None or finding.file not in ws.parsed:
        return True
    if finding.severity is Severity.ERROR:
        return True
    target = next((ta.target for ta in audits if ta.target.name == finding.target), None)
    return target is None or target.carries(finding.file)


def run_audit(root: Path, config: Config) -> Report:
    """The audit of root, done afresh; its report is memoised for runmemo.recall (the CLI's)."""
    budget.start()
    started = runmemo.now_ns()
    with runmemo.recording() as inputs:
        ws = load_workspace(root, config)
        # Hundreds of thousands of small frozen records live to the end of the run: keep the
        # cyclic collector from rescanning them at every full collection.
        gc.freeze()
        try:
            report = _audit(ws, config)
        finally:
            gc.unfreeze()
    if not budget.ran_out:  # a partial report is never served again
        # The parse workers' reads are not seen by this process's hook: they are the sources.
        inputs.update(os.path.abspath(os.path.join(root, ref.path)) for ref in ws.project.sources)
        runmemo.store(root, config, started, inputs, report)
    return report


def _audit(ws: Workspace, config: Config) -> Report:
    targets = select_targets(ws)
    audits = [audit_target(ws, target) for target in targets]
    assign_roles(ws, audits)
    findings: list[Finding] = []
    for ta in audits:
        if _opaque_target(ta.target):
            continue
        found = target_findings(ws, ta)
        findings.extend(found)
        findings.extend(environment_findings(ws, ta, found))
        findings.extend(requires_python_findings(ws, ta))
    findings.extend(project_findings(ws, audits))
    findings.extend(unused_requirements(ws, audits))
    findings.extend(warning_findings(ws.warnings))
    findings.extend(
        Finding(
            rule=Rule.CONFIG,
            severity=Severity.WARNING,
            module=w.message.split(" ", 1)[0] if " is in " in w.message else w.file,
            message=f"{w.message}: the two runtime sources disagree, and a deploy that installs the other "
            "one gets a different set",
            context=Context.MODULE,
            file=w.file,
            line=w.line or None,
        )
        for w in ws.declared.conflicts
    )
    if not ws.declared.runtime and not ws.declared.locks and not ws.config.requirements and any(
        ta.target.implicit for ta in audits
    ):
        findings.append(Finding(
            rule=Rule.CONFIG, severity=Severity.WARNING, module="requirements",
            message="no requirement source found here (requirements*.txt, pyproject.toml, setup.py, "
            "setup.cfg, Pipfile, environment.yml, a lock): every third-party import is reported as "
            "missing; audit the project's root folder, or name the file with --requirements",
            context=Context.MODULE,
        ))
    findings = [f for f in findings if _in_scope(ws, audits, f)]
    findings = apply_selection(findings, config.select, config.ignore)
    results = []
    for ta in audits:
        verdict, reason = _verdict(ta, findings)
        results.append(
            TargetResult(
                # the framework readers' notes too: what they read only in part (a settings list
                # with elements from the environment) is said in the report, not dropped
                target=replace(ta.target, notes=tuple(dict.fromkeys(ta.notes))),
                verdict=verdict, reason=reason, installed=tuple(sorted(ta.installed.direct)),
            )
        )
    return Report(
        root=".",
        targets=tuple(results),
        findings=tuple(findings),
        files=len(ws.parsed),
        imports=sum(len(p.imports) for p in ws.parsed.values()),
        version=__version__,
        python_default=".".join(map(str, ws.default_python[0])),
    )


def _selection(inst: dict[str, Any]) -> str:
    """What a project install selects, as `importaudit targets` shows it."""
    if inst["kind"] != "project":
        return ""
    parts = [f"extras {','.join(inst['extras'])}"] if inst["extras"] else []
    parts += [f"groups {','.join(inst['groups'])}"] if inst["groups"] else []
    parts += ["default groups"] if inst["default_groups"] else []
    parts += [f"without {','.join(inst['without'])}"] if inst["without"] else []
    parts += [] if inst["main"] else ["no main dependencies"]
    return f" ({'; '.join(parts)})" if parts else ""


def describe_targets(root: Path, config: Config, fmt: str) -> str:
    """`importaudit targets`: what the audit believes each target installs and runs."""
    budget.start()
    ws = load_workspace(root, config)
    rows: list[dict[str, Any]] = []
    for target in select_targets(ws):
        env, source = target_env(ws, target)
        runtime, _ = runtime_requirements(ws, target, env)
        rows.append(
            {
                "name": target.name,
                "kind": target.kind,
                "file": target.file,
                "line": target.line or None,
                "python": env.version_text,
                "python_source": target.python_source or source,
                "installs": [
                    {
                        "kind": i.kind.value,
                        "spec": i.spec,
                        "tool": i.tool,
                        "extras": list(i.extras),
                        "groups": list(i.groups),
                        "default_groups": i.include_dev,
                        "main": i.main,
                        "without": list(i.without),
                        "line": i.location.line if i.location else None,
                    }
                    for i in target.installs
                ],
                "requirements": sorted({r.name for r in runtime if not r.dev}, key=str.lower),
                "runs": list(target.commands),
                "entries": [
                    {"spec": e.spec, "kind": e.kind.value, "via": e.via, "phase": e.phase} for e in target.entries
                ],
                "env": dict(target.env),
                "paths": list(target.paths),
                "provided": list(target.provided),
                "notes": list(target.notes),
            }
        )
    if fmt == "json":
        return json.dumps({"schema": 1, "root": ".", "targets": rows}, indent=2) + "\n"
    lines = []
    for row in rows:
        lines.append(f"{row['name']}  ({row['kind']}{', ' + str(row['file']) if row['file'] else ''})")
        lines.append(f"  python    {row['python']}  ({row['python_source']})")
        for inst in row["installs"]:
            at = f", {row['file']}:{inst['line']}" if inst["line"] and row["file"] else ""
            lines.append(f"  installs  {inst['spec']}{_selection(inst)}  [{inst['tool']} {inst['kind']}{at}]")
        if row["requirements"]:
            lines.append(f"  declared  {', '.join(row['requirements'])}")
        for cmd in row["runs"]:
            lines.append(f"  runs      {cmd}")
        for entry in row["entries"]:
            lines.append(f"  entry     {entry['spec']}  ({entry['kind']}, {entry['via']}, {entry['phase']})")
        for key, value in sorted(row["env"].items()):
            lines.append(f"  env       {key}={value}")
        for path in row["paths"]:
            lines.append(f"  path      {path or '.'}  (on sys.path)")
        for dist in row["provided"]:
            lines.append(f"  provided  {dist}  (by the platform)")
        for note in row["notes"]:
            lines.append(f"  note      {note}")
        lines.append("")
    return "\n".join(lines) if lines else "no deploy targets found\n"
