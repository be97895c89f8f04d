"""report/*: the JSON contract, text grouping and color, SARIF structure, GitHub escaping."""

from __future__ import annotations

import json
from typing import Any, Optional

import jsonschema
import pytest

from importaudit.model import (
    Context,
    Entry,
    Finding,
    Install,
    InstallKind,
    Report,
    Rule,
    Severity,
    SourceWarning,
    Target,
    TargetResult,
)
from importaudit.report import github, json_format, render, sarif, text


def finding(
    rule: Rule = Rule.MISSING_AT_BOOT,
    severity: Severity = Severity.ERROR,
    module: str = "pymysql",
    target: Optional[str] = "Dockerfile",
    file: Optional[str] = "app.py",
    line: Optional[int] = 3,
    message: str = "app.py:3 imports pymysql at boot, but Dockerfile installs nothing that provides it",
    context: Context = Context.BOOT,
    chain: tuple[str, ...] = ("app.py",),
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        module=module,
        message=message,
        context=context,
        target=target,
        file=file,
        line=line,
        distribution="PyMySQL" if module == "pymysql" else None,
        chain=chain,
        fix="add PyMySQL to requirements.txt",
        provider_source="table",
    )


def result(name: str, verdict: str = "boots", implicit: bool = False) -> TargetResult:
    kind = "project" if implicit else ("procfile" if name.startswith("Procfile") else "dockerfile")
    target = Target(
        name=name,
        kind=kind,
        file=None if implicit else name.split(":")[0],
        line=0 if implicit else 4,
        python="3.11",
        python_source="FROM python:3.11-slim",
        installs=(Install(InstallKind.REQUIREMENTS, "requirements.txt"), Install(InstallKind.PACKAGE, "gunicorn")),
        entries=(Entry(module="app", attr="app", via="gunicorn"),),
        commands=("gunicorn app:app",),
        implicit=implicit,
    )
    return TargetResult(target=target, verdict=verdict, reason="" if verdict == "boots" else "app.py fails")


FINDINGS = (
    finding(target="Procfile:web", file="b.py", line=9, module="zlib_ng"),
    finding(target="Procfile:web", file="a.py", line=20, module="requests", rule=Rule.TRANSITIVE,
            severity=Severity.WARNING),
    finding(target="Dockerfile", file="a.py", line=2, module="yaml"),
    finding(target="Dockerfile", file="a.py", line=2, module="attr"),
    finding(target=None, file="requirements.txt", line=4, module="requests", rule=Rule.UNUSED,
            severity=Severity.WARNING, context=Context.MODULE, chain=()),
    finding(target="Dockerfile", file="a.py", line=1, module="x", rule=Rule.MISSING, severity=Severity.INFO,
            context=Context.GUARDED, chain=()),
)

REPORT = Report(
    root=".",
    targets=(result("Procfile:web", "fails-at-boot"), result("Dockerfile", "fails-at-boot")),
    findings=FINDINGS,
    files=12,
    imports=40,
    warnings=(SourceWarning("setup.py", 7, "cannot evaluate install_requires"),),
)


# ---------------------------------------------------------------------------------------------
# JSON


def in_order(keys: list[str], required: list[str]) -> bool:
    """Every required key present, in the contract's relative order (extra keys may sit between)."""
    positions = [keys.index(k) for k in required if k in keys]
    return len(positions) == len(required) and positions == sorted(positions)


def test_json_top_level_contract() -> None:
    doc = json.loads(json_format.render(REPORT))
    assert list(doc) == ["schema", "tool", "root", "targets", "findings", "summary"]
    assert doc["schema"] == 1
    assert doc["tool"] == {"name": "importaudit", "version": "0.1.0"}
    assert doc["root"] == "."
    assert doc["summary"] == {"files": 12, "imports": 40, "errors": 3, "warnings": 2, "infos": 1, "causes": 6}


def test_json_target_fields() -> None:
    doc = json.loads(json_format.render(REPORT))
    assert [t["name"] for t in doc["targets"]] == ["Dockerfile", "Procfile:web"]  # by name
    first = doc["targets"][0]
    assert in_order(list(first), ["name", "kind", "file", "python", "installs", "entries", "verdict"])
    assert first["kind"] == "dockerfile"
    assert first["installs"] == ["requirements.txt", "gunicorn"]
    assert first["entries"] == ["app:app"]
    assert first["verdict"] == "fails-at-boot"


FINDING_FIELDS = ["rule", "severity", "module", "distribution", "target", "file", "line", "context", "chain",
                  "message"]


