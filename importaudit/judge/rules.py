"""Rules: the one place that turns scope, guards and reachability into a rule, context and severity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from importaudit.model import (
    KNOWN_SOURCES,
    Context,
    Evidence,
    Finding,
    GuardKind,
    How,
    Import,
    Requirement,
    Rule,
    Scope,
    Severity,
    Source,
)

RULE_DOCS: dict[Rule, str] = {
    Rule.MISSING_AT_BOOT: "imported while the target boots; nothing the target installs provides it",
    Rule.MISSING: "imported at module level by application code; no requirement provides it",
    Rule.MISSING_AT_REQUEST: "imported inside a function reachable from boot; fails when that code runs",
    Rule.TRANSITIVE: "provided only because a declared requirement depends on it",
    Rule.DEV_ONLY: "provided only by a development/test group or file the target does not install",
    Rule.UNUSED: "declared for the target, never imported (nor named by a framework string)",
    Rule.STDLIB_REMOVED: "a standard-library module the target's Python no longer has (or has not yet)",
    Rule.SYNTAX_ERROR: "a file the target's Python cannot parse",
    Rule.NOT_INSTALLED: "with --python: required at boot, not importable in that environment",
    Rule.VERSION_CONFLICT: "with --python: installed version does not satisfy the declared specifier",
    Rule.UNREADABLE: "a project file importaudit could not fully read (the audit went on without it)",
    Rule.UNRESOLVED: "a setting names a module only at run time (e.g. an environment variable with "
    "no default), so importaudit cannot check it",
    Rule.CONFIG: "a declaration worth a look: conflicting requirement sources, a requires-python "
    "that excludes the target, a marker that excludes it",
}


class Where:
    """Where an import runs, from the target's point of view."""

    BOOT = "boot"  # module level of a file the target runs at boot (or a unit that runs at boot)
    REQUEST = "request"  # inside a function of a boot file
    UNREACHED = "unreached"  # application code no entry reaches (explicit target)
    PROJECT = "project"  # implicit target: module-level application code
    PROJECT_FUNCTION = "project-function"  # implicit target: function level
    TEST = "test"  # test code


class Status:
    """What provides a module for a target."""

    DIRECT = "direct"
    TRANSITIVE = "transitive"
    DEV = "dev"
    NONE = "none"
    STDLIB_REMOVED = "stdlib-removed"


# A provider known from the table and an install whose closure is fully known.
KNOWN = Evidence(Source.TABLE)


@dataclass(frozen=True)
class Provision:
    status: str
    distribution: Optional[str] = None  # the distribution to name (display form)
    requirement: Optional[Requirement] = None  # the declaration that provides it (direct/dev)
    path: tuple[str, ...] = ()  # for transitive: declared dist -> ... -> provider
    note: str = ""  # extra explanation (a marker that excludes the target, unknown closure)
    source: Optional[str] = None  # how the distribution was decided (config/installed/table/guess)
    # What the decision rests on (model.Evidence). A hand-built Provision (tests) speaks for a
    # known provider and a fully known install; the Provisioner always sets it.
    evidence: Evidence = KNOWN


@dataclass(frozen=True)
class Case:
    """Everything the judgement of one import needs."""

    imp: Import
    where: str
    provision: Provision
    target: Optional[str]  # None for the implicit project target
    target_label: str  # "Dockerfile.zeabur" or "the project"
    chain: tuple[str, ...]
    fix_file: Optional[str]  # where the requirement should be added
    fallback_needed: bool = True  # for except-ImportError handler imports: the primary is missing
    written: Optional[str] = None  # the dotted name as the code or setting wrote it
    # A condition importaudit cannot decide (`if DEBUG:`) that the import stands under.
    conditional: Optional[str] = None
    # Install steps of the target importaudit cannot see into (`pip install $(cat list)`).
    uncertain: Optional[str] = None


