"""conda environment.yml: conda packages (group "conda") and the pip section."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from importaudit.requirements.conda import read_environment

ENV = """
    name: app
    channels:
      - conda-forge
    dependencies:
      - python=3.11
      - numpy=1.26
      - conda-forge::pandas>=2
      - scikit-learn 1.3 py311_0
      - pip
      - pip:
          - flask==3.0
          - -r requirements-extra.txt
          - --index-url https://example.com
"""


def test_environment_yml(tmp_path: Path) -> None:
    (tmp_path / "environment.yml").write_text(textwrap.dedent(ENV).lstrip(), encoding="utf-8")
    (tmp_path / "requirements-extra.txt").write_text("redis\n", encoding="utf-8")
    rs = read_environment(tmp_path, "environment.yml")
    got = [(r.key, r.specifier, r.group, r.source, r.line) for r in rs.requirements]
    assert got == [
        ("numpy", "==1.26.*", "conda", "environment.yml", 6),
        ("pandas", ">=2", "conda", "environment.yml", 7),
        ("scikit-learn", "==1.3.*", "conda", "environment.yml", 8),
        ("flask", "==3.0", "main", "environment.yml", 11),
        ("redis", "", "main", "requirements-extra.txt", 1),
    ]
    assert rs.requires_python == "==3.11.*"
    assert rs.includes == ("requirements-extra.txt",)
    assert (rs.kind, rs.dev, rs.warnings) == ("conda", False, ())


@pytest.mark.parametrize(
    ("text", "line"),
    [("dependencies:\n  - numpy\n  - [unclosed\n", 4), ("a: b: c\n", 1)],
)
def test_environment_invalid_yaml(tmp_path: Path, text: str, line: int) -> None:
    (tmp_path / "environment.yml").write_text(text, encoding="utf-8")
    rs = read_environment(tmp_path, "environment.yml")
    assert rs.requirements == ()
    assert [(w.file, w.line) for w in rs.warnings] == [("environment.yml", line)]


def test_environment_dev_by_name(tmp_path: Path) -> None:
    (tmp_path / "environment-dev.yml").write_text("dependencies:\n  - pytest\n", encoding="utf-8")
    rs = read_environment(tmp_path, "environment-dev.yml")
    assert rs.dev is True
    assert [(r.key, r.dev) for r in rs.requirements] == [("pytest", True)]
