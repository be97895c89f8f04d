"""Formatters of a Report: pure functions returning a string, one module per format."""

from __future__ import annotations

from typing import Callable, Optional

from importaudit.model import Report
from importaudit.report import github, json_format, markdown, sarif, text
from importaudit.report.causes import Options

FORMATTERS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
    "markdown": markdown.render,
}


def render(report: Report, fmt: str, *, color: bool = False, options: Optional[Options] = None) -> str:
    if fmt == "text":
        return text.render(report, color=color, options=options)
    return FORMATTERS[fmt](report, options)