def guard_context(imp: Import) -> Optional[Context]:
    kinds = {g.kind for g in imp.guards}
    if GuardKind.TYPE_CHECKING in kinds:
        return Context.TYPE_CHECKING
    if kinds & {GuardKind.EXCEPT_IMPORT, GuardKind.SUPPRESS}:
        return Context.GUARDED
    return None


def _base_context(case: Case) -> Context:
    if case.imp.how is How.STRING:
        return Context.STRING
    if case.where == Where.BOOT:
        return Context.BOOT
    if case.where in (Where.REQUEST, Where.PROJECT_FUNCTION):
        return Context.REQUEST
    return Context.MODULE


def _is_ignored(imp: Import, rule: Rule) -> bool:
    if imp.ignore is None:
        return False
    return not imp.ignore or rule.value in imp.ignore


def judge(case: Case) -> Optional[Finding]:
    """The rules table (README, 'How findings are decided') for one import of one target."""
    imp, prov = case.imp, case.provision
    if prov.status == Status.DIRECT:
        return None
    guarded = guard_context(imp)
    handler = any(g.kind is GuardKind.HANDLER for g in imp.guards)
    if handler and not case.fallback_needed:
        return None
    if guarded is not None:
        if prov.status in (Status.TRANSITIVE, Status.DEV):
            return None
        return _finding(case, Rule.MISSING, Severity.INFO, guarded)
    if case.where == Where.TEST:
        if prov.status in (Status.TRANSITIVE, Status.DEV):
            return None
        return _finding(case, Rule.MISSING, Severity.WARNING, Context.MODULE)
    context = _base_context(case)
    at_boot = case.where == Where.BOOT and (imp.how is not How.STRING or imp.phase in (None, "boot"))
    in_project = case.where == Where.PROJECT
    hard = at_boot or in_project
    if prov.status == Status.TRANSITIVE:
        return _finding(case, Rule.TRANSITIVE, Severity.WARNING, context)
    if prov.status == Status.DEV:
        return _finding(case, Rule.DEV_ONLY, Severity.ERROR if hard else Severity.WARNING, context)
    if prov.status == Status.STDLIB_REMOVED:
        return _finding(case, Rule.STDLIB_REMOVED, Severity.ERROR if hard else Severity.WARNING, context)
    if at_boot:
        return _finding(case, Rule.MISSING_AT_BOOT, Severity.ERROR, context)
    if in_project:
        return _finding(case, Rule.MISSING, Severity.ERROR, context)
    if case.where in (Where.REQUEST, Where.PROJECT_FUNCTION) or (
        case.where == Where.BOOT and imp.how is How.STRING
    ):
        return _finding(
            case,
            Rule.MISSING_AT_REQUEST,
            Severity.WARNING,
            Context.REQUEST if imp.how is not How.STRING else Context.STRING,
        )
    return _finding(case, Rule.MISSING, Severity.WARNING, context)


# Rules whose error claims "what the target installs does not provide it".
_CLAIMS_ABSENCE = frozenset({Rule.MISSING_AT_BOOT, Rule.MISSING, Rule.DEV_ONLY, Rule.STDLIB_REMOVED})


def weigh(rule: Rule, severity: Severity, evidence: Evidence) -> Severity:
    """The evidence rule (CONTRACT, "Evidence and verdicts"), applied here and nowhere else: an
    absence is an error only when it is definitive. A guess never passes an import either: a
    status other than DIRECT always reaches a finding (judge), and a non-definitive one keeps its
    rule and carries what was unknown (Finding.unknown/candidates), which makes the target's
    verdict unknown instead of boots (pipeline._verdict). The one name-based pass is
    Source.NAME: the code imports `foo` and the target declares a distribution named `foo` whose
    files nobody knows; that is identity of names, not resemblance."""
    if severity is Severity.ERROR and rule in _CLAIMS_ABSENCE and not evidence.definitive:
        return Severity.WARNING
    return severity


