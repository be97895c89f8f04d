"""What the one parse of each file found, kept between runs and reused while the file is unchanged."""

from __future__ import annotations

import hashlib
import marshal
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Optional

from importaudit.model import ParsedFile

# An entry: (size, mtime in ns, content digest, what the parse found as one pickle). The key of the
# whole file says which importaudit and which Python wrote it, so a new version never reads an old
# cache. Size and mtime unchanged: reused without reading the file. Same size, another mtime (a
# fresh git checkout, a CI cache restored, `touch`): the file is read and its digest decides.
# Each file's facts stay one opaque blob, and the container is marshal (plain tuples and bytes,
# read and written in C): a run that changed one file pickles that file alone, not the project.
Entry = tuple[int, int, bytes, bytes]

_EXTRACTION_MODULES = (
    "source/flags.py",
    "source/branches.py",
    "source/imports.py",
    "source/syntax.py",
    "source/notebooks.py",
    "model.py",
    "source/discover.py",
    "source/cache.py",
)


def _code_key() -> str:
    digest = hashlib.sha256(f"{sys.version_info[:2]} {marshal.version} {pickle.HIGHEST_PROTOCOL}".encode())
    here = Path(__file__).parent.parent  # the package root: the paths above are relative to it
    for name in _EXTRACTION_MODULES:
        try:
            digest.update((here / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()[:16]


def cache_folder() -> Optional[Path]:
    """importaudit's cache folder; None when caching is off (IMPORTAUDIT_NO_CACHE=1)."""
    if os.environ.get("IMPORTAUDIT_NO_CACHE"):
        return None
    base = os.environ.get("IMPORTAUDIT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "importaudit"


def cache_file(root: Path) -> Optional[Path]:
    """Where this project's cache lives; None when caching is off."""
    folder = cache_folder()
    if folder is None:
        return None
    project = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return folder / f"{project}-{_code_key()}.facts"


def load(path: Optional[Path]) -> dict[str, Entry]:
    """The entries, or nothing at all when the file is absent, unreadable or not ours."""
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:
            data = marshal.load(handle)
    except Exception:  # a missing, truncated or foreign cache is simply a cold start
        return {}
    return data if isinstance(data, dict) else {}


def save(path: Optional[Path], entries: dict[str, Entry]) -> None:
    """Atomically replace the cache; a read-only home or full disk only costs speed next time."""
    if path is not None:
        try:
            data = marshal.dumps(entries)
        except ValueError:
            return
        write_atomically(path, data)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, so a concurrent reader sees the old file or the new one; a
    folder that cannot be written only costs speed next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temp, path)
        except OSError:
            os.unlink(temp)
            raise
    except OSError:
        return


def facts(parsed: ParsedFile) -> bytes:
    """One file's entry blob."""
    return pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)


def read_facts(blob: bytes) -> Optional[ParsedFile]:
    try:
        parsed = pickle.loads(blob)
    except Exception:  # a damaged entry is parsed again
        return None
    return parsed if isinstance(parsed, ParsedFile) else None


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def unchanged(root: Path, relpath: str, entry: Entry, now: tuple[int, int]) -> bool:
    """Whether the file is the one the entry describes: by size and mtime, else by content."""
    if (entry[0], entry[1]) == now:
        return True
    if entry[0] != now[0]:
        return False
    try:
        return digest((root / relpath).read_bytes()) == entry[2]
    except OSError:
        return False


def stamp(root: Path, relpath: str) -> Optional[tuple[int, int]]:
    try:
        info = os.stat(root / relpath)
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns
