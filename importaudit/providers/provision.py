"""What a target has installed, and which of that provides a given module."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from importaudit.judge.rules import Provision, Status
from importaudit.model import KNOWN_SOURCES, Evidence, Provider, Requirement, Source
from importaudit.providers.distributions import DistributionIndex
from importaudit.providers.names import DisplayNames, named_like, preferred
from importaudit.providers.stdlib import shadowed_by_stdlib, stdlib_change
from importaudit.source.conditions import TargetEnv, marker_holds

# Before 3.12, python images and venvs shipped setuptools (so pkg_resources and distutils shims).
_SETUPTOOLS_MODULES = ("setuptools", "pkg_resources", "_distutils_hack")


@dataclass
class InstalledSet:
    """The distributions one target gets, by how it gets them."""

    env: TargetEnv
    direct: dict[str, Requirement] = field(default_factory=dict)
    transitive: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key -> path
    dev: dict[str, Requirement] = field(default_factory=dict)  # dev groups/files, extras not installed
    excluded: dict[str, Requirement] = field(default_factory=dict)  # marker excludes the target
    provided: frozenset[str] = frozenset()  # platform-supplied
    # Installed dists whose own requirements are unknown (neither --python, a lock nor the table
    # knows them): what they bring is unknown, so a module nothing else provides may still come.
    unknown: tuple[str, ...] = ()
    # What the direct ones installed with --no-deps would have brought and nothing else does:
    # key -> (path from that distribution, the requirement installed with --no-deps)
    skipped: dict[str, tuple[tuple[str, ...], Requirement]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        env: TargetEnv,
        runtime: Iterable[Requirement],
        development: Iterable[Requirement],
        index: DistributionIndex,
        *,
        provided: Iterable[str] = (),
    ) -> InstalledSet:
        out = cls(env=env, provided=frozenset(canonicalize_name(p) for p in provided))
        locked: dict[str, Requirement] = {}
        with_deps: set[str] = set()  # installed at least once without --no-deps
        for req in runtime:
            # What a target installs is installed, dev group or not (pip install -r
            # requirements-dev.txt, poetry install with its dev group, pipenv --dev).
            if not marker_holds(req.marker, env):
                out.excluded.setdefault(req.key, req)
                continue
            if req.locked and not req.direct:
                locked.setdefault(req.key, req)
                continue
            out.direct.setdefault(req.key, req)
            if not req.no_deps:
                with_deps.add(req.key)
        for req in development:
            if req.key not in out.direct:
                out.dev.setdefault(req.key, req)
        # A distribution installed only with --no-deps brings nothing along: no closure from it.
        roots = {key: req for key, req in out.direct.items() if key in with_deps}
        closure = index.closure(sorted((key, tuple(req.extras)) for key, req in roots.items()), env)
        # A lock decides what comes along with what it locks: the table's (newer) metadata only
        # draws the paths, and only what the target installs beside the lock needs a closure.
        in_lock = {*locked, *(k for k, r in out.direct.items() if r.locked)}
        free = closure
        if in_lock:
            free = index.closure(sorted((k, tuple(r.extras)) for k, r in roots.items() if not r.locked), env)
        for key, path in closure.dists.items():
            if key not in out.direct and (not in_lock or key in in_lock):
                out.transitive[key] = tuple(path)
        for key, path in free.dists.items():
            if key not in out.direct:
                out.transitive.setdefault(key, tuple(path))
        for key, req in locked.items():
            if key not in out.direct and key not in out.transitive:
                out.transitive[key] = (f"{req.source} (locked)", key)
        out.unknown = tuple(sorted(k for k in free.unknown if k not in in_lock))
        bare = {key: req for key, req in out.direct.items() if key not in with_deps}
        if bare:
            skipped = index.closure(sorted((k, tuple(r.extras)) for k, r in bare.items()), env)
            for key, path in skipped.dists.items():
                if key not in out.direct and key not in out.transitive and key not in locked:
                    out.skipped[key] = (tuple(path), bare[path[0]])
        for key in out.direct:
            out.excluded.pop(key, None)
        return out


class Provisioner:
    """Answers 'what provides module M for this target', memoised per module, with the evidence."""

    def __init__(self, installed: InstalledSet, index: DistributionIndex, names: DisplayNames):
        self.installed = installed
        self.index = index
        self.names = names  # canonical key -> display name
        self._cache: dict[str, Provision] = {}
        # Installed distributions whose files nobody knows: any of them may provide any module.
        inst = installed
        everything = sorted({*inst.direct, *inst.transitive})
        self._opaque = tuple(k for k in everything if not index.modules_known(k))
        # Pinned to another major release than the one whose files the index knows: the release
        # may ship modules under other names, but only a module it is named like (captcha and
        # django-recaptcha 3) is a plausible one; any module at all would be a guess.
        self._stale = tuple(
            k for k in inst.direct
            if _other_major(inst.direct[k], index.version_of(k)) and index.ships_modules(k)
        )

    def display(self, key: str) -> str:
        return self.names.get(key, key)

    def provider(self, module: str) -> Provider:
        return self.index.provider(module)

    def provision(self, module: str, hint: Optional[str] = None) -> Provision:
        cache_key = f"{module}|{hint or ''}"
        if cache_key not in self._cache:
            self._cache[cache_key] = self._provision(module, hint)
        return self._cache[cache_key]

    def _candidates(self, module: str, hint: Optional[str]) -> tuple[tuple[str, ...], Source]:
        if hint:
            keys = tuple(str(canonicalize_name(h)) for h in hint.split("|") if h.strip())
            return keys, Source.FRAMEWORK
        provider = self.index.provider(module)
        version = self.installed.env.python
        keys = tuple(k for k in provider.distributions if not shadowed_by_stdlib(k, version))
        if provider.source is Source.GUESS:
            # The made-up name provides the module only if nothing knows that distribution's
            # files: a known distribution of that name provides something else.
            keys = tuple(k for k in keys if not self.index.modules_known(k))
            if any(k in self.installed.direct for k in keys):
                return keys, Source.NAME
        return preferred(keys), provider.source

    def _evidence(self, source: Source, top: str) -> Evidence:
        """What 'the target does not install it' rests on. Every installed distribution whose
        requirements are unknown may bring the module in. Whose files are unknown may ship it:
        any of them when nothing knows the module's provider; when the table or config knows the
        usual provider, those named like the module (django-haystack for haystack, pyre2 for re2:
        a second distribution of the same import name shows it in its name)."""
        inst = self.installed
        unknown = set(inst.unknown)
        opaque = set(self._opaque)
        if source not in KNOWN_SOURCES:
            unknown |= opaque
        candidates = sorted(k for k in unknown | opaque | set(self._stale) if named_like(top, k))
        shown = tuple(self.display(k) for k in sorted(unknown - set(candidates)))
        return Evidence(source, shown, tuple(self.display(k) for k in candidates))

    def _provision(self, module: str, hint: Optional[str]) -> Provision:
        inst = self.installed
        version = inst.env.python
        keys, source = self._candidates(module, hint)
        top = module.split(".")[0]
        change = stdlib_change(module, version)
        if change is not None:
            keys = tuple(dict.fromkeys((*keys, *(str(canonicalize_name(r)) for r in change.replacements))))
        if top in _SETUPTOOLS_MODULES and version < (3, 12):
            return Provision(Status.DIRECT, source="stdlib", evidence=Evidence(Source.STDLIB))
        direct = [k for k in keys if k in inst.direct or k in inst.provided]
        if direct:
            key = direct[0]
            req = inst.direct.get(key)
            return Provision(Status.DIRECT, req.name if req else self.display(key), req,
                             source=source.value, evidence=Evidence(source))
        evidence = self._evidence(source, top)
        if change is not None:
            for key in (str(canonicalize_name(r)) for r in change.replacements):
                if key in inst.transitive:  # setuptools pulled in by another package
                    return Provision(Status.TRANSITIVE, self.display(key), path=tuple(
                        self.display(p) for p in inst.transitive[key]), source="stdlib",
                        evidence=Evidence(Source.STDLIB))
            what = (
                f"{change.module} was removed from the standard library in Python "
                f"{change.version[0]}.{change.version[1]}"
                if change.kind == "removed"
                else f"{change.module} is in the standard library only from Python "
                f"{change.version[0]}.{change.version[1]}"
            )
            extra = ""
            if change.replacements:
                extra = f"; declare {' or '.join(change.replacements)} to provide it"
            note = f"{what} and the target runs {inst.env.version_text}{extra}"
            return Provision(
                Status.STDLIB_REMOVED,
                change.replacements[0] if change.replacements else None,
                note=note,
                source="stdlib",
                evidence=Evidence(Source.STDLIB, evidence.unknown, evidence.candidates),
            )
        display = self.display(keys[0]) if keys and evidence.names_distribution else None
        for key in keys:
            if key in inst.transitive:
                return Provision(
                    Status.TRANSITIVE,
                    self.display(key),
                    path=tuple(self.display(p) for p in inst.transitive[key]),
                    source=source.value,
                    evidence=Evidence(source),
                )
        for key in keys:
            if key in inst.dev:
                req = inst.dev[key]
                return Provision(Status.DEV, req.name, req, source=source.value, evidence=evidence)
        notes = []
        for key in keys:
            if key in inst.excluded:
                req = inst.excluded[key]
                notes.append(
                    f"{req.source}:{req.line} declares {req.name} with the marker `{req.marker}`, "
                    f"which is false on the target (Linux, Python {inst.env.version_text})"
                )
                break
        for key in keys:
            if key in inst.skipped:
                path, req = inst.skipped[key]
                notes.append(
                    f"{' -> '.join(self.display(p) for p in path)}: {req.source}:{req.line} installs "
                    f"{req.name} with --no-deps, so its requirements do not come with it"
                )
                break
        if top in _SETUPTOOLS_MODULES and version >= (3, 12):
            notes.append(f"python 3.12+ images and virtualenvs no longer ship setuptools, which provides {top}")
        return Provision(Status.NONE, display, note="; ".join(notes), source=source.value,
                         evidence=evidence)


def _other_major(req: Optional[Requirement], known: Optional[str]) -> bool:
    """The target pins a release of another major version than the one whose files the index knows
    (`django-recaptcha==3.0.0` ships `captcha`; the table read 4.1.0, which ships
    `django_recaptcha`): which modules the pinned release has is not known."""
    if req is None or not known:
        return False
    try:
        # `==3.0.0`, `<5,==3.0.0` (a set's text is sorted), `===3.0.0`, a prefix `==3.*`
        pins = [s.version.removesuffix(".*") for s in SpecifierSet(req.specifier) if s.operator in ("==", "===")]
        return bool(pins) and Version(pins[0]).major != Version(known).major
    except (InvalidSpecifier, InvalidVersion):
        return False
