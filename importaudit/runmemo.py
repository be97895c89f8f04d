"""The last report per project, served again while no file the run read or listed has changed."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

from importaudit.config import Config
from importaudit.model import Report

# A run's inputs are the files it opened and the folders it listed (a file added to a listed
# folder changes the folder's stamp): Python's audit hooks report both for every `open`,
# `os.scandir` and `os.listdir`, whichever module makes the call, so no reader has to declare
# what it reads. The parse workers' reads are added by the caller (they are the source files).
_recording: Optional[set[str]] = None
_hooked = False
_EVENTS = frozenset({"open", "os.scandir", "os.listdir"})
# A file modified this close to the run's start may have changed within one timestamp tick of
# our read, unseen by its stamp (git's "racy" entries): such a run is not memoised.
_RACY_NS = 2_000_000_000
_FORMAT = 1
Stamp = Optional[tuple[int, int, int, int]]


def _hook(event: str, args: tuple[Any, ...]) -> None:
    found = _recording
    if found is not None and event in _EVENTS and args:
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            found.add(os.path.abspath(os.fsdecode(path)))


@contextmanager
def recording() -> Iterator[set[str]]:
    """Collect the absolute paths opened or listed in this process inside the block."""
    global _recording, _hooked
    if not _hooked:
        sys.addaudithook(_hook)  # a hook cannot be removed: it is idle outside this block
        _hooked = True
    outer, _recording = _recording, set()
    try:
        yield _recording
    finally:
        found, _recording = _recording, outer
        if outer is not None:
            outer.update(found)


def memo_file(root: Path) -> Optional[Path]:
    """Next to the facts cache (source/cache.py); None when caching is off, or this memo alone
    (IMPORTAUDIT_NO_MEMO=1: every run audits afresh, from the facts cache)."""
    if os.environ.get("IMPORTAUDIT_NO_CACHE") or os.environ.get("IMPORTAUDIT_NO_MEMO"):
        return None
    base = os.environ.get("IMPORTAUDIT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    folder = Path(base) if base else Path.home() / ".cache"
    project = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return folder / "importaudit" / f"{project}-report.pickle"


def _code_digest() -> str:
    """importaudit's own code and data, byte for byte, and the Python running it."""
    digest = hashlib.blake2b(repr((_FORMAT, sys.version_info[:3], sys.platform)).encode(), digest_size=16)
    package = Path(__file__).resolve().parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if not name.endswith((".pyc", ".pyo")):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, package).encode())
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    # The libraries importaudit uses: installing, upgrading or removing one renames a
    # dist-info folder, which changes its site-packages folder's stamp.
    for entry in sys.path:
        digest.update(repr((entry, _stamp(entry or "."))).encode())
    return digest.hexdigest()


def _key(root: Path, config: Config) -> str:
    return f"{root.resolve()}\0{config!r}\0{_code_digest()}"


def _stamp(path: str) -> Stamp:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _ignored(path: str, root: str, skip: tuple[str, ...]) -> bool:
    """Outside the project, importaudit's own files and Python's are covered by the key."""
    inside = path == root or path.startswith(root + os.sep)
    return not inside and any(path == s or path.startswith(s + os.sep) for s in skip)


def usable(config: Config) -> bool:
    # --python reads another interpreter's environment (a subprocess, its site-packages):
    # inputs this process cannot see, so such a run is always done afresh.
    return config.python is None


def recall(root: Path, config: Config) -> Optional[Report]:
    """The stored report when the key matches and every input still has its stamp."""
    path = memo_file(root)
    if path is None or not usable(config):
        return None
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
    except Exception:  # absent, truncated, foreign: a normal run
        return None
    if not isinstance(stored, dict) or stored.get("key") != _key(root, config):
        return None
    inputs = stored.get("inputs")
    report = stored.get("report")
    if not isinstance(inputs, list) or not isinstance(report, Report):
        return None
    for name, stamp in inputs:
        if _stamp(name) != stamp:
            return None
    return report


def store(root: Path, config: Config, started_ns: int, inputs: Iterable[str], report: Report) -> None:
    """Keep this run's report with its inputs' stamps; nothing when an input is racy or caching is
    off. Atomic replace: a concurrent run reads the old memo or the new one, never half of one."""
    path = memo_file(root)
    if path is None or not usable(config):
        return
    top = os.path.abspath(root)  # as the hook spells paths: not resolved
    package = str(Path(__file__).resolve().parent)
    skip = tuple({package, str(path.parent), sys.prefix, sys.base_prefix, sys.exec_prefix})
    stamps: list[tuple[str, Stamp]] = []
    for name in sorted(set(inputs)):
        if _ignored(name, top, skip):
            continue
        stamp = _stamp(name)
        if stamp is not None and stamp[1] >= started_ns - _RACY_NS:
            return  # changed around the run (or just before it): its stamp proves nothing
        stamps.append((name, stamp))
    record = {"key": _key(root, config), "inputs": stamps, "report": report}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(record, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except (OSError, pickle.PickleError):
        return  # a read-only or full cache folder costs only speed next time


def now_ns() -> int:
    return time.time_ns()
