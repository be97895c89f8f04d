"""Build importaudit/data/dists.json.gz from real wheels of the most-downloaded PyPI distributions."""

from __future__ import annotations

# Run from the repository with a venv that has importaudit installed and pip reaching PyPI:
#   .venv/bin/python scripts/gen_dists.py [--top 10000] [--jobs 4]   (about 40 minutes from scratch)
# Everything goes through pip's own machinery, in process: its PackageFinder picks each name's
# newest wheel for Linux CPython 3.12 from the index (else any wheel, else a Windows one), and
# its lazy zip reads METADATA, RECORD, top_level.txt and entry_points.txt over HTTP range
# requests: a few kilobytes from the end of the file, however large the wheel is. A name with no
# wheel at all falls back to its sdist (downloaded whole, size-capped, never built or run): its
# PKG-INFO and egg-info. Every result is appended to a cache (--work), so a run resumes.
import argparse
import configparser
import datetime
import email.parser
import gzip
import json
import os
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, Any, Optional
from urllib.parse import unquote, urlparse

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from importaudit.providers.environment import module_prefixes

HERE = Path(__file__).resolve().parent
# What web apps declare beyond the download ranking (drivers, Django/Flask plugins): kept so the
# table does not lose what deploy audits met most before it was built from the ranking.
SEEDS = (HERE / "dists_seeds.txt").read_text("utf-8").split()
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64",
             "manylinux1_x86_64", "linux_x86_64")
SDIST_CAP = 30_000_000  # bytes; a bigger sdist is skipped and said so
_local = threading.local()


INDEX = "https://pypi.org/simple"
# Where to look for a wheel, in order: (kind, TargetPython keywords; none: this interpreter).
LINUX = ("linux", {"platforms": list(PLATFORMS), "py_version_info": (3, 12), "implementation": "cp"})
ANY: tuple[str, dict[str, Any]] = ("any", {})
WINDOWS = ("windows", {"platforms": ["win_amd64"], "py_version_info": (3, 12), "implementation": "cp"})


def _finder(kind: str, target: dict[str, Any], binary: bool) -> Any:
    """pip's own finder, one per thread and mode (its caches are not thread-safe). pip is
    imported here, not at the top: it is this script's tool, not a dependency of importaudit."""
    from pip._internal.index.collector import LinkCollector  # importaudit: ignore
    from pip._internal.index.package_finder import PackageFinder  # importaudit: ignore
    from pip._internal.models.format_control import FormatControl  # importaudit: ignore
    from pip._internal.models.search_scope import SearchScope  # importaudit: ignore
    from pip._internal.models.selection_prefs import SelectionPreferences  # importaudit: ignore
    from pip._internal.models.target_python import TargetPython  # importaudit: ignore

    key = f"finder-{kind}-{binary}"
    if not hasattr(_local, key):
        collector = LinkCollector(_session(), SearchScope.create([], [INDEX], False))
        formats = FormatControl(set(), {":all:"}) if binary else FormatControl({":all:"}, set())
        prefs = SelectionPreferences(allow_yanked=False, format_control=formats,
                                     ignore_requires_python=True)
        setattr(_local, key, PackageFinder.create(collector, prefs, TargetPython(**target)))
    return getattr(_local, key)


def find(name: str) -> tuple[str, Optional[str]]:
    """(kind, url) of the file to read: a wheel for the first platform that has one, else the
    sdist; (reason, None) when the index has neither."""
    for kind, target in (LINUX, ANY, WINDOWS):
        best = _finder(kind, target, True).find_best_candidate(name).best_candidate
        if best is not None:
            return kind, str(best.link.url).split("#")[0]
    best = _finder("sdist", {}, False).find_best_candidate(name).best_candidate
    if best is not None:
        return "sdist", str(best.link.url).split("#")[0]
    return "no release on the index", None


def _session() -> Any:
    if not hasattr(_local, "session"):
        from pip._internal.network.session import PipSession  # importaudit: ignore

        session = PipSession()
        session.verify = os.environ.get("PIP_CERT") or True
        _local.session = session
    return _local.session


