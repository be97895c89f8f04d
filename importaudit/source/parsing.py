"""Parse every source file once, on every core, keeping only the trees later stages read."""

from __future__ import annotations

import ast
import gc
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Optional, TypeVar, Union, overload

from importaudit.deadline import budget
from importaudit.model import Location, ParsedFile, SourceWarning, SyntaxProblem
from importaudit.source import cache
from importaudit.source.cache import Entry
from importaudit.source.discover import SourceRef
from importaudit.source.fastscan import scan_imports
from importaudit.source.imports import parse_file, parse_ref, read_source, unreadable
from importaudit.source.syntax import parse_python

# Below this many files a process pool costs more than it saves.
POOL_THRESHOLD = 400
_CHUNK = 64

def _not_read(ref: SourceRef, why: str) -> ParsedFile:
    problem = SyntaxProblem(Location(ref.path, 1), f"not read: {why}", unread=True)
    return ParsedFile(path=ref.path, module=ref.module, is_package=ref.is_package, is_test=ref.is_test,
                      is_notebook=ref.is_notebook, syntax_error=problem)


# A test file is read for its imports alone: it is checked against the development requirements,
# and no deploy runs it, so its calls, flags and syntax matter only when a target's boot reaches
# it (a route module named test_routes.py), and FileFacts then reads it in full. These bytes say a
# file may be more than its imports to the other files: a script run as `__main__` (its folder is
# on sys.path) or a version/platform/availability flag another module may test.
_MORE_THAN_IMPORTS = (b"__main__", b"version_info", b"platform", b"find_spec", b"os.name", b"python_version")


def file_facts(root: Path, ref: SourceRef) -> tuple[Optional[ast.Module], ParsedFile]:
    """parse_file, or for a test file the fast scan's imports alone where it can answer (the
    file is read once either way)."""
    if not ref.is_test or ref.is_notebook:
        return parse_file(root, ref)
    try:
        data = read_source(root, ref)
    except OSError as exc:
        return None, unreadable(ref, exc)
    fast = _imports_only(data, ref)
    return (None, fast) if fast is not None else parse_ref(data, ref)


def _imports_only(data: bytes, ref: SourceRef) -> Optional[ParsedFile]:
    if any(token in data for token in _MORE_THAN_IMPORTS):
        return None
    imports = scan_imports(data, ref.path, ref.module, ref.is_package)
    if imports is None:
        return None
    return ParsedFile(path=ref.path, module=ref.module, is_package=ref.is_package, imports=imports,
                      is_test=ref.is_test, partial=True)


_Default = TypeVar("_Default")


class FileFacts(dict[str, ParsedFile]):
    """path -> the facts of that file. A partial file (file_facts: a test file's imports alone)
    is read in full when it is looked up by its path (`facts[path]`, `facts.get(path)`): the
    stages that follow a file, reach and roles, see its calls, functions and syntax. A sweep over
    every file (`.items()`, `.values()`) reads the stored facts and parses nothing."""

    def __init__(self, facts: Mapping[str, ParsedFile], complete: Callable[[ParsedFile], ParsedFile]) -> None:
        super().__init__(facts)
        self._complete = complete

    def __getitem__(self, path: str) -> ParsedFile:
        found = super().__getitem__(path)
        if found.partial:
            found = self._complete(found)
            self[path] = found
        return found

    def stored(self, path: str) -> Optional[ParsedFile]:
        """The facts as stored, partial or not: for a reader of imports alone."""
        return super().get(path)

    @overload
    def get(self, path: str, default: None = None, /) -> Optional[ParsedFile]: ...
    @overload
    def get(self, path: str, default: ParsedFile, /) -> ParsedFile: ...
    @overload
    def get(self, path: str, default: _Default, /) -> Union[ParsedFile, _Default]: ...
    def get(self, path: str, default: object = None, /) -> object:
        try:
            return self[path]
        except KeyError:
            return default


