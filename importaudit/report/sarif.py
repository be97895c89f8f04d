"""SARIF 2.1.0, for code-scanning uploads."""

from __future__ import annotations

import json
from typing import Any

from importaudit.judge.rules import RULE_DOCS
from importaudit.model import Report, Severity
from importaudit.report.common import sorted_findings

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report) -> str:
    rules = [
        {"id": rule.value, "shortDescription": {"text": doc}}
        for rule, doc in sorted(RULE_DOCS.items(), key=lambda item: item[0].value)
    ]
    results: list[dict[str, Any]] = []
    for finding in sorted_findings(report):
        result: dict[str, Any] = {
            "ruleId": finding.rule.value,
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "properties": {
                "module": finding.module,
                "distribution": finding.distribution,
                "target": finding.target,
                "context": finding.context.value,
                "chain": list(finding.chain),
            },
        }
        if finding.file:
            location: dict[str, Any] = {"artifactLocation": {"uri": finding.file}}
            if finding.line:
                location["region"] = {"startLine": finding.line}
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "importaudit",
                        "version": report.version,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
