"""Benchmark: time `importaudit check` on a synthetic project of N files (default 10,000).

    python scripts/bench.py [--files 10000] [--keep DIR]

The project is a Flask-style package tree with a Dockerfile, requirements.txt, Django-free
settings, and on average 12 imports per module (stdlib, first-party, third-party, guarded,
function-level), so every stage does real work. Prints the wall time of three cold runs (no
cache) and three warm ones (parse results of unchanged files reused), with the medians.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

THIRD_PARTY = ["flask", "requests", "sqlalchemy", "yaml", "redis", "jinja2", "click", "boto3"]
STDLIB = ["os", "sys", "json", "re", "typing", "collections", "dataclasses", "pathlib", "logging"]


def make_project(root: Path, files: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    (root / "requirements.txt").write_text(
        "flask==3.1.0\nrequests==2.32.3\nSQLAlchemy==2.0.36\nPyYAML==6.0.2\nredis==5.2.1\n"
        "boto3==1.35.0\ngunicorn==23.0.0\n"
    )
    (root / "Dockerfile").write_text(
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
        "RUN pip install -r requirements.txt\nCOPY . .\nCMD [\"gunicorn\", \"app.wsgi:app\"]\n"
    )
    packages = max(1, files // 50)
    modules: list[str] = []
    for p in range(packages):
        pkg = root / "app" / f"pkg{p}"
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / "__init__.py").write_text("")
        for m in range(files // packages - 1):
            modules.append(f"app.pkg{p}.mod{m}")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "wsgi.py").write_text(
        "from flask import Flask\n" + "".join(f"import {m}\n" for m in modules[:: max(1, len(modules) // 200)])
        + "app = Flask(__name__)\n"
    )
    for name in modules:
        lines = [f"import {rng.choice(STDLIB)}" for _ in range(4)]
        lines += [f"import {rng.choice(THIRD_PARTY)}" for _ in range(3)]
        lines += [f"import {rng.choice(modules)}" for _ in range(3)]
        lines += ["try:", "    import ujson", "except ImportError:", "    ujson = None"]
        lines += ["", "def handler(x):", "    import markdown", "    return x", ""]
        lines += [f"class C{i}:\n    def m(self):\n        return {i}\n" for i in range(3)]
        path = root / (name.replace(".", "/") + ".py")
        path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build the project here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="importaudit-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    make_project(root, args.files)
    count = sum(1 for _ in root.rglob("*.py"))
    cache_dir = Path(tempfile.mkdtemp(prefix="importaudit-bench-cache-"))
    cold = _runs(root, {"IMPORTAUDIT_NO_CACHE": "1"})
    _runs(root, {"IMPORTAUDIT_CACHE_DIR": str(cache_dir)}, times=1)  # fill the cache
    warm = _runs(root, {"IMPORTAUDIT_CACHE_DIR": str(cache_dir)})
    for label, times in (("cold (no cache)", cold), ("warm (unchanged files cached)", warm)):
        print(f"{count} Python files, {label}: runs {', '.join(f'{t:.2f}s' for t in times)}; "
              f"median {statistics.median(times):.2f}s")
    shutil.rmtree(cache_dir)
    if args.keep is None:
        shutil.rmtree(root)


def _runs(root: Path, env: dict[str, str], times: int = 3) -> list[float]:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "importaudit", "check", str(root), "--format", "json"],
                              capture_output=True, text=True, env={**os.environ, **env})
        out.append(time.perf_counter() - start)
        if proc.returncode not in (0, 1):
            sys.exit(f"importaudit failed: {proc.stderr}")
    return out


if __name__ == "__main__":
    main()
