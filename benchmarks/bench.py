"""Benchmark importaudit against deptry, run alternately on the same trees: wall, CPU and memory.

    python benchmarks/bench.py [--pairs 5] [--generated 1000,10000,50000]
                               [--tree saleor=/path/to/saleor --tree msgraph=/path/to/msgraph]

deptry (0.25.x) is installed from PyPI into a benchmark venv (--venv) the first time. Each tree
is run in pairs (importaudit then deptry, then the next pair), so both see the same machine
load; importaudit cold (IMPORTAUDIT_NO_CACHE=1), warm (cache primed once, nothing changed: the
report memo answers), facts (warm, IMPORTAUDIT_NO_MEMO=1: a whole audit from the cached facts) and
edit (one source file changed before each run, restored at the end). Per tree and mode
the table gives the median wall and CPU (user+sys of the whole process tree, workers included)
of each tool, the median of the per-pair ratios, and the peak memory: the largest sum of the
RSS of every process of the tree sampled every 20 ms, and the largest single process.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gentree import make_tree

DEPTRY = "deptry>=0.25,<0.26"
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    wall: float
    cpu: float  # user + sys of the process and every descendant it waited for
    peak_sum: int  # bytes: largest sampled sum of the tree's RSS
    peak_one: int  # bytes: largest single process (ru_maxrss of the tree)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree_rss(pid: int) -> int:
    kids = _children()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(kids.get(current, ()))
        try:
            with open(f"/proc/{current}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> Run:
    peak = [0]
    done = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    errors = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}) in {cwd}:\n{errors.decode()[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, peak[0], usage.ru_maxrss * 1024)


def deptry_command(venv: Path) -> list[str]:
    exe = venv / "bin" / "deptry"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", DEPTRY], check=True)
    return [str(exe), "."]


def _median_ratio(ours: list[Run], theirs: list[Run], key: str) -> float:
    return statistics.median(getattr(a, key) / max(getattr(b, key), 1e-9) for a, b in zip(ours, theirs))


def _mib(value: float) -> str:
    return f"{value / 2**20:.0f}"


class _Edit:
    """The `edit` mode: one source file gets a new comment line before each importaudit run (a
    pre-commit run after a one-line change); the file is restored afterwards."""

    def __init__(self, root: Path) -> None:
        files = sorted(p for p in root.rglob("*.py") if p.stat().st_size > 0)
        self.path = files[len(files) // 2]
        self.original = self.path.read_bytes()
        self.stamp = self.path.stat()
        self.count = 0

    def __call__(self) -> None:
        self.count += 1
        self.path.write_bytes(self.original + f"\n# importaudit bench edit {self.count}\n".encode())

    def restore(self) -> None:
        self.path.write_bytes(self.original)
        os.utime(self.path, ns=(self.stamp.st_atime_ns, self.stamp.st_mtime_ns))


# cold: no cache at all; warm: nothing changed since the last run (the report memo answers);
# facts: the whole audit from the facts cache (IMPORTAUDIT_NO_MEMO=1); edit: one file changed.
MODES = ("cold", "warm", "facts", "edit")


def bench_tree(
    name: str, root: Path, pairs: int, deptry: list[str], importaudit: list[str], only: tuple[str, ...]
) -> list[str]:
    count = sum(1 for _ in root.rglob("*.py"))
    rows = []
    cache = Path(tempfile.mkdtemp(prefix="importaudit-bench-cache-"))
    warm = {"IMPORTAUDIT_CACHE_DIR": str(cache)}
    modes = {"cold": {"IMPORTAUDIT_NO_CACHE": "1"}, "warm": warm, "facts": {**warm, "IMPORTAUDIT_NO_MEMO": "1"},
             "edit": warm}
    if set(only) - {"cold"}:
        measure(importaudit, root, warm)  # prime the cache and the memo
    for mode, env in modes.items():
        if mode not in only:
            continue
        edit = _Edit(root) if mode == "edit" else None
        ours: list[Run] = []
        theirs: list[Run] = []
        load = os.getloadavg()[0]
        try:
            for _ in range(pairs):
                if edit is not None:
                    edit()
                ours.append(measure(importaudit, root, env))
                theirs.append(measure(deptry, root, {}))
        finally:
            if edit is not None:
                edit.restore()
        row = (
            f"| {name} | {count} | {mode} "
            f"| {statistics.median(r.wall for r in ours):.2f} | {statistics.median(r.wall for r in theirs):.2f} "
            f"| **{_median_ratio(ours, theirs, 'wall'):.2f}x** "
            f"| {statistics.median(r.cpu for r in ours):.2f} | {statistics.median(r.cpu for r in theirs):.2f} "
            f"| **{_median_ratio(ours, theirs, 'cpu'):.2f}x** "
            f"| {_mib(max(r.peak_sum for r in ours))} / {_mib(max(r.peak_one for r in ours))} "
            f"| {_mib(max(r.peak_sum for r in theirs))} / {_mib(max(r.peak_one for r in theirs))} "
            f"| {max(r.peak_sum for r in ours) / max(max(r.peak_sum for r in theirs), 1):.2f}x "
            f"| {load:.1f} / {os.getloadavg()[0]:.1f} |"
        )
        print(row, flush=True)
        rows.append(row)
    shutil.rmtree(cache, ignore_errors=True)
    return rows


HEADER = (
    "| tree | .py files | mode | importaudit wall s | deptry wall s | wall ratio | importaudit CPU s "
    "| deptry CPU s | CPU ratio | importaudit peak MiB (tree sum / largest) "
    "| deptry peak MiB (sum / largest) | memory ratio (sums) | load before / after |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--generated", default="1000,10000,50000", help="sizes of generated trees ('' for none)")
    parser.add_argument("--gen-dir", type=Path, default=Path(tempfile.gettempdir()) / "importaudit-bench-trees")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH",
                        help="a real tree (repeatable)")  # fmt: skip
    parser.add_argument("--modes", default=",".join(MODES), help=f"some of {', '.join(MODES)}")
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "importaudit-bench-venv")
    parser.add_argument("--importaudit", default=f"{sys.executable} -m importaudit",
                        help="the command that runs importaudit (default: this Python's)")  # fmt: skip
    args = parser.parse_args()
    deptry = deptry_command(args.venv)
    importaudit = [*args.importaudit.split(), "check", "."]
    trees: list[tuple[str, Path]] = []
    for size in [int(s) for s in args.generated.split(",") if s]:
        where = args.gen_dir / f"gen-{size}"
        if not (where / "app").exists():
            make_tree(where, size)
        trees.append((f"generated {size // 1000}k", where))
    for spec in args.tree:
        name, _, path = spec.partition("=")
        trees.append((name, Path(path).resolve()))
    _write_bytecode(args.importaudit.split())
    version = subprocess.run([*deptry[:1], "--version"], capture_output=True, text=True).stdout.strip()
    print(f"load before: {os.getloadavg()}; cores: {os.cpu_count()}; {version}; pairs: {args.pairs}")
    print(HEADER, flush=True)
    for name, root in trees:
        bench_tree(name, root, args.pairs, deptry, importaudit, tuple(args.modes.split(",")))
    print(f"load after: {os.getloadavg()}")


def _write_bytecode(command: list[str]) -> None:
    """One untimed audit of a tiny project with bytecode writing allowed: an installed package
    carries its .pyc files, but in a shell with PYTHONDONTWRITEBYTECODE=1 (this sandbox's, some CI
    images') a checkout never gets them, and every measured run would compile importaudit's
    modules again (about 0.3 CPU s a process)."""
    with tempfile.TemporaryDirectory() as tiny:
        Path(tiny, "app.py").write_text("import flask\n")
        Path(tiny, "requirements.txt").write_text("flask\n")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["IMPORTAUDIT_NO_CACHE"] = "1"
        subprocess.run([*command, "check", tiny], env=env, capture_output=True, check=False)


if __name__ == "__main__":
    main()
