"""Hostile projects, as an attacker's pull request would bring them: each is a warning, never a hang or a crash.

The hang cases run importaudit as a subprocess (a hang must be killable) and bound its CPU time,
which, unlike wall time, does not depend on what else the machine is doing.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importaudit.source import discover, imports

CPU_BOUND = 5.0  # seconds of CPU: the bound for the alias bomb and the .gitignore


def _run(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str, float]:
    """importaudit check ROOT --format json in a child process: (exit, report, stderr, CPU seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "importaudit", "check", str(root), "--format", "json", *args],
        capture_output=True, text=True, timeout=120, env=env,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    report = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
    return done.returncode, report, done.stderr, cpu


def _unreadable(report: dict[str, Any]) -> dict[str, str]:
    return {f["file"]: f["message"] for f in report.get("findings", []) if f["rule"] == "unreadable"}


def test_poetry_table_with_wrong_types_is_warnings_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "x"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        "flask = {version = '^3', extras = 5}\nrequests = ['nonsense']\n"
        'gitdep = {git = "https://example.invalid/x.git", rev = 7}\n'
    )
    (tmp_path / "app.py").write_text("import flask\n")
    code, report, stderr, _ = _run(tmp_path)
    assert code in (0, 1) and "internal error" not in stderr
    messages = [f["message"] for f in report["findings"] if f["rule"] == "unreadable"]
    assert any("flask: extras is not a list of names: 5" in m for m in messages), messages
    assert any("requests: cannot read constraint 'nonsense'" in m for m in messages), messages
    # flask is still declared: the bad extras cost the extras, not the requirement.
    assert not any(f["module"] == "flask" and f["severity"] == "error" for f in report["findings"])


def test_compose_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['x0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"x{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    lines.append("services:\n  web:\n    build: .\n    command: gunicorn app:app\n    environment: *a9")
    (tmp_path / "docker-compose.yml").write_text("\n".join(lines) + "\n")
    (tmp_path / "Dockerfile").write_text("FROM python:3.11-slim\nCMD gunicorn app:app\n")
    code, report, stderr, cpu = _run(tmp_path)
    assert code in (0, 1) and "internal error" not in stderr
    assert cpu < CPU_BOUND
    assert "aliases expand to more than" in _unreadable(report)["docker-compose.yml"]


def test_pathological_gitignore_is_fast(tmp_path: Path) -> None:
    patterns = ["**/" * 60 + "x", *("*" * 40 + f"a{i}" for i in range(3000)), "*a*b*c*d*e*f*g*h*i*j*k*l*m*n"]
    (tmp_path / ".gitignore").write_text("\n".join(patterns) + "\n")
    (tmp_path / "pkg").mkdir()
    for i in range(300):
        (tmp_path / "pkg" / f"m{i}.py").write_text("import os\n")
    (tmp_path / "pkg" / "x").mkdir()
    (tmp_path / "pkg" / "x" / "ignored.py").write_text("import nothing_here\n")
    code, report, stderr, cpu = _run(tmp_path)
    assert code in (0, 1) and "internal error" not in stderr
    assert cpu < CPU_BOUND
    assert report["summary"]["files"] == 300  # pkg/x/ is ignored by the folded **/x pattern
    assert "wildcards" in _unreadable(report)[".gitignore"]


def test_deeply_nested_pyproject_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ' + "[" * 50_000 + "]" * 50_000 + "\n"
    )
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("import flask\n")
    code, report, stderr, _ = _run(tmp_path)
    assert code in (0, 1) and "internal error" not in stderr
    assert "nested more than" in _unreadable(report)["pyproject.toml"]


def test_deeply_nested_python_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (tmp_path / "b.py").write_text("x = 1" + "+1" * 100_000 + "\n")
    code, report, stderr, _ = _run(tmp_path)
    assert code in (0, 1) and "internal error" not in stderr
    assert {f["file"] for f in report["findings"] if f["rule"] == "syntax-error"} == {"a.py", "b.py"}


def test_oversized_source_is_unreadable_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_SOURCE_BYTES", 100)
    (tmp_path / "big.py").write_text("import flask\n" + "x = 1\n" * 50)
    ref = discover.discover(tmp_path).sources[0]
    tree, parsed = imports.parse_file(tmp_path, ref)
    assert tree is None and parsed.imports == ()
    assert parsed.syntax_error is not None and parsed.syntax_error.unread
    assert "larger than" in parsed.syntax_error.message


def test_time_limit_gives_a_partial_report_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("import flask\n")
    env = {**__import__("os").environ, "IMPORTAUDIT_TIME_LIMIT": "0"}
    code, report, stderr, _ = _run(tmp_path, env=env)
    assert code == 2
    assert stderr.count("\n") == 1 and "time limit of 0 s ran out" in stderr and "partial" in stderr
    assert "folders not walked" in _unreadable(report)["."]


# The folding of redundant wildcards must not change what a pattern ignores.
_segment = st.sampled_from(["*", "**", "***", "a", "b*", "*a", "a*b", "?", "ab"])
_pattern = st.lists(_segment, min_size=1, max_size=5).map("/".join) | st.sampled_from(
    ["**/**/a", "a/**/**/b", "***/**/a", "***/**/a*b", "****/x", "a/*****"])
_path = st.lists(st.sampled_from(["a", "b", "ab", "ba", "aab", "x"]), min_size=1, max_size=5).map("/".join)


@settings(max_examples=1000, deadline=None)
@given(pattern=_pattern, paths=st.lists(_path, min_size=1, max_size=8))
def test_folded_gitignore_patterns_match_the_same_paths(pattern: str, paths: list[str]) -> None:
    original = pathspec.GitIgnoreSpec.from_lines([pattern])
    folded = pathspec.GitIgnoreSpec.from_lines([discover._simplified(pattern)])
    for path in paths:
        assert original.match_file(path) == folded.match_file(path), (pattern, discover._simplified(pattern), path)


@pytest.mark.parametrize("line", ["../x " + "x" * 300, "./" + "y" * 300, "-e ./" + "z/" * 2100 + "w"])
def test_a_path_the_os_refuses_is_a_warning_not_a_crash(tmp_path: Path, line: str) -> None:
    """Found by the long fuzz profile: a requirement naming a local path longer than the OS allows
    (ENAMETOOLONG) crashed the audit while importaudit looked for the project's metadata there."""
    (tmp_path / "requirements.txt").write_text(f"flask\n{line}\n")
    (tmp_path / "app.py").write_text("import flask\n")
    code, report, stderr, _ = _run(tmp_path)
    assert code in (0, 1) and "internal error" not in stderr, stderr
    assert report["summary"]["files"] == 1


def test_a_marker_packaging_parses_but_cannot_compare_is_not_a_crash(tmp_path: Path) -> None:
    # `===` on a name that is not a version: packaging parses the marker, then raises
    # UndefinedComparison while evaluating it. Like an unreadable marker, it counts as true.
    (tmp_path / "requirements.txt").write_text('flask\ngunicorn\nredis ; os_name === "posix"\n')
    (tmp_path / "Procfile").write_text("web: gunicorn app:app\n")
    (tmp_path / "app.py").write_text("import flask\nimport redis\napp = flask.Flask(__name__)\n")
    proc = subprocess.run([sys.executable, "-m", "importaudit", "check", str(tmp_path), "--format", "json"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [(t["name"], t["verdict"]) for t in report["targets"]] == [("Procfile:web", "boots")]
