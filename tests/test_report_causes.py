"""One finding per cause: grouping, fingerprints, quiet summaries, repo-root paths, SARIF 2.1.0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import jsonschema
import pytest

from importaudit.model import Context, Finding, Report, Rule, Severity
from importaudit.report import github, json_format, markdown, sarif, text
from importaudit.report.causes import Options, causes, statement_text
from importaudit.report.location import repo_prefix

SCHEMA = json.loads((Path(__file__).parent / "fixtures" / "sarif-schema-2.1.0.json").read_text())


def sarif_validate(doc: dict[str, Any]) -> None:
    """The official OASIS SARIF 2.1.0 schema (errata 01), shipped in tests/fixtures."""
    jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)


def finding(
    target: Optional[str] = "Dockerfile",
    file: str = "app/cache.py",
    line: int = 3,
    module: str = "redis",
    rule: Rule = Rule.MISSING_AT_BOOT,
    severity: Severity = Severity.ERROR,
    context: Context = Context.BOOT,
    fix: str = "add redis to requirements.txt",
    distribution: Optional[str] = None,
) -> Finding:
    return Finding(
        rule=rule, severity=severity, module=module, context=context, target=target, file=file, line=line,
        message=f"{file}:{line} imports {module}, but {target} installs nothing that provides it", fix=fix,
        distribution=distribution,
    )


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    return tmp_path


def report(*found: Finding) -> Report:
    return Report(root=".", targets=(), findings=found)


# ---------------------------------------------------------------------------------------------
# causes and fingerprints


def test_one_cause_for_every_target_it_affects(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/cache.py": "import os\n\nimport redis\n"})
    rep = report(
        finding("Dockerfile"), finding("compose.yml:api", fix="add redis to api.txt"), finding("Procfile:web")
    )
    found = causes(rep, Options(root=root))
    assert len(found) == 1
    assert found[0].targets == ("Dockerfile", "Procfile:web", "compose.yml:api")
    message = found[0].message()
    assert "also for Procfile:web, compose.yml:api" in message
    assert "compose.yml:api: add redis to api.txt" in message  # a different fix is kept, once
    out = text.render(rep, options=Options(root=root))
    assert out.count("missing-at-boot") == 1
    assert "Dockerfile, Procfile:web, compose.yml:api" in out.splitlines()
    assert len([line for line in github.render(rep).splitlines() if line.startswith("::")]) == 1
    results = json.loads(sarif.render(rep, Options(root=root)))["runs"][0]["results"]
    assert len(results) == 1 and results[0]["properties"]["targets"] == list(found[0].targets)
    findings = json.loads(json_format.render(rep, Options(root=root)))["findings"]
    assert len(findings) == 3 and len({f["fingerprint"] for f in findings}) == 1


def _print(tmp_path: Path, source: str, line: int, module: str = "redis") -> str:
    root = project(tmp_path, {"app/cache.py": source})
    return causes(report(finding(line=line, module=module)), Options(root=root))[0].fingerprint


def test_fingerprint_follows_the_statement_not_the_line(tmp_path: Path) -> None:
    before = _print(tmp_path / "a", "import redis\n", 1)
    moved = _print(tmp_path / "b", '"""Doc."""\n\nimport os\n\n\nimport redis\n', 6)
    assert before == moved
    assert _print(tmp_path / "c", "import redis.client\n", 1) != before  # another statement
    assert _print(tmp_path / "d", "import redis\n", 1, module="other") != before  # another module


def test_two_copies_of_one_statement_are_two_causes(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/cache.py": "def a():\n    import redis\n\ndef b():\n    import redis\n"})
    found = causes(report(finding(line=2), finding(line=5)), Options(root=root))
    assert len({c.fingerprint for c in found}) == 2


def test_fingerprint_is_deterministic_without_the_source(tmp_path: Path) -> None:
    one = causes(report(finding()), Options(root=tmp_path))[0].fingerprint
    assert one == causes(report(finding()), Options(root=None))[0].fingerprint


@pytest.mark.parametrize(
    ("source", "line", "text"),
    [
        ("import redis  # cache\n", 1, "import redis"),
        ("from a import (\n    b,\n    c,\n)\nx = 1\n", 1, "from a import ( b, c, )"),
        ("from a import b, \\\n    c\n", 1, "from a import b, c"),
        ("x = 1\n", 5, ""),
    ],
)
def test_statement_text(source: str, line: int, text: str) -> None:
    assert statement_text(source.splitlines(), line) == text


# ---------------------------------------------------------------------------------------------
# quiet by default


def _unreached(file: str, module: str, target: str = "Dockerfile") -> Finding:
    return finding(target, file=file, module=module, rule=Rule.MISSING, severity=Severity.WARNING,
                   context=Context.MODULE)


NOISY = report(
    finding(),
    _unreached("scripts/a.py", "pandas"),
    _unreached("scripts/b.py", "numpy"),
    _unreached("scripts/b.py", "numpy", target="Procfile:web"),
    _unreached("tools/x/y/z.py", "boto3"),
    *(finding(file=f"app/m{i}.py", line=i, module="requests", rule=Rule.TRANSITIVE, severity=Severity.WARNING,
              context=Context.BOOT, distribution="requests") for i in range(1, 5)),
)


def test_text_summarises_code_no_target_runs_and_verbose_lists_it() -> None:
    out = text.render(NOISY)
    assert "scripts/: 2 imports of 2 modules (numpy, pandas) in 2 files that no deploy target runs" in out
    assert "tools/x/: 1 import of 1 module (boto3)" in out
    assert "scripts/a.py" not in out
    verbose = text.render(NOISY, options=Options(verbose=True))
    assert "scripts/a.py:3" in verbose and "tools/x/y/z.py:3" in verbose
    assert verbose.count("transitive") == 4


def test_annotations_summarise_and_group_transitive_per_distribution() -> None:
    lines = [line for line in github.render(NOISY).splitlines() if line.startswith("::")]
    assert sum(line.startswith("::error ") for line in lines) == 1
    transitive = [line for line in lines if "importaudit transitive" in line]
    assert len(transitive) == 1 and "Also at app/m2.py:2, app/m3.py:3, app/m4.py:4" in transitive[0]
    folders = [line for line in lines if "no deploy target runs" in line]
    assert len(folders) == 2 and all("file=" not in line for line in folders)
    verbose = [line for line in github.render(NOISY, Options(verbose=True)).splitlines() if line.startswith("::")]
    assert len(verbose) == 8  # every cause: 1 error, 3 unreached, 4 transitive


def test_errors_are_never_summarised() -> None:
    error = finding(file="scripts/run.py", rule=Rule.MISSING, context=Context.MODULE)
    lines = github.render(report(error)).splitlines()
    assert lines[0].startswith("::error file=scripts/run.py,line=3,")


def test_json_keeps_every_finding() -> None:
    doc = json.loads(json_format.render(NOISY))
    assert len(doc["findings"]) == len(NOISY.findings)
    assert doc["summary"]["causes"] == len(NOISY.findings) - 1


# ---------------------------------------------------------------------------------------------
# paths from the repository root


def test_repo_prefix_from_git_or_the_workspace(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    service = tmp_path / "services" / "api"
    service.mkdir(parents=True)
    assert repo_prefix(service, {}) == "services/api"
    assert repo_prefix(tmp_path, {}) == ""
    assert repo_prefix(service, {"GITHUB_WORKSPACE": str(tmp_path / "services")}) == "api"
    outside = tmp_path.parent / (tmp_path.name + "-other")
    outside.mkdir()
    assert repo_prefix(outside, {"GITHUB_WORKSPACE": str(tmp_path)}) == repo_prefix(outside, {})


def test_annotations_and_sarif_name_files_from_the_root() -> None:
    rep = report(finding(file="app/a b%,c.py"))
    view = Options(prefix="services/api")
    assert github.render(rep, view).startswith("::error file=services/api/app/a b%25%2Cc.py,line=3,")
    doc = json.loads(sarif.render(rep, view))
    sarif_validate(doc)
    location = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "services/api/app/a%20b%25%2Cc.py", "uriBaseId": "%SRCROOT%"}
    assert "%SRCROOT%" in doc["runs"][0]["originalUriBaseIds"]
    assert "`services/api/app/a b%,c.py:3`" in markdown.render(rep, view)


# ---------------------------------------------------------------------------------------------
# SARIF against the official schema


def test_sarif_is_valid_2_1_0_with_partial_fingerprints(tmp_path: Path) -> None:
    root = project(tmp_path, {"app/cache.py": "import os\nimport json\nimport redis\n"})
    doc = json.loads(sarif.render(NOISY, Options(root=root)))
    sarif_validate(doc)
    results = doc["runs"][0]["results"]
    assert len(results) == len(NOISY.findings) - 1  # one per cause, none summarised away
    prints = [r["partialFingerprints"]["importaudit/v1"] for r in results]
    assert len(set(prints)) == len(prints)


def test_sarif_schema_rejects_what_is_not_sarif() -> None:
    doc = json.loads(sarif.render(NOISY))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validate(doc)


# ---------------------------------------------------------------------------------------------
# markdown job summary


def test_markdown_has_a_verdict_table_and_each_cause_once() -> None:
    from tests.test_report_formats import result

    rep = Report(root=".", targets=(result("Dockerfile", "fails-at-boot"), result("Procfile:web")),
                 findings=(finding("Dockerfile"), finding("Procfile:web"), *NOISY.findings[1:]), files=3)
    out = markdown.render(rep)
    assert "| `Dockerfile` | ❌ fails at boot | 3.11 | gunicorn app:app | app.py fails |" in out
    assert "| `Procfile:web` | ✅ boots |" in out
    assert out.count("**missing-at-boot**") == 1
    assert "*`Dockerfile`, `Procfile:web`*" in out
    assert out.index("### Errors") < out.index("### Warnings")
    assert "code no deploy target runs" in out


def _disagree(name: str, line: int) -> Finding:
    return Finding(
        rule=Rule.CONFIG, severity=Severity.WARNING, module=name, context=Context.MODULE, file="pyproject.toml",
        line=line, message=f"{name} is in pyproject.toml but not in requirements.txt: the two sources disagree",
    )


def test_one_statement_about_many_names_is_one_annotation() -> None:
    rep = report(*(_disagree(name, i) for i, name in enumerate(["flask", "werkzeug", "jinja2"], 9)),
                 Finding(rule=Rule.CONFIG, severity=Severity.WARNING, module="python", context=Context.MODULE,
                         file="pyproject.toml", line=3, message="requires-python excludes the target's Python"))
    lines = [line for line in github.render(rep).splitlines() if line.startswith("::")]
    assert len(lines) == 2
    grouped = next(line for line in lines if "flask" in line)
    assert "Also at werkzeug (pyproject.toml:10), jinja2 (pyproject.toml:11)" in grouped
    assert text.render(rep).count("is in pyproject.toml but not in requirements.txt") == 1
    assert len([x for x in github.render(rep, Options(verbose=True)).splitlines() if x.startswith("::")]) == 4


def test_a_setting_string_in_a_file_no_entry_reaches_is_summarised_too() -> None:
    string = finding(file="site/settings.py", module="django.contrib.admin", rule=Rule.MISSING,
                     severity=Severity.WARNING, context=Context.STRING)
    at_boot = finding(file="site/settings.py", line=4, module="django.contrib.auth", severity=Severity.WARNING,
                      context=Context.STRING)
    out = github.render(report(string, at_boot))
    assert "site/: 1 import of 1 module (django.contrib.admin)" in out
    assert "file=site/settings.py,line=4," in out  # reached at boot: still its own annotation
