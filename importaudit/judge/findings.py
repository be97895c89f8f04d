"""Every import of the project judged for one target, plus the findings that belong to the project."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Callable, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from importaudit.judge.audit import TargetAudit, development_requirements, opaque_for, undecided_at_boot
from importaudit.judge.reach import MAIN_GUARD, runs_at_import
from importaudit.judge.rules import Case, Status, Where, judge
from importaudit.judge.versions import over_versions
from importaudit.model import (
    Context,
    Finding,
    GuardKind,
    How,
    Import,
    ParsedFile,
    Rule,
    Scope,
    Severity,
    SourceWarning,
)
from importaudit.providers.provision import InstalledSet, Provisioner
from importaudit.providers.stdlib import host_version, is_stdlib
from importaudit.source.conditions import TargetEnv, branch_taken, evaluate, versions_text
from importaudit.source.flags import branch_runs, handler_needed
from importaudit.workspace import Workspace

# Modules every interpreter has whatever its stdlib list says: the running script, the builtins.
ALWAYS_THERE = frozenset({"__future__", "__main__", "builtins"})


def is_first_party(ws: Workspace, module: str) -> bool:
    top = module.split(".")[0]
    return module.startswith(".") or top in ws.project.first_party or top in ws.local_names()


def _fallback_needed(ws: Workspace, ta: TargetAudit, parsed: ParsedFile) -> dict[int, bool]:
    """For each try statement (by line): whether its `except ImportError` handler runs."""
    return _fallbacks(parsed, lambda module: _available(ws, ta, module), ta.env)


def _fallbacks(parsed: ParsedFile, available: Callable[[str], bool], env: TargetEnv) -> dict[int, bool]:
    """A try's handler runs when an import its body runs is missing: Python leaves the body at the
    first import that fails, so one is enough (`try: import ujson; import orjson` with orjson
    missing runs the handler). An import counts for its innermost try only (a nested try's own
    handler catches it), and not when its branch does not run on the target or when it stands in
    a nested handler (it runs only when that handler does)."""
    primaries: dict[int, bool] = {}  # try line -> every import its body runs is available
    for imp in parsed.imports:
        in_handler = False
        for guard in reversed(imp.guards):  # innermost first
            if guard.kind is GuardKind.HANDLER:
                in_handler = True
            elif guard.kind is GuardKind.EXCEPT_IMPORT:
                if in_handler:  # runs only when the nested handler does: no evidence for this try
                    primaries.setdefault(guard.line, True)
                else:
                    runs = branch_taken(imp.guards, env) and branch_runs(imp, available)
                    ok = not runs or available(imp.module)
                    primaries[guard.line] = primaries.get(guard.line, True) and ok
                break
    return {line: not ok for line, ok in primaries.items()}


def _available(ws: Workspace, ta: TargetAudit, module: str) -> bool:
    return _provided(ws, ta.provisioner, ta.env.python, module)


def _provided(ws: Workspace, provisioner: Provisioner, python: tuple[int, int], module: str) -> bool:
    if is_first_party(ws, module) or is_stdlib(module, python):
        return True
    status = provisioner.provision(module).status
    return status in (Status.DIRECT, Status.TRANSITIVE)


def _where(ta: TargetAudit, parsed: ParsedFile, imp: Import) -> str:
    if parsed.is_test:
        return Where.TEST
    if ta.graph is None:
        return Where.PROJECT_FUNCTION if imp.scope is Scope.FUNCTION else Where.PROJECT
    if ta.graph.runs(imp):
        return Where.BOOT
    if ta.graph.reached(parsed.path):
        return Where.REQUEST
    return Where.UNREACHED


def _judge_import(
    ws: Workspace,
    ta: TargetAudit,
    imp: Import,
    where: str,
    fallback: dict[int, bool],
    chain: tuple[str, ...],
) -> Optional[Finding]:
    found = _judge_import_at(ws, ta, imp, where, fallback, chain)
    if not ta.env.versions or _never_judged(ws, imp):
        return found

    def at(version_ta: TargetAudit) -> Optional[Finding]:
        parsed = ws.parsed.stored(imp.location.file)  # its try/except imports: never a partial file's
        again = _fallback_needed(ws, version_ta, parsed) if parsed is not None else fallback
        return _judge_import_at(ws, version_ta, imp, where, again, chain)

    return over_versions(ws, ta, imp, found, at)


def _never_judged(ws: Workspace, imp: Import) -> bool:
    """The project's own modules and what is always there, on any target and any version."""
    module = imp.module
    return not module or (is_first_party(ws, module) and imp.distribution_hint is None) or module in ALWAYS_THERE