def _open_wheel(url: str) -> tuple[IO[bytes], int]:
    """The wheel as a seekable file: local for file:// (a mirror), else lazily over HTTP."""
    if url.startswith("file:"):
        path = unquote(urlparse(url).path)
        return open(path, "rb"), os.path.getsize(path)
    from pip._internal.network.lazy_wheel import LazyZipOverHTTP  # importaudit: ignore

    lazy = LazyZipOverHTTP(url, _session())
    return lazy, int(lazy._length)  # type: ignore[return-value]


def _console_scripts(text: str) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    found = []
    for section in ("console_scripts", "gui_scripts"):
        if parser.has_section(section):
            found += [f"{k}={v.strip()}" for k, v in parser.items(section)]
    return sorted(found)


def _top_level(text: str) -> list[str]:
    names = {line.strip().replace("/", ".") for line in text.splitlines()}
    return sorted(n for n in names if n and all(p.isidentifier() for p in n.split(".")))


def read_wheel(url: str, kind: str) -> dict[str, Any]:
    handle, size = _open_wheel(url)
    with handle, zipfile.ZipFile(handle) as archive:
        names = archive.namelist()
        info = sorted({n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info")})
        prefix = info[0] + "/" if info else ""

        def member(name: str) -> str:
            if prefix + name not in names:
                return ""
            return archive.read(prefix + name).decode("utf-8", "replace")

        metadata = email.parser.HeaderParser().parsestr(member("METADATA"))
        record = member("RECORD")
        paths = [line.rsplit(",", 2)[0] for line in record.splitlines()] if record else names
        modules = list(module_prefixes(paths)) or _top_level(member("top_level.txt"))
        scripts = _console_scripts(member("entry_points.txt"))
    meta = {"name": metadata["Name"], "version": metadata["Version"],
            "requires_dist": metadata.get_all("Requires-Dist") or []}
    return _entry(meta, modules, scripts, kind, url, size)


def _entry(meta: dict[str, Any], modules: list[str], scripts: list[str], kind: str, url: str,
           size: int) -> dict[str, Any]:
    return {"name": str(meta["name"]), "version": str(meta["version"]),
            "requires": [str(r) for r in meta.get("requires_dist") or []],
            "modules": sorted(modules), "scripts": scripts, "from": kind,
            "file": url.rsplit("/", 1)[-1], "size": size}


def _requires_txt(text: str) -> list[str]:
    """setuptools' egg-info requires.txt ([extra:marker] sections) as Requires-Dist strings."""
    found, marker = [], ""
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("[") and line.endswith("]"):
            extra, _, condition = line[1:-1].partition(":")
            parts = [f"({condition})"] if condition else []
            parts += [f'extra == "{extra}"'] if extra else []
            marker = " and ".join(parts)
        elif line and not line.startswith("#"):
            found.append(f"{line}; {marker}" if marker else line)
    return found


def read_sdist(url: str) -> dict[str, Any]:
    """An sdist-only project: PKG-INFO and its egg-info, read from the archive (never built)."""
    head = _session().head(url, allow_redirects=True)
    size = int(head.headers.get("Content-Length", 0))
    if size > SDIST_CAP:
        raise RuntimeError(f"sdist of {size} bytes, above the {SDIST_CAP} cap")
    data = _session().get(url).content
    files: dict[str, str] = {}
    wanted = ("PKG-INFO", "top_level.txt", "entry_points.txt", "requires.txt")
    with tempfile.TemporaryDirectory() as tmp:
        sdist = Path(tmp) / url.rsplit("/", 1)[-1]
        sdist.write_bytes(data)
        if sdist.suffix == ".zip":
            with zipfile.ZipFile(sdist) as zipped:
                for member in zipped.namelist():
                    if member.endswith(wanted):
                        files.setdefault(member, zipped.read(member).decode("utf-8", "replace"))
        else:
            with tarfile.open(sdist) as archive:
                for info in archive.getmembers():
                    if info.name.endswith(wanted):
                        extracted = archive.extractfile(info)
                        if extracted is not None:
                            files.setdefault(info.name, extracted.read().decode("utf-8", "replace"))

    def shallowest(suffix: str) -> str:
        keys = sorted((k for k in files if k.endswith(suffix)), key=lambda k: (k.count("/"), k))
        return files[keys[0]] if keys else ""

    metadata = email.parser.HeaderParser().parsestr(shallowest("PKG-INFO"))
    if not metadata["Name"]:
        raise RuntimeError("sdist without PKG-INFO")
    requires = metadata.get_all("Requires-Dist") or _requires_txt(shallowest("requires.txt"))
    meta = {"name": metadata["Name"], "version": metadata["Version"] or "",
            "requires_dist": requires}
    modules = _top_level(shallowest("top_level.txt"))
    row = _entry(meta, modules, _console_scripts(shallowest("entry_points.txt")), "sdist", url,
                 size)
    # No Requires-Dist means "none" only where the sdist's metadata is trustworthy: an egg-info
    # requires.txt, or PKG-INFO 2.2+ that does not mark Requires-Dist dynamic (PEP 643).
    version = tuple(int(p) for p in (metadata["Metadata-Version"] or "1.0").split(".")[:2])
    dynamic = {d.lower() for d in metadata.get_all("Dynamic") or []}
    row["requires_known"] = bool(requires) or bool(shallowest("requires.txt")) or (
        version >= (2, 2) and "requires-dist" not in dynamic
    )
    return row


def base_dependencies(requires: Iterable[str]) -> list[str]:
    """Dependencies without an `extra` marker: what some install of it gets."""
    found = []
    for raw in requires:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            continue
        if req.marker is None or "extra" not in str(req.marker):
            found.append(str(canonicalize_name(req.name)))
    return found


def ranked(top: int) -> list[str]:
    lines = (HERE / "top_pypi.tsv").read_text("utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    return [name for _rank, name in sorted(rows, key=lambda r: int(r[0]))[:top]]


def _load_cache(path: Path) -> dict[str, dict[str, Any]]:
    done: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                done[row["key"]] = row
    return done


def collect(wanted: list[str], cache: Path, jobs: int) -> dict[str, dict[str, Any]]:
    done = _load_cache(cache)
    todo = [n for n in dict.fromkeys(canonicalize_name(n) for n in wanted)
            if n not in done or (done[n].get("from") == "sdist" and "requires_known" not in done[n])]
    lock = threading.Lock()

    def keep(key: str, row: dict[str, Any]) -> None:
        with lock:
            done[key] = {"key": key, **row}
            with cache.open("a", encoding="utf-8") as out:
                out.write(json.dumps(done[key], sort_keys=True) + "\n")

    def one(name: str) -> None:
        try:
            kind, url = find(name)
            if url is None:
                keep(name, {"skipped": kind})
            else:
                keep(name, read_sdist(url) if kind == "sdist" else read_wheel(url, kind))
        except Exception as exc:  # one bad release is a skipped row, not a stop
            keep(name, {"skipped": f"{type(exc).__name__}: {exc}"[:200]})
        if len(done) % 50 == 0:
            print(f"{len(done)} rows, {time.strftime('%H:%M:%S')}", file=sys.stderr, flush=True)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, todo))
    return done


_NAMESPACE_CALLS = ("extend_path", "declare_namespace")


def _extended(rows: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Dist key -> its import prefixes that another distribution's prefix goes below."""
    owners: dict[str, set[str]] = {}
    for key, row in rows.items():
        for module in row.get("modules", ()):
            owners.setdefault(module, set()).add(key)
    out: dict[str, set[str]] = {}
    for module, keys in owners.items():
        parts = module.split(".")
        for depth in range(1, len(parts)):
            for key in owners.get(".".join(parts[:depth]), set()) - keys:
                out.setdefault(key, set()).add(".".join(parts[:depth]))
    return out


def namespace_portions(rows: dict[str, dict[str, Any]], cache: Path, jobs: int) -> None:
    """A package that other distributions extend (google, azure, backports) may be a pkgutil or
    pkg_resources namespace: an `__init__.py` that only calls extend_path/declare_namespace.
    Read that file from the wheel; when it is one, the distribution provides what lies below it,
    not the whole namespace."""
    lock = threading.Lock()

    def check(item: tuple[str, set[str]]) -> None:
        key, prefixes = item
        row = rows[key]
        if row.get("from") == "sdist" or row.get("namespaces_checked"):
            return
        try:
            kind, url = find(key)
            if url is None or kind == "sdist":
                return
            handle, _size = _open_wheel(url)
            with handle, zipfile.ZipFile(handle) as archive:
                names = archive.namelist()
                record = next((n for n in names if n.endswith(".dist-info/RECORD")), "")
                lines = archive.read(record).decode("utf-8", "replace").splitlines()
                paths = [line.rsplit(",", 2)[0] for line in lines] if record else names
                dropped = set()
                for prefix in sorted(prefixes):
                    init = prefix.replace(".", "/") + "/__init__.py"
                    if init in names:
                        text = archive.read(init).decode("utf-8", "replace")
                        if any(call in text for call in _NAMESPACE_CALLS):
                            dropped.add(init)
            modules = list(module_prefixes(p for p in paths if p not in dropped))
        except Exception as exc:  # a wheel that cannot be reread keeps what it had
            print(f"namespace check of {key}: {exc}", file=sys.stderr)
            return
        with lock:
            row.update(modules=sorted(modules), namespaces_checked=True)
            with cache.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row, sort_keys=True) + "\n")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(check, sorted(_extended(rows).items())))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(HERE.parent / "importaudit/data/dists.json.gz"))
    parser.add_argument("--work", default=str(HERE.parent / ".cache/gen_dists.jsonl"))
    parser.add_argument("--top", type=int, default=10000, help="how many of the ranked list")
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--depth", type=int, default=4, help="rounds of adding dependencies")
    parser.add_argument("--write-only", action="store_true", help="write the table from the cache")
    args = parser.parse_args()
    cache = Path(args.work)
    cache.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    wanted = ranked(args.top) + SEEDS
    rows = _load_cache(cache) if args.write_only else collect(wanted, cache, args.jobs)
    for _round in range(0 if args.write_only else args.depth):
        # Unconditional dependencies join the table, so a closure from it stays complete.
        more = {d for r in rows.values() for d in base_dependencies(r.get("requires", ()))}
        more -= set(rows)
        if not more:
            break
        rows = collect(sorted(more), cache, args.jobs)
    if not args.write_only:
        namespace_portions(rows, cache, args.jobs)
    # The download rank picks the usual provider when several wheels ship the same module.
    rank = {str(canonicalize_name(n)): i for i, n in enumerate(ranked(len(wanted)), start=1)}
    dists = {k: {f: r[f] for f in ("name", "version", "requires", "modules", "scripts", "from")}
             for k, r in sorted(rows.items()) if "skipped" not in r}
    for key, dist in dists.items():
        if rows[key].get("requires_known") is False:
            dist["requires_unknown"] = True
    for key, dist in dists.items():
        if key in rank:
            dist["rank"] = rank[key]
    skipped = {k: r["skipped"] for k, r in sorted(rows.items()) if "skipped" in r}
    meta = {"date": datetime.date.today().isoformat(), "python": "3.12", "platform": "linux",
            "ranked": args.top, "distributions": len(dists), "skipped": skipped,
            "import_names": len({m for d in dists.values() for m in d["modules"]})}
    body = json.dumps({"meta": meta, "dists": dists}, sort_keys=True, separators=(",", ":"))
    Path(args.out).write_bytes(gzip.compress(body.encode("utf-8"), 9, mtime=0))
    print(f"{len(dists)} distributions, {meta['import_names']} import names, "
          f"{len(skipped)} skipped, {Path(args.out).stat().st_size} bytes, "
          f"{time.monotonic() - started:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