def _parse_one(job: tuple[str, SourceRef]) -> tuple[bytes, Optional[str]]:
    """In a pool worker: the file's facts as the cache's blob (the one pickle it takes to send
    them back is also what the cache stores), or why it could not be analysed."""
    root, ref = job
    try:
        _tree, parsed = file_facts(Path(root), ref)
    except (RecursionError, MemoryError, ValueError) as exc:
        return cache.facts(ParsedFile(path=ref.path, module=ref.module, is_package=ref.is_package)), str(exc)
    # Trees stay in the worker: pickling them back costs more than parsing the few files the
    # frameworks stage asks for again (LazyTrees).
    return cache.facts(parsed), None


class LazyTrees(Mapping[str, ast.Module]):
    """path -> tree: kept from the one parse where a stage was expected to read it, else parsed
    again on first access (a stage should look up the few files it needs, never iterate all)."""

    def __init__(self, root: Path, refs: Mapping[str, SourceRef], kept: dict[str, ast.Module]):
        self._root = root
        self._refs = refs
        self._trees = kept
        self._failed: set[str] = set()

    def __getitem__(self, path: str) -> ast.Module:
        tree = self._trees.get(path)
        if tree is not None:
            return tree
        ref = self._refs.get(path)
        if ref is None or path in self._failed:
            raise KeyError(path)
        parsed_tree = self._parse(ref)
        if parsed_tree is None:
            self._failed.add(path)
            raise KeyError(path)
        self._trees[path] = parsed_tree
        return parsed_tree

    def _parse(self, ref: SourceRef) -> Optional[ast.Module]:
        """The tree alone: the imports were extracted by the one full pass already."""
        if ref.is_notebook:
            return parse_file(self._root, ref)[0]
        try:
            data = (self._root / ref.path).read_bytes()
        except OSError:
            return None
        tree, _problem = parse_python(data, ref.path)
        return tree

    def __iter__(self) -> Iterator[str]:
        return iter(self._refs)

    def __len__(self) -> int:
        return len(self._refs)

    def __contains__(self, path: object) -> bool:
        return path in self._refs and path not in self._failed


def _received(
    ref: SourceRef, answer: tuple[bytes, Optional[str]], keep_blob: bool
) -> tuple[ParsedFile, Optional[ast.Module], Optional[str], Optional[bytes]]:
    """A worker's answer as parse_all's result row; the blob is kept only for the cache."""
    blob, problem = answer
    parsed = cache.read_facts(blob)
    if parsed is None:  # not expected: our own pickle; analysed as unreadable
        return _not_read(ref, "its facts could not be read back"), None, None, None
    return parsed, None, problem, blob if keep_blob else None


def _cached(
    root: Path, entry: Optional[Entry], ref: SourceRef, now: Optional[tuple[int, int]]
) -> Optional[ParsedFile]:
    if entry is None or now is None or not isinstance(entry, tuple) or len(entry) != 4:
        return None
    if not cache.unchanged(root, ref.path, entry, now):
        return None
    parsed = cache.read_facts(entry[3])
    if parsed is None:
        return None
    same = (parsed.path, parsed.module, parsed.is_package, parsed.is_test, parsed.is_notebook) == (
        ref.path, ref.module, ref.is_package, ref.is_test, ref.is_notebook)
    return parsed if same else None


def _digest(root: Path, path: str, before: tuple[int, int]) -> Optional[bytes]:
    """The content's digest, read again after the parse (from the OS cache; workers send back
    records only); None when the file changed since its stamp was taken, so what the parse saw
    is not known to be this content."""
    data = (root / path).read_bytes()
    return cache.digest(data) if cache.stamp(root, path) == before else None


def _entries(root: Path, stamps: dict[str, Optional[tuple[int, int]]], previous: dict[str, Entry],
             reused: dict[str, ParsedFile], blobs: dict[str, bytes]) -> dict[str, Entry]:
    """What the cache keeps: a reused file's entry as it was (its blob is not pickled again)."""
    entries: dict[str, Entry] = {}
    for path, now in stamps.items():
        if now is None:
            continue
        if path in reused:
            old = previous[path]
            entries[path] = (now[0], now[1], old[2], old[3])
            continue
        blob = blobs.get(path)
        if blob is None:
            continue
        try:
            known = _digest(root, path, now)
        except OSError:
            continue
        if known is not None:
            entries[path] = (now[0], now[1], known, blob)
    return entries