def _judge_import_at(
    ws: Workspace,
    ta: TargetAudit,
    imp: Import,
    where: str,
    fallback: dict[int, bool],
    chain: tuple[str, ...],
) -> Optional[Finding]:
    module = imp.module
    if _never_judged(ws, imp):
        return None
    if is_stdlib(module, ta.env.python) and imp.distribution_hint is None:
        return None
    if not branch_runs(imp, lambda name: _available(ws, ta, name)):
        return None  # `if ujson is not None:` on a target without ujson: the branch never runs
    provision = ta.provisioner_for(imp.location.file).provision(module, imp.distribution_hint)
    extra = provision.requirement.group if provision.requirement is not None else ""
    if (
        where == Where.PROJECT and provision.status == Status.DEV and extra.startswith("extra:")
        and ta.package_reach is not None and imp.location.file not in ta.package_reach
    ):
        where = Where.UNREACHED  # an optional submodule no package import loads: only its users need the extra
    if where == Where.PROJECT and imp.location.file in ta.optional_files:
        where = Where.UNREACHED  # loaded only where a guard lets it (try: from ._cli import main)
    written = module
    reported = ws.reported_module(module)
    if reported != module:
        imp = replace(imp, module=reported)
    conditional = next(
        (g.condition for g in imp.guards if g.kind is GuardKind.CONDITION and g.condition
         and g.condition != MAIN_GUARD and evaluate(g.condition, ta.env) is None),
        None,
    )
    need = handler_needed(imp, fallback)
    target = None if ta.target.implicit else ta.target.name
    label = ta.target.name if target else "the project"
    return judge(
        Case(
            imp=imp,
            where=where,
            provision=provision,
            target=target,
            target_label=label,
            chain=chain,
            fix_file=ta.fix_file,
            fallback_needed=need,
            written=written,
            conditional=conditional,
            uncertain=opaque_for(ta, module, provision.requirement),
        )
    )


def target_findings(ws: Workspace, ta: TargetAudit) -> list[Finding]:
    out: list[Finding] = []
    env = ta.env
    for path, parsed in sorted(ws.parsed.items()):  # the stored facts: a sweep parses nothing
        if parsed.is_test:
            continue
        fallback = _fallback_needed(ws, ta, parsed)
        main = ta.graph is not None and path in ta.graph.main_files
        for stated in (*parsed.imports, *ta.string_imports.get(path, ())):
            if not runs_at_import(stated, env, as_main=main) and not _type_checking(stated):
                continue
            where = _where(ta, parsed, stated)
            if where == Where.BOOT and stated.how is How.STRING and stated.phase == "request":
                # The function handing the string over (setup_logging() -> dictConfig) runs at boot.
                stated = replace(stated, phase="boot")
            chain = ta.graph.chain(path) if ta.graph is not None and where == Where.BOOT else ()
            for imp in ws.expand(stated):
                finding = _judge_import(ws, ta, imp, where, fallback, chain)
                if finding is not None:
                    out.append(finding)
        out.extend(_syntax_findings(ta, parsed))
    for imp in ta.entry_imports:
        finding = _judge_import(ws, ta, imp, Where.BOOT, {}, ())
        # A server's own parts come with its extra (fastapi[standard] brings fastapi-cli): by design.
        if finding is not None and not (finding.rule is Rule.TRANSITIVE and imp.location.file == ta.target.file):
            out.append(finding)
    target = None if ta.target.implicit else ta.target.name
    for imp, why in ta.unresolved_strings:
        host = imp.location.file
        if ta.graph is not None and host in ws.parsed and not ta.graph.reached(host):
            continue
        # At boot it may be a missing import as much as a present one: a warning, not a pass.
        severity = Severity.WARNING if undecided_at_boot(imp, ta.graph) else Severity.INFO
        out.append(Finding(
            rule=Rule.UNRESOLVED, severity=severity, module=imp.module or (imp.via or "?"),
            message=f"{host}:{imp.location.line}: {why or imp.via or 'a setting names a module'}"
                    " — importaudit cannot tell what it loads",
            context=Context.STRING, target=target, file=host or None,
            line=imp.location.line or None,
        ))
    return out


