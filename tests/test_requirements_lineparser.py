"""The reusing line parser gives pip-requirements-parser's own results, line for line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pip_requirements_parser as prp
import pytest

from importaudit.requirements import lineparser

SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects"

# Lines whose options would leak into the next line if the parser's defaults were shared:
# appendable options (--hash, --find-links, --no-binary) on consecutive lines, then plain lines.
TRICKY = """\
--index-url https://example.invalid/simple
--extra-index-url https://a.invalid/simple
--find-links ./wheels
flask==3.0.0 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
requests==2.32.0 --hash=sha256:cccc
click==8.1.7
-r other.txt
-c constraints.txt
-e ./libs/local
--no-binary :all:
pywin32==306 ; sys_platform == "win32"
Django[argon2,bcrypt]>=4.2,<5.0 ; python_version >= "3.8"  # trailing comment
pkg @ https://example.invalid/pkg-1.0-py3-none-any.whl
git+https://example.invalid/x.git@v1#egg=x
./wheels/y-1.0-py3-none-any.whl
--only-binary=:none:
--trusted-host example.invalid
--pre
gunicorn
--bogus-option value
"""


def _parse(path: Path, reusing: bool, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    original = prp.get_line_parser
    with monkeypatch.context() as patch:
        patch.setattr(prp, "get_line_parser", lineparser._reusing_line_parser if reusing else original)
        parsed = prp.RequirementsFile.from_file(str(path), include_nested=False)
        return dict(parsed.to_dict())


def _files(tmp_path: Path) -> list[Path]:
    tricky = tmp_path / "requirements.txt"
    tricky.write_text(TRICKY)
    return [tricky, *sorted(SAMPLES.rglob("*requirements*.txt"))]


def test_every_requirements_file_parses_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _files(tmp_path)
    assert len(files) > 20
    for path in files:
        assert _parse(path, True, monkeypatch) == _parse(path, False, monkeypatch), path


def test_hashes_do_not_leak_into_the_next_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(TRICKY)
    requirements = {r["name"]: r for r in _parse(path, True, monkeypatch)["requirements"] if r.get("name")}
    assert requirements["flask"]["hash_options"] == ["sha256:aaaa", "sha256:bbbb"]
    assert requirements["requests"]["hash_options"] == ["sha256:cccc"]
    assert requirements["click"]["hash_options"] == []


def test_install_is_idempotent() -> None:
    lineparser.install()
    first = prp.get_line_parser
    lineparser.install()
    assert prp.get_line_parser is first
