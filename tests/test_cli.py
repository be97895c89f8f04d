"""The command line as users and CI meet it: exit codes, formats, options, bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from importaudit.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_projects"

# The JSON report's required fields (CONTRACT.md, schema 1).
REPORT_SCHEMA = {
    "type": "object",
    "required": ["schema", "tool", "root", "targets", "findings", "summary"],
    "properties": {
        "schema": {"const": 1},
        "tool": {"type": "object", "required": ["name", "version"],
                 "properties": {"name": {"const": "importaudit"}}},
        "root": {"type": "string"},
        "targets": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "kind", "file", "python", "installs", "entries", "verdict"],
            "properties": {
                "kind": {"enum": ["dockerfile", "procfile", "compose", "platform", "project"]},
                "verdict": {"enum": ["boots", "fails-at-boot", "unknown"]},
                "installs": {"type": "array", "items": {"type": "string"}},
                "entries": {"type": "array", "items": {"type": "string"}},
            },
        }},
        "findings": {"type": "array", "items": {
            "type": "object",
            "required": ["rule", "severity", "module", "distribution", "target", "file", "line",
                         "context", "chain", "message"],
            "properties": {
                "severity": {"enum": ["error", "warning", "info"]},
                "context": {"enum": ["boot", "request", "module", "guarded", "type-checking",
                                     "string"]},
                "chain": {"type": "array", "items": {"type": "string"}},
                "line": {"type": ["integer", "null"]},
                "target": {"type": ["string", "null"]},
            },
        }},
        "summary": {"type": "object",
                    "required": ["files", "imports", "errors", "warnings", "infos"]},
    },
}


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.output


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content))
    return root


def test_json_report_follows_the_contract() -> None:
    code, out = run("check", str(SAMPLES / "paas_flask_zeabur"), "--format", "json")
    report = json.loads(out)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert code == 1
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert {(f["rule"], f["module"], f["file"], f["line"]) for f in errors} == {
        ("missing-at-boot", "pymysql", "routes.py", 4)
    }
    assert {f["target"] for f in errors} == {"Dockerfile", "Dockerfile.zeabur"}
    zeabur = next(f for f in errors if f["target"] == "Dockerfile.zeabur")
    assert zeabur["chain"] == ["app.py", "routes.py"]
    assert zeabur["distribution"] == "PyMySQL"
    assert "requirements_zeabur.txt" in zeabur["message"]
    assert report["summary"]["errors"] == 2
    # deterministic: the same report twice
    assert run("check", str(SAMPLES / "paas_flask_zeabur"), "--format", "json")[1] == out


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_every_format_renders(fmt: str) -> None:
    code, out = run("check", str(SAMPLES / "paas_flask_zeabur"), "--format", fmt)
    assert code == 1
    assert "pymysql" in out
    if fmt in ("json", "sarif"):
        json.loads(out)
    if fmt == "github":
        # Named from the repository's root (this checkout), not from the audited folder.
        assert out.startswith("::error file=sample_projects/paas_flask_zeabur/routes.py,line=4,")


def test_exit_zero_and_clean_project() -> None:
    assert run("check", str(SAMPLES / "paas_flask_zeabur"), "--exit-zero")[0] == 0
    assert run("check", str(SAMPLES / "clean_app"))[0] == 0


def test_select_and_ignore() -> None:
    path = str(SAMPLES / "paas_flask_zeabur")
    assert run("check", path, "--ignore", "missing-at-boot")[0] == 0
    code, out = run("check", path, "--select", "unused", "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []


def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (
        ["check", str(tmp_path / "nope")],
        ["check", str(SAMPLES / "clean_app"), "--select", "no-such-rule"],
        ["check", str(SAMPLES / "clean_app"), "--python-version", "banana"],
        ["check", str(SAMPLES / "clean_app"), "--target", "nope"],
        ["check", str(SAMPLES / "clean_app"), "--config", str(tmp_path / "missing.toml")],
    ):
        proc = subprocess.run([sys.executable, "-m", "importaudit", *args], capture_output=True,
                              text=True, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert proc.stderr.startswith("importaudit: ") or proc.stderr.startswith("Usage"), proc.stderr


def test_invalid_config_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[tool.importaudit]\nignore = ['not-a-rule']\n"})
    code, _out = run("check", str(tmp_path))
    assert code == 2


def test_config_from_pyproject(tmp_path: Path) -> None:
    write(tmp_path, {
        "pyproject.toml": """
            [project]
            name = "demo"
            version = "1"
            dependencies = ["requests"]
            [tool.importaudit]
            module-map = {internal_sdk = "acme-internal-sdk"}
            exclude = ["legacy/**"]
            python-version = "3.12"
        """,
        "app.py": "import requests\nimport internal_sdk\n",
        "legacy/old.py": "import nowhere_to_be_found\n",
    })
    code, out = run("check", str(tmp_path), "--format", "json")
    report = json.loads(out)
    modules = {(f["module"], f["distribution"]) for f in report["findings"]}
    assert ("internal_sdk", "acme-internal-sdk") in modules
    assert not any(f["module"] == "nowhere_to_be_found" for f in report["findings"])
    assert report["targets"][0]["python"] == "3.12"
    assert code == 1


def test_inline_ignores(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "flask\n",
        "app.py": """
            import flask
            import yaml  # importaudit: ignore
            import toml  # importaudit: ignore[unused]
            import ujson  # importaudit: ignore[missing]
        """,
    })
    code, out = run("check", str(tmp_path), "--format", "json")
    found = {f["module"] for f in json.loads(out)["findings"]}
    assert found == {"toml"}
    assert code == 1


def test_no_color_and_color(tmp_path: Path) -> None:
    _code, out = run("check", str(SAMPLES / "paas_flask_zeabur"))
    assert "\033[" not in out  # not a terminal
    from importaudit.config import Config
    from importaudit.pipeline import run_audit
    from importaudit.report import render

    report = run_audit(SAMPLES / "paas_flask_zeabur", Config())
    assert "\033[31m" in render(report, "text", color=True)
    from importaudit.cli import _use_color

    class Tty:
        def isatty(self) -> bool:
            return True

    os.environ["NO_COLOR"] = "1"
    try:
        assert _use_color(Tty()) is False
    finally:
        del os.environ["NO_COLOR"]
    assert _use_color(Tty()) is True


BROKEN = {
    "requirements.txt": "flask\n-r extra.txt\n-r missing.txt\n!!! not a requirement\n",
    "extra.txt": "-r requirements.txt\nrequests\n",
    "pyproject.toml": "[project\nname = broken",
    "app.py": "import flask\nimport requests\n",
    "broken.py": "def f(:\n    pass\n",
    "binary.py": b"\x00\x01\x02\xff\xfe import os",
    "latin.py": "# no coding cookie\nname = 'caf\xe9'\n".encode("latin-1"),
    "notebook.ipynb": "{not json",
    "Dockerfile": b"\xff\xfe\x00garbage",
    "Procfile": "web gunicorn app:app\n::::\n",
}


def test_nothing_crashes_on_broken_files(tmp_path: Path) -> None:
    write(tmp_path, BROKEN)
    proc = subprocess.run([sys.executable, "-m", "importaudit", "check", str(tmp_path),
                           "--format", "json"], capture_output=True, text=True)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    by_file: dict[str, set[str]] = {}
    for f in report["findings"]:
        by_file.setdefault(f["file"], set()).add(f["rule"])
    assert "syntax-error" in by_file["broken.py"]
    assert "syntax-error" in by_file["binary.py"]
    assert "syntax-error" in by_file["latin.py"]
    # the broken requirement line, the include cycle and the missing include are warnings
    messages = " ".join(f["message"] for f in report["findings"])
    assert "missing.txt" in messages
    assert "pyproject.toml" in by_file
    # the rest of the audit went on: requests came through the include
    assert not any(f["module"] == "requests" and f["severity"] == "error" for f in report["findings"])


def test_python_m_and_script_are_the_same() -> None:
    proc = subprocess.run([sys.executable, "-m", "importaudit", "--version"], capture_output=True,
                          text=True)
    assert proc.returncode == 0 and "importaudit" in proc.stdout
    # The bundled table is named with its date and size.
    assert re.search(r"distribution table of \d{4}-\d\d-\d\d: \d+ distributions", proc.stdout)


def test_targets_command_lists_installs_and_entries() -> None:
    code, out = run("targets", str(SAMPLES / "paas_flask_zeabur"), "--format", "json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)["targets"]}
    assert set(rows) == {"Dockerfile", "Dockerfile.zeabur"}
    assert [i["spec"] for i in rows["Dockerfile.zeabur"]["installs"]] == [
        "requirements_zeabur.txt", "gunicorn==23.0.0"]
    assert "app:app" in [e["spec"] for e in rows["Dockerfile.zeabur"]["entries"]]
    code, text = run("targets", str(SAMPLES / "paas_flask_zeabur"))
    assert "requirements_zeabur.txt" in text and "Dockerfile.zeabur" in text


def test_entry_option_turns_the_project_target_into_a_boot_check(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "flask\n",
        "app.py": "import flask\nimport helpers\n",
        "helpers.py": "import markdown\n",
        "scripts/tool.py": "import tabulate\n",
    })
    _code, out = run("check", str(tmp_path), "--entry", "app:app", "--format", "json")
    report = json.loads(out)
    assert report["targets"][0]["verdict"] == "fails-at-boot"
    rules = {(f["module"], f["rule"], f["severity"]) for f in report["findings"]}
    assert ("markdown", "missing-at-boot", "error") in rules
    assert ("tabulate", "missing", "warning") in rules


def test_python_option_verifies_the_environment(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "click==0.1\nnot-there-at-all\n",
        "Procfile": "web: python app.py\n",
        "app.py": "import click\nimport not_there_at_all\n",
    })
    code, out = run("check", str(tmp_path), "--python", sys.executable, "--format", "json")
    found = {(f["rule"], f["module"]) for f in json.loads(out)["findings"]}
    assert ("version-conflict", "click") in found
    assert ("not-installed", "not_there_at_all") in found
    assert ("not-installed", "click") not in found
    assert code == 1


def test_version_conflict_is_an_error_when_the_boot_imports_it(tmp_path: Path) -> None:
    write(tmp_path, {
        "requirements.txt": "click==0.1\npyyaml==0.1\n",
        "Procfile": "web: python app.py\n",
        "app.py": "import click\n",
    })
    args = ["check", str(tmp_path), "--python", sys.executable, "--format", "json"]
    severity = {f["module"]: f["severity"] for f in json.loads(run(*args)[1])["findings"]
                if f["rule"] == "version-conflict"}
    assert severity == {"click": "error", "pyyaml": "warning"}  # the boot runs click, nothing imports yaml
    strict = {f["module"]: f["severity"] for f in json.loads(run(*args, "--strict")[1])["findings"]
              if f["rule"] == "version-conflict"}
    assert strict == {"click": "error", "pyyaml": "error"}
    assert run("check", str(tmp_path), "--python", sys.executable, "--ignore", "version-conflict")[0] == 0
