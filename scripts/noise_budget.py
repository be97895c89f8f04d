"""Count the warnings a CI user sees per app (GitHub annotations) on the real-world corpus."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path


def count(app: Path, python: str, extra: list[str]) -> dict[str, int]:
    proc = subprocess.run(
        [python, "-m", "importaudit", "check", str(app), "--format", "github", "--exit-zero", *extra],
        capture_output=True, text=True, timeout=900,
    )
    lines = proc.stdout.splitlines()
    return {
        "rc": proc.returncode,
        "errors": sum(line.startswith("::error ") for line in lines),
        "warnings": sum(line.startswith("::warning ") for line in lines),
        "notices": sum(line.startswith("::notice ") for line in lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default="/work/corpus")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--out", required=True)
    parser.add_argument("--only", nargs="*")
    parser.add_argument("extra", nargs="*", help="extra arguments for importaudit check (after --)")
    args = parser.parse_args()
    apps = sorted(p for p in Path(args.corpus).iterdir() if p.is_dir() and not p.name.endswith(".part"))
    if args.only:
        apps = [a for a in apps if a.name in args.only]
    rows = {}
    for app in apps:
        rows[app.name] = count(app, args.python, args.extra)
        print(app.name, rows[app.name], flush=True)
    warnings = [r["warnings"] for r in rows.values()]
    summary = {"apps": len(rows), "median_warnings": statistics.median(warnings) if warnings else 0,
               "max_warnings": max(warnings, default=0)}
    Path(args.out).write_text(json.dumps({"rows": rows, "summary": summary}, indent=2, sort_keys=True) + "\n")
    print(summary)


if __name__ == "__main__":
    main()
