"""setup.cfg: `install_requires`, `[options.extras_require]`, `python_requires` (configparser)."""

from __future__ import annotations

import configparser
from pathlib import Path

from packaging.utils import canonicalize_name

from importaudit.model import Requirement, SourceWarning
from importaudit.requirements.common import (
    LineFinder,
    is_dev_name,
)
from importaudit.requirements.declaration import DeclarationBuilder


def _values(raw: str) -> list[str]:
    """A multi-line cfg value -> its requirement strings (comments and `;`-only lines dropped)."""
    out: list[str] = []
    for piece in raw.replace("\r", "").split("\n"):
        text = piece.split(" #", 1)[0].strip()
        if text and not text.startswith("#"):
            out.append(text)
    return out


def _requirements(
    root: Path,
    raw: str,
    section: str,
    finder: LineFinder,
    builder: DeclarationBuilder,
    source: str,
    group: str,
    dev: bool,
) -> list[Requirement]:
    if raw.strip().startswith("file:"):
        names = [name.strip() for name in raw.strip()[len("file:") :].split(",")]
        return builder.read_requirement_files(root, names, group, dev)
    return builder.parse_requirements(
        ((text, finder.find(section, text)) for text in _values(raw)), source, group, dev
    )


def read_setup_cfg(root: Path, builder: DeclarationBuilder) -> None:
    """Fill what is still undeclared from the directory's setup.cfg, if it has one."""
    opened = builder.read_file(root, "setup.cfg")
    if opened is None:
        return
    source, text = opened
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=source)
    except configparser.Error as exc:
        errors = getattr(exc, "errors", None)
        line = getattr(exc, "lineno", None) or (errors[0][0] if errors else 1)
        message = str(getattr(exc, "message", exc)).splitlines()[0]
        builder.warnings.append(SourceWarning(source, line, f"invalid setup.cfg: {message}"))
        return
    finder = LineFinder(text)
    if parser.has_option("metadata", "name") and not builder.name:
        builder.name = canonicalize_name(parser.get("metadata", "name").strip())
    if not parser.has_section("options") and not parser.has_section("options.extras_require"):
        return
    builder.has_metadata = True
    if parser.has_option("options", "python_requires") and builder.requires_python is None:
        builder.requires_python = parser.get("options", "python_requires").strip() or None
    if parser.has_option("options", "install_requires") and not builder.main_declared:
        raw = parser.get("options", "install_requires")
        builder.main.extend(
            _requirements(root, raw, "options", finder, builder, source, "main", False)
        )
        builder.main_declared = True
    if parser.has_section("options.extras_require") and not builder.extras:
        for extra in parser.options("options.extras_require"):
            raw = parser.get("options.extras_require", extra)
            dev = is_dev_name(extra)
            builder.extras.setdefault(extra, []).extend(
                _requirements(
                    root,
                    raw,
                    "options.extras_require",
                    finder,
                    builder,
                    source,
                    f"extra:{extra}",
                    dev,
                )
            )
