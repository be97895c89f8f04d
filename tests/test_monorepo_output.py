"""The two-service monorepo sample in CI formats: paths from the root with or without a sub-PATH,
no advice about the other service's code, each cause once with its targets, valid SARIF."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from importaudit.cli import main
from tests.test_report_causes import sarif_validate

SAMPLE = Path(__file__).resolve().parent.parent / "sample_projects" / "monorepo_two_services"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The sample as the root of its own git checkout."""
    root = tmp_path / "checkout"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("expected.json"))
    (root / ".git").mkdir()
    return root


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    env = env or {"GITHUB_WORKSPACE": ""}
    result = CliRunner().invoke(main, ["check", *args], catch_exceptions=False, env=env)
    return result.exit_code, result.output


def annotations(out: str) -> list[tuple[str, str, str]]:
    """(level, file, title) of each annotation."""
    found = []
    for line in out.splitlines():
        match = re.match(r"::(\w+) (?:file=([^,]*),)?(?:line=\d+,)?title=([^:]*)::", line)
        if match:
            found.append((match.group(1), match.group(2) or "", match.group(3)))
    return found


@pytest.mark.parametrize("sub", ["", "services/api"])
def test_annotations_name_files_from_the_repo_root(repo: Path, sub: str) -> None:
    code, out = run(str(repo / sub), "--format", "github")
    assert code == 1
    files = {file for _level, file, _title in annotations(out) if file}
    assert "services/api/app/cache.py" in files
    assert all(f.startswith("services/") for f in files), files


def test_the_action_workspace_is_the_root_too(repo: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere"
    shutil.copytree(repo, moved)
    shutil.rmtree(moved / ".git")
    code, out = run(str(moved / "services" / "api"), "--format", "github", env={"GITHUB_WORKSPACE": str(moved)})
    assert code == 1
    assert annotations(out)[0][:2] == ("error", "services/api/app/cache.py")


def test_each_cause_once_with_its_targets_and_no_cross_service_advice(repo: Path) -> None:
    _code, out = run(str(repo), "--format", "github")
    found = annotations(out)
    errors = [a for a in found if a[0] == "error"]
    assert errors == [("error", "services/api/app/cache.py",
                       "importaudit missing-at-boot (docker-compose.yml%3Aapi%2C services/api/Dockerfile)")]
    for level, file, title in found:
        if file.startswith("services/sales/"):
            assert "api" not in title, (level, file, title)
        if file.startswith("services/api/"):
            assert "sales" not in title, (level, file, title)
    assert "numpy" not in out and "openpyxl" not in out  # jobs/ ships in no image
    doc = json.loads(run(str(repo), "--format", "json")[1])
    for item in doc["findings"]:
        service = item["file"].split("/")[1]
        assert service in item["target"], item


@pytest.mark.parametrize("sub", ["", "services/api"])
def test_sarif_is_valid_and_rooted(repo: Path, sub: str) -> None:
    _code, out = run(str(repo / sub), "--format", "sarif")
    doc = json.loads(out)
    sarif_validate(doc)
    results = doc["runs"][0]["results"]
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert "services/api/app/cache.py" in uris
    assert len(uris) == len(set(uris))  # one result per cause, not one per target
    redis = next(r for r in results if r["properties"]["module"] == "redis")
    assert redis["properties"]["targets"] == (
        ["docker-compose.yml:api", "services/api/Dockerfile"] if not sub else ["Dockerfile"]
    )


def test_also_writes_sarif_and_markdown_from_one_run(repo: Path, tmp_path: Path) -> None:
    sarif_file, summary = tmp_path / "out.sarif", tmp_path / "summary.md"
    code, out = run(str(repo), "--format", "github", "--also", f"sarif={sarif_file}",
                    "--also", f"markdown={summary}")
    assert code == 1 and out.startswith("::error ")
    sarif_validate(json.loads(sarif_file.read_text()))
    assert "| `services/api/Dockerfile` | ❌ fails at boot |" in summary.read_text()
    assert run(str(repo), "--also", "xml=out.xml")[0] == 2
