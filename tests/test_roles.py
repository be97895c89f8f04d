"""judge.roles: a file's role comes from what boot reaches, never from its name alone."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from importaudit.config import Config
from importaudit.judge.reach import FileIndex, compute_boot
from importaudit.judge.roles import _promote, imported_by_application
from importaudit.model import ParsedFile
from importaudit.pipeline import run_audit
from importaudit.source.conditions import TargetEnv
from importaudit.source.discover import ModuleIndex, _is_test
from importaudit.source.imports import parse_source


def _parse(sources: Mapping[str, str]) -> tuple[ModuleIndex, dict[str, ParsedFile], dict[str, FileIndex]]:
    modules = ModuleIndex(list(sources))
    parsed: dict[str, ParsedFile] = {}
    for path, src in sources.items():
        _, pf = parse_source(textwrap.dedent(src), path, modules.module_for(path), path.endswith("__init__.py"),
                             is_test=_is_test(path))
        parsed[path] = pf
    return modules, parsed, {p: FileIndex.build(pf) for p, pf in parsed.items()}


BOOT_CASES = [
    pytest.param({"app.py": "from test_routes import bp\n", "test_routes.py": "import pymysql\n",
                  "tests/test_app.py": "import app\n"}, ["test_routes.py"], id="test-named-route-module"),
    pytest.param({"app.py": "import scripts.jobs\n", "scripts/__init__.py": "", "scripts/jobs.py": "",
                  "tests/helpers.py": ""}, [], id="scripts-is-not-a-test-role"),
    pytest.param({"app.py": "from tests.fixtures import data\n", "tests/__init__.py": "",
                  "tests/fixtures.py": "import yaml\n", "tests/test_x.py": "import app\n"},
                 ["tests/__init__.py", "tests/fixtures.py"], id="module-under-tests-dir-imported-by-app"),
    pytest.param({"app.py": "def view():\n    import test_util\n", "test_util.py": ""}, [],
                 id="function-level-import-is-not-boot"),
    pytest.param({"app.py": "if __name__ == '__main__':\n    import test_cli\n", "test_cli.py": ""}, [],
                 id="main-guarded-import-is-not-boot"),
    pytest.param({"app.py": "import helpers\n", "helpers.py": "import test_db\n", "test_db.py": "",
                  "conftest.py": "import test_only\n", "test_only.py": ""}, ["test_db.py"],
                 id="chain-through-app-code-only"),
]


@pytest.mark.parametrize(("sources", "promoted"), BOOT_CASES)
def test_boot_graph_promotes_reached_test_named_files(sources: dict[str, str], promoted: Sequence[str]) -> None:
    modules, parsed, files = _parse(sources)
    graph = compute_boot(files, [(("app.py", None), None)], modules.resolve, TargetEnv((3, 12)))
    assert _promote(parsed, graph.parents) == sorted(promoted)
    assert all(not parsed[p].is_test for p in promoted)
    untouched = [p for p in sources if p not in promoted and _is_test(p)]
    assert all(parsed[p].is_test for p in untouched)


@pytest.mark.parametrize(("sources", "promoted"), BOOT_CASES)
def test_without_entries_application_code_imports_decide(sources: dict[str, str], promoted: Sequence[str]) -> None:
    """With no descriptor every non-test file is application code; the same files are promoted."""
    modules, parsed, files = _parse(sources)
    reached = imported_by_application(files, parsed, modules.resolve, TargetEnv((3, 12)))
    assert _promote(parsed, reached) == sorted(promoted)


def test_test_code_importing_a_test_helper_keeps_it_a_test() -> None:
    modules, parsed, files = _parse({"tests/test_a.py": "import test_support\n", "test_support.py": "import x\n"})
    reached = imported_by_application(files, parsed, modules.resolve, TargetEnv((3, 12)))
    assert _promote(parsed, reached) == []


def test_seed_pymysql_is_a_boot_error_on_both_targets(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from flask import Flask\nfrom test_routes import bp\napp = Flask(\"a\")\n")
    (tmp_path / "test_routes.py").write_text("import pymysql\nbp = None\n")
    (tmp_path / "requirements.txt").write_text("flask\ngunicorn\n")
    for name in ("Dockerfile", "Dockerfile.other"):
        (tmp_path / name).write_text("FROM python:3.12-slim\nCOPY requirements.txt .\n"
                                     "RUN pip install -r requirements.txt\nCOPY . .\nCMD gunicorn app:app\n")
    report = run_audit(tmp_path, Config())
    errors = {(f.target, f.file, f.module, f.chain) for f in report.findings if f.severity.value == "error"}
    assert errors == {(t, "test_routes.py", "pymysql", ("app.py", "test_routes.py"))
                      for t in ("Dockerfile", "Dockerfile.other")}
    assert {t.verdict for t in report.targets} == {"fails-at-boot"}


@pytest.mark.parametrize(
    ("lines", "spec", "expected"),
    [
        pytest.param(["RUN pip install -r requirements.txt \\", "    && for d in p/*; do \\",
                      '        if [ -f "$d/req.txt" ]; then \\', '            pip install -r "$d/req.txt";\\',
                      "        fi; \\", "    done;"], "$d/req.txt", 4, id="install-line-not-the-test"),
        pytest.param(["RUN set -eux; \\", "    apt-get update; \\", "    # install deps", "",
                      "    pip install -r $REQS; \\", "    true"], "$REQS", 5, id="comments-inside-continuation"),
        pytest.param(["RUN pip install $X", "RUN pip install $X"], "$X", 1, id="stops-at-instruction-end"),
        pytest.param(["RUN pip install -r a.txt"], "$missing", 1, id="not-found-keeps-start"),
    ],
)
def test_opaque_install_reason_names_the_line_holding_it(lines: list[str], spec: str, expected: int) -> None:
    from importaudit.judge.audit import _line_naming

    assert _line_naming(lines, 1, spec) == expected