def _finding(case: Case, rule: Rule, severity: Severity, context: Context) -> Optional[Finding]:
    imp = case.imp
    if _is_ignored(imp, rule):
        return None
    evidence = case.provision.evidence
    severity = weigh(rule, severity, evidence)
    message, fix = describe(case, rule, context)
    doubtful = rule in _CLAIMS_ABSENCE or rule is Rule.MISSING_AT_REQUEST
    if case.conditional and severity is Severity.ERROR:
        # Whether the branch runs depends on configuration: a likely failure, not a certain one.
        severity = Severity.WARNING
        message += f" (only when `{case.conditional}` is true at run time)"
    if case.uncertain and severity is Severity.ERROR and rule in (
        Rule.MISSING_AT_BOOT, Rule.MISSING, Rule.DEV_ONLY
    ):
        # The target also installs what only its build knows: it may provide this.
        severity = Severity.WARNING
        message += f" (unless {case.uncertain} installs it: importaudit cannot read that step)"
    return Finding(
        rule=rule,
        severity=severity,
        module=imp.module,
        message=message,
        context=context,
        target=case.target,
        file=imp.location.file or None,
        line=imp.location.line or None,
        distribution=case.provision.distribution,
        chain=case.chain if case.where == Where.BOOT else (),
        fix=fix,
        provider_source=case.provision.source,
        unknown=evidence.unknown if doubtful else (),
        candidates=evidence.candidates if doubtful else (),
    )


def _how(case: Case, context: Context) -> str:
    imp = case.imp
    file = imp.location.file or case.target_label
    if imp.location.line:
        file = f"{file}:{imp.location.line}"
    written = case.written or imp.module
    if imp.how is How.STRING:
        when = (
            "when the target boots"
            if context is Context.STRING and case.where == Where.BOOT and imp.phase in (None, "boot")
            else "when it is first used"
        )
        return f"{file}: {imp.via or 'a setting'} loads {written} {when}"
    inside = f"inside {imp.function}()" if imp.function else "inside a function"
    where = {
        Context.BOOT: "at boot",
        Context.REQUEST: inside,
        Context.GUARDED: "inside try/except ImportError",
        Context.TYPE_CHECKING: "under TYPE_CHECKING",
        Context.MODULE: inside if imp.scope is Scope.FUNCTION else "at module level",
    }.get(context, "")
    if context is Context.BOOT and imp.scope is Scope.FUNCTION:
        where = f"at boot, in {imp.function}() which runs then" if imp.function else "at boot"
    return f"{file} imports {written} {where}".rstrip()


def describe(case: Case, rule: Rule, context: Context) -> tuple[str, Optional[str]]:
    """The message (what, where, why) and the fix (what to change)."""
    prov, label = case.provision, case.target_label
    dist = prov.distribution if prov.evidence.names_distribution else None
    what = _how(case, context)
    if case.where == Where.BOOT and len(case.chain) > 1:
        what += f" ({' -> '.join(case.chain)})"
    fix_target = case.fix_file or "the requirements"
    add = (
        f"add {dist} to {fix_target}" if dist else
        f"declare the distribution that provides {case.imp.module} in {fix_target} (importaudit "
        "knows none that does)"
    )
    maybe = (*prov.evidence.candidates, *prov.evidence.unknown)
    if maybe and not dist:
        add = (
            f"if {_names(maybe, 'or')} provides {case.imp.module}, tell importaudit in "
            f"[tool.importaudit.module-map]; otherwise {add}"
        )
    note = f"; {prov.note}" if prov.note else ""
    doubt = _doubt(prov.evidence)
    if rule in (Rule.MISSING_AT_BOOT, Rule.MISSING, Rule.MISSING_AT_REQUEST):
        if context is Context.GUARDED:
            return (f"{what}; optional: nothing declared provides it, so the fallback runs{note}", None)
        if context is Context.TYPE_CHECKING:
            return (f"{what}; never imported at run time{note}", None)
        if case.where == Where.TEST:
            return (f"{what}, but no runtime or development requirement provides it{note}", add)
        installs = (
            f"{label} installs nothing that provides it"
            if case.target
            else ("no requirement of the project provides it")
        )
        if doubt or case.uncertain:  # a step it cannot read may provide it: absence is not known
            installs = (
                f"nothing {label if case.target else 'the project'} installs is known to provide it"
                f"{doubt}"
            )
        tail = ""
        if rule is Rule.MISSING_AT_REQUEST:
            tail = "; it fails when that code runs"
        elif rule is Rule.MISSING and case.target:
            tail = "; no entry of the target reaches this file, so it fails only if something imports it"
        return (f"{what}, but {installs}{note}{tail}; {add}", add)
    if rule is Rule.TRANSITIVE:
        via = " -> ".join(prov.path) if prov.path else "another requirement"
        return (
            f"{what}; {dist or case.imp.module} is installed only because {via} depends on it; "
            f"declare it directly so an upgrade of {prov.path[0] if prov.path else 'that package'} "
            "cannot remove it",
            add,
        )
    if rule is Rule.DEV_ONLY:
        req = prov.requirement
        group = _group_text(req) if req else "a development group"
        remedy = (
            f"install that extra (`.[{req.group.split(':', 1)[1]}]`) or move it to the runtime dependencies"
            if req and req.group.startswith("extra:") else "move it to the runtime dependencies"
        )
        return (
            f"{what}, but {dist or case.imp.module} is only in {group}, which {label} does not install"
            f"{doubt}; {remedy}",
            f"move {dist or case.imp.module} from {req.source if req else 'the dev group'} to {fix_target}",
        )
    if rule is Rule.STDLIB_REMOVED:
        return (f"{what}, but {prov.note}{doubt}", prov.note)
    return (what, None)


