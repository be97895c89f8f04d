"""Which distribution provides a module, and what each distribution brings along (its closure)."""

from __future__ import annotations

import gzip
import hashlib
import json
import marshal
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional, Union

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from importaudit.model import Provider, Source
from importaudit.providers.environment import InstalledEnvironment
from importaudit.source.cache import cache_folder, write_atomically
from importaudit.source.conditions import TargetEnv, marker_holds

# Names that badly built wheels ship at the top level; never evidence of what a dist provides.
_JUNK_MODULES = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "benchmarks", "scripts", "dist", "build"}
)
# Namespace families whose dist names follow the dotted path (google.cloud.X -> google-cloud-X).
_NAMESPACE_GUESSES = (("google", "cloud"), ("opentelemetry", "instrumentation"))

DependencyList = tuple[tuple[str, tuple[str, ...]], ...]
# One parsed Requires-Dist entry: canonical name, its extras, its marker's text (None: no marker).
_Dep = tuple[str, tuple[str, ...], Optional[str]]


@dataclass(frozen=True)
class BundledDist:
    key: str
    name: str
    version: str
    requires: tuple[str, ...]
    modules: tuple[str, ...]  # empty: its files are unknown (an sdist without top_level.txt)
    scripts: tuple[str, ...] = ()  # console scripts, "name=module:attr"
    rank: int = 1_000_000  # place among the most-downloaded distributions (1: the most)
    # An old sdist's PKG-INFO may omit Requires-Dist that its setup.py declares: unknown then.
    requires_known: bool = True
    # Read from a wheel's RECORD: no modules then means none (types-requests ships only stubs).
    files_known: bool = True


def _data_path(name: str) -> Path:
    # Beside this module, not importlib.resources: a same-named directory on sys.path turns
    # "importaudit" into a namespace package that resources cannot read.
    return Path(__file__).parent.parent / "data" / name


def _read_data(name: str) -> str:
    return _data_path(name).read_text(encoding="utf-8")


def _table() -> Mapping[str, Any]:
    """dists.json.gz (scripts/gen_dists.py), read on first use only: about 1 MB compressed; not
    kept (26 MiB of objects), the rows made from it are."""
    loaded: dict[str, Any] = json.loads(gzip.decompress(_data_path("dists.json.gz").read_bytes()))
    return loaded


def table_info() -> str:
    """What `importaudit --version` says about the bundled table."""
    meta = _table().get("meta", {})
    size = _data_path("dists.json.gz").stat().st_size
    return (
        f"distribution table of {meta.get('date', '?')}: {meta.get('distributions', 0)} "
        f"distributions, {meta.get('import_names', 0)} import names "
        f"(wheels for CPython {meta.get('python', '?')} on Linux; {size // 1024} KiB)"
    )


# A BundledDist's fields as plain values (marshal stores these, not objects).
_DistRow = tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], int, bool, bool]
_Tables = tuple[dict[str, _DistRow], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]


class _Dists(Mapping[str, BundledDist]):
    """canonical key -> BundledDist, each made on first lookup from its row (a run looks up a
    few hundred of the 10,882)."""

    def __init__(self, rows: Mapping[str, _DistRow]) -> None:
        self._rows = rows
        self._made: dict[str, BundledDist] = {}

    def __getitem__(self, key: str) -> BundledDist:
        found = self._made.get(key)
        if found is None:
            name, version, requires, modules, scripts, rank, requires_known, files_known = self._rows[key]
            found = self._made[key] = BundledDist(key, name, version, requires, modules, scripts, rank,
                                                  requires_known, files_known)  # fmt: skip
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def bundled_dists() -> Mapping[str, BundledDist]:
    """Requires-Dist, import prefixes and console scripts of the most-downloaded distributions."""
    return _bundled()


@lru_cache(maxsize=1)
def _bundled() -> _Dists:
    return _Dists(_tables()[0])


