"""Hand-written projects audited through the command line, for the scenario tests."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from importaudit.cli import main


def write(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip("\n"))
    return root


def audit(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """`importaudit check ROOT --format json ARGS`: the exit code and the report."""
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {t["name"]: t["verdict"] for t in report["targets"]}


def findings(report: dict[str, Any], *fields: str) -> set[tuple[Any, ...]]:
    """The findings as tuples of the named fields (lists become tuples)."""
    def value(f: dict[str, Any], key: str) -> Any:
        got = f[key]
        return tuple(got) if isinstance(got, list) else got

    return {tuple(value(f, key) for key in fields) for f in report["findings"]}


def only(report: dict[str, Any], module: str) -> dict[str, Any]:
    """The one finding about `module`."""
    found = [f for f in report["findings"] if f["module"] == module]
    assert len(found) == 1, found
    return found[0]
