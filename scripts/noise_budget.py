"""Count the warnings a CI user sees per app on the real-world corpus: GitHub annotations, the text
report's warning lines, and the JSON report's warning findings, all from one run per app."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def count(app: Path, python: str, extra: list[str]) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as tmp:
        text_file, json_file = Path(tmp) / "report.txt", Path(tmp) / "report.json"
        proc = subprocess.run(
            [python, "-m", "importaudit", "check", str(app), "--format", "github", "--exit-zero",
             "--also", f"text={text_file}", "--also", f"json={json_file}", *extra],
            capture_output=True, text=True, timeout=900,
        )
        lines = proc.stdout.splitlines()
        text = text_file.read_text().splitlines() if text_file.exists() else []
        findings = json.loads(json_file.read_text())["findings"] if json_file.exists() else []
    return {
        "rc": proc.returncode,
        "errors": sum(line.startswith("::error ") for line in lines),
        "warnings": sum(line.startswith("::warning ") for line in lines),
        "notices": sum(line.startswith("::notice ") for line in lines),
        "text_warnings": sum(line.lstrip().startswith("warning ") for line in text),
        "json_warnings": sum(f.get("severity") == "warning" for f in findings),
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
    summary: dict[str, float] = {"apps": len(rows)}
    for key in ("warnings", "text_warnings", "json_warnings"):
        values = [r[key] for r in rows.values()]
        summary[f"median_{key}"] = statistics.median(values) if values else 0
        summary[f"max_{key}"] = max(values, default=0)
    Path(args.out).write_text(json.dumps({"rows": rows, "summary": summary}, indent=2, sort_keys=True) + "\n")
    print(summary)


if __name__ == "__main__":
    main()