def _rows_from_json() -> dict[str, _DistRow]:
    raw: dict[str, dict[str, Any]] = _table().get("dists", {})
    rows: dict[str, _DistRow] = {}
    for key, entry in raw.items():
        rows[canonicalize_name(key)] = (
            str(entry.get("name", key)),
            str(entry.get("version", "")),
            tuple(str(r) for r in entry.get("requires", ())),
            tuple(str(m) for m in entry.get("modules", ())),
            tuple(str(s) for s in entry.get("scripts", ())),
            int(entry.get("rank", 1_000_000)),
            not entry.get("requires_unknown", False),
            entry.get("from") != "sdist",
        )
    return rows


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """The rows and both import indexes, from the compiled copy in the cache folder when it was
    made from these very data files: the JSON table alone is 26 MiB of objects and 0.2 s a run."""
    store = _compiled_file()
    if store is not None:
        try:
            with store.open("rb") as handle:
                loaded = marshal.load(handle)
            if isinstance(loaded, tuple) and len(loaded) == 3 and all(isinstance(t, dict) for t in loaded):
                return loaded
        except Exception:  # absent, truncated or foreign: made again from the JSON
            pass
    rows = _rows_from_json()
    modules: dict[str, set[str]] = {m: set(keys) for m, keys in bundled_module_map().items()}
    for key, row in rows.items():
        for module in row[3]:
            if module.split(".")[0] not in _JUNK_MODULES:
                modules.setdefault(module, set()).add(key)
    index = {module: tuple(sorted(keys)) for module, keys in modules.items()}
    below: dict[str, set[str]] = {}
    for module, keys in index.items():
        parts = module.split(".")
        for depth in range(1, len(parts)):
            below.setdefault(".".join(parts[:depth]), set()).update(keys)
    tables = (rows, index, {module: tuple(sorted(keys)) for module, keys in below.items()})
    if store is not None:
        write_atomically(store, marshal.dumps(tables))
    return tables


def _compiled_file() -> Optional[Path]:
    folder = cache_folder()
    if folder is None:
        return None
    digest = hashlib.blake2b(f"{sys.version_info[:2]} {marshal.version}".encode(), digest_size=8)
    for name in ("dists.json.gz", "module_map.tsv"):
        try:
            digest.update(_data_path(name).read_bytes())
        except OSError:
            return None
    return folder / f"dists-{digest.hexdigest()}.marshal"


@lru_cache(maxsize=1)
def bundled_module_map() -> Mapping[str, tuple[str, ...]]:
    """module_map.tsv: import name -> distributions for names a wheel scan cannot tell."""
    found: dict[str, set[str]] = {}
    for line in _read_data("module_map.tsv").splitlines()[1:]:
        columns = line.split("\t")
        if len(columns) < 2 or not columns[0].strip():
            continue
        dists = {canonicalize_name(d) for d in columns[1].split(",") if d.strip()}
        found.setdefault(columns[0].strip(), set()).update(dists)
    return {module: tuple(sorted(keys)) for module, keys in found.items()}


def _bundled_index() -> Mapping[str, tuple[str, ...]]:
    """Import prefix -> dists, from the module map and every bundled wheel's prefixes."""
    return _tables()[1]


def _namespace_index() -> Mapping[str, tuple[str, ...]]:
    """Namespace package -> the dists that ship a portion below it: `import google` or
    `import airflow` (a pkgutil namespace) works when any one of them is installed."""
    return _tables()[2]


# A package that this many other distributions ship portions below is a shared namespace
# (google, azure): a wheel that also ships its bare __init__.py (google-api) does not provide
# every google.* module, so a match on it counts only for the bare import.
_SHARED_NAMESPACE = 10


def _longest(index: Mapping[str, Sequence[str]], module: str) -> tuple[str, tuple[str, ...]]:
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        prefix = ".".join(parts[:depth])
        keys = index.get(prefix)
        if keys:
            if depth < len(parts) and index is _bundled_index() and _shared(prefix, keys):
                return "", ()
            return prefix, tuple(keys)
    return "", ()


def _shared(prefix: str, owners: Sequence[str]) -> bool:
    others = set(_namespace_index().get(prefix, ())) - set(owners)
    return len(others) >= _SHARED_NAMESPACE


def _depth(prefix: str) -> int:
    return prefix.count(".") + 1 if prefix else 0


def guess_provider(module: str) -> Provider:
    """The canonical-name guess: `foo_bar` -> foo-bar (google.cloud.x -> google-cloud-x)."""
    parts = module.split(".")
    for root in _NAMESPACE_GUESSES:
        if len(parts) > len(root) and tuple(parts[: len(root)]) == root:
            prefix = parts[: len(root) + 1]
            return Provider(".".join(prefix), (canonicalize_name("-".join(prefix)),), Source.GUESS)
    return Provider(parts[0], (canonicalize_name(parts[0]),), Source.GUESS)


@dataclass(frozen=True)
class Closure:
    dists: Mapping[str, tuple[str, ...]]  # every dist reached -> the path that brings it
    unknown: tuple[str, ...]  # reached dists whose requirements are unknown (closure may miss some)