def _names(names: tuple[str, ...], last: str = "and") -> str:
    if len(names) > 3:
        return f"{', '.join(names[:3])} {last} {len(names) - 3} more"
    return f"{', '.join(names[:-1])} {last} {names[-1]}" if len(names) > 1 else "".join(names)


def _doubt(evidence: Evidence) -> str:
    """What was unknown, as a clause: empty for a definitive decision."""
    parts = []
    if evidence.candidates:
        many = len(evidence.candidates) > 1
        parts.append(
            f"{_names(evidence.candidates)} {'are' if many else 'is'} named like it and may provide "
            "it, but importaudit does not know "
            f"{'their' if many else 'its'} files (a name resemblance only)"
        )
    if evidence.unknown:
        many = len(evidence.unknown) > 1
        s = "" if many else "s"
        what = f"provide{s} or bring{s} in" if evidence.provider not in KNOWN_SOURCES else f"bring{s} in"
        parts.append(
            f"importaudit does not know what {_names(evidence.unknown)} {what} "
            f"({'they are' if many else 'it is'} not in --python, a lock or importaudit's table)"
        )
    return "; " + "; ".join(parts) if parts else ""


def _group_text(req: Requirement) -> str:
    kind, _, name = req.group.partition(":")
    if kind == "extra":
        return f"the {name} extra of {req.source}"
    if kind == "group":
        return f"the {name} group of {req.source}"
    if req.group == "dev" and not req.source.endswith((".toml", ".lock", "Pipfile")):
        return req.source  # a development requirements file
    return f"the {req.group} group of {req.source}"


def unused_finding(requirement: Requirement, target: Optional[str], label: str) -> Optional[Finding]:
    return Finding(
        rule=Rule.UNUSED,
        severity=Severity.WARNING,
        module=requirement.name,
        message=(
            f"{requirement.source} declares {requirement.name}, but no application code imports "
            f"anything it provides and no framework setting names it; remove it, or tell "
            f"importaudit what it provides with [tool.importaudit.module-map]"
        ),
        context=Context.MODULE,
        target=target,
        file=requirement.source,
        line=requirement.line,
        distribution=requirement.name,
        fix=f"remove {requirement.name} from {requirement.source}",
    )


def apply_selection(findings: Iterable[Finding], select: frozenset[str], ignore: frozenset[str]) -> list[Finding]:
    out = []
    for finding in findings:
        if select and finding.rule.value not in select:
            continue
        if finding.rule.value in ignore:
            continue
        out.append(finding)
    return out
