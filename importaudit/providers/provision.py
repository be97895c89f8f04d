"""What a target has installed, and which of that provides a given module."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

from packaging.utils import canonicalize_name

from importaudit.judge.rules import Provision, Status
from importaudit.model import Provider, Requirement
from importaudit.providers.distributions import DistributionIndex
from importaudit.providers.names import DisplayNames, named_like, preferred
from importaudit.providers.stdlib import is_stdlib, shadowed_by_stdlib, stdlib_change
from importaudit.source.conditions import TargetEnv, marker_holds

_COMMON_WORDS = frozenset({
    "django", "flask", "python", "client", "core", "api", "sdk", "utils", "plugin", "ext", "lib", "app",
    "server", "fastapi", "async", "aio", "rest", "http", "tools", "types", "base", "common", "contrib",
})
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
    unknown: tuple[str, ...] = ()  # direct dists whose own requirements are unknown here

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
        for req in development:
            if req.key not in out.direct:
                out.dev.setdefault(req.key, req)
        closure = index.closure(sorted((key, tuple(req.extras)) for key, req in out.direct.items()), env)
        for key, path in closure.dists.items():
            if key not in out.direct:
                out.transitive[key] = tuple(path)
        for key, req in locked.items():
            if key not in out.direct and key not in out.transitive:
                out.transitive[key] = (f"{req.source} (locked)", key)
        out.unknown = tuple(sorted(closure.unknown))
        for key in out.direct:
            out.excluded.pop(key, None)
        return out


class Provisioner:
    """Answers 'what provides module M for this target', memoised per module."""

    def __init__(self, installed: InstalledSet, index: DistributionIndex, names: DisplayNames):
        self.installed = installed
        self.index = index
        self.names = names  # canonical key -> display name
        self._cache: dict[str, Provision] = {}

    def display(self, key: str) -> str:
        return self.names.get(key, key)

    def provider(self, module: str) -> Provider:
        return self.index.provider(module)

    def provision(self, module: str, hint: Optional[str] = None) -> Provision:
        cache_key = f"{module}|{hint or ''}"
        if cache_key not in self._cache:
            self._cache[cache_key] = self._provision(module, hint)
        return self._cache[cache_key]

    def _candidates(self, module: str, hint: Optional[str]) -> tuple[tuple[str, ...], str]:
        if hint:
            keys = tuple(str(canonicalize_name(h)) for h in hint.split("|") if h.strip())
            return keys, "framework"
        provider = self.index.provider(module)
        version = self.installed.env.python
        keys = tuple(k for k in provider.distributions if not shadowed_by_stdlib(k, version))
        return preferred(keys), provider.source

    def _provision(self, module: str, hint: Optional[str]) -> Provision:
        inst = self.installed
        version = inst.env.python
        keys, source = self._candidates(module, hint)
        top = module.split(".")[0]
        change = stdlib_change(module, version)
        if change is not None:
            keys = tuple(dict.fromkeys((*keys, *(str(canonicalize_name(r)) for r in change.replacements))))
        if top in _SETUPTOOLS_MODULES and version < (3, 12):
            return Provision(Status.DIRECT, source="stdlib")
        if source == "guess":
            # Nothing knows this module: a declared distribution named like it provides it
            # (social-auth-core -> social_core); better a missed error than a false one.
            keys = tuple(dict.fromkeys((*keys, *self._fuzzy(top))))
            if len(keys) > 1:
                source = "guess (name match)"
        direct = [k for k in keys if k in inst.direct or k in inst.provided]
        if direct:
            key = direct[0]
            req = inst.direct.get(key)
            return Provision(Status.DIRECT, req.name if req else self.display(key), req, source=source)
        if change is not None:
            for key in (str(canonicalize_name(r)) for r in change.replacements):
                if key in inst.transitive:  # setuptools pulled in by another package
                    return Provision(Status.TRANSITIVE, self.display(key), path=tuple(
                        self.display(p) for p in inst.transitive[key]), source="stdlib")
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
            )
        display = self.display(keys[0]) if keys else None
        for key in keys:
            if key in inst.transitive:
                return Provision(
                    Status.TRANSITIVE,
                    self.display(key),
                    path=tuple(self.display(p) for p in inst.transitive[key]),
                    source=source,
                )
        for key in keys:
            if key in inst.dev:
                req = inst.dev[key]
                return Provision(Status.DEV, req.name, req, source=source)
        probable = self._related_unknown(top)
        if probable:
            return Provision(Status.TRANSITIVE, display, path=(self.display(probable), display or top),
                             source=source, probable=True)
        notes = []
        for key in keys:
            if key in inst.excluded:
                req = inst.excluded[key]
                notes.append(
                    f"{req.source}:{req.line} declares {req.name} with the marker `{req.marker}`, "
                    f"which is false on the target (Linux, Python {inst.env.version_text})"
                )
                break
        if top in _SETUPTOOLS_MODULES and version >= (3, 12):
            notes.append(f"python 3.12+ images and virtualenvs no longer ship setuptools, which provides {top}")
        if inst.unknown and source != "framework":
            count = len(inst.unknown)
            shown = ", ".join(self.display(k) for k in inst.unknown[:3])
            more = f" and {count - 3} more" if count > 3 else ""
            notes.append(
                f"can't tell whether {shown}{more} bring{'s' if count == 1 else ''} it in: "
                f"{'it is' if count == 1 else 'they are'} neither installed here nor in importaudit's table"
            )
        return Provision(Status.NONE, display, note="; ".join(notes), source=source)

    def _related_unknown(self, top: str) -> Optional[str]:
        """A declared package with unknown dependencies whose name shares a distinctive word with
        the module (django-prometheus for prometheus_client): it probably brings it in."""
        words = {w for w in top.lower().split("_") if len(w) > 2 and w not in _COMMON_WORDS}
        for key in self.installed.unknown:
            if words & set(key.split("-")):
                return key
        return None

    def _fuzzy(self, top: str) -> list[str]:
        """Declared distributions named like the module (names.named_like)."""
        inst = self.installed
        keys = (*inst.direct, *inst.transitive, *inst.dev, *inst.excluded)
        return sorted({key for key in keys if named_like(top, key)})


def is_stdlib_module(module: str, env: TargetEnv) -> bool:
    return is_stdlib(module, env.python)
