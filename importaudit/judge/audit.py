"""One target: what it installs, what it runs, and what that reaches at boot."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from importaudit.frameworks import FrameworkContext, FrameworkResult, framework_imports
from importaudit.judge.addons import with_addons
from importaudit.judge.guarded_reach import guarded_only
from importaudit.judge.reach import (
    BootGraph,
    FileIndex,
    Overlay,
    Unit,
    compute_boot,
    module_files,
    runs_at_import,
)
from importaudit.judge.rules import Status
from importaudit.model import (
    AuditError,
    Entry,
    EntryKind,
    How,
    Import,
    Install,
    InstallKind,
    Location,
    ParsedFile,
    Requirement,
    Scope,
    SourceWarning,
    Target,
)
from importaudit.providers.provision import InstalledSet, Provisioner
from importaudit.requirements import (
    requirements_for_install,
)
from importaudit.requirements.implicit import implicit_runtime, nested_runtimes
from importaudit.source.conditions import SUPPORTED_PYTHONS, UNDECLARED, TargetEnv, parse_version
from importaudit.targets import descriptor_path, read_dockerfile, read_targets
from importaudit.targets.compose import parse_dotenv
from importaudit.targets.installs import opaque_reason
from importaudit.targets.package_roots import project_roots
from importaudit.workspace import Workspace

REQUEST_UNIT = "<first request>"


def select_targets(ws: Workspace) -> list[Target]:
    try:
        found = [_given_dockerfile(ws)] if ws.config.dockerfile else list(read_targets(ws.root, ws.project.files))
    except AuditError:
        raise
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
    # A descriptor that installs no Python, runs nothing and is not a Python image (a frontend's
    # Dockerfile) is not a Python deploy.
    # A target that says why it cannot be followed (a compose build path) is kept: never dropped silently.
    found = [t for t in found if t.installs or t.entries or t.commands or t.python or t.warnings or t.unfollowed]
    if not found:
        found = [Target(name="project", kind="project", file=None, implicit=True)]
    if extra_entries:
        found = [replace(t, entries=t.entries + extra_entries) for t in found]
    if ws.config.requirements:
        installs = tuple(Install(InstallKind.REQUIREMENTS, spec) for spec in ws.config.requirements)
        found = [replace(t, installs=installs) for t in found]
    return sorted(found, key=lambda t: t.name)


def _given_dockerfile(ws: Workspace) -> Target:
    """--dockerfile PATH: that descriptor is the target (the one --target names, else one named after
    the file), read with the audited folder as its build context; it alone is audited."""
    assert ws.config.dockerfile is not None
    if len(ws.config.targets) > 1:
        raise AuditError("--dockerfile reads one target: give at most one --target NAME")
    path = descriptor_path(ws.root, Path(ws.config.dockerfile))
    name = ws.config.targets[0] if ws.config.targets else posixpath.basename(path)
    return read_dockerfile(ws.root, path, None, ws.project.files, name=name, context="")


def _entry_from_spec(spec: str) -> Entry:
    if spec.endswith(".py") or "/" in spec:
        return Entry(module=spec, path=spec.lstrip("./"), kind=EntryKind.MODULE, via="--entry")
    module, _, attr = spec.partition(":")
    call = attr.endswith(")")
    attr = attr.split("(")[0] if attr else ""
    return Entry(module=module, attr=attr or None, call=call, via="--entry")


def target_env(ws: Workspace, target: Target) -> tuple[TargetEnv, str]:
    base = TargetEnv(ws.default_python[0], platform=target.platform, environ=tuple(sorted(target.env)))
    if ws.config.python_version:
        return replace(base, python=ws.config.python_version), "--python-version"
    if target.python:
        version = parse_version(target.python)
        if version is not None:
            return replace(base, python=version), target.python_source or ""
    version, source = ws.default_python
    if source == UNDECLARED:  # judged on every supported version, never the host's
        return replace(base, python=SUPPORTED_PYTHONS[-1], versions=SUPPORTED_PYTHONS), source
    allowed = _allowed_versions(source)
    if len(allowed) > 1:
        # Only a range is known (`requires-python = ">=3.10"`, no image or .python-version): the
        # deploy may run any of them, so an import failing on some is judged over all of them.
        return replace(base, python=allowed[-1], versions=allowed), source
    return replace(base, python=version), source


def _allowed_versions(source: str) -> tuple[tuple[int, int], ...]:
    """The supported versions a `requires-python` range admits; () when the source is not one."""
    if not source.startswith("requires-python "):
        return ()
    try:
        spec = SpecifierSet(source.removeprefix("requires-python "))
    except InvalidSpecifier:
        return ()
    return tuple(
        v for v in SUPPORTED_PYTHONS if spec.contains(f"{v[0]}.{v[1]}.99") or spec.contains(f"{v[0]}.{v[1]}.0")
    )


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
    declared: frozenset[str] = frozenset()  # every distribution any source of the project names
    declared_in_files: frozenset[str] = frozenset()  # ... that a requirements file names
    # (step, kind): "file" reads one of the repo's -r files, "artifact" installs a local wheel,
    # sdist or folder (it may be the project's own build), "free" can name anything, and
    # "environment" is a Python environment copied from an image importaudit cannot read.
    opaque_steps: list[tuple[str, str]] = field(default_factory=list)
    declared_runtime: frozenset[str] = frozenset()  # ... as runtime, or pinned by a lock
    # With no descriptor: the files importing the project's top-level packages and modules runs.
    package_reach: Optional[frozenset[str]] = None
    # With no descriptor: files the packages load only under a guard (judge/guarded_reach.py).
    optional_files: frozenset[str] = frozenset()
    # With no descriptor: a nested project's files (examples/demo/...) judged by its own runtime.
    nested: dict[str, Provisioner] = field(default_factory=dict)
    # What boot needs but importaudit could not follow ("file:line: what"): no `boots` then.
    unfollowed: list[str] = field(default_factory=list)
    # Why what the target installs is only assumed, when other sources compete with the assumption.
    assumed: Optional[str] = None
    # With no declared Python: the same target on one version (judge/versions.py builds them).
    by_version: dict[tuple[int, int], TargetAudit] = field(default_factory=dict)
    # (provisioner, module, hint) -> whether what provides the module changes with the version
    provision_varies: dict[tuple[int, str, Optional[str]], bool] = field(default_factory=dict)

    def provisioner_for(self, path: str) -> Provisioner:
        if not self.nested:
            return self.provisioner
        folder = max((f for f in self.nested if path.startswith(f + "/")), key=len, default=None)
        return self.nested[folder] if folder is not None else self.provisioner


def declared_keys(ws: Workspace, *, files_only: bool = False) -> frozenset[str]:
    """Every distribution the project declares anywhere: runtime, development, locks, extras
    (or, with files_only, in its requirements files)."""
    keys = {r.key for sets in (ws.declared.runtime, ws.declared.development, ws.declared.locks)
            for rs in sets for r in rs.requirements
            if not files_only or rs.kind in ("requirements", "pip-compile")}
    if files_only:
        return frozenset(keys)
    if ws.declaration is not None:
        keys |= {r.key for group in (*ws.declaration.groups.values(), *ws.declaration.extras.values())
                 for r in group}
    return frozenset(keys)


def runtime_keys(ws: Workspace) -> frozenset[str]:
    """The distributions the project declares as what it runs on: its metadata's main
    dependencies and its runtime requirements files."""
    keys = {r.key for rs in ws.declared.runtime for r in rs.requirements if r.group in ("main", "conda")}
    if ws.declaration is not None:
        keys |= {r.key for r in ws.declaration.main}
    return frozenset(keys)


def opaque_for(ta: TargetAudit, module: str, requirement: Optional[Requirement]) -> Optional[str]:
    """The target's unreadable install steps that could plausibly provide `module`, or None.

    A free-form step (`pip install $PLUGIN_WHEELS`, a URL, `$(cat list)`) can hold anything the
    project does not account for; a module whose distribution the project declares in one of its
    own sources (a dev file, an extra, another deploy's requirements) is accounted for: the project
    says where it comes from, and this target does not install that, so the error stands.
    `pip install -r $REQUIREMENTS` installs one of the repo's requirements files: it can provide
    what those files declare, and nothing else. A local wheel, sdist or folder importaudit could
    not trace (`pip install /tmp/dist/*.whl`) may be the project built from its own metadata: it
    can provide what the project declares as runtime or pins in a lock, and what nothing declares.
    """
    if ta.assumed:
        return ta.assumed
    if not ta.opaque_steps:
        return None
    keys = set(ta.provisioner.provider(module).distributions)
    if requirement is not None:
        keys.add(requirement.key)
    in_files = bool(keys & ta.declared_in_files)
    declared = requirement is not None or bool(keys & ta.declared)
    could = {
        "file": in_files,
        "free": not declared,
        "artifact": not declared or bool(keys & ta.declared_runtime),
        "environment": True,  # built from whatever the image's own build installed: anything
    }
    plausible = [text for text, kind in ta.opaque_steps if could[kind]]
    return "; ".join(plausible) if plausible else None


def _step_kind(install: Install) -> str:
    """How far an unreadable step's reach goes (see opaque_for)."""
    if install.kind is InstallKind.REQUIREMENTS:
        return "file"
    if install.tool == "image":  # targets/foreign_envs.py
        return "environment"
    spec = install.spec
    if install.tool in ("uv", "poetry", "pdm", "pipenv") and "$" not in spec:
        return "artifact"  # a project install whose folder is unknown: some project of the repo
    local = "://" not in spec and not spec.startswith("git+") and not spec.startswith("$")
    if local and (spec.startswith(("/", "./", "../")) or spec.endswith((".whl", ".tar.gz", ".zip"))):
        return "artifact"
    return "free"


def opaque_installs(target: Target) -> list[Install]:
    """Install steps whose packages are only known when the build runs ($VAR, $(cat list), a URL)."""
    return [
        i for i in target.installs
        if i.kind is InstallKind.UNKNOWN or "$" in i.spec or "`" in i.spec
    ]


def _opaque_text(root: Path, install: Install) -> str:
    """The install step as its descriptor writes it (the parsed word may be a bare `$`)."""
    if install.location is None:
        return f"`{install.spec}` ({install.why or opaque_reason(install.spec)})"
    line = install.location.line
    try:
        lines = (root / install.location.file).read_text("utf-8", errors="replace").splitlines()
        line = _line_naming(lines, line, install.spec)
        # The step itself, without the shell glue of a continued RUN (`&& ... \`).
        text = lines[line - 1].strip().removesuffix("\\").strip().removeprefix("&&").strip()
    except (OSError, IndexError):
        text = install.spec
    where = f"{install.location.file}:{line}"
    if len(text) > 80:
        text = text[:77] + "..."
    return f"`{text}` ({where}: {install.why or opaque_reason(install.spec)})"


def _line_naming(lines: Sequence[str], start: int, spec: str) -> int:
    """The physical line of a continued instruction (`RUN a \\` ... `  && pip install $X`) that
    holds the install itself: the instruction's first line is often not it. A line that names
    the spec in an install command wins over one that only mentions it (`if [ -f $X ]`)."""
    holding: list[int] = []
    number = start
    while 0 < number <= len(lines):
        text = lines[number - 1].strip()
        if spec and spec in text:
            holding.append(number)
        # Docker drops comment and blank lines inside a continued instruction.
        if text and not text.startswith("#") and not text.endswith("\\"):
            break
        number += 1
    installing = [n for n in holding if "install" in lines[n - 1]]
    return (installing or holding or [start])[0]


def runtime_requirements(
    ws: Workspace, target: Target, env: TargetEnv
) -> tuple[list[Requirement], list[SourceWarning]]:
    reqs: list[Requirement] = []
    warnings: list[SourceWarning] = []
    if target.implicit and not target.installs:
        # No descriptor: what `pip install .` (or the project's own tool) gives (requirements.implicit).
        return implicit_runtime(ws.root, ws.declared, env)
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


def development_requirements(ws: Workspace) -> list[Requirement]:
    """What the project declares only for development: its dev files, groups and extras, less
    what it also declares as runtime (click both in [project].dependencies and the dev extra is
    not "only in the dev extra": a target lacking it lacks the project's runtime)."""
    runtime = runtime_keys(ws)
    reqs: list[Requirement] = []
    for rs in ws.declared.development:
        reqs.extend(rs.requirements)
    if ws.declaration is not None:
        for group in ws.declaration.groups.values():
            reqs.extend(group)
        for extra in ws.declaration.extras.values():
            reqs.extend(extra)
    return [r for r in reqs if r.key not in runtime]


def _fix_file(ws: Workspace, target: Target, runtime: Sequence[Requirement] = ()) -> Optional[str]:
    """Where a missing requirement should be added: the file the target installs from."""
    if target.implicit and not target.installs:  # the file the project's runtime was read from
        read = next((r.source for r in runtime if not r.locked), None)
        if read is not None:
            return read
    for install in target.installs:
        if install.kind is InstallKind.REQUIREMENTS and "$" not in install.spec:
            return install.spec
    for install in target.installs:
        if install.kind is InstallKind.PROJECT:
            declared = next((r.source for r in runtime if not r.locked and r.source.endswith(
                ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile"))), None)
            if declared is not None:  # the project the install names (a workspace member)
                return declared
            if install.tool == "pipenv":  # read from its Pipfile.lock: the Pipfile beside it declares
                return f"{install.spec}/Pipfile" if install.spec not in (".", "") else "Pipfile"
            if ws.declaration is not None and ws.declaration.sources:
                return ws.declaration.sources[0]
            return "pyproject.toml"
    if ws.declaration is not None and ws.declaration.sources and any(
        i.kind is InstallKind.UNKNOWN and _step_kind(i) == "artifact" for i in target.installs
    ):  # an untraced wheel or project install: the project's metadata is what it would read
        return ws.declaration.sources[0]
    if target.installs and target.file:
        return f"the pip install line of {target.file}"
    for rs in ws.declared.runtime:
        return rs.source
    return None


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


_CHECKING_COMMANDS = (["manage.py", "migrate"], ["manage.py", "check"], ["manage.py", "runserver"])


def _runs_migrate(target: Target) -> bool:
    """A Django management command that runs the full system checks (URLconf, views, caches,
    templates) before the server comes up: migrate, check, runserver."""
    words = " ".join(target.commands)
    if any(w in words for w in ("migrate", "manage.py check", " check --deploy", "runserver")):
        return True
    # A script the target runs before its server (a release step's `./scripts/release.sh`) names the
    # command only inside the script: its followed manage.py entry says which command it was.
    return any(
        (entry.via or "").split()[:2] in _CHECKING_COMMANDS
        for entry in target.entries
        if entry.phase == "master"
    )


def _starts_celery_worker(root: Path, target: Target) -> bool:
    """`celery worker` and `celery beat` both load the app's default modules when they start
    (include=, imports=, autodiscovered tasks). The subcommand is in the target's command, or in
    the script line that names the app (`/start-celeryworker` runs `celery -A x worker`)."""
    if not any(e.module == "celery" and e.kind is EntryKind.SERVER for e in target.entries):
        return False
    lines = list(target.commands)
    for entry in target.entries:
        if entry.via == "celery" and entry.location is not None and entry.location.line > 0:
            try:
                text = (root / entry.location.file).read_text("utf-8", errors="replace").splitlines()
                lines.append(text[entry.location.line - 1])
            except (OSError, IndexError):
                continue
    return any(word in ("worker", "beat") for line in lines for word in line.split())


def _celery_at(target: Target) -> str:
    """Where the command names the Celery app (`-A x`), else where it starts celery."""
    named = [e.location for e in target.entries if e.via == "celery" and e.location is not None]
    server = [e.location for e in target.entries if e.module == "celery" and e.kind is EntryKind.SERVER]
    where = next((at for at in (*named, *server) if at is not None), Location(target.file or "", target.line))
    return f"{where.file}:{where.line}" if where.line else where.file


def undecided_at_boot(imp: Import, graph: Optional[BootGraph]) -> bool:
    """A framework string the target's boot runs whose value only the deploy's environment knows
    (DATABASES ENGINE from a variable with no default): what it imports cannot be decided."""
    return imp.phase == "boot" and graph is not None and graph.reached(imp.location.file) and graph.runs(imp)


def _undecided(
    unresolved: Sequence[tuple[Import, str]], graph: Optional[BootGraph], installed: InstalledSet
) -> list[str]:
    """Why boot cannot be claimed: a boot string only the deploy's environment decides, when the
    target installs nothing that serves any value it may take (a driver for some database). With
    one installed, the value the deploy gives most plausibly matches it: the warning says the rest."""
    out = []
    for imp, why in unresolved:
        if not undecided_at_boot(imp, graph):
            continue
        serving = [h for h in (imp.distribution_hint or "").split("|") if h]
        if any(canonicalize_name(h) in installed.direct or canonicalize_name(h) in installed.transitive
               for h in serving):
            continue
        shown = ", ".join(serving[:4]) + (", ..." if len(serving) > 4 else "")
        none = f"; the target installs none of the drivers that could serve it ({shown})" if serving else ""
        out.append(f"{imp.location.file}:{imp.location.line}: {why}{none}")
    return out


def _factories_not_run(fw: FrameworkResult, graph: Optional[BootGraph]) -> list[str]:
    """A worker whose Celery app is only made inside functions has found it when boot runs one."""
    return [message for units, message in fw.celery_factories
            if graph is None or not any(unit in graph.units for unit in units)]


def audit_target(ws: Workspace, target: Target) -> TargetAudit:
    env, _source = target_env(ws, target)
    # --python-version overrides the descriptor's Python: the report says the version judged.
    if not target.python or ws.config.python_version:
        target = replace(target, python=env.version_text, python_source=_source)
    runtime, warnings = runtime_requirements(ws, target, env)
    # What the descriptor reader could not read (a refused compose file, a broken Procfile line) is
    # shown as an `unreadable` warning, not only as a target note.
    ws.warnings.extend(target.warnings)
    ws.warnings.extend(warnings)
    installed = InstalledSet.build(env, runtime, development_requirements(ws), ws.index, provided=target.provided)
    provisioner = Provisioner(installed, ws.index, ws.names)
    nested: dict[str, Provisioner] = {}
    if target.implicit and not target.installs:
        for folder, own in nested_runtimes(ws.root, ws.declared, env).items():
            nested[folder] = Provisioner(InstalledSet.build(env, own, [], ws.index), ws.index, ws.names)
    # An installed project's packages import from where its build backend puts them (src/py/app).
    installed_roots = project_roots(ws.root, target.installs, ws.project.files)
    roots = tuple(dict.fromkeys((*target.paths, *ws.project.roots, *installed_roots)))

    resolved: dict[str, Optional[str]] = dict(placed_modules(ws, target, roots))

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
    package_reach: Optional[frozenset[str]] = None
    if target.placed:
        placed = placed_modules(ws, target, roots)
        modules = {**modules, **placed}
        placed_files: dict[str, FileIndex] = {}
        for dotted, source in placed.items():
            if source in ws.parsed:
                placed_files[source] = FileIndex.build(_as_module(ws.parsed[source], dotted))
        files = Overlay(files, placed_files)  # the other files' indexes stay unbuilt until looked up
    optional_files: frozenset[str] = frozenset()
    if not implicit_all:
        graph = compute_boot(files, entry_units, resolve, env, main_files=main_files)
    else:
        # `import <package>` of each top-level package, and every top-level module of a flat app.
        tops = [resolve(name) for name in sorted(ws.project.index.top_level_names(roots))]
        units = [((path, None), None) for path in tops if path is not None and not path.endswith("/")]
        package_reach = frozenset(compute_boot(files, units, resolve, env).parents)
        optional_files = guarded_only(files, units, resolve, env)
    boot_paths = frozenset(graph.parents) if graph else frozenset(files)
    try:
        fw = framework_imports(
            FrameworkContext(
                trees=ws.trees,
                modules=modules,
                env=with_addons(ws, target, _with_dotenv(ws, dict(target.env), graph)),
                installed=_installed_versions(runtime),
                boot_paths=boot_paths,
                parsed=ws.parsed,
                cache=ws.framework_cache,
                worker=_starts_celery_worker(ws.root, target),
                celery_app=next(
                    (e.spec for e in target.entries if e.via == "celery" and e.kind is not EntryKind.SERVER), ""),
                celery_app_at=_celery_at(target),
                root=ws.root,
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
        hosted: dict[str, FileIndex] = {}
        for host, extra in string_imports.items():
            if host in files:
                hosted[host] = FileIndex.build(files[host].parsed, extra)  # a placed file keeps its module
        files = Overlay(files, hosted)
        # A string import hosted in a file that is not Python (a Dockerfile ENV) runs at boot.
        for host, imps in string_imports.items():
            if host not in files:
                entry_imports.extend(i for i in imps if i.phase in (None, "boot"))
        if graph is not None:
            graph = compute_boot(files, entry_units, resolve, env, main_files=main_files)
            graph = _with_callbacks(graph, files, fw.callbacks, entry_units, resolve, env, main_files)
            graph = _with_request_reach(graph, files, string_imports, resolve, env)
    if fw.settings_values:  # `if settings.DEBUG:` is decided by what the target's settings say
        env = replace(env, settings=fw.settings_values)
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
        fix_file=_fix_file(ws, target, runtime),
        unresolved_entries=unresolved,
        unresolved_strings=unresolved_strings,
        opaque=[_opaque_text(ws.root, i) for i in opaque_installs(target)],
        declared=declared_keys(ws),
        declared_in_files=declared_keys(ws, files_only=True),
        opaque_steps=[(_opaque_text(ws.root, i), _step_kind(i)) for i in opaque_installs(target)],
        # What a build of the project could bring: its runtime declarations and what its locks pin.
        declared_runtime=runtime_keys(ws) | {r.key for rs in ws.declared.locks for r in rs.requirements},
        package_reach=package_reach,
        optional_files=optional_files,
        nested=nested,
        unfollowed=[*target.unfollowed, *fw.unfollowed, *_app_not_reached(target, graph),
                    *_factories_not_run(fw, graph), *_undecided(unresolved_strings, graph, installed)],
        assumed=_assumption_in_doubt(ws, target),
    )


def _assumption_in_doubt(ws: Workspace, target: Target) -> Optional[str]:
    """Why the environment importaudit assumed for the target is a guess, or None.

    A systemd unit or supervisord program does not say what its virtualenv holds; the buildpack
    convention (the project's requirements.txt, lock or project) is assumed. When that is the
    project's only runtime source the assumption is the deploy's evident intent; when the repo
    also has others (requirements/prod.txt next to a pyproject), any of them may be what the
    environment really holds, and an absence is not evidence.
    """
    if target.install_doubt:
        return target.install_doubt
    assumed = [i for i in target.installs if i.assumed]
    if not assumed:
        return None
    specs = {i.spec.rstrip("/") or "." for i in assumed}
    files = {posixpath.dirname(s) if s.endswith((".toml", ".cfg", ".py")) else s for s in specs}
    others = sorted(
        rs.source for rs in ws.declared.runtime
        if rs.source not in specs and (posixpath.dirname(rs.source) or ".") not in files
    )
    if not others:
        return None
    listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return (f"the step that filled {target.name}'s environment (no descriptor says what it installs; "
            f"importaudit assumed {', '.join(sorted(specs))}, and the repo also has {listed})")


# Calls that load a `.env` file into os.environ without overriding what is set (python-dotenv,
# django-environ): the file's values reach the settings when the target's own env lacks them.
_DOTENV_LOADERS = frozenset({"load_dotenv", "read_env", "environ.Env.read_env", "Env.read_env"})


def _with_dotenv(ws: Workspace, env: dict[str, str], graph: Optional[BootGraph]) -> dict[str, str]:
    """The target's environment plus the repo's `.env` that boot code loads (found like
    python-dotenv's find_dotenv: from the loading file's folder up)."""
    if graph is None:
        return env
    files = set(ws.project.files)
    for path in sorted(graph.parents):
        parsed = ws.parsed.get(path)
        if parsed is None or not any(
            call.callee in _DOTENV_LOADERS or call.callee.rsplit(".", 1)[-1] in ("load_dotenv", "read_env")
            for call in parsed.calls
            if call.caller is None
        ):
            continue
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        while True:
            candidate = f"{folder}/.env" if folder else ".env"
            if candidate in files:
                try:
                    text = (ws.root / candidate).read_text(encoding="utf-8-sig")
                except (OSError, UnicodeDecodeError):
                    break
                for key, value in parse_dotenv(text):
                    env.setdefault(key, value)  # load_dotenv(override=False): the target's env wins
                return env
            if not folder:
                break
            folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
    return env


def _with_callbacks(
    graph: BootGraph, files: Mapping[str, FileIndex], callbacks: Sequence[tuple[Import, str]],
    entry_units: Sequence[tuple[Unit, Optional[str]]], resolve: Callable[[str], Optional[str]],
    env: TargetEnv, main_files: Sequence[str],
) -> BootGraph:
    """Functions a framework calls in a module it imports by name (Pyramid's `includeme`): once the
    import runs at boot, so does that function, with everything it imports and calls. Followed to a
    fixpoint, since an `includeme` includes more."""
    units = list(entry_units)
    while True:
        added = []
        for imp, function in callbacks:
            path = resolve(imp.module)
            if path is None or path not in files or function not in files[path].functions:
                continue
            if (path, function) in graph.units or not graph.runs(imp) or not runs_at_import(imp, env):
                continue
            added.append(((path, function), imp.location.file))
        if not added:
            return graph
        units.extend(added)
        graph = compute_boot(files, units, resolve, env, main_files=main_files)


def _with_request_reach(
    graph: BootGraph, files: Mapping[str, FileIndex], string_imports: dict[str, list[Import]],
    resolve: Callable[[str], Optional[str]], env: TargetEnv,
) -> BootGraph:
    """First-party modules a framework imports on the first request (Django's ROOT_URLCONF,
    the URLconfs it include()s, the views they import) are reached, but not at boot: what they
    import fails per request. Followed to a fixpoint: a URLconf reached this way names more."""
    parents = dict(graph.parents)
    done: set[str] = set()
    while True:
        starts: list[tuple[Unit, Optional[str]]] = []
        for host in sorted(set(string_imports) & set(parents) - done):
            done.add(host)
            for imp in string_imports[host]:
                if imp.function != REQUEST_UNIT:
                    continue
                starts.extend(((path, None), host) for path in module_files(imp.module, resolve)
                              if path not in parents)
        if not starts:
            break
        later = compute_boot(files, starts, resolve, env)
        for path, parent in later.parents.items():
            parents.setdefault(path, parent)
    if len(parents) == len(graph.parents):
        return graph
    return BootGraph(parents=parents, units=graph.units, main_files=graph.main_files)


def _as_module(parsed: ParsedFile, dotted: str) -> ParsedFile:
    """A file copied into place runs as `dotted`: its relative imports (`from .common import *`
    in deploy/config.py copied to settings/config.py) resolve from there, not from its repo folder."""
    if parsed.is_package:
        return parsed
    real = (parsed.module or "").rpartition(".")[0]
    new = dotted.rpartition(".")[0]
    imports = []
    for imp in parsed.imports:
        if imp.level <= 0:
            imports.append(imp)
            continue
        real_base = ".".join(real.split(".")[: max(len(real.split(".")) - (imp.level - 1), 0)]) if real else ""
        if imp.module.startswith("."):
            name = imp.module.lstrip(".")
        elif real_base and (imp.module == real_base or imp.module.startswith(real_base + ".")):
            name = imp.module[len(real_base) :].lstrip(".")
        else:
            imports.append(imp)
            continue
        parts = new.split(".") if new else []
        base = ".".join(parts[: len(parts) - (imp.level - 1)]) if len(parts) >= imp.level - 1 else ""
        module = f"{base}.{name}" if base and name else (base or name)
        imports.append(replace(imp, module=module) if module else imp)
    return replace(parsed, imports=tuple(imports), module=dotted)


def placed_modules(ws: Workspace, target: Target, roots: Sequence[str]) -> dict[str, str]:
    """dotted module -> repo file, for files the build copies into place (`RUN cp
    deploy/config.py settings/config.py` makes `settings.config` that repo file)."""
    out: dict[str, str] = {}
    import_roots = ws.import_roots()
    for path, source in target.placed:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        neighbour = next((p for p in sorted(import_roots) if p.rsplit("/", 1)[0] == folder and "/" in p), None)
        bases = [*roots, *([import_roots[neighbour]] if neighbour else [])]
        for base in bases:
            if base and not path.startswith(base + "/"):
                continue
            rest = path[len(base) + 1 :] if base else path
            dotted = rest[:-3].replace("/", ".")
            dotted = dotted[: -len(".__init__")] if dotted.endswith(".__init__") else dotted
            if all(part.isidentifier() for part in dotted.split(".")):
                out.setdefault(dotted, source)
    return out


def _app_not_reached(target: Target, graph: Optional[BootGraph]) -> list[str]:
    """A start command that names only a server (its app spec unread) reaches no application
    module: whatever it installs, importaudit cannot claim the app boots."""
    if graph is None or graph.parents or not target.entries:
        return []
    if any(e.kind is not EntryKind.SERVER for e in target.entries):
        return []
    where = f"{target.file}:{target.line}" if target.file and target.line else (target.file or target.name)
    servers = ", ".join(sorted({e.module for e in target.entries}))
    return [f"{where}: the start command runs {servers}, but importaudit could not tell which application "
            "module it loads"]


# ---------------------------------------------------------------------------------------------
# Judging imports
