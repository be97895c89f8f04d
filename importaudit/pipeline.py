"""The pipeline: the one place where the stages meet (DESIGN.md)."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from . import __version__
from .conditions import TargetEnv, evaluate, parse_version
from .config import Config
from .discover import Project, discover
from .distributions import DistributionIndex
from .environment import InstalledEnvironment
from .frameworks import FrameworkContext, FrameworkResult, framework_imports
from .model import (
    AuditError,
    Context,
    Entry,
    EntryKind,
    Finding,
    GuardKind,
    How,
    Import,
    Install,
    InstallKind,
    Location,
    ParsedFile,
    Provider,
    Report,
    Requirement,
    Rule,
    Scope,
    Severity,
    SourceWarning,
    Target,
    TargetResult,
)
from .names import DisplayNames
from .parsing import LazyTrees, parse_all
from .provision import InstalledSet, Provisioner
from .reach import MAIN_GUARD, BootGraph, FileIndex, Unit, compute_boot, module_files, runs_at_import
from .requirements import (
    DeclaredSources,
    ProjectDeclaration,
    discover_sources,
    read_project,
    requirements_for_install,
)
from .rules import Case, Provision, Status, Where, apply_selection, judge
from .stdlib import host_version, is_stdlib
from .targets import project_python_version, read_targets
from .unused import unused_requirements

REQUEST_UNIT = "<first request>"


@dataclass
class Workspace:
    """Everything read once per run, shared by every target."""

    root: Path
    config: Config
    project: Project
    parsed: dict[str, ParsedFile]
    trees: LazyTrees
    declared: DeclaredSources
    declaration: Optional[ProjectDeclaration]
    index: DistributionIndex
    names: DisplayNames
    default_python: tuple[tuple[int, int], str]
    warnings: list[SourceWarning]
    checked_environment: Optional[InstalledEnvironment] = None  # --python: verify against it
    framework_cache: dict[str, Any] = field(default_factory=dict)  # shared by every target's frameworks
    _providers: Optional[dict[str, Provider]] = None
    _indexes: Optional[dict[str, FileIndex]] = None
    _local: Optional[frozenset[str]] = None
    _roots: Optional[dict[str, str]] = None
    _modules: Optional[dict[tuple[str, ...], dict[str, str]]] = None

    def provider(self, module: str) -> Provider:
        if self._providers is None:
            self._providers = {}
        found = self._providers.get(module)
        if found is None:
            found = self._providers[module] = self.index.provider(module)
        return found

    def local_names(self) -> frozenset[str]:
        """Top-level names importable from some folder of the project when it is on sys.path.

        A file's import root is its nearest ancestor that is not a package: `python manage.py`
        from netbox/ makes netbox/users importable as `users`, a script makes its siblings
        importable. A local name is never reported missing (a false error costs more)."""
        if self._local is None:
            names: set[str] = set()
            for path, root in self.import_roots().items():
                head = path[len(root) + 1 :] if root else path
                head = head.split("/")[0]
                name = head[:-3] if head.endswith(".py") else head
                if name.isidentifier():
                    names.add(name)
            self._local = frozenset(names)
        return self._local

    def import_roots(self) -> dict[str, str]:
        """file -> its nearest ancestor folder that is not a package ("" for the root)."""
        if self._roots is None:
            packages = {p.rsplit("/", 1)[0] if "/" in p else "" for p in self.parsed if p.endswith("__init__.py")}
            self._roots = {}
            for path in self.parsed:
                parts = path.split("/")
                cut = len(parts) - 1
                while cut > 0 and "/".join(parts[:cut]) in packages:
                    cut -= 1
                self._roots[path] = "/".join(parts[:cut])
        return self._roots

    def file_indexes(self) -> dict[str, FileIndex]:
        """Per-file lookups for reachability, built once per run (application code only)."""
        if self._indexes is None:
            self._indexes = {p: FileIndex.build(pf) for p, pf in self.parsed.items() if not pf.is_test}
        return self._indexes

    def modules_map(self, roots: tuple[str, ...]) -> dict[str, str]:
        if self._modules is None:
            self._modules = {}
        if roots not in self._modules:
            self._modules[roots] = _modules_map(self, roots)
        return self._modules[roots]

    def reported_module(self, module: str) -> str:
        """The name a finding shows: the top level, or the namespace prefix that decides."""
        matched = self.provider(module).module
        if "." in matched and module.startswith(matched):
            return matched
        return module.split(".")[0]

    def expand(self, imp: Import) -> list[Import]:
        """`from google.cloud import storage, pubsub_v1` is two imports with two providers."""
        if imp.how is not How.FROM or not imp.names or imp.module.startswith("."):
            return [imp]
        base = self.provider(imp.module).module
        deeper = []
        for name in imp.names:
            full = f"{imp.module}.{name}"
            if name != "*" and len(self.provider(full).module) > len(base):
                deeper.append(replace(imp, module=full, names=()))
        return deeper or [imp]


def load_workspace(root: Path, config: Config) -> Workspace:
    project = discover(root, exclude=config.exclude, first_party=config.first_party)
    parsed, trees, warnings = parse_all(root, project.sources, use_cache=True)
    parsed = {path: _as_deployed(pf) for path, pf in parsed.items()}
    warnings = list(project.warnings) + warnings
    declared = discover_sources(root, project.files, only=config.requirements)
    declaration = read_project(root, ".")
    environment = (
        InstalledEnvironment.from_python(config.python) if config.python else InstalledEnvironment.current()
    )
    index = DistributionIndex(config.module_map, environment)
    checked = environment if config.python else None
    warnings.extend(declared.warnings)
    if declaration is not None:
        warnings.extend(declaration.warnings)
    return Workspace(
        root=root,
        config=config,
        project=project,
        parsed=parsed,
        trees=trees,
        declared=declared,
        declaration=declaration,
        index=index,
        names=DisplayNames(environment),
        checked_environment=checked,
        default_python=_default_python(root, config, project, declaration, declared),
        warnings=warnings,
    )


# Code that is never part of a deploy's boot: build scripts and docs configuration. setup.py runs in
# pip's isolated build environment (which has setuptools); docs/conf.py runs under Sphinx with the
# docs requirements. They are checked like tests: against runtime plus development requirements.
_TOOLING_FILES = frozenset({"setup.py", "noxfile.py", "fabfile.py", "conftest.py"})
_TOOLING_DIRS = frozenset({"docs", "doc"})


def _as_deployed(parsed: ParsedFile) -> ParsedFile:
    parts = parsed.path.split("/")
    if parts[-1] == "setup.py":
        return replace(parsed, imports=(), is_test=True)  # its imports are the build backend's
    if parts[-1] in _TOOLING_FILES or parts[0] in _TOOLING_DIRS:
        return replace(parsed, is_test=True)
    return parsed


def _default_python(
    root: Path, config: Config, project: Project, declaration: Optional[ProjectDeclaration],
    declared: DeclaredSources,
) -> tuple[tuple[int, int], str]:
    if config.python_version:
        return config.python_version, "--python-version"
    if config.python:
        return _python_of(config.python), f"--python {config.python}"
    found = project_python_version(root, project.files)
    if found is not None:
        version = parse_version(found[0])
        if version is not None:
            return version, found[1]
    if declaration is not None and declaration.requires_python:
        lower = _lower_bound(declaration.requires_python)
        if lower is not None:
            return lower, f"requires-python {declaration.requires_python}"
    for rs in declared.runtime:  # Pipfile [requires] python_version, environment.yml python=3.X
        if rs.requires_python:
            lower = _lower_bound(rs.requires_python)
            if lower is not None:
                return lower, f"{rs.source} (python {rs.requires_python.lstrip('=').rstrip('.*')})"
    return host_version(), "the Python running importaudit"


def _python_of(python: str) -> tuple[int, int]:
    version = InstalledEnvironment.from_python(python).python_version
    return version if version is not None else host_version()


def _lower_bound(spec: str) -> Optional[tuple[int, int]]:
    try:
        specifiers = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    for minor in range(6, 20):
        if f"3.{minor}.99" in specifiers or f"3.{minor}.0" in specifiers:
            return (3, minor)
    return None


# ---------------------------------------------------------------------------------------------
# Targets


def select_targets(ws: Workspace) -> list[Target]:
    try:
        found = list(read_targets(ws.root, ws.project.files))
    except Exception as exc:  # a descriptor we cannot read: audit the project as a whole
        ws.warnings.append(SourceWarning("", 0, "could not read the deploy descriptors "
                                                f"({type(exc).__name__}: {exc})"))
        found = []
    extra_entries = tuple(_entry_from_spec(spec) for spec in ws.config.entries)
    if ws.config.targets:
        names = {t.name for t in found}
        unknown = [n for n in ws.config.targets if n not in names]
        if unknown:
            known = ", ".join(sorted(names)) or "none found"
            raise AuditError(f"--target {unknown[0]}: no such target (targets: {known})")
        found = [t for t in found if t.name in ws.config.targets]
    if not found:
        found = [Target(name="project", kind="project", file=None, implicit=True)]
    if extra_entries:
        found = [replace(t, entries=t.entries + extra_entries) for t in found]
    if ws.config.requirements:
        installs = tuple(Install(InstallKind.REQUIREMENTS, spec) for spec in ws.config.requirements)
        found = [replace(t, installs=installs) for t in found]
    return sorted(found, key=lambda t: t.name)


def _entry_from_spec(spec: str) -> Entry:
    if spec.endswith(".py") or "/" in spec:
        return Entry(module=spec, path=spec.lstrip("./"), kind=EntryKind.MODULE, via="--entry")
    module, _, attr = spec.partition(":")
    call = attr.endswith(")")
    attr = attr.split("(")[0] if attr else ""
    return Entry(module=module, attr=attr or None, call=call, via="--entry")


def _target_env(ws: Workspace, target: Target) -> tuple[TargetEnv, str]:
    if ws.config.python_version:
        return TargetEnv(ws.config.python_version, platform=target.platform), "--python-version"
    if target.python:
        version = parse_version(target.python)
        if version is not None:
            return TargetEnv(version, platform=target.platform), target.python_source or ""
    version, source = ws.default_python
    return TargetEnv(version, platform=target.platform), source


# ---------------------------------------------------------------------------------------------
# One target


@dataclass
class TargetAudit:
    target: Target
    env: TargetEnv
    installed: InstalledSet
    runtime: list[Requirement]
    provisioner: Provisioner
    graph: Optional[BootGraph]
    string_imports: dict[str, list[Import]]
    entry_imports: list[Import]
    notes: list[str]
    fix_file: Optional[str]
    unresolved_entries: list[str]
    unresolved_strings: list[tuple[Import, str]]
    opaque: list[str] = field(default_factory=list)  # installs it cannot see into


def opaque_installs(target: Target) -> list[Install]:
    """Install steps whose packages are only known when the build runs ($VAR, $(cat list), a URL)."""
    return [
        i for i in target.installs
        if i.kind is InstallKind.UNKNOWN or "$" in i.spec or "`" in i.spec
    ]


def _opaque_text(root: Path, install: Install) -> str:
    """The install step as its descriptor writes it (the parsed word may be a bare `$`)."""
    if install.location is None:
        return f"`{install.spec}`"
    where = f"{install.location.file}:{install.location.line}"
    try:
        lines = (root / install.location.file).read_text("utf-8", errors="replace").splitlines()
        text = lines[install.location.line - 1].strip()
    except (OSError, IndexError):
        text = install.spec
    if len(text) > 80:
        text = text[:77] + "..."
    return f"`{text}` ({where})"


def _runtime_requirements(
    ws: Workspace, target: Target, env: TargetEnv
) -> tuple[list[Requirement], list[SourceWarning]]:
    reqs: list[Requirement] = []
    warnings: list[SourceWarning] = []
    if target.implicit:
        # The project as a whole installs its runtime sources; a lock's dev entries are not that.
        for rs in (*ws.declared.runtime, *ws.declared.locks):
            reqs.extend(r for r in rs.requirements if not r.dev)
        return reqs, warnings
    opaque = opaque_installs(target)
    for install in target.installs:
        if install in opaque:
            continue
        try:
            got, warned = requirements_for_install(ws.root, install, env)
        except Exception as exc:  # one unreadable install must not stop the audit
            where = install.location.file if install.location else (target.file or "")
            line = install.location.line if install.location else 0
            warnings.append(SourceWarning(where, line, f"could not read what `{install.spec}` "
                                                       f"installs ({type(exc).__name__}: {exc})"))
            continue
        reqs.extend(got)
        warnings.extend(warned)
    return reqs, warnings


def _development_requirements(ws: Workspace) -> list[Requirement]:
    reqs: list[Requirement] = []
    for rs in ws.declared.development:
        reqs.extend(rs.requirements)
    if ws.declaration is not None:
        for group in ws.declaration.groups.values():
            reqs.extend(group)
        for extra in ws.declaration.extras.values():
            reqs.extend(extra)
    return reqs


def _fix_file(ws: Workspace, target: Target) -> Optional[str]:
    for install in target.installs:
        if install.kind is InstallKind.REQUIREMENTS:
            return install.spec
    for install in target.installs:
        if install.kind is InstallKind.PROJECT:
            if ws.declaration is not None and ws.declaration.sources:
                return ws.declaration.sources[0]
            return "pyproject.toml"
    if target.installs and target.file:
        return f"the pip install line of {target.file}"
    for rs in ws.declared.runtime:
        return rs.source
    return None


def _modules_map(ws: Workspace, roots: Sequence[str]) -> dict[str, str]:
    """dotted module -> file, under the target's roots first, then each file's own import root."""
    out: dict[str, str] = {}
    for ref in ws.project.sources:
        for root in roots:
            name = ws.project.index.module_for(ref.path, root)
            if name and name not in out:
                out[name] = ref.path
    for path, local_root in ws.import_roots().items():
        name = ws.project.index.module_for(path, local_root)
        if name and name not in out:
            out[name] = path
    return out


def _installed_versions(runtime: Iterable[Requirement]) -> dict[str, str]:
    out: dict[str, str] = {}
    for req in runtime:
        version = ""
        spec = req.specifier.strip()
        if spec.startswith("==") and "," not in spec:
            version = spec[2:].strip()
        out.setdefault(req.key, version)
    return out


# A Celery transport's client (the hint) -> the kombu extra that installs everything it needs.
_KOMBU_EXTRAS = {
    "redis": "redis", "boto3": "sqs", "pymongo": "mongodb", "kazoo": "zookeeper",
    "confluent-kafka": "confluentkafka", "google-cloud-pubsub": "gcpubsub",
    "azure-servicebus": "azureservicebus", "azure-storage-queue": "azurestoragequeues",
}


def _transport_extras(
    ws: Workspace, imports: Sequence[Import], provisioner: Provisioner, runtime: Sequence[Requirement],
    env: TargetEnv,
) -> list[Import]:
    """What a Celery transport needs beyond its client: kombu[redis] also imports `packaging` in
    kombu 5.7. Known from the bundled kombu metadata, so only when the target's kombu is that one
    (or unpinned), and only for what nothing installs."""
    pinned = next((r.specifier for r in runtime if r.key == "kombu" and r.specifier), "")
    base = ws.index.requires("kombu", (), env)
    if base is None:
        return []
    bundled = ws.index.version_of("kombu")
    if pinned and bundled and not _allows(pinned, bundled):
        return []
    out: list[Import] = []
    base_keys = {key for key, _extras in base}
    for imp in imports:
        extra = _KOMBU_EXTRAS.get(imp.distribution_hint or "") if (imp.via or "").startswith("Celery") else None
        if extra is None:
            continue
        for key, _extras in ws.index.requires("kombu", (extra,), env) or ():
            if key in base_keys or key == imp.distribution_hint:
                continue
            modules = ws.index.modules_of(key)
            if not modules or provisioner.provision(modules[0], key).status != Status.NONE:
                continue
            out.append(replace(imp, module=modules[0], distribution_hint=key,
                               via=f"{imp.via} (kombu[{extra}] imports it)"))
    return out


def _allows(spec: str, version: str) -> bool:
    try:
        return SpecifierSet(spec).contains(version, prereleases=True)
    except InvalidSpecifier:
        return True


def _runs_migrate(target: Target) -> bool:
    words = " ".join(target.commands)
    return any(w in words for w in ("migrate", "manage.py check", " check --deploy"))


def audit_target(ws: Workspace, target: Target) -> TargetAudit:
    env, _source = _target_env(ws, target)
    if not target.python:
        target = replace(target, python=env.version_text, python_source=_source)
    runtime, warnings = _runtime_requirements(ws, target, env)
    ws.warnings.extend(warnings)
    installed = InstalledSet.build(env, runtime, _development_requirements(ws), ws.index, provided=target.provided)
    provisioner = Provisioner(installed, ws.index, ws.names)
    roots = tuple(dict.fromkeys((*target.paths, *ws.project.roots)))

    resolved: dict[str, Optional[str]] = {}

    def resolve(dotted: str) -> Optional[str]:
        if dotted not in resolved:
            resolved[dotted] = ws.project.index.resolve(dotted, roots)
        return resolved[dotted]

    notes = list(target.notes)
    entry_units: list[tuple[Unit, Optional[str]]] = []
    main_files: list[str] = []
    entry_imports: list[Import] = []
    unresolved: list[str] = []
    for entry in target.entries:
        location = entry.location or Location(target.file or "", target.line)
        if entry.path is not None:
            path = entry.path.strip("/")
            if path in ws.parsed:
                entry_units.append(((path, None), None))
                if entry.kind is EntryKind.MODULE:
                    main_files.append(path)
            else:
                unresolved.append(
                    f"{entry.via or 'the start command'} runs {entry.path}, which is not in the project"
                )
            continue
        found = resolve(entry.module)
        if entry.kind is not EntryKind.SERVER and found is not None and not found.endswith("/"):
            for file in module_files(entry.module, resolve):
                entry_units.append(((file, None), None))
            if entry.call and entry.attr:
                entry_units.append(((found, entry.attr), found))
            if entry.kind is EntryKind.MODULE:
                main_files.append(found)
            continue
        if entry.kind is not EntryKind.SERVER and entry.module.split(".")[0] in ws.project.first_party:
            unresolved.append(
                f"{entry.via or 'the start command'} imports {entry.spec}, "
                "which importaudit cannot find in the project"
            )
            continue
        entry_imports.append(
            Import(
                module=entry.module,
                location=location,
                how=How.STRING,
                via=entry.via or "the server",
                phase="boot",
                distribution_hint=entry.distribution,
            )
        )
    implicit_all = target.implicit and not target.entries
    string_imports: dict[str, list[Import]] = {}
    graph: Optional[BootGraph] = None
    files = ws.file_indexes()
    modules = ws.modules_map(roots)
    if not implicit_all:
        graph = compute_boot(files, entry_units, resolve, env, main_files=main_files)
    boot_paths = frozenset(graph.parents) if graph else frozenset(files)
    try:
        fw = framework_imports(
            FrameworkContext(
                trees=ws.trees,
                modules=modules,
                env=dict(target.env),
                installed=_installed_versions(runtime),
                boot_paths=boot_paths,
                parsed=ws.parsed,
                cache=ws.framework_cache,
            )
        )
    except Exception as exc:  # framework strings are extra evidence; never a crash
        fw = FrameworkResult(notes=(f"could not read framework settings ({type(exc).__name__}: {exc})",))
    migrate = _runs_migrate(target)
    for imp in (*fw.imports, *_transport_extras(ws, fw.imports, provisioner, runtime, env)):
        if imp.phase == "migrate" and migrate:
            imp = replace(imp, phase="boot")
        if imp.phase not in (None, "boot") and imp.scope is not Scope.FUNCTION:
            imp = replace(imp, scope=Scope.FUNCTION, function=REQUEST_UNIT)
        string_imports.setdefault(imp.location.file, []).append(imp)
    unresolved_strings = list(zip(fw.unresolved, fw.unresolved_messages or
                                  tuple("" for _ in fw.unresolved)))
    notes.extend(fw.notes)
    if string_imports:
        files = dict(files)
        for host, extra in string_imports.items():
            if host in files:
                files[host] = FileIndex.build(ws.parsed[host], extra)
        # A string import hosted in a file that is not Python (a Dockerfile ENV) runs at boot.
        for host, imps in string_imports.items():
            if host not in files:
                entry_imports.extend(i for i in imps if i.phase in (None, "boot"))
        if graph is not None:
            graph = compute_boot(files, entry_units, resolve, env, main_files=main_files)
    return TargetAudit(
        target=target,
        env=env,
        installed=installed,
        runtime=runtime,
        provisioner=provisioner,
        graph=graph,
        string_imports=string_imports,
        entry_imports=entry_imports,
        notes=notes,
        fix_file=_fix_file(ws, target),
        unresolved_entries=unresolved,
        unresolved_strings=unresolved_strings,
        opaque=[_opaque_text(ws.root, i) for i in opaque_installs(target)],
    )


# ---------------------------------------------------------------------------------------------
# Judging imports


def _is_first_party(ws: Workspace, module: str) -> bool:
    top = module.split(".")[0]
    return module.startswith(".") or top in ws.project.first_party or top in ws.local_names()


def _fallback_needed(ws: Workspace, ta: TargetAudit, parsed: ParsedFile) -> dict[int, bool]:
    """For each try statement (by line): whether none of its guarded imports is available."""
    primaries: dict[int, bool] = {}
    for imp in parsed.imports:
        for guard in imp.guards:
            if guard.kind.value == "except-import":
                ok = _available(ws, ta, imp.module)
                primaries[guard.line] = primaries.get(guard.line, False) or ok
    return {line: not ok for line, ok in primaries.items()}


def _available(ws: Workspace, ta: TargetAudit, module: str) -> bool:
    if _is_first_party(ws, module) or is_stdlib(module, ta.env.python):
        return True
    status = ta.provisioner.provision(module).status
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
    provision: Optional[Provision] = None,
) -> Optional[Finding]:
    module = imp.module
    if not module or (_is_first_party(ws, module) and imp.distribution_hint is None):
        return None
    if module == "__future__" or (is_stdlib(module, ta.env.python) and imp.distribution_hint is None):
        return None
    if provision is None:
        provision = ta.provisioner.provision(module, imp.distribution_hint)
    written = module
    reported = ws.reported_module(module)
    if reported != module:
        imp = replace(imp, module=reported)
    need = True
    conditional = next(
        (g.condition for g in imp.guards if g.kind is GuardKind.CONDITION and g.condition
         and g.condition != MAIN_GUARD and evaluate(g.condition, ta.env) is None),
        None,
    )
    for guard in imp.guards:
        if guard.kind.value == "handler":
            need = fallback.get(guard.line, True)
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
            uncertain="; ".join(ta.opaque) if ta.opaque else None,
        )
    )


def target_findings(ws: Workspace, ta: TargetAudit) -> list[Finding]:
    out: list[Finding] = []
    env = ta.env
    for path in sorted(ws.parsed):
        parsed = ws.parsed[path]
        if parsed.is_test:
            continue
        fallback = _fallback_needed(ws, ta, parsed)
        main = ta.graph is not None and path in ta.graph.main_files
        for stated in (*parsed.imports, *ta.string_imports.get(path, ())):
            if not runs_at_import(stated, env, as_main=main) and not _type_checking(stated):
                continue
            where = _where(ta, parsed, stated)
            chain = ta.graph.chain(path) if ta.graph is not None and where == Where.BOOT else ()
            for imp in ws.expand(stated):
                finding = _judge_import(ws, ta, imp, where, fallback, chain)
                if finding is not None:
                    out.append(finding)
        out.extend(_syntax_findings(ws, ta, parsed))
    for imp in ta.entry_imports:
        finding = _judge_import(ws, ta, imp, Where.BOOT, {}, ())
        if finding is not None:
            out.append(finding)
    target = None if ta.target.implicit else ta.target.name
    for imp, why in ta.unresolved_strings:
        host = imp.location.file
        if ta.graph is not None and host in ws.parsed and not ta.graph.reached(host):
            continue
        out.append(Finding(
            rule=Rule.UNRESOLVED, severity=Severity.INFO, module=imp.module or (imp.via or "?"),
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
    for path in sorted(ws.parsed):
        parsed = ws.parsed[path]
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
                if _is_first_party(ws, module) or is_stdlib(module, ta.env.python) or module in seen:
                    continue
                seen.add(module)
                _prefix, dists = checked.providers(module)
                if dists:
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
            out.append(Finding(
                rule=Rule.VERSION_CONFLICT, severity=Severity.WARNING, module=req.name,
                message=f"{req.source}:{req.line} asks for {req.name}{req.specifier}, but {where} has "
                f"{dist.name} {dist.version}",
                context=Context.MODULE, target=target, file=req.source, line=req.line,
                distribution=dist.name,
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


def _syntax_findings(ws: Workspace, ta: TargetAudit, parsed: ParsedFile) -> list[Finding]:
    problem = None
    if parsed.syntax_error is not None:
        problem = (parsed.syntax_error.location.line, parsed.syntax_error.message)
    elif parsed.needs_python is not None and parsed.needs_python[0] > ta.env.python:
        (major, minor), construct, line = parsed.needs_python
        problem = (
            line,
            f"uses a {construct}, which needs Python {major}.{minor}, but "
            f"{ta.target.name if not ta.target.implicit else 'the project'} runs "
            f"Python {ta.env.version_text}",
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
    if parsed.syntax_error is not None and host < ta.env.python:
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
            )
        ]
    return [
        Finding(
            rule=Rule.SYNTAX_ERROR,
            severity=Severity.ERROR,
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
    dev = _development_requirements(ws)
    runtime = [r for rs in (*ws.declared.runtime, *ws.declared.locks) for r in rs.requirements]
    env = audits[0].env
    installed = InstalledSet.build(env, runtime + [replace(r, dev=False) for r in dev], [], ws.index)
    provisioner = Provisioner(installed, ws.index, ws.names)
    for path in sorted(ws.parsed):
        parsed = ws.parsed[path]
        if parsed.syntax_error is not None and (
            parsed.is_test or all(a.graph is not None and not a.graph.reached(path) for a in audits)
        ):
            newest = max(a.env.python for a in audits)
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
        for imp in (i for stated in parsed.imports for i in ws.expand(stated)):
            module = imp.module
            if not module or _is_first_party(ws, module) or is_stdlib(module, env.python):
                continue
            if _type_checking(imp):
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
                )
            )
            if finding is not None:
                out.append(finding)
    return out


def _dev_fix_file(ws: Workspace) -> Optional[str]:
    for rs in ws.declared.development:
        return rs.source
    return None


def _warning_findings(warnings: Iterable[SourceWarning]) -> list[Finding]:
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
    if ta.opaque:
        return "unknown", "installs what importaudit cannot read: " + "; ".join(ta.opaque)
    if not ta.target.entries or (
        ta.unresolved_entries and ta.graph is not None and not ta.graph.parents and not ta.entry_imports
    ):
        reason = "; ".join(ta.unresolved_entries) or "could not tell what it runs"
        if ta.target.notes:
            reason += "; " + "; ".join(ta.target.notes)
        return "unknown", reason
    return "boots", "; ".join(ta.unresolved_entries)


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """Module-context findings in files no target reaches are the same for every target: keep one."""
    seen: set[tuple[str, str, int, str, str]] = set()
    out = []
    for f in sorted(findings, key=lambda f: (f.target or "", f.file or "", f.line or 0, f.module)):
        if f.context is Context.MODULE and f.target is not None:
            key = (f.rule.value, f.file or "", f.line or 0, f.module, f.severity.value)
            if key in seen:
                continue
            seen.add(key)
        out.append(f)
    return out


def run_audit(root: Path, config: Config) -> Report:
    ws = load_workspace(root, config)
    # Hundreds of thousands of small frozen records live to the end of the run: keep the cyclic
    # collector from rescanning them at every full collection.
    gc.freeze()
    try:
        return _audit(ws, config)
    finally:
        gc.unfreeze()


def _audit(ws: Workspace, config: Config) -> Report:
    targets = select_targets(ws)
    audits = [audit_target(ws, target) for target in targets]
    findings: list[Finding] = []
    for ta in audits:
        found = target_findings(ws, ta)
        findings.extend(found)
        findings.extend(environment_findings(ws, ta, found))
        findings.extend(requires_python_findings(ws, ta))
    findings.extend(project_findings(ws, audits))
    findings.extend(unused_requirements(ws, audits))
    findings.extend(_warning_findings(ws.warnings))
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
    findings = apply_selection(findings, config.select, config.ignore)
    results = []
    for ta in audits:
        verdict, reason = _verdict(ta, findings)
        results.append(
            TargetResult(
                target=ta.target, verdict=verdict, reason=reason, installed=tuple(sorted(ta.installed.direct))
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


def describe_targets(root: Path, config: Config, fmt: str) -> str:
    """`importaudit targets`: what the audit believes each target installs and runs."""
    ws = load_workspace(root, config)
    rows: list[dict[str, Any]] = []
    for target in select_targets(ws):
        env, source = _target_env(ws, target)
        runtime, _ = _runtime_requirements(ws, target, env)
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
            lines.append(f"  installs  {inst['spec']}  [{inst['tool']} {inst['kind']}{at}]")
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