def _no_cyclic_gc() -> None:
    """A worker's parse makes no reference cycles: reference counting frees every tree."""
    gc.disable()


def parse_all(
    root: Path, sources: Sequence[SourceRef], *, workers: Optional[int] = None, use_cache: bool = False
) -> tuple[dict[str, ParsedFile], LazyTrees, list[SourceWarning]]:
    """Every file parsed and its imports extracted once; in a process pool for large projects.

    With use_cache, what an earlier run found in a file whose size and mtime are unchanged is
    reused (importaudit.source.cache), and only the changed files are parsed."""
    # ast.parse and the records allocate millions of acyclic objects: with the cyclic collector
    # on, its full collections rescan the growing heap of records again and again (measured:
    # 3 of 8 CPU seconds on saleor's 4,300 files). Nothing here builds a cycle.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_all(root, sources, workers, use_cache)
    finally:
        if collecting:
            gc.enable()


def _parse_all(
    root: Path, sources: Sequence[SourceRef], workers: Optional[int], use_cache: bool
) -> tuple[dict[str, ParsedFile], LazyTrees, list[SourceWarning]]:
    store = cache.cache_file(root) if use_cache else None
    previous = cache.load(store)
    stamps = {ref.path: cache.stamp(root, ref.path) for ref in sources} if store else {}
    reused: dict[str, ParsedFile] = {}
    for ref in sources if store else ():
        hit = _cached(root, previous.get(ref.path), ref, stamps[ref.path])
        if hit is not None:
            reused[ref.path] = hit
    jobs = [(str(root), ref) for ref in sources if ref.path not in reused]
    count = workers if workers is not None else min(os.cpu_count() or 1, 8)
    # (facts, tree kept or None, why it could not be analysed or None, cache blob or None)
    results: list[tuple[ParsedFile, Optional[ast.Module], Optional[str], Optional[bytes]]] = []
    if len(jobs) >= POOL_THRESHOLD and count > 1:
        try:
            with ProcessPoolExecutor(max_workers=count, initializer=_no_cyclic_gc) as pool:
                # Each blob is turned into records as it arrives: holding them all until the pool
                # is done kept ~50 MB more alive on msgraph's 16k files.
                for job, answer in zip(jobs, pool.map(_parse_one, jobs, chunksize=_CHUNK)):
                    results.append(_received(job[1], answer, store is not None))
        except (OSError, RuntimeError):  # no fork/semaphores here (a locked-down CI): do it inline
            results = [_received(job[1], _parse_one(job), store is not None) for job in jobs]
    else:
        for job in jobs:  # small project: keep every tree, nothing is parsed twice
            root_text, ref = job
            if budget.expired():
                results.append((_not_read(ref, budget.reason()), None, None, None))
                continue
            try:
                tree, parsed = file_facts(Path(root_text), ref)
            except (RecursionError, MemoryError, ValueError) as exc:
                results.append((ParsedFile(path=ref.path, module=ref.module,
                                           is_package=ref.is_package), None, str(exc), None))
                continue
            results.append((parsed, tree, None, cache.facts(parsed) if store is not None else None))
    parsed_files: dict[str, ParsedFile] = dict(reused)
    kept: dict[str, ast.Module] = {}
    blobs: dict[str, bytes] = {}
    warnings: list[SourceWarning] = []
    for parsed, tree, problem, facts in results:
        if problem is not None:
            warnings.append(SourceWarning(parsed.path, 0, f"could not analyse this file ({problem})"))
            continue
        parsed_files[parsed.path] = parsed
        if facts is not None:
            blobs[parsed.path] = facts
        if tree is not None:
            kept[parsed.path] = tree
    if store is not None and (jobs or any(previous[p][:2] != now for p, now in stamps.items() if p in reused)):
        cache.save(store, _entries(root, stamps, previous, reused, blobs))
    refs = {
        ref.path: ref
        for ref in sources
        if ref.path in parsed_files and parsed_files[ref.path].syntax_error is None
    }
    return parsed_files, LazyTrees(root, refs, kept), warnings
