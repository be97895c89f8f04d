"""Formatters of a Report: pure functions returning a string, one module per format."""

from __future__ import annotations

from typing import Callable

from importaudit.model import Report
from importaudit.report import github, json_format, sarif, text

FORMATTERS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
}


def render(report: Report, fmt: str, *, color: bool = False) -> str:
    if fmt == "text":
        return text.render(report, color=color)
    return FORMATTERS[fmt](report)
