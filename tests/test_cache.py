"""The between-runs cache: unchanged files are not parsed again; anything doubtful is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from importaudit.cli import main
from importaudit.source import cache, parsing
from importaudit.source.discover import discover
from importaudit.source.imports import parse_file


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    monkeypatch.delenv("IMPORTAUDIT_NO_CACHE", raising=False)
    monkeypatch.setenv("IMPORTAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    calls: list[str] = []

    def counting(root: Path, ref: object) -> object:
        calls.append(ref.path)  # type: ignore[attr-defined]
        return parse_file(root, ref)  # type: ignore[arg-type]

    monkeypatch.setattr(parsing, "parse_file", counting)
    return calls


def project(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "a.py").write_text("import requests\n")
    (root / "b.py").write_text("import yaml\n")
    return root


def parse(root: Path) -> dict[str, object]:
    parsed, _trees, _warnings = parsing.parse_all(root, discover(root).sources, workers=1, use_cache=True)
    return dict(parsed)


def test_second_run_parses_nothing_and_finds_the_same(tmp_path: Path, counted: list[str]) -> None:
    root = project(tmp_path / "p")
    first = parse(root)
    assert sorted(counted) == ["b.py", "pkg/__init__.py", "pkg/a.py"]
    counted.clear()
    assert parse(root) == first
    assert counted == []


def test_a_changed_file_is_parsed_again(tmp_path: Path, counted: list[str]) -> None:
    root = project(tmp_path / "p")
    parse(root)
    counted.clear()
    target = root / "b.py"
    target.write_text("import yaml\nimport toml\n")
    os.utime(target, ns=(1, 1))  # a different mtime whatever the clock's resolution
    result = parse(root)
    assert counted == ["b.py"]
    assert [i.module for i in result["b.py"].imports] == ["yaml", "toml"]  # type: ignore[attr-defined]


def test_a_corrupt_cache_is_a_cold_start(tmp_path: Path, counted: list[str]) -> None:
    root = project(tmp_path / "p")
    parse(root)
    store = cache.cache_file(root)
    assert store is not None and store.exists()
    store.write_bytes(b"not a pickle")
    counted.clear()
    parse(root)
    assert len(counted) == 3


def test_no_cache_env_turns_it_off(tmp_path: Path, counted: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPORTAUDIT_NO_CACHE", "1")
    root = project(tmp_path / "p")
    parse(root)
    counted.clear()
    parse(root)
    assert len(counted) == 3
    assert not (tmp_path / "cache").exists()


@pytest.mark.parametrize("sample", ["django_missing_app", "deep_chain", "version_branch_tomllib"])
def test_a_full_audit_with_the_cache_on_is_the_same_cold_and_warm(
    sample: str, counted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every other test runs with the cache off (conftest): here the whole CLI runs with it on, and
    # the warm run (nothing parsed again) must still give the sample's hand-written verdicts.
    # The report memo is off: the warm run is a whole audit from the cached facts.
    monkeypatch.setenv("IMPORTAUDIT_NO_MEMO", "1")
    root = Path(__file__).resolve().parent.parent / "sample_projects" / sample
    expected = json.loads((root / "expected.json").read_text())
    args = ["check", str(root), "--format", "json", *expected.get("args", [])]
    cold = CliRunner().invoke(main, args, catch_exceptions=False)
    store = cache.cache_file(root)
    assert store is not None and store.exists()
    assert counted, "the cold run parses"
    counted.clear()
    warm = CliRunner().invoke(main, args, catch_exceptions=False)
    assert counted == [], "the warm run parses nothing"
    assert warm.output == cold.output
    assert warm.exit_code == cold.exit_code == expected["exit"]
    report = json.loads(warm.output)
    assert {t["name"]: t["verdict"] for t in report["targets"]} == expected["targets"]
    keys = ("rule", "severity", "module", "target", "file", "line")
    assert sorted(tuple(f.get(k) for k in keys) for f in report["findings"]) == sorted(
        tuple(f.get(k) for k in keys) for f in expected["findings"])


def test_a_touched_but_unchanged_file_is_not_parsed_again(tmp_path: Path, counted: list[str]) -> None:
    """A fresh checkout or a restored CI cache changes every mtime: the content decides."""
    root = project(tmp_path / "p")
    first = parse(root)
    counted.clear()
    for name in ("b.py", "pkg/a.py"):
        os.utime(root / name, ns=(2, 2))
    assert parse(root) == first
    assert counted == []
    (root / "b.py").write_text("import tomli\n")  # same size, other content
    os.utime(root / "b.py", ns=(3, 3))
    result = parse(root)
    assert counted == ["b.py"]
    assert [i.module for i in result["b.py"].imports] == ["tomli"]  # type: ignore[attr-defined]