def environment_findings(ws: Workspace, ta: TargetAudit, boot: Sequence[Finding]) -> list[Finding]:
    """With --python: what boot needs must be importable there, and versions must match."""
    checked = ws.checked_environment
    if checked is None:
        return []
    out: list[Finding] = []
    target = None if ta.target.implicit else ta.target.name
    where = ws.config.python or "that environment"
    seen: set[str] = set()
    boot_dists: set[str] = set()  # what the boot imports comes from these (canonical names)
    for path, parsed in sorted(ws.parsed.items()):  # the stored facts: a sweep parses nothing
        if parsed.is_test or (ta.graph is not None and not ta.graph.reached(path)):
            continue
        for stated in (*parsed.imports, *ta.string_imports.get(path, ())):
            if guard_context_of(stated) or not runs_at_import(stated, ta.env):
                continue
            if ta.graph is not None and not ta.graph.runs(stated):
                continue
            if stated.scope is Scope.FUNCTION and ta.graph is None:
                continue
            for imp in ws.expand(stated):
                module = imp.module
                if module in ALWAYS_THERE or is_first_party(ws, module) or is_stdlib(module, ta.env.python) \
                        or module in seen:
                    continue
                seen.add(module)
                _prefix, dists = checked.providers(module)
                if dists:
                    boot_dists.update(dists)
                    continue
                shown = ws.reported_module(module)
                out.append(Finding(
                    rule=Rule.NOT_INSTALLED, severity=Severity.ERROR, module=shown,
                    message=f"{path}:{imp.location.line} imports {module} at boot, but no distribution "
                    f"installed in {where} provides it",
                    context=Context.BOOT, target=target, file=path, line=imp.location.line,
                    chain=ta.graph.chain(path) if ta.graph is not None else (),
                ))
    for key, req in sorted(ta.installed.direct.items()):
        dist = checked.get(key)
        if dist is None or not req.specifier:
            continue
        try:
            ok = SpecifierSet(req.specifier).contains(dist.version, prereleases=True)
        except InvalidSpecifier:
            continue
        if not ok:
            # The boot runs the installed version, which the declaration says is wrong: definitive.
            at_boot = canonicalize_name(dist.name) in boot_dists or key in boot_dists
            out.append(Finding(
                rule=Rule.VERSION_CONFLICT,
                severity=Severity.ERROR if at_boot or ws.config.strict else Severity.WARNING,
                module=req.name,
                message=f"{req.source}:{req.line} asks for {req.name}{req.specifier}, but {where} has "
                f"{dist.name} {dist.version}" + (", and the boot imports it" if at_boot else ""),
                context=Context.BOOT if at_boot else Context.MODULE, target=target, file=req.source,
                line=req.line, distribution=dist.name,
            ))
    return out


def requires_python_findings(ws: Workspace, ta: TargetAudit) -> list[Finding]:
    """A requires-python that excludes the Python the target runs: pip refuses `pip install .`."""
    decl = ws.declaration
    if decl is None or not decl.requires_python or ta.target.implicit:
        return []
    try:
        spec = SpecifierSet(decl.requires_python)
    except InvalidSpecifier:
        return []
    major, minor = ta.env.python
    if any(spec.contains(f"{major}.{minor}.{micro}", prereleases=True) for micro in (0, 99)):
        return []
    source = decl.sources[0] if decl.sources else "pyproject.toml"
    return [Finding(
        rule=Rule.CONFIG, severity=Severity.WARNING, module="python",
        message=f"{source} says requires-python {decl.requires_python}, but {ta.target.name} runs "
        f"Python {ta.env.version_text} ({ta.target.python_source or 'its default'}): installing the "
        "project there fails, and the code may rely on what that Python lacks",
        context=Context.MODULE, target=ta.target.name, file=source, line=None,
    )]


def guard_context_of(imp: Import) -> bool:
    return any(g.kind in (GuardKind.EXCEPT_IMPORT, GuardKind.SUPPRESS, GuardKind.TYPE_CHECKING,
                          GuardKind.HANDLER) for g in imp.guards)


def _type_checking(imp: Import) -> bool:
    return any(g.kind.value == "type-checking" for g in imp.guards)


