"""Where one `importaudit check` spends its time, per pipeline stage (cProfile of the main process).

    python benchmarks/stages.py PATH [--cold] [--dump FILE.prof]

Prints each stage's cumulative time and share of the run. With the process pool the parse
stage's time is the main process waiting for its workers; `--serial` parses in the main process
instead, so the profile sees the parse itself (ast.parse vs. the visitor).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import sys

# (label, module path suffix, function name): the stages of pipeline.run_audit.
STAGES = [
    ("import importaudit's modules", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("discover source files", "source/discover.py", "discover"),
    ("parse + extract (parse_all)", "source/parsing.py", "parse_all"),
    ("  ast.parse", "~", "<built-in method builtins.compile>"),
    ("  import visitor", "source/imports.py", "parse_source"),
    ("  cache load", "source/cache.py", "load"),
    ("  cache save", "source/cache.py", "save"),
    ("report memo lookup (runmemo.recall)", "importaudit/runmemo.py", "recall"),
    ("report memo store", "importaudit/runmemo.py", "store"),
    ("distribution table (load or compile)", "providers/distributions.py", "_tables"),
    ("flag resolution", "source/flags.py", "resolve_imported_flags"),
    ("requirements (discover_sources)", "requirements/discover.py", "discover_sources"),
    ("targets (select_targets)", "judge/audit.py", "select_targets"),
    ("audit targets (reach, frameworks)", "judge/audit.py", "audit_target"),
    ("  frameworks", "frameworks/__init__.py", "framework_imports"),
    ("findings per target", "judge/findings.py", "target_findings"),
    ("project findings", "judge/findings.py", "project_findings"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--cold", action="store_true", help="IMPORTAUDIT_NO_CACHE=1")
    parser.add_argument("--serial", action="store_true", help="parse in this process (profile the parse)")
    parser.add_argument("--dump", help="write the raw profile here")
    args = parser.parse_args()
    if args.cold:
        os.environ["IMPORTAUDIT_NO_CACHE"] = "1"
    import importaudit.source.parsing as parsing
    from importaudit.cli import main as cli_main

    if args.serial:
        parsing.POOL_THRESHOLD = 10**9
    sys.argv = ["importaudit", "check", args.path]
    profile = cProfile.Profile()
    profile.enable()
    with contextlib.suppress(SystemExit):
        cli_main()
    profile.disable()
    if args.dump:
        profile.dump_stats(args.dump)
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = max(value[3] for value in stats.values())
    print(f"total {total:.2f} s (cProfile, main process)", file=sys.stderr)
    for label, where, name in STAGES:
        spent = sum(
            value[3] for (file, _line, function), value in stats.items()
            if function == name and (file.endswith(where) or where == "~")
        )  # fmt: skip
        if label.startswith("import") and spent:
            spent = max(value[3] for (file, _line, function), value in stats.items()
                        if function == name and file == where)  # fmt: skip
        print(f"| {label} | {spent:.2f} | {100 * spent / total:.0f}% |", file=sys.stderr)


if __name__ == "__main__":
    main()
