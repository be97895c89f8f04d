"""Pipfile (TOML) and Pipfile.lock (JSON)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from importaudit.requirements.pipfile import read_pipfile, read_pipfile_lock

PIPFILE = """
    [[source]]
    url = "https://pypi.org/simple"
    name = "pypi"

    [packages]
    requests = "*"
    django = {version = ">=4.2", extras = ["bcrypt"]}
    gunicorn = "==21.2"
    pywinusb = {version = "*", sys_platform = "== 'win32'"}
    mylib = {git = "https://github.com/x/mylib.git", editable = true}
    uvloop = {version = "*", markers = "sys_platform != 'win32'"}

    [dev-packages]
    pytest = "*"

    [docs]
    sphinx = "*"

    [requires]
    python_version = "3.11"
"""


def test_pipfile(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text(textwrap.dedent(PIPFILE).lstrip(), encoding="utf-8")
    main, dev, docs = read_pipfile(tmp_path, "Pipfile")
    got = [
        (r.key, r.specifier, r.extras, r.marker, r.url, r.editable, r.line)
        for r in main.requirements
    ]
    assert got == [
        ("requests", "", (), None, None, False, 6),
        ("django", ">=4.2", ("bcrypt",), None, None, False, 7),
        ("gunicorn", "==21.2", (), None, None, False, 8),
        ("pywinusb", "", (), "sys_platform == 'win32'", None, False, 9),
        ("mylib", "", (), None, "https://github.com/x/mylib.git", True, 10),
        ("uvloop", "", (), "sys_platform != 'win32'", None, False, 11),
    ]
    assert (main.dev, main.requires_python) == (False, "==3.11.*")
    assert [(r.key, r.group, r.dev, r.line) for r in dev.requirements] == [
        ("pytest", "dev", True, 14)
    ]
    assert [(r.key, r.group, r.dev) for r in docs.requirements] == [("sphinx", "group:docs", True)]


def test_pipfile_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text("[packages]\nrequests = \n", encoding="utf-8")
    (only,) = read_pipfile(tmp_path, "Pipfile")
    assert only.requirements == ()
    assert [(w.file, w.line) for w in only.warnings] == [("Pipfile", 2)]


LOCK = {
    "_meta": {"requires": {"python_version": "3.11"}},
    "default": {
        "django": {
            "hashes": ["sha256:x"],
            "version": "==4.2.7",
            "markers": "python_version >= '3.8'",
        },
        "asgiref": {"version": "==3.7.2"},
        "mylib": {"git": "https://github.com/x/mylib.git", "ref": "abc"},
    },
    "develop": {"pytest": {"version": "==7.4.0"}},
}


def test_pipfile_lock(tmp_path: Path) -> None:
    (tmp_path / "Pipfile.lock").write_text(json.dumps(LOCK, indent=4), encoding="utf-8")
    (tmp_path / "Pipfile").write_text("[packages]\ndjango = '*'\nmylib = {git = 'x'}\n")
    rs = read_pipfile_lock(tmp_path, "Pipfile.lock")
    got = [
        (r.key, r.specifier, r.marker, r.group, r.dev, r.locked, r.direct) for r in rs.requirements
    ]
    assert got == [
        ("asgiref", "==3.7.2", None, "main", False, True, False),
        ("django", "==4.2.7", "python_version >= '3.8'", "main", False, True, True),
        ("mylib", "", None, "main", False, True, True),
        ("pytest", "==7.4.0", None, "dev", True, True, False),
    ]
    lines = (tmp_path / "Pipfile.lock").read_text().splitlines()
    assert all('"' + r.name + '"' in lines[r.line - 1] for r in rs.requirements)
    assert rs.requires_python == "==3.11.*"


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", ""])
def test_pipfile_lock_malformed(tmp_path: Path, text: str) -> None:
    (tmp_path / "Pipfile.lock").write_text(text, encoding="utf-8")
    rs = read_pipfile_lock(tmp_path, "Pipfile.lock")
    assert rs.requirements == ()
    assert [w.file for w in rs.warnings] == ["Pipfile.lock"]
    assert rs.warnings[0].line >= 1