def _syntax_findings(ta: TargetAudit, parsed: ParsedFile) -> list[Finding]:
    problem = None
    # No declared version: the oldest supported one decides (the newer grammar is the exception).
    oldest = min(ta.env.versions) if ta.env.versions else ta.env.python
    older: tuple[tuple[int, int], ...] = ()
    if parsed.syntax_error is not None:
        problem = (parsed.syntax_error.location.line, parsed.syntax_error.message)
    elif parsed.needs_python is not None and parsed.needs_python[0] > oldest:
        (major, minor), construct, line = parsed.needs_python
        older = tuple(v for v in ta.env.versions if v < parsed.needs_python[0])
        problem = (
            line,
            f"uses a {construct}, which needs Python {major}.{minor}, but "
            f"{ta.target.name if not ta.target.implicit else 'the project'} runs "
            + (f"Python {ta.env.version_text}" if not older else
               f"an undeclared Python version; it fails on Python {versions_text(older)}: declare the version"),
        )
    if problem is None:
        return []
    at_boot = ta.graph.reached(parsed.path) if ta.graph is not None else True
    target = None if ta.target.implicit else ta.target.name
    chain = ta.graph.chain(parsed.path) if ta.graph is not None and at_boot else ()
    if not at_boot and target is not None:
        return []  # reported once for the project, below
    line, message = problem
    host = host_version()
    if parsed.syntax_error is not None and parsed.syntax_error.unread:
        return [
            Finding(
                rule=Rule.UNREADABLE,
                severity=Severity.WARNING,
                module=parsed.module or parsed.path,
                message=f"{parsed.path}: {message}, so its imports were not checked",
                context=Context.MODULE,
                target=target,
                file=parsed.path,
                line=line,
                chain=chain,
            )
        ]
    if parsed.syntax_error is not None and host < oldest:
        # This interpreter's grammar is older than the target's: the file may be valid there.
        return [
            Finding(
                rule=Rule.UNREADABLE,
                severity=Severity.WARNING,
                module=parsed.module or parsed.path,
                message=f"{parsed.path}:{line}: Python {host[0]}.{host[1]} (running importaudit) cannot parse "
                f"this file ({message}); it may use syntax of Python {ta.env.version_text}, which the "
                f"target runs, so its imports were not checked: run importaudit with Python "
                f"{ta.env.version_text} or newer",
                context=Context.MODULE,
                target=target,
                file=parsed.path,
                line=line,
                chain=chain,
            )
        ]
    return [
        Finding(
            rule=Rule.SYNTAX_ERROR,
            severity=Severity.WARNING if older else Severity.ERROR,
            module=parsed.module or parsed.path,
            message=f"{parsed.path}:{line}: {message}" + (f" ({' -> '.join(chain)})" if len(chain) > 1 else ""),
            context=Context.BOOT if ta.graph is not None else Context.MODULE,
            target=target,
            file=parsed.path,
            line=line,
            chain=chain,
        )
    ]


def project_findings(ws: Workspace, audits: Sequence[TargetAudit]) -> list[Finding]:
    """Findings that belong to the project as a whole: test code, files no target reaches."""
    out: list[Finding] = []
    if not audits:
        return out
    # Tests: checked against runtime + development requirements of the whole project.
    dev = development_requirements(ws)
    runtime = [r for rs in (*ws.declared.runtime, *ws.declared.locks) for r in rs.requirements]
    env = audits[0].env
    installed = InstalledSet.build(env, runtime + [replace(r, dev=False) for r in dev], [], ws.index)
    provisioner = Provisioner(installed, ws.index, ws.names)
    for path, parsed in sorted(ws.parsed.items()):  # the stored facts: a sweep parses nothing
        if parsed.syntax_error is not None and (
            parsed.is_test or all(a.graph is not None and not a.graph.reached(path) for a in audits)
        ):
            newest = max(min(a.env.versions) if a.env.versions else a.env.python for a in audits)
            older_host = host_version() < newest
            out.append(
                Finding(
                    rule=Rule.UNREADABLE if older_host else Rule.SYNTAX_ERROR,
                    severity=Severity.WARNING,
                    module=parsed.module or path,
                    message=f"{path}:{parsed.syntax_error.location.line}: "
                    f"{parsed.syntax_error.message} (no deploy target loads this file"
                    + (f"; it may be valid Python {newest[0]}.{newest[1]}, newer than the Python running "
                       "importaudit)" if older_host else ")"),
                    context=Context.MODULE,
                    file=path,
                    line=parsed.syntax_error.location.line,
                )
            )
        if not parsed.is_test:
            continue

        def available(module: str) -> bool:
            return _provided(ws, provisioner, env.python, module)

        fallback = _fallbacks(parsed, available, env)
        for imp in (i for stated in parsed.imports for i in ws.expand(stated)):
            module = imp.module
            if not module or module in ALWAYS_THERE or is_first_party(ws, module) or is_stdlib(module, env.python):
                continue
            if _type_checking(imp) or not branch_runs(imp, available):
                continue
            prov = provisioner.provision(module)
            imp = replace(imp, module=ws.reported_module(module))
            finding = judge(
                Case(
                    imp=imp,
                    where=Where.TEST,
                    provision=prov,
                    target=None,
                    target_label="the project",
                    chain=(),
                    fix_file=_dev_fix_file(ws),
                    fallback_needed=handler_needed(imp, fallback),
                )
            )
            if finding is not None:
                out.append(finding)
    return out


def _dev_fix_file(ws: Workspace) -> Optional[str]:
    for rs in ws.declared.development:
        return rs.source
    return None


def warning_findings(warnings: Iterable[SourceWarning]) -> list[Finding]:
    seen: set[tuple[str, int, str]] = set()
    out = []
    for w in warnings:
        key = (w.file, w.line, w.message)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            Finding(
                rule=Rule.UNREADABLE,
                severity=Severity.WARNING,
                module=w.file,
                message=f"{w.file}{':' + str(w.line) if w.line else ''}: {w.message}",
                context=Context.MODULE,
                file=w.file,
                line=w.line or None,
            )
        )
    return out
