"""SARIF 2.1.0 for code-scanning uploads: one result per cause, URIs from the repository root."""

from __future__ import annotations

import json
from typing import Any, Optional
from urllib.parse import quote

from importaudit.judge.rules import RULE_DOCS
from importaudit.model import Report, Severity
from importaudit.report.causes import Options, causes

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# The checkout's root: code scanning resolves relative URIs against it.
BASE_ID = "%SRCROOT%"
FINGERPRINT_KEY = "importaudit/v1"


def uri(path: str) -> str:
    """A repository path as a relative URI reference: each segment percent-encoded, `/` kept."""
    return quote(path, safe="/")


def _artifact(path: str) -> dict[str, str]:
    """A repository path relative to the checkout; an absolute one (a descriptor outside the
    project, --dockerfile /tmp/x/Dockerfile) as a file: URI of its own."""
    if path.startswith("/"):
        return {"uri": "file://" + uri(path)}
    return {"uri": uri(path), "uriBaseId": BASE_ID}


def render(report: Report, options: Optional[Options] = None) -> str:
    options = options or Options()
    rules = [
        {"id": rule.value, "name": rule.value, "shortDescription": {"text": doc}}
        for rule, doc in sorted(RULE_DOCS.items(), key=lambda item: item[0].value)
    ]
    results: list[dict[str, Any]] = []
    # Every cause is its own result, even those the text report summarises: code scanning
    # keeps its own alert list, and a summary has no place in a file to point at.
    for cause in causes(report, options):
        finding = cause.first
        result: dict[str, Any] = {
            "ruleId": finding.rule.value,
            "level": _LEVEL[cause.severity],
            "message": {"text": cause.message()},
            "partialFingerprints": {FINGERPRINT_KEY: cause.fingerprint},
            "properties": {
                "module": finding.module,
                "distribution": finding.distribution,
                "targets": list(cause.targets),
                "context": finding.context.value,
                "chain": list(finding.chain),
            },
        }
        if finding.file:
            location: dict[str, Any] = {
                "artifactLocation": _artifact(options.repo_path(finding.file))
            }
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
                "originalUriBaseIds": {
                    BASE_ID: {"description": {"text": "The root of the repository (the checkout)"}}
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
