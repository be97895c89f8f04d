"""Test files are read for their imports alone, and in full the moment a target's boot follows one."""

from __future__ import annotations

from pathlib import Path

from scenario_support import audit, findings, verdicts, write

from importaudit.config import Config
from importaudit.source import parsing
from importaudit.source.discover import discover
from importaudit.source.imports import parse_source
from importaudit.workspace import load_workspace

PROCFILE = {
    "Procfile": "web: gunicorn app:app\n",
    "requirements.txt": "flask\ngunicorn\n",
    "requirements-dev.txt": "pytest\n",
}


def test_a_route_module_named_like_a_test_is_followed_through_its_calls(tmp_path: Path) -> None:
    # test_routes.py is application code: app.py imports it, and its module-level call runs
    # register() in views.py, whose import of markdown therefore runs at boot.
    write(tmp_path, {
        **PROCFILE,
        "app.py": "import flask\nimport test_routes\napp = flask.Flask(__name__)\n",
        "test_routes.py": "from views import register\nregister()\n",
        "views.py": "def register():\n    import markdown\n",
    })
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert findings(report, "rule", "severity", "module", "file", "line", "chain") == {
        ("missing-at-boot", "error", "markdown", "views.py", 2, ("app.py", "test_routes.py", "views.py")),
    }
    assert code == 1


def test_a_test_file_sweep_reads_imports_and_a_lookup_reads_it_whole(tmp_path: Path) -> None:
    text = "import pytest\nfrom views import register\n\n\ndef test_x():\n    register()\n"
    write(tmp_path, {**PROCFILE, "app.py": "import flask\n", "tests/test_views.py": text})
    ws = load_workspace(tmp_path, Config())
    stored = dict(ws.parsed.items())["tests/test_views.py"]  # what every sweep sees: no parse
    assert stored.partial and stored.calls == () and stored.functions == ()
    ref = next(r for r in discover(tmp_path).sources if r.path == "tests/test_views.py")
    _, whole = parse_source(text, ref.path, ref.module, ref.is_package, is_test=True)
    assert [i.module for i in stored.imports] == ["pytest", "views"]
    assert stored.imports == whole.imports
    looked_up = ws.parsed["tests/test_views.py"]
    assert looked_up == whole
    assert not looked_up.partial and [c.callee for c in looked_up.calls] == ["register"]
    assert ws.parsed.get("tests/test_views.py") is looked_up  # read in full once, then kept
    assert ws.parsed.get("no/such.py") is None


def test_a_test_file_that_may_be_more_than_its_imports_is_parsed_whole(tmp_path: Path) -> None:
    files = {
        "tests/test_script.py": "import helpers\n\nif __name__ == '__main__':\n    helpers.run()\n",
        "tests/test_flag.py": "import sys\nPY312 = sys.version_info >= (3, 12)\n",
        "tests/test_plain.py": "import pytest\n",
        "tests/test_indented.py": "def test_x():\n    import yaml\n",  # the fast scan cannot say
        "app.py": "import flask\n",
    }
    write(tmp_path, files)
    parsed, _trees, _warnings = parsing.parse_all(tmp_path, discover(tmp_path).sources)
    assert {path for path, pf in parsed.items() if pf.partial} == {"tests/test_plain.py"}
    assert parsed["tests/test_flag.py"].flags == (("PY312", "sys.version_info >= (3, 12)"),)