def test_json_finding_fields_and_order() -> None:
    doc = json.loads(json_format.render(REPORT))
    for item in doc["findings"]:
        assert in_order(list(item), FINDING_FIELDS)
    order = [(f["target"], f["file"], f["line"], f["module"]) for f in doc["findings"]]
    assert order == [
        (None, "requirements.txt", 4, "requests"),
        ("Dockerfile", "a.py", 1, "x"),
        ("Dockerfile", "a.py", 2, "attr"),
        ("Dockerfile", "a.py", 2, "yaml"),
        ("Procfile:web", "a.py", 20, "requests"),
        ("Procfile:web", "b.py", 9, "zlib_ng"),
    ]
    pymysql = finding()
    assert json_format.finding_dict(pymysql) == {
        "rule": "missing-at-boot",
        "severity": "error",
        "module": "pymysql",
        "distribution": "PyMySQL",
        "target": "Dockerfile",
        "file": "app.py",
        "line": 3,
        "context": "boot",
        "chain": ["app.py"],
        "message": pymysql.message,
        "fix": "add PyMySQL to requirements.txt",
        "decided_by": "table",
        "unknown": [],
        "candidates": [],
    }


@pytest.mark.parametrize("shuffle", [0, 1, 2, 3, 4, 5])
def test_json_is_deterministic_whatever_the_input_order(shuffle: int) -> None:
    rotated = FINDINGS[shuffle:] + FINDINGS[:shuffle]
    report = Report(root=".", targets=tuple(reversed(REPORT.targets)), findings=rotated, files=12, imports=40)
    baseline = Report(root=".", targets=REPORT.targets, findings=FINDINGS, files=12, imports=40)
    assert json_format.render(report) == json_format.render(baseline)


# ---------------------------------------------------------------------------------------------
# text


@pytest.mark.parametrize(("color", "has_escape"), [(False, False), (True, True)])
def test_text_color_only_when_asked(color: bool, has_escape: bool) -> None:
    out = text.render(REPORT, color=color)
    assert ("\033[" in out) is has_escape
    assert render(REPORT, "text", color=color) == out


def test_text_default_has_no_color() -> None:
    assert "\033[" not in render(REPORT, "text")


def test_text_sections_and_summary() -> None:
    out = text.render(REPORT, color=False)
    lines = out.splitlines()
    assert lines[0] == "Targets"
    assert lines.index("project") < lines.index("Dockerfile") < lines.index("Procfile:web")
    assert "  setup.py:7: cannot evaluate install_requires" in lines
    assert lines[-1] == "12 files, 40 imports: 3 errors, 2 warnings, 1 info"
    assert any("FAILS AT BOOT" in line for line in lines)


def _same_cause(places: list[tuple[str, int]], rule: Rule = Rule.MISSING_AT_BOOT) -> Report:
    findings = tuple(
        finding(rule=rule, file=file, line=line, module="pymysql", message=f"{file}:{line} imports pymysql")
        for file, line in places
    )
    return Report(root=".", targets=(result("Dockerfile", "fails-at-boot"),), findings=findings)


@pytest.mark.parametrize(
    ("places", "also"),
    [
        pytest.param([("a.py", 1)], None, id="single"),
        pytest.param([("a.py", 1), ("b.py", 2)], "also at b.py:2", id="two"),
        pytest.param([("c.py", 5), ("a.py", 1), ("b.py", 2)], "also at b.py:2, c.py:5", id="sorted"),
        pytest.param(
            [(f"m{i}.py", i) for i in range(1, 10)],
            "also at m2.py:2, m3.py:3, m4.py:4, m5.py:5, m6.py:6, m7.py:7 and 2 more",
            id="capped",
        ),
    ],
)
def test_text_groups_the_same_cause(places: list[tuple[str, int]], also: Optional[str]) -> None:
    out = text.render(_same_cause(places), color=False)
    first = sorted(places)[0]
    assert out.count("missing-at-boot") == 1
    assert f"{first[0]}:{first[1]}  pymysql" in out
    also_lines = [line.strip() for line in out.splitlines() if "also at" in line]
    assert also_lines == ([also] if also else [])


def test_text_per_place_rules_are_not_grouped() -> None:
    out = text.render(_same_cause([("requirements.txt", 1), ("requirements/prod.txt", 2)], Rule.UNUSED))
    assert out.count("unused") == 2
    assert "also at" not in out


