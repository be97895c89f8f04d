"""The app is read before `boots`: an installed project's import roots, and boot files left unread."""

from __future__ import annotations

from pathlib import Path

import pytest
from targets_support import write_files

from importaudit.model import Install, InstallKind
from importaudit.targets.package_roots import project_roots

PACKAGE = {"src/py/app/__init__.py": "", "lib/pkg/__init__.py": "", "svc/src/pkg/__init__.py": ""}
CASES = [
    ('[tool.hatch.build.targets.wheel]\npackages = ["src/py/app"]\n', ".", ["src/py"]),
    ('[tool.hatch.build]\nsources = ["src/py"]\n', ".", ["src/py"]),
    ('[tool.hatch.build.targets.wheel.sources]\n"src/py" = ""\n', ".", ["src/py"]),
    ('[tool.setuptools.packages.find]\nwhere = ["lib"]\n', ".", ["lib"]),
    ('[tool.setuptools]\npackage-dir = {"" = "lib"}\n', ".", ["lib"]),
    ('[tool.poetry]\npackages = [{include = "app", from = "src/py"}]\n', ".", ["src/py"]),
    ('[tool.pdm.build]\npackage-dir = "lib"\n', ".", ["lib"]),
    # a folder the repo does not have, and a project with no layout of its own, add nothing
    ('[tool.setuptools.packages.find]\nwhere = ["nowhere"]\n', ".", []),
    ("[project]\nname = 'x'\n", ".", []),
]


@pytest.mark.parametrize(("pyproject", "spec", "roots"), CASES)
def test_project_roots(tmp_path: Path, pyproject: str, spec: str, roots: list[str]) -> None:
    files = write_files(tmp_path, {**PACKAGE, "pyproject.toml": pyproject})
    assert project_roots(tmp_path, [Install(InstallKind.PROJECT, spec)], files) == roots


def test_roots_are_the_installed_projects_only(tmp_path: Path) -> None:
    files = write_files(
        tmp_path,
        {**PACKAGE, "svc/setup.cfg": "[options]\npackage_dir =\n    =src\n", "pyproject.toml": ""},
    )
    assert project_roots(tmp_path, [Install(InstallKind.PROJECT, "svc")], files) == ["svc/src"]
    # requirements are not the project: nothing of theirs is a root
    assert project_roots(tmp_path, [Install(InstallKind.REQUIREMENTS, "svc/setup.cfg")], files) == []


def test_installed_package_under_its_own_folder_is_read(tmp_path: Path) -> None:
    """`uvicorn shop.app:app` on a project whose wheel takes src/py/shop: the app is read there, and
    its missing import is an error (not an unread entry that passes for a distribution's module)."""
    import json

    from click.testing import CliRunner

    from importaudit.cli import main

    files = {
        "pyproject.toml": '[project]\nname = "shop"\nversion = "1"\ndependencies = ["uvicorn"]\n'
        '[tool.hatch.build.targets.wheel]\npackages = ["src/py/shop"]\n',
        "src/py/shop/__init__.py": "",
        "src/py/shop/app.py": "import markdown\n\n\nasync def app(scope, receive, send):\n    pass\n",
        "Dockerfile": 'FROM python:3.12-slim\nWORKDIR /srv\nCOPY . .\nRUN pip install .\n'
        'CMD ["uvicorn", "shop.app:app"]\n',
    }
    write_files(tmp_path, files)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.output)
    assert {t["name"]: t["verdict"] for t in report["targets"]} == {"Dockerfile": "fails-at-boot"}
    errors = [(f["rule"], f["module"], f["file"]) for f in report["findings"] if f["severity"] == "error"]
    assert errors == [("missing-at-boot", "markdown", "src/py/shop/app.py")]


def test_a_boot_file_that_was_not_read_is_not_boots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module the entry imports whose text importaudit could not read (too big here; a syntax newer
    than the Python running importaudit on a real app) hides its imports: the verdict says so."""
    import json

    from click.testing import CliRunner

    from importaudit.cli import main
    from importaudit.source import imports

    files = {
        "requirements.txt": "gunicorn\n",
        "app.py": "import helpers\n\n\ndef app(environ, start_response):\n    return []\n",
        "helpers.py": "import markdown\n" + "# padding\n" * 50,
        "Dockerfile": "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"
        'CMD ["gunicorn", "app:app"]\n',
    }
    write_files(tmp_path, files)
    monkeypatch.setattr(imports, "MAX_SOURCE_BYTES", 200)
    monkeypatch.setenv("IMPORTAUDIT_NO_CACHE", "1")
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.output)
    (target,) = report["targets"]
    assert target["verdict"] == "unknown"
    assert target["reason"].startswith("helpers.py:1 is imported at boot (app.py -> helpers.py) but could not")
