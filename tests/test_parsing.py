"""parsing.parse_all and LazyTrees: one parse per file, inline or in a pool, trees kept or re-read."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from importaudit.model import ParsedFile
from importaudit.source import parsing
from importaudit.source.discover import SourceRef, discover
from importaudit.source.imports import parse_source
from importaudit.source.syntax import parse_python

PROJECT = {
    "app.py": "import flask\nfrom helpers import util\n",
    "helpers/__init__.py": "",
    "helpers/util.py": "import requests\n\ndef f():\n    import yaml\n",
    "plain.py": "import json\nX = 1\n",
    "mysite/settings.py": "INSTALLED_APPS = ['rest_framework']\n",
    "uses_django.py": "from django.conf import settings\n",
    "bad.py": "def broken(:\n    pass\n",
    "tests/test_app.py": "import pytest\n",
}
GOOD = sorted(p for p in PROJECT if p != "bad.py")


def write(root: Path, files: dict[str, str]) -> list[SourceRef]:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(textwrap.dedent(text))
    return list(discover(root).sources)


class Counter:
    """Counts the re-parses LazyTrees makes (through the real parse_python)."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, data: bytes, path: str) -> tuple[Optional[ast.Module], object]:
        self.paths.append(path)
        return parse_python(data, path)


def run(
    root: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool
) -> tuple[dict[str, ParsedFile], parsing.LazyTrees, Counter]:
    refs = write(root, PROJECT)
    if pooled:
        monkeypatch.setattr(parsing, "POOL_THRESHOLD", 2)
    parsed, trees, warnings = parsing.parse_all(root, refs, workers=2 if pooled else 1)
    assert warnings == []
    counter = Counter()
    monkeypatch.setattr(parsing, "parse_python", counter)
    return parsed, trees, counter


@pytest.mark.parametrize("pooled", [False, True], ids=["sequential", "pool"])
def test_every_file_parsed_once_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool
) -> None:
    parsed, _, _ = run(tmp_path, monkeypatch, pooled)
    assert sorted(parsed) == sorted(PROJECT)
    for path, text in PROJECT.items():
        ref = next(r for r in discover(tmp_path).sources if r.path == path)
        _, expected = parse_source(text, path, ref.module, ref.is_package, is_test=ref.is_test)
        if ref.is_test:  # a test file: its imports alone, read by the fast scan
            assert parsed[path] == ParsedFile(path=path, module=ref.module, is_package=ref.is_package,
                                              imports=expected.imports, is_test=True, partial=True)
        else:
            assert parsed[path] == expected
    assert parsed["bad.py"].syntax_error is not None
    assert parsed["tests/test_app.py"].is_test


@pytest.mark.parametrize("pooled", [False, True], ids=["sequential", "pool"])
def test_syntax_error_file_has_no_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled: bool) -> None:
    _, trees, counter = run(tmp_path, monkeypatch, pooled)
    assert "bad.py" not in trees
    with pytest.raises(KeyError):
        trees["bad.py"]
    with pytest.raises(KeyError):
        trees["no/such/file.py"]
    assert sorted(trees) == GOOD
    assert len(trees) == len(GOOD)
    assert counter.paths == []


def test_sequential_keeps_every_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, trees, counter = run(tmp_path, monkeypatch, pooled=False)
    for path in GOOD:
        tree = trees[path]
        assert isinstance(tree, ast.Module)
        assert trees[path] is tree
    # nothing parsed twice; the test file was never parsed (its imports came from the fast scan)
    assert counter.paths == ["tests/test_app.py"]


@pytest.mark.parametrize("path", ["app.py", "mysite/settings.py", "uses_django.py", "plain.py"])
def test_pool_keeps_no_tree_and_parses_once_on_access(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    _, trees, counter = run(tmp_path, monkeypatch, pooled=True)
    assert path in trees
    assert counter.paths == []
    tree = trees[path]
    assert isinstance(tree, ast.Module)
    assert trees[path] is tree  # parsed at most once more
    assert counter.paths == [path]


def test_pool_tree_unreadable_later_is_a_key_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, trees, counter = run(tmp_path, monkeypatch, pooled=True)
    (tmp_path / "plain.py").write_text("def broken(:\n")
    with pytest.raises(KeyError):
        trees["plain.py"]
    assert "plain.py" not in trees
    with pytest.raises(KeyError):
        trees["plain.py"]
    assert counter.paths == ["plain.py"]  # a failure is remembered, not retried