class DistributionIndex:
    """Module -> distribution and distribution -> requirements, from config, metadata and tables."""

    def __init__(
        self,
        module_map: Optional[Mapping[str, Union[str, Sequence[str]]]] = None,
        environment: Optional[InstalledEnvironment] = None,
        *,
        use_bundled: bool = True,
    ) -> None:
        config: dict[str, tuple[str, ...]] = {}
        for module, dists in sorted((module_map or {}).items()):
            names = (dists,) if isinstance(dists, str) else tuple(dists)
            keys = sorted({canonicalize_name(name) for name in names if name})
            if module and keys:
                config[module] = tuple(keys)
        self._config = config
        self._environment = environment
        self._use_bundled = use_bundled
        self._requires_cache: dict[
            tuple[str, tuple[str, ...], TargetEnv], Optional[DependencyList]
        ] = {}
        self._parsed_cache: dict[str, Optional[tuple[_Dep, ...]]] = {}

    def provider(self, module: str) -> Provider:
        prefix, keys = _longest(self._config, module)
        if keys:
            return Provider(prefix, keys, Source.CONFIG)
        installed: tuple[str, tuple[str, ...]] = ("", ())
        if self._environment is not None:
            installed = self._environment.providers(module)
        table = _longest(_bundled_index(), module) if self._use_bundled else ("", ())
        if self._use_bundled and module in _namespace_index() and (
            not table[1] or (table[0] == module and _shared(module, table[1]))
        ):
            # A bare namespace import works with any portion (and any stray bare owner) installed.
            table = (module, tuple(sorted({*table[1], *_namespace_index()[module]})))
        if installed[1] and table[1]:
            if _depth(table[0]) > _depth(installed[0]):
                # A namespace-less RECORD says "google"; the table knows google.cloud.storage.
                return Provider(table[0], table[1], Source.TABLE)
            if _depth(table[0]) == _depth(installed[0]):
                # Installed shows psycopg2-binary; the table adds psycopg2: any one satisfies.
                union = tuple(sorted({*installed[1], *table[1]}))
                return Provider(installed[0], union, Source.INSTALLED)
            return Provider(installed[0], installed[1], Source.INSTALLED)
        if installed[1]:
            return Provider(installed[0], installed[1], Source.INSTALLED)
        if table[1]:
            return Provider(table[0], table[1], Source.TABLE)
        return guess_provider(module)

    def requirements_known(self, dist_key: str) -> bool:
        """Whether this index holds the distribution's Requires-Dist (installed or bundled)."""
        return self._raw_requires(canonicalize_name(dist_key)) is not None

    def modules_known(self, dist_key: str) -> bool:
        """Whether this index knows which import names the distribution provides."""
        key = canonicalize_name(dist_key)
        if any(key in keys for keys in self._config.values()):
            return True
        installed = self._environment.get(key) if self._environment is not None else None
        if installed is not None:
            return bool(installed.modules)
        if not self._use_bundled:
            return False
        bundled = bundled_dists().get(key)
        return bool(bundled and (bundled.modules or bundled.files_known)) or any(
            key in keys for keys in bundled_module_map().values()
        )

    def ships_modules(self, dist_key: str) -> bool:
        """Whether the release the index read has any importable module (a stub-only `types-x`
        has none: typeshed's stub distributions ship `x-stubs` alone, in every release)."""
        key = canonicalize_name(dist_key)
        installed = self._environment.get(key) if self._environment is not None else None
        if installed is not None:
            return bool(installed.modules)
        bundled = bundled_dists().get(key) if self._use_bundled else None
        return bundled is None or bool(bundled.modules) or not bundled.files_known

    def modules_of(self, dist_key: str) -> tuple[str, ...]:
        """Import prefixes a distribution provides (for the `unused` rule)."""
        key = canonicalize_name(dist_key)
        found = {module for module, keys in self._config.items() if key in keys}
        installed = self._environment.get(key) if self._environment is not None else None
        if installed is not None and installed.modules:
            found.update(installed.modules)
        elif self._use_bundled:
            bundled = bundled_dists().get(key)
            if bundled is not None:
                found.update(m for m in bundled.modules if m.split(".")[0] not in _JUNK_MODULES)
            found.update(module for module, keys in bundled_module_map().items() if key in keys)
        if not found:
            found.add(key.replace("-", "_"))
        return tuple(sorted(found))

    def _raw_requires(self, key: str) -> Optional[tuple[str, ...]]:
        installed = self._environment.get(key) if self._environment is not None else None
        if installed is not None:
            return installed.requires
        bundled = bundled_dists().get(key) if self._use_bundled else None
        return bundled.requires if bundled is not None and bundled.requires_known else None

    def version_of(self, dist_key: str) -> Optional[str]:
        """The version whose metadata this index holds for a distribution (installed, else bundled)."""
        key = canonicalize_name(dist_key)
        installed = self._environment.get(key) if self._environment is not None else None
        if installed is not None:
            return installed.version
        bundled = bundled_dists().get(key) if self._use_bundled else None
        return bundled.version if bundled is not None else None

    def _parsed_requires(self, key: str) -> Optional[tuple[_Dep, ...]]:
        """Requires-Dist parsed once per distribution: (name, extras, marker text); None unknown."""
        if key not in self._parsed_cache:
            raw = self._raw_requires(key)
            parsed: Optional[list[_Dep]] = None
            if raw is not None:
                parsed = []
                for text in raw:
                    try:
                        requirement = Requirement(text)
                    except InvalidRequirement:
                        continue
                    marker = str(requirement.marker) if requirement.marker is not None else None
                    extras = tuple(sorted(canonicalize_name(e) for e in requirement.extras))
                    parsed.append((canonicalize_name(requirement.name), extras, marker))
            self._parsed_cache[key] = tuple(parsed) if parsed is not None else None
        return self._parsed_cache[key]

    def ever_requires(self, dist_key: str, extras: Sequence[str] = ()) -> frozenset[str]:
        """What it may depend on on any platform or Python (extras only when asked for): for telling
        a pinned dependency of another requirement from an unused one."""
        wanted = {canonicalize_name(extra) for extra in extras}
        out: set[str] = set()
        for name, _extras, marker in self._parsed_requires(canonicalize_name(dist_key)) or ():
            text = marker or ""
            if "extra" in text and not any(f'"{extra}"' in text or f"'{extra}'" in text for extra in wanted):
                continue
            out.add(name)
        return frozenset(out)

    def requires(
        self, dist_key: str, extras: Sequence[str], env: TargetEnv
    ) -> Optional[DependencyList]:
        """Direct dependencies (key, extras asked) that hold on the target; None when unknown."""
        key = canonicalize_name(dist_key)
        wanted = tuple(sorted({canonicalize_name(extra) for extra in extras}))
        cache_key = (key, wanted, env)
        if cache_key in self._requires_cache:
            return self._requires_cache[cache_key]
        deps = self._parsed_requires(key)
        result: Optional[DependencyList] = None
        if deps is not None:
            merged: dict[str, set[str]] = {}
            for dep, dep_extras, marker in deps:
                if not marker_holds(marker, env, wanted):
                    continue
                if dep == key:
                    # `foo[extra]` listing `foo[other]`: the extras add to this dist, not a new one.
                    continue
                merged.setdefault(dep, set()).update(dep_extras)
            result = tuple((dep, tuple(sorted(merged[dep]))) for dep in sorted(merged))
            result = self._self_extras(key, deps, wanted, env, result)
        self._requires_cache[cache_key] = result
        return result

    def _self_extras(
        self,
        key: str,
        deps: Sequence[_Dep],
        wanted: tuple[str, ...],
        env: TargetEnv,
        result: DependencyList,
    ) -> DependencyList:
        """Follow self references: an extra that names other extras (`foo[all]` -> `foo[fast]`)."""
        more: set[str] = set()
        for dep, dep_extras, marker in deps:
            if dep == key and marker_holds(marker, env, wanted):
                more.update(dep_extras)
        more -= set(wanted)
        if not more:
            return result
        extended = self.requires(key, tuple(sorted(more | set(wanted))), env)
        return extended if extended is not None else result

    def closure(self, direct: Iterable[tuple[str, tuple[str, ...]]], env: TargetEnv) -> Closure:
        """Every distribution the direct ones bring on the target, with the path to each."""
        paths: dict[str, tuple[str, ...]] = {}
        extras_seen: dict[str, set[str]] = {}
        unknown: set[str] = set()
        queue: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
        asked: dict[str, set[str]] = {}
        for name, extras in direct:
            asked.setdefault(canonicalize_name(name), set()).update(extras)
        for name in sorted(asked):
            queue.append((name, tuple(sorted(asked[name])), (name,)))
        while queue:
            following: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
            for key, extras, path in queue:
                seen = extras_seen.get(key)
                if seen is not None and set(extras) <= seen:
                    continue
                paths.setdefault(key, path)
                merged = (seen or set()) | set(extras)
                extras_seen[key] = merged
                deps = self.requires(key, tuple(sorted(merged)), env)
                if deps is None:
                    unknown.add(key)
                    continue
                for dep, dep_extras in deps:
                    following.append((dep, dep_extras, (*paths[key], dep)))
            # Shortest paths first, then by name: the same closure whatever the input order.
            queue = sorted(following, key=lambda item: (len(item[2]), item[2], item[1]))
        return Closure(dists=dict(sorted(paths.items())), unknown=tuple(sorted(unknown)))