def test_text_different_severity_is_a_different_group() -> None:
    findings = (
        finding(file="a.py", line=1, severity=Severity.ERROR),
        finding(file="b.py", line=1, severity=Severity.WARNING),
    )
    out = text.render(Report(root=".", targets=(), findings=findings))
    assert out.count("missing-at-boot") == 2
    assert "also at" not in out


# ---------------------------------------------------------------------------------------------
# SARIF

SARIF_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {"id": {"type": "string"}},
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {
                                    "type": "object",
                                    "required": ["text"],
                                    "properties": {"text": {"type": "string"}},
                                },
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {"uri": {"type": "string"}},
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "required": ["startLine"],
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1}
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_sarif_validates_and_every_result_names_a_known_rule() -> None:
    doc = json.loads(sarif.render(REPORT))
    jsonschema.validate(doc, SARIF_SCHEMA)
    rule_ids = [r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(rule_ids)
    assert {"missing-at-boot", "missing", "missing-at-request", "transitive", "dev-only", "unused",
            "stdlib-removed", "syntax-error", "not-installed", "version-conflict"} <= set(rule_ids)
    results = doc["runs"][0]["results"]
    assert len(results) == len(FINDINGS)
    assert all(r["ruleId"] in rule_ids for r in results)


@pytest.mark.parametrize(
    ("severity", "level"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "note")],
)
def test_sarif_levels(severity: Severity, level: str) -> None:
    doc = json.loads(sarif.render(Report(root=".", targets=(), findings=(finding(severity=severity),))))
    assert doc["runs"][0]["results"][0]["level"] == level


@pytest.mark.parametrize(
    ("file", "line", "location"),
    [
        ("app.py", 3, [{"physicalLocation": {"artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                                             "region": {"startLine": 3}}}]),
        ("Dockerfile", None, [{"physicalLocation": {"artifactLocation": {"uri": "Dockerfile",
                                                                         "uriBaseId": "%SRCROOT%"}}}]),
        (None, None, None),
    ],
)
def test_sarif_locations(file: Optional[str], line: Optional[int], location: Optional[list[Any]]) -> None:
    doc = json.loads(sarif.render(Report(root=".", targets=(), findings=(finding(file=file, line=line),))))
    got = doc["runs"][0]["results"][0]
    jsonschema.validate(doc, SARIF_SCHEMA)
    assert got.get("locations") == location


def test_sarif_with_no_findings_is_valid() -> None:
    doc = json.loads(render(Report(root=".", targets=(), findings=()), "sarif"))
    jsonschema.validate(doc, SARIF_SCHEMA)
    assert doc["runs"][0]["results"] == []


# ---------------------------------------------------------------------------------------------
# GitHub workflow commands


@pytest.mark.parametrize(
    ("item", "line"),
    [
        pytest.param(
            finding(message="100% sure\nsecond line\r\nthird: a, b"),
            "::error file=app.py,line=3,title=importaudit missing-at-boot (Dockerfile)::"
            "100%25 sure%0Asecond line%0D%0Athird: a, b",
            id="message-escapes-percent-and-newlines-only",
        ),
        pytest.param(
            finding(file="src/a,b:c.py", line=7, target="Procfile:web", message="m"),
            "::error file=src/a%2Cb%3Ac.py,line=7,title=importaudit missing-at-boot (Procfile%3Aweb)::m",
            id="properties-escape-colon-and-comma",
        ),
        pytest.param(
            finding(file="50%.py", line=None, target=None, severity=Severity.WARNING, message="m"),
            "::warning file=50%25.py,title=importaudit missing-at-boot::m",
            id="no-line-no-target",
        ),
        pytest.param(
            finding(file=None, line=None, severity=Severity.INFO, message="m"),
            "::notice title=importaudit missing-at-boot (Dockerfile)::m",
            id="no-file-notice",
        ),
    ],
)
def test_github_annotation(item: Finding, line: str) -> None:
    out = github.render(Report(root=".", targets=(), findings=(item,))).splitlines()
    assert out[0] == line
    assert len(out) == 2


def test_github_summary_and_order() -> None:
    out = github.render(REPORT).splitlines()
    assert out[-1] == "importaudit: 3 errors, 2 warnings, 1 info"
    assert len(out) == len(FINDINGS) + 1
    # errors first, then by file and line: what fails the deploy leads
    assert out[0].startswith("::error file=a.py,line=2,title=importaudit missing-at-boot (Dockerfile)::")
    assert "file=b.py,line=9" in out[2]
    assert out[3].startswith("::warning file=a.py,line=20,")
    assert out[-2].startswith("::notice file=a.py,line=1,")
