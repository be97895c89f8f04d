"""The memoised report: served again only while every file the run read or listed is unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from importaudit import pipeline, runmemo
from importaudit.cli import main
from importaudit.config import Config

_PAST = 1_600_000_000  # every input older than the racy window


@pytest.fixture
def audits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Caching on, in tmp_path; returns the list of roots the full pipeline ran on."""
    monkeypatch.delenv("IMPORTAUDIT_NO_CACHE", raising=False)
    monkeypatch.setenv("IMPORTAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    ran: list[str] = []
    real = pipeline.run_audit

    def counting(root: Path, config: Config) -> object:
        ran.append(str(root))
        return real(root, config)

    monkeypatch.setattr(pipeline, "run_audit", counting)
    return ran


def _age(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(folder, name), (_PAST, _PAST))
        os.utime(folder, (_PAST, _PAST))


def project(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text("import requests\nimport flask\n")
    (root / "requirements.txt").write_text("flask\n")
    (root / "Procfile").write_text("web: gunicorn app.main:app\n")
    _age(root)
    return root


def check(root: Path, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(main, ["check", "--format", "json", "--exit-zero", *args, str(root)])
    assert result.exit_code == 0, result.output
    loaded: dict[str, object] = json.loads(result.output)
    return loaded


def modules(report: dict[str, object]) -> set[str]:
    return {str(f["module"]) for f in report["findings"]}  # type: ignore[attr-defined, index]


def test_an_unchanged_project_is_served_without_a_run(audits: list[str], tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    first = check(root)
    assert check(root) == first
    assert len(audits) == 1
    assert "requests" in modules(first)


def test_a_changed_requirement_file_runs_again(audits: list[str], tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    assert "requests" in modules(check(root))
    (root / "requirements.txt").write_text("flask\nrequests\n")
    _age(root)  # same mtime as before: the size (and ctime) still tell
    assert "requests" not in modules(check(root))
    assert len(audits) == 2


def test_a_file_added_to_a_listed_folder_runs_again(audits: list[str], tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    check(root)
    (root / "app" / "extra.py").write_text("import yaml\n")
    _age(root)
    assert "yaml" in modules(check(root))
    assert len(audits) == 2


def test_a_removed_file_runs_again(audits: list[str], tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    check(root)
    (root / "requirements.txt").unlink()
    _age(root)
    check(root)
    assert len(audits) == 2


def test_other_options_are_another_key(audits: list[str], tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    check(root)
    check(root, "--python-version", "3.9")
    assert len(audits) == 2


def test_a_run_on_just_modified_files_is_not_memoised(audits: list[str], tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "app" / "main.py").write_text("import requests\n")  # mtime: now
    check(root)
    check(root)
    assert len(audits) == 2


def test_an_unwritable_cache_folder_costs_only_speed(
    audits: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path / "p")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # the cache folder cannot be made under a file, whoever runs this
    monkeypatch.setenv("IMPORTAUDIT_CACHE_DIR", str(blocked))
    assert check(root) == check(root)
    assert len(audits) == 2


def test_no_cache_turns_the_memo_off(audits: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "p")
    monkeypatch.setenv("IMPORTAUDIT_NO_CACHE", "1")
    check(root)
    check(root)
    assert len(audits) == 2
    assert not (tmp_path / "cache").exists()


def test_the_hook_records_opens_and_listings(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    with runmemo.recording() as seen:
        (tmp_path / "f.txt").read_text()
        list(os.scandir(tmp_path))
    (tmp_path / "f.txt").read_text()  # outside the block: not recorded
    assert seen == {str(tmp_path / "f.txt"), str(tmp_path)}


def test_no_memo_keeps_the_facts_cache(audits: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "p")
    monkeypatch.setenv("IMPORTAUDIT_NO_MEMO", "1")
    assert check(root) == check(root)
    assert len(audits) == 2
    assert [p.suffix for p in (tmp_path / "cache" / "importaudit").iterdir()] == [".facts"]
