"""The product's headline claims, each shown on a real sample project changed the way a user would."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from importaudit.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "sample_projects"


def audit(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", *args],
                                catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def copy(sample: str, tmp_path: Path) -> Path:
    dest = tmp_path / sample
    shutil.copytree(SAMPLES / sample, dest)
    (dest / "expected.json").unlink()
    return dest


def verdicts(report: dict[str, Any]) -> dict[str, str]:
    return {t["name"]: t["verdict"] for t in report["targets"]}


def errors(report: dict[str, Any]) -> set[tuple[str, str, str, int]]:
    return {(f["target"], f["module"], f["file"], f["line"]) for f in report["findings"]
            if f["severity"] == "error"}


def test_django_missing_app_then_removed_boots(tmp_path: Path) -> None:
    project = copy("django_missing_app", tmp_path)
    code, report = audit(project)
    assert code == 1 and verdicts(report) == {"Dockerfile": "fails-at-boot"}
    toolbar = next(f for f in report["findings"] if f["module"] == "debug_toolbar")
    assert toolbar["file"] == "mysite/settings.py" and toolbar["context"] == "string"
    assert toolbar["distribution"] == "django-debug-toolbar"
    assert toolbar["chain"] == ["mysite/wsgi.py", "mysite/settings.py"]
    settings = project / "mysite" / "settings.py"
    text = settings.read_text()
    text = text.replace('    "debug_toolbar",\n', "")
    text = text.replace('    "whitenoise.middleware.WhiteNoiseMiddleware",\n', "")
    settings.write_text(text)
    code, report = audit(project)
    assert verdicts(report) == {"Dockerfile": "boots"}, report["findings"]
    assert code == 0


def test_sqlalchemy_driver_missing_then_declared(tmp_path: Path) -> None:
    code, report = audit(SAMPLES / "sqlalchemy_url_driver")
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["severity"] == "error"]
    assert (finding["module"], finding["context"], finding["distribution"]) == ("pymysql", "string", "PyMySQL")
    code, report = audit(SAMPLES / "sqlalchemy_url_driver_ok")
    assert code == 0
    assert not any(f["rule"] == "unused" for f in report["findings"])


def test_python_version_decides(tmp_path: Path) -> None:
    write = textwrap.dedent
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text(write("""
        import sys
        if sys.version_info >= (3, 11):
            import tomllib
        else:
            import tomli as tomllib
        import asyncore
        import flask
    """))
    _, on_310 = audit(tmp_path, "--python-version", "3.10")
    _, on_312 = audit(tmp_path, "--python-version", "3.12")
    rules_310 = {(f["rule"], f["module"]) for f in on_310["findings"]}
    rules_312 = {(f["rule"], f["module"]) for f in on_312["findings"]}
    assert rules_310 == {("missing", "tomli")}
    assert rules_312 == {("stdlib-removed", "asyncore")}


def test_unreached_import_is_a_warning_and_an_error_once_on_the_boot_chain(tmp_path: Path) -> None:
    project = copy("deep_chain", tmp_path)
    _, report = audit(project)
    script = next(f for f in report["findings"] if f["file"] == "scripts/report.py")
    assert (script["rule"], script["severity"]) == ("missing", "warning")
    # the same import moved into the boot chain: app reaches it
    wsgi = project / "wsgi.py"
    wsgi.write_text("import scripts.report  # noqa\n" + wsgi.read_text())
    (project / "scripts" / "__init__.py").write_text("")
    _, report = audit(project)
    moved = next(f for f in report["findings"] if f["file"] == "scripts/report.py")
    assert (moved["rule"], moved["severity"]) == ("missing-at-boot", "error")
    assert moved["chain"][0] == "wsgi.py"


def test_two_dockerfiles_each_fail_for_their_own_module() -> None:
    _code, report = audit(SAMPLES / "two_dockerfiles")
    assert verdicts(report) == {"Dockerfile": "fails-at-boot", "Dockerfile.zeabur": "fails-at-boot"}
    by_target = {f["target"]: f for f in report["findings"] if f["severity"] == "error"}
    assert by_target["Dockerfile"]["module"] == "redis"
    assert "requirements.txt" in by_target["Dockerfile"]["message"]
    assert by_target["Dockerfile.zeabur"]["module"] == "markdown"
    assert "requirements_zeabur.txt" in by_target["Dockerfile.zeabur"]["message"]
    assert all(f["chain"] for f in by_target.values())


def test_no_unused_for_a_server_the_procfile_runs_nor_for_stubs(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask==3.1.0\ngunicorn==23.0.0\ntypes-requests\nrequests\nsix\n")
    (tmp_path / "Procfile").write_text("web: gunicorn app:app\n")
    (tmp_path / "app.py").write_text("import flask\nimport requests\napp = flask.Flask(__name__)\n")
    _, report = audit(tmp_path)
    unused = {f["module"] for f in report["findings"] if f["rule"] == "unused"}
    assert unused == {"six"}


def test_dev_only_import_is_an_error_in_the_app_and_fine_in_tests() -> None:
    _code, report = audit(SAMPLES / "req_formats_poetry")
    dev = [f for f in report["findings"] if f["rule"] == "dev-only"]
    assert [(f["file"], f["severity"]) for f in dev] == [("app.py", "error")]
    assert "dev group" in dev[0]["message"] and "pyproject.toml" in dev[0]["message"]
    assert not any(f["file"].startswith("tests/") for f in report["findings"] if f["file"])


def test_requires_python_that_excludes_the_image_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1"\nrequires-python = ">=3.12"\ndependencies = ["flask"]\n')
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install .\nCMD [\"python\", \"app.py\"]\n")
    (tmp_path / "app.py").write_text("import flask\n")
    _, report = audit(tmp_path)
    config = [f for f in report["findings"] if f["rule"] == "config"]
    assert len(config) == 1 and ">=3.12" in config[0]["message"] and "3.11" in config[0]["message"]
    (tmp_path / "Dockerfile").write_text((tmp_path / "Dockerfile").read_text().replace("3.11", "3.12"))
    _, report = audit(tmp_path)
    assert not [f for f in report["findings"] if f["rule"] == "config"]


def test_two_runtime_sources_that_disagree_are_a_config_warning(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1"\ndependencies = ["flask", "requests"]\n')
    (tmp_path / "requirements.txt").write_text("flask\nflask-cors\n")
    (tmp_path / "app.py").write_text("import flask\nimport flask_cors\nimport requests\n")
    _code, report = audit(tmp_path)
    config = [f for f in report["findings"] if f["rule"] == "config"]
    assert config, report["findings"]
    text = " ".join(f["message"] for f in config)
    assert "flask-cors" in text.lower() or "requests" in text
    assert all(f["severity"] == "warning" for f in config)


def test_audit_never_executes_project_code(tmp_path: Path) -> None:
    """gunicorn.conf.py, setup.py and an entrypoint script would each leave a marker if run."""
    conf = copy("gunicorn_conf_wsgi_app", tmp_path)
    setup = copy("req_formats_setup_py", tmp_path)
    (conf / "entrypoint.sh").write_text('#!/bin/sh\ntouch "$(dirname "$0")/ENTRYPOINT_WAS_RUN"\nexec "$@"\n')
    dockerfile = (conf / "Dockerfile").read_text()
    entry = '\nCOPY entrypoint.sh /app/\nENTRYPOINT ["/app/entrypoint.sh"]\n'
    (conf / "Dockerfile").write_text(dockerfile + entry)
    for project in (conf, setup):
        for command in ("check", "targets"):
            CliRunner().invoke(main, [command, str(project)], catch_exceptions=False)
    assert not (conf / "GUNICORN_CONF_WAS_EXECUTED").exists()
    assert not (conf / "ENTRYPOINT_WAS_RUN").exists()
    assert not (setup / "SETUP_WAS_RUN").exists()
    # and the audit did read them: the config's app and the setup.py requirements
    _, report = audit(conf)
    assert any(f["file"] == "service/wsgi.py" for f in report["findings"])
    _, report = audit(setup)
    assert any(f["module"] == "markdown" for f in report["findings"])


def test_a_dev_file_the_target_installs_is_installed(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\nrich\n")
    (tmp_path / "app.py").write_text("import flask\nimport rich\n")
    dockerfile = (
        'FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install -r {}\nCMD ["python", "app.py"]\n'
    )
    (tmp_path / "Dockerfile").write_text(dockerfile.format("requirements-dev.txt"))
    _, report = audit(tmp_path)
    assert not [f for f in report["findings"] if f["module"] == "rich"]
    (tmp_path / "Dockerfile").write_text(dockerfile.format("requirements.txt"))
    _, report = audit(tmp_path)
    (rich,) = [f for f in report["findings"] if f["module"] == "rich"]
    assert (rich["rule"], rich["severity"]) == ("dev-only", "error")
    assert "requirements-dev.txt" in rich["message"]


def test_python_pin_of_environment_yml_is_the_projects_python(tmp_path: Path) -> None:
    (tmp_path / "environment.yml").write_text("name: x\ndependencies:\n  - python=3.12\n  - flask\n")
    (tmp_path / "app.py").write_text("import flask\nimport distutils.core\n")
    code, report = audit(tmp_path)
    assert report["targets"][0]["python"] == "3.12"
    (finding,) = report["findings"]
    assert (finding["rule"], finding["module"], code) == ("stdlib-removed", "distutils", 1)
    assert "distutils was removed from the standard library in Python 3.12" in finding["message"]


def test_an_install_step_it_cannot_read_makes_errors_warnings_and_the_verdict_unknown(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\ngunicorn\n")
    (tmp_path / "app.py").write_text("import flask\nimport markdown\napp = flask.Flask(__name__)\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n"
        "RUN pip install $(cat extra-packages.list)\nCMD [\"gunicorn\", \"app:app\"]\n"
    )
    code, report = audit(tmp_path)
    assert code == 0
    assert verdicts(report) == {"Dockerfile": "unknown"}
    (markdown,) = [f for f in report["findings"] if f["module"] == "markdown"]
    assert (markdown["rule"], markdown["severity"]) == ("missing-at-boot", "warning")
    assert "extra-packages.list" in markdown["message"]
    assert "extra-packages.list" in report["targets"][0]["reason"]
    assert not [f for f in report["findings"] if f["rule"] == "unreadable"]


def test_a_package_folder_audited_alone_knows_its_own_name_and_says_nothing_is_declared(tmp_path: Path) -> None:
    pkg = tmp_path / "shop"
    (pkg / "core").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "core" / "__init__.py").write_text("")
    (pkg / "core" / "models.py").write_text("from shop.core import utils\nimport requests\n")
    (pkg / "core" / "utils.py").write_text("")
    code, report = audit(pkg)
    modules = {f["module"] for f in report["findings"] if f["rule"] == "missing"}
    assert modules == {"requests"}  # shop is the audited package itself
    (config,) = [f for f in report["findings"] if f["rule"] == "config"]
    assert "no requirement source found" in config["message"]
    assert code == 1


def test_the_running_script_and_builtins_are_always_there(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "repl.py").write_text("import __main__\nimport builtins\nimport flask\n")
    code, report = audit(tmp_path)
    assert report["findings"] == [] and code == 0


def test_uv_sync_package_installs_that_workspace_member(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["backend"]\n[dependency-groups]\ndev = ["typer"]\n')
    (tmp_path / "backend" / "app").mkdir(parents=True)
    (tmp_path / "backend" / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\ndependencies = ["flask", "gunicorn"]\n')
    (tmp_path / "backend" / "app" / "__init__.py").write_text("")
    main_py = "import flask\nimport markdown\napp = flask.Flask('x')\n"
    (tmp_path / "backend" / "app" / "main.py").write_text(main_py)
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.12\nWORKDIR /app/\nCOPY . /app/\nRUN uv sync --frozen --package app\n"
        "WORKDIR /app/backend/\nCMD [\"gunicorn\", \"app.main:app\"]\n"
    )
    _code, report = audit(tmp_path)
    errors = [(f["module"], f["rule"]) for f in report["findings"] if f["severity"] == "error"]
    assert errors == [("markdown", "missing-at-boot")], report["findings"]
    assert "backend/pyproject.toml" in next(f for f in report["findings"] if f["module"] == "markdown")["message"]


def test_python_version_option_is_the_python_the_report_names(tmp_path: Path) -> None:
    """A Dockerfile says 3.11; `--python-version 3.12` judges 3.12, and the target must say so, or a
    reader of the report believes 3.11 was checked."""
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "app.py").write_text("import asyncore\nimport flask\napp = flask.Flask(__name__)\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY . .\nRUN pip install -r requirements.txt\nCMD gunicorn app:app\n")
    _, default = audit(tmp_path)
    _, on_312 = audit(tmp_path, "--python-version", "3.12")
    assert [(t["name"], t["python"]) for t in default["targets"]] == [("Dockerfile", "3.11")]
    assert [(t["name"], t["python"]) for t in on_312["targets"]] == [("Dockerfile", "3.12")]
    assert {f["module"] for f in on_312["findings"] if f["rule"] == "stdlib-removed"} == {"asyncore"}


def test_a_requires_python_range_is_judged_over_the_versions_it_allows(tmp_path: Path) -> None:
    """An image whose Python importaudit cannot read (not a python:X.Y base) and a project that only
    says `requires-python = ">=3.10"`: the deploy may run 3.10 or 3.13. tomllib exists from 3.11,
    so the import fails on some allowed versions only: a warning naming them, not an error."""
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1"\nrequires-python = ">=3.10"\n'
        'dependencies = ["flask", "gunicorn"]\n')
    (tmp_path / "app.py").write_text("import tomllib\nimport flask\napp = flask.Flask(__name__)\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:bookworm\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"gunicorn\", \"app:app\"]\n")
    code, report = audit(tmp_path)
    (target,) = report["targets"]
    assert (target["python"], target["verdict"], code) == ("3.10-3.14", "boots", 0)
    (finding,) = report["findings"]
    assert (finding["rule"], finding["severity"], finding["module"]) == ("stdlib-removed", "warning", "tomllib")
    assert "only on Python 3.10" in finding["message"]
    # an exact version decides: 3.10 fails for certain
    (tmp_path / ".python-version").write_text("3.10\n")
    code, report = audit(tmp_path)
    assert (report["findings"][0]["severity"], code) == ("error", 1)


def test_a_database_url_default_is_the_database_only_where_nothing_sets_the_variable(tmp_path: Path) -> None:
    """`dj_database_url.config(default="mysql://...")`: a platform usually sets DATABASE_URL (a
    Heroku add-on, a compose env_file not in the repo), so the default's driver is a warning that
    names the condition; the target's own DATABASE_URL decides for certain."""
    project = copy("django_missing_app", tmp_path)
    settings = project / "mysite" / "settings.py"
    text = settings.read_text().replace('    "debug_toolbar",\n', "").replace(
        '    "whitenoise.middleware.WhiteNoiseMiddleware",\n', "")
    start = text.index("DATABASES = {")
    end = text.index("}\n}\n", start) + 4
    settings.write_text(text[:start] + "import dj_database_url\nDATABASES = {\"default\": "
                        "dj_database_url.config(default=\"mysql://root@localhost/site\")}\n" + text[end:])
    (project / "requirements.txt").write_text("Django==5.1.4\ngunicorn==23.0.0\ndj-database-url==2.3.0\n")
    code, report = audit(project)
    (finding,) = report["findings"]
    assert (finding["module"], finding["severity"], code) == ("MySQLdb", "warning", 0)
    assert "not os.environ.get('DATABASE_URL')" in finding["message"]
    assert report["targets"][0]["verdict"] == "boots"
    dockerfile = project / "Dockerfile"
    env_line = "WORKDIR /srv\nENV DATABASE_URL=mysql://db/site\n"
    dockerfile.write_text(dockerfile.read_text().replace("WORKDIR /srv\n", env_line))
    code, report = audit(project)
    (finding,) = report["findings"]
    assert (finding["module"], finding["severity"], finding["rule"]) == ("MySQLdb", "error", "missing-at-boot")
    assert code == 1
    dockerfile.write_text(dockerfile.read_text().replace("mysql://db/site", "sqlite:////tmp/db.sqlite3"))
    code, report = audit(project)
    assert (report["findings"], code) == ([], 0)
