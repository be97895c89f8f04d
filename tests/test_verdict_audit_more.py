"""What one target's audit decides (judge/audit.py), pinned by scenarios a wrong audit would change:
the --entry specs, how far an unreadable install step could reach, and how such a step is named."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_support import audit, only, verdicts, write

FLASK_PROCFILE = {
    "Procfile": "web: gunicorn app:app\n",
    "requirements.txt": "flask\ngunicorn\n",
    "app.py": "import flask\napp = flask.Flask(__name__)\n",
}

# ---------------------------------------------------------------------------------------------
# --entry SPEC

ENTRY_PROJECT = {
    "requirements.txt": "flask\n",
    "app.py": """
        import flask

        def create_app():
            import markdown
            return flask.Flask(__name__)
    """,
    "scripts/tool.py": """
        import sys
        if __name__ == "__main__":
            import tabulate
    """,
    "cli.py": """
        if __name__ == "__main__":
            import yaml
    """,
    "Xtools/run.py": """
        if __name__ == "__main__":
            import requests
    """,
}


def _target(report: dict[str, object]) -> dict[str, object]:
    targets = report["targets"]
    assert isinstance(targets, list) and len(targets) == 1
    target = targets[0]
    assert isinstance(target, dict)
    return target


def test_an_entry_factory_with_parentheses_runs_its_body_at_boot(tmp_path: Path) -> None:
    write(tmp_path, ENTRY_PROJECT)
    code, report = audit(tmp_path, "--entry", "app:create_app()")
    assert _target(report)["entries"] == ["app:create_app()"]
    assert verdicts(report) == {"project": "fails-at-boot"}
    assert only(report, "markdown")["message"] == (
        "app.py:4 imports markdown at boot, in create_app() which runs then, but no requirement of "
        "the project provides it; add Markdown to requirements.txt")
    assert code == 1


def test_an_entry_factory_with_arguments_holding_a_colon_is_still_the_factory(tmp_path: Path) -> None:
    # gunicorn 'app:create_app("config:Prod")': the module is what precedes the first colon.
    write(tmp_path, ENTRY_PROJECT)
    _code, report = audit(tmp_path, "--entry", 'app:create_app("config:Prod")')
    assert verdicts(report) == {"project": "fails-at-boot"}
    assert only(report, "markdown")["rule"] == "missing-at-boot"


def test_an_entry_attribute_without_parentheses_is_not_called(tmp_path: Path) -> None:
    write(tmp_path, ENTRY_PROJECT)
    code, report = audit(tmp_path, "--entry", "app:create_app")
    assert _target(report)["entries"] == ["app:create_app"]
    assert verdicts(report) == {"project": "boots"}
    assert only(report, "markdown")["rule"] == "missing-at-request"
    assert code == 0


def test_an_entry_module_alone_names_no_attribute(tmp_path: Path) -> None:
    write(tmp_path, ENTRY_PROJECT)
    _code, report = audit(tmp_path, "--entry", "app")
    assert _target(report)["entries"] == ["app"]
    assert verdicts(report) == {"project": "boots"}


@pytest.mark.parametrize(("spec", "shown", "module", "line"), [
    ("./scripts/tool.py", "scripts/tool.py", "tabulate", 3),   # a path: the leading ./ dropped
    ("cli.py", "cli.py", "yaml", 2),                            # a file name without a folder
    ("./Xtools/run.py", "Xtools/run.py", "requests", 2),
])
def test_an_entry_file_runs_as_a_script_with_its_main_block(
    tmp_path: Path, spec: str, shown: str, module: str, line: int
) -> None:
    write(tmp_path, ENTRY_PROJECT)
    code, report = audit(tmp_path, "--entry", spec)
    assert _target(report)["entries"] == [shown]
    assert verdicts(report) == {"project": "fails-at-boot"}
    found = only(report, module)
    got = (found["rule"], found["file"], found["line"], found["chain"])
    assert got == ("missing-at-boot", shown, line, [shown])
    assert code == 1


@pytest.mark.parametrize("spec", ["scripts/nothere.py", "scripts/tool"])
def test_an_entry_path_that_is_no_file_of_the_project_is_said(tmp_path: Path, spec: str) -> None:
    write(tmp_path, ENTRY_PROJECT)
    _code, report = audit(tmp_path, "--entry", spec)
    target = _target(report)
    assert target["verdict"] == "unknown"
    assert target["reason"] == f"--entry runs {spec}, which is not in the project"


def test_an_entry_module_nothing_provides_names_the_option_that_loads_it(tmp_path: Path) -> None:
    write(tmp_path, ENTRY_PROJECT)
    _code, report = audit(tmp_path, "--entry", "pkg.nothere")
    assert only(report, "pkg")["message"].startswith(
        "the project: --entry loads pkg.nothere when the target boots, "
        "but no requirement of the project provides it")


# ---------------------------------------------------------------------------------------------
# An install step importaudit cannot read: which modules it could provide

def _opaque_project(tmp_path: Path, step: str) -> Path:
    """markdown is the project's declared runtime dependency that the image does not install."""
    return write(tmp_path, {
        "Dockerfile": "FROM python:3.11-slim\nWORKDIR /srv\nCOPY app.py /srv/\nRUN pip install flask\n"
                      f"{step}\nCMD [\"python\", \"app.py\"]\n",
        "app.py": "import flask\nimport markdown\nimport yaml\n",
        "pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["markdown"]\n',
    })


@pytest.mark.parametrize("step", [
    "RUN pip install /opt/app",                       # a folder outside the repo
    "RUN pip install ./vendor/lib",
    "RUN pip install ../lib",
    "RUN pip install app-1.0-py3-none-any.whl",       # a wheel or archive, no folder named
    "RUN pip install app-1.0.tar.gz",
    "RUN pip install app.zip",
    "RUN cd /opt/build && poetry install",            # a project tool run where no project is known
    "RUN cd /opt/build && pdm install",
    "RUN cd /opt/build && pipenv install",
    "RUN cd /opt/build && uv sync",
    "COPY --from=ghcr.io/acme/base:1 /opt/venv /opt/venv",  # an environment built elsewhere
])
def test_a_local_build_or_copied_environment_may_provide_a_declared_runtime_dependency(
    tmp_path: Path, step: str
) -> None:
    # It may be the project built from its own metadata: markdown's absence is not certain.
    _code, report = audit(_opaque_project(tmp_path, step))
    found = only(report, "markdown")
    assert (found["rule"], found["severity"]) == ("missing-at-boot", "warning")
    assert f"(unless `{step}` (Dockerfile:5: " in found["message"]
    assert found["message"].endswith(" installs it: importaudit cannot read that step)")
    assert verdicts(report) == {"Dockerfile": "unknown"}


@pytest.mark.parametrize("step", [
    "RUN pip install $DIST/app.whl",     # a variable's value: not a local artifact of the project
    "RUN uv pip install $PLUGINS",       # uv with a variable: anything, not a project install
])
def test_a_free_form_step_does_not_excuse_a_declared_dependency(tmp_path: Path, step: str) -> None:
    # The project says markdown comes from its own metadata; a step of arbitrary packages is no
    # evidence the image has it, so the error stands (and only the undeclared yaml is excused).
    code, report = audit(_opaque_project(tmp_path, step))
    found = only(report, "markdown")
    assert (found["rule"], found["severity"]) == ("missing-at-boot", "error")
    assert "unless" not in found["message"]
    assert f"(unless `{step}` (Dockerfile:5: " in only(report, "yaml")["message"]
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    assert code == 1


DEV_PYTEST = '[project]\nname = "x"\nversion = "1"\n[project.optional-dependencies]\ndev = ["pytest"]\n'


def test_an_environment_copied_from_another_image_may_hold_even_a_development_dependency(
    tmp_path: Path,
) -> None:
    # pytest is declared only for development: a local build of the project would not bring it, but
    # a virtualenv built in an image importaudit cannot read may hold anything.
    step = "COPY --from=ghcr.io/acme/base:1 /opt/venv /opt/venv"
    write(tmp_path, {
        "Dockerfile": "FROM python:3.11-slim\nWORKDIR /srv\nCOPY app.py /srv/\nRUN pip install flask\n"
                      f"{step}\nCMD [\"python\", \"app.py\"]\n",
        "app.py": "import flask\nimport pytest\n",
        "pyproject.toml": DEV_PYTEST,
    })
    _code, report = audit(tmp_path)
    found = only(report, "pytest")
    assert found["severity"] == "warning"
    assert f"(unless `{step}` (Dockerfile:5: " in found["message"]


def test_a_local_wheel_does_not_excuse_a_development_dependency(tmp_path: Path) -> None:
    # The project's own wheel brings its runtime dependencies, not its dev extra.
    step = "RUN pip install /opt/dist/app.whl"
    write(tmp_path, {
        "Dockerfile": "FROM python:3.11-slim\nWORKDIR /srv\nCOPY app.py /srv/\nRUN pip install flask\n"
                      f"{step}\nCMD [\"python\", \"app.py\"]\n",
        "app.py": "import flask\nimport pytest\n",
        "pyproject.toml": DEV_PYTEST,
    })
    _code, report = audit(tmp_path)
    found = only(report, "pytest")
    assert found["severity"] == "error"
    assert "unless" not in found["message"]


# ---------------------------------------------------------------------------------------------
# How an unreadable step is named

def test_a_build_argument_without_default_is_named_as_the_reason(tmp_path: Path) -> None:
    reason = _reason(tmp_path, (
        "FROM python:3.11-slim\nARG PLUGINS\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n"
        'RUN pip install $PLUGINS\nCMD ["python", "app.py"]\n'))
    assert reason == ("installs what importaudit cannot read: `RUN pip install $PLUGINS` (Dockerfile:6: build "
                      "argument PLUGINS has no default: only `--build-arg PLUGINS=...` says what it holds)")


def _reason(tmp_path: Path, dockerfile: str | bytes) -> str:
    write(tmp_path, {"app.py": "import flask\n", "requirements.txt": "flask\n"})
    data = dockerfile if isinstance(dockerfile, bytes) else dockerfile.encode()
    (tmp_path / "Dockerfile").write_bytes(data)
    _code, report = audit(tmp_path)
    reason = _target(report)["reason"]
    assert isinstance(reason, str)
    return reason


def test_a_step_inside_a_continued_run_is_named_without_the_shell_glue(tmp_path: Path) -> None:
    reason = _reason(tmp_path, (
        "FROM python:3.11-slim\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n"
        "RUN apt-get update \\\n    && pip install $PLUGINS \\\n    && echo done\n"
        'CMD ["python", "app.py"]\n'))
    assert reason == ("installs what importaudit cannot read: `pip install $PLUGINS` (Dockerfile:6: $PLUGINS is "
                      "not set by the descriptor: its value comes from the build's environment)")


@pytest.mark.parametrize(("length", "shown"), [(80, "whole"), (81, "cut")])
def test_a_long_step_is_cut_after_77_characters(tmp_path: Path, length: int, shown: str) -> None:
    head = "RUN pip install $PLUGINS "
    step = head + "x" * (length - len(head))
    assert len(step) == length
    reason = _reason(tmp_path, "FROM python:3.11-slim\nCOPY . /app\nWORKDIR /app\n"
                               "RUN pip install -r requirements.txt\n"
                               f'{step}\nCMD ["python", "app.py"]\n')
    text = step if shown == "whole" else step[:77] + "..."
    assert reason.startswith(f"installs what importaudit cannot read: `{text}` (Dockerfile:5: ")


# ---------------------------------------------------------------------------------------------
# A file the build copies into place imports relative to where it lands

PLACED = {
    "Dockerfile": "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                  "RUN cp deploy/prod/config.py mysite/conf/local.py\n"
                  'CMD ["gunicorn", "mysite.wsgi:application"]\n',
    "requirements.txt": "gunicorn\n",
    "mysite/__init__.py": "",
    "mysite/conf/__init__.py": "",
    "mysite/wsgi.py": "import mysite.conf.local\napplication = None\n",
    "mysite/conf/common.py": "import markdown\n",
    "mysite/shared.py": "import yaml\nVALUE = 1\n",
    # The same names beside the repo copy: what the imports would reach if read where the file lies.
    "deploy/prod/common.py": "import tabulate\n",
    "deploy/shared.py": "import requests\nVALUE = 1\n",
}


@pytest.mark.parametrize(("source", "packages"), [
    ("deploy/prod/config.py", {"deploy/__init__.py": "", "deploy/prod/__init__.py": ""}),  # in a package
    ("deploy/prod/config.py", {}),                                                         # plain folders
    ("config_prod.py", {}),                                            # at the root: no package at all
])
@pytest.mark.parametrize("config", [
    "from .common import *\nfrom ..shared import VALUE\nimport deploy.prod.extra\n",
    "import deploy.prod.extra\nfrom ..shared import VALUE\nfrom . import common\n",
])
def test_a_copied_settings_file_imports_relative_to_its_destination(
    tmp_path: Path, source: str, packages: dict[str, str], config: str
) -> None:
    # Relative imports resolve from mysite/conf/ where the copy lands; an absolute one stays as written.
    files = {**PLACED, **packages, source: config, "deploy/prod/extra.py": "import toml\n"}
    files["Dockerfile"] = files["Dockerfile"].replace("cp deploy/prod/config.py", f"cp {source}")
    write(tmp_path, files)
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": "fails-at-boot"}
    at_boot = {(f["module"], tuple(f["chain"])) for f in report["findings"] if f["rule"] == "missing-at-boot"}
    assert at_boot == {
        ("markdown", ("mysite/wsgi.py", source, "mysite/conf/common.py")),
        ("yaml", ("mysite/wsgi.py", source, "mysite/shared.py")),
        ("toml", ("mysite/wsgi.py", source, "deploy/prod/extra.py")),
    }
    assert code == 1


# ---------------------------------------------------------------------------------------------
# Functions a framework calls once it imports a module (Pyramid's includeme)

PYRAMID = {
    "Procfile": "web: python app.py\n",
    "requirements.txt": "pyramid\nwaitress\npyramid_jinja2\n",
    "app.py": """
        import sys

        from pyramid.config import Configurator

        config = Configurator()
        config.include("pyramid_jinja2")
        config.include("plugins")
        config.include("shop.routes")
        if sys.platform == "win32":
            config.include("shop.windows")
        app = config.make_wsgi_app()

        if __name__ == "__main__":
            import toml
    """,
    "shop/__init__.py": "",
    "plugins/base.py": "",  # a folder without __init__: it has no includeme to call
    "shop/routes.py": "def includeme(config):\n    import markdown\n    config.include('.admin')\n",
    "shop/admin.py": "def includeme(config):\n    import yaml\n",
    "shop/windows.py": "def includeme(config):\n    import win32api\n",
    # Never imported at boot: its include does not run, so neither does shop.extra's includeme.
    "shop/unused.py": "from pyramid.config import Configurator\n\ndef setup(config):\n"
                      "    config.include('shop.extra')\n",
    "shop/extra.py": "def includeme(config):\n    import tabulate\n",
}


def test_includeme_runs_at_boot_once_its_include_does(tmp_path: Path) -> None:
    # An include of an installed distribution and of a plain folder call nothing of the project;
    # the include guarded for Windows does not run on the Linux target; `python app.py` runs the
    # main block too, after the includes are followed.
    write(tmp_path, PYRAMID)
    code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "fails-at-boot"}
    assert {(f["rule"], f["module"], tuple(f["chain"])) for f in report["findings"]} == {
        ("missing-at-boot", "toml", ("app.py",)),
        ("missing-at-boot", "markdown", ("app.py", "shop/routes.py")),
        ("missing-at-boot", "yaml", ("app.py", "shop/routes.py", "shop/admin.py")),
        ("missing", "win32api", ()),
        ("missing", "tabulate", ()),
    }
    assert only(report, "yaml")["message"].startswith(
        "shop/admin.py:2 imports yaml at boot, in includeme() which runs then (app.py -> shop/routes.py -> ")
    assert code == 1


# ---------------------------------------------------------------------------------------------
# More on unreadable steps

def test_a_continued_run_ending_the_file_is_quoted_from_its_install_line(tmp_path: Path) -> None:
    reason = _reason(tmp_path, (
        'FROM python:3.11-slim\nCOPY . /app\nWORKDIR /app\nCMD ["python", "app.py"]\n'
        "RUN pip install -r requirements.txt\nRUN apt-get update \\\n    && pip install $PLUGINS"))
    assert reason.startswith("installs what importaudit cannot read: `pip install $PLUGINS` (Dockerfile:7: ")


def test_every_step_that_could_provide_a_module_is_named_in_its_message(tmp_path: Path) -> None:
    write(tmp_path, {
        "Dockerfile": "FROM python:3.11-slim\nWORKDIR /srv\nCOPY app.py /srv/\nRUN pip install flask\n"
                      "RUN pip install $PLUGINS\nRUN pip install ./dist/app.whl\nCMD [\"python\", \"app.py\"]\n",
        "app.py": "import flask\nimport yaml\n",
    })
    _code, report = audit(tmp_path)
    assert only(report, "yaml")["message"].endswith(
        "(unless `RUN pip install $PLUGINS` (Dockerfile:5: $PLUGINS is not set by the descriptor: its value comes "
        "from the build's environment); `RUN pip install ./dist/app.whl` (Dockerfile:6: wheels or archives no "
        "stage builds from the repo) installs it: importaudit cannot read that step)")


# ---------------------------------------------------------------------------------------------
# A setting only the deploy's environment decides

DJANGO_ENV_ENGINE = {
    "mysite/__init__.py": "",
    "mysite/settings.py": 'import os\nDATABASES = {"default": {"ENGINE": os.environ["DB_ENGINE"], "NAME": "x"}}\n'
                          "INSTALLED_APPS = []\n",
    "mysite/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
                      "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
    "manage.py": 'import os\nimport sys\nif __name__ == "__main__":\n'
                 '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
                 "    from django.core.management import execute_from_command_line\n"
                 "    execute_from_command_line(sys.argv)\n",
}
WHY_ENGINE = ("mysite/settings.py:2: DATABASES['default'] ENGINE comes from the environment variable DB_ENGINE "
              "with no default; the database driver is unknown (set a default or the target's DB_ENGINE)")


def test_a_database_engine_from_the_environment_without_a_deploy_is_an_unresolved_note(tmp_path: Path) -> None:
    write(tmp_path, {**DJANGO_ENV_ENGINE, "requirements.txt": "django\n"})
    _code, report = audit(tmp_path)
    target = _target(report)
    assert target["verdict"] == "unknown"
    assert target["notes"] == [WHY_ENGINE]
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("unresolved", "info")]


def test_a_boot_engine_from_the_environment_with_no_driver_installed_leaves_boot_unknown(tmp_path: Path) -> None:
    write(tmp_path, {**DJANGO_ENV_ENGINE, "requirements.txt": "django\ngunicorn\n",
                     "Procfile": "web: gunicorn mysite.wsgi\n"})
    _code, report = audit(tmp_path)
    reason = _target(report)["reason"]
    assert isinstance(reason, str)
    head = WHY_ENGINE + "; the target installs none of the drivers that could serve it ("
    assert reason.startswith(head) and reason.endswith(", ...)")
    assert len(reason[len(head):-len(", ...)")].split(", ")) == 4  # four drivers named, then the ellipsis
    assert verdicts(report) == {"Procfile:web": "unknown"}


def test_a_boot_engine_from_the_environment_with_a_driver_installed_boots(tmp_path: Path) -> None:
    # The value the deploy gives most plausibly matches the driver it installs.
    write(tmp_path, {**DJANGO_ENV_ENGINE, "requirements.txt": "django\ngunicorn\npsycopg2-binary\n",
                     "Procfile": "web: gunicorn mysite.wsgi\n"})
    _code, report = audit(tmp_path)
    assert verdicts(report) == {"Procfile:web": "boots"}
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("unresolved", "warning")]


# ---------------------------------------------------------------------------------------------
# --dockerfile

def test_a_given_dockerfile_is_one_target_whatever_the_targets_named(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from importaudit.cli import main

    write(tmp_path, {"app.py": "", "Dockerfile.prod": "FROM python:3.11-slim\n"})
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--dockerfile", str(tmp_path / "Dockerfile.prod"),
                                       "--target", "a", "--target", "b"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "importaudit: --dockerfile reads one target: give at most one --target NAME"]


# ---------------------------------------------------------------------------------------------
# An environment importaudit only assumes (a supervisord program of its own)

SUPERVISED = {
    "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
    "conf/supervisord.conf": "[supervisord]\nnodaemon=true\n[program:web]\n"
                             "command=gunicorn --bind 0.0.0.0:8000 app:app\n",
    "requirements.txt": "flask\ngunicorn\n",
}


@pytest.mark.parametrize(("others", "listed"), [
    (["prod", "staging", "extra"], "requirements/extra.txt, requirements/prod.txt, requirements/staging.txt"),
    (["prod", "staging", "extra", "aws"],
     "requirements/aws.txt, requirements/extra.txt, requirements/prod.txt and 1 more"),
])
def test_competing_requirements_files_make_the_assumed_environment_a_guess(
    tmp_path: Path, others: list[str], listed: str
) -> None:
    competing = {f"requirements/{name}.txt": "flask\ngunicorn\nmarkdown\n" for name in others}
    write(tmp_path, {**SUPERVISED, **competing})
    code, report = audit(tmp_path)
    doubt = ("the step that filled conf/supervisord.conf:web's environment (no descriptor says what it installs; "
             f"importaudit assumed requirements.txt, and the repo also has {listed})")
    assert _target(report)["reason"] == f"a boot import may be missing, depending on {doubt}"
    found = only(report, "markdown")
    assert (found["rule"], found["severity"]) == ("missing-at-boot", "warning")
    assert found["message"].endswith(f"(unless {doubt} installs it: importaudit cannot read that step)")
    assert code == 0


def test_an_assumed_environment_with_no_competing_source_is_evidence(tmp_path: Path) -> None:
    write(tmp_path, SUPERVISED)
    code, report = audit(tmp_path)
    found = only(report, "markdown")
    assert (found["rule"], found["severity"]) == ("missing-at-boot", "error")
    assert "unless" not in found["message"]
    assert verdicts(report) == {"conf/supervisord.conf:web": "fails-at-boot"}
    assert code == 1


# ---------------------------------------------------------------------------------------------
# A start command that names only a server

@pytest.mark.parametrize(("command", "servers"), [
    ("gunicorn --config gunicorn.conf.py", "gunicorn"),
    ("gunicorn -k uvicorn.workers.UvicornWorker --config gunicorn.conf.py", "gunicorn, uvicorn.workers"),
])
def test_a_server_without_an_application_leaves_boot_unknown(tmp_path: Path, command: str, servers: str) -> None:
    write(tmp_path, {
        "Procfile": f"web: {command}\n",
        "requirements.txt": "flask\ngunicorn\nuvicorn\n",
        "app.py": "import flask\napp = flask.Flask(__name__)\n",
    })
    code, report = audit(tmp_path)
    assert _target(report)["reason"] == (
        f"Procfile:1: the start command runs {servers}, but importaudit could not tell which application "
        "module it loads")
    assert verdicts(report) == {"Procfile:web": "unknown"}
    assert code == 0


# ---------------------------------------------------------------------------------------------
# A .env file the boot code loads names the settings module

DOTENV_DJANGO = {
    "mysite/__init__.py": "",
    "mysite/settings.py": "INSTALLED_APPS = ['rest_framework']\n",  # djangorestframework: not installed
    "requirements.txt": "django\ngunicorn\npython-dotenv\ndjango-environ\n",
    "Dockerfile": "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\n"
                  "RUN pip install -r requirements.txt\nCOPY . .\nCMD gunicorn mysite.wsgi\n",
}
WSGI_TAIL = "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n"
LOAD_DOTENV = "from dotenv import load_dotenv\nload_dotenv()\n"


@pytest.mark.parametrize(("loads", "dotenv", "verdict"), [
    pytest.param(LOAD_DOTENV, {".env": "DJANGO_SETTINGS_MODULE=mysite.settings\n"}, "fails-at-boot",
                 id="found-in-a-parent-folder"),
    pytest.param(LOAD_DOTENV, {"mysite/.env": "DJANGO_SETTINGS_MODULE=mysite.settings\n"}, "fails-at-boot",
                 id="found-beside-the-loading-file"),
    pytest.param(LOAD_DOTENV, {"other/.env": "DJANGO_SETTINGS_MODULE=mysite.settings\n"}, "unknown",
                 id="a-sibling-folder-is-not-searched"),
    pytest.param("import environ\nenviron.Env.read_env()\n", {".env": "DJANGO_SETTINGS_MODULE=mysite.settings\n"},
                 "fails-at-boot", id="django-environ"),
    pytest.param("def setup():\n    from dotenv import load_dotenv\n    load_dotenv()\n",
                 {".env": "DJANGO_SETTINGS_MODULE=mysite.settings\n"}, "unknown", id="loaded-only-in-a-function"),
    pytest.param(LOAD_DOTENV, {".env": "\ufeffDJANGO_SETTINGS_MODULE=mysite.settings\n"}, "fails-at-boot",
                 id="with-a-byte-order-mark"),
])
def test_a_dotenv_loaded_at_boot_decides_the_settings(
    tmp_path: Path, loads: str, dotenv: dict[str, str], verdict: str
) -> None:
    write(tmp_path, {**DOTENV_DJANGO, **dotenv, "mysite/wsgi.py": loads + WSGI_TAIL})
    _code, report = audit(tmp_path)
    assert verdicts(report) == {"Dockerfile": verdict}
    if verdict == "fails-at-boot":
        assert only(report, "rest_framework")["rule"] == "missing-at-boot"


# ---------------------------------------------------------------------------------------------
# What a Celery transport needs beyond its client, known from the bundled kombu 5.7 metadata

@pytest.mark.parametrize(("kombu", "packaging_needed"), [
    ("kombu==5.7.0\n", True),      # the bundled kombu: kombu[redis] also imports packaging
    ("kombu>=5.7\n", True),
    ("", True),                    # unpinned: the bundled one is what importaudit knows
    ("kombu<5.7\n", False),        # another kombu: its metadata is not the bundled one's
])
def test_a_redis_broker_needs_what_the_pinned_kombu_imports(
    tmp_path: Path, kombu: str, packaging_needed: bool
) -> None:
    write(tmp_path, {
        "Procfile": "worker: celery -A tasks worker --loglevel=info\n",
        "requirements.txt": "celery==5.4.0\n" + kombu,
        "tasks.py": 'from celery import Celery\n\napp = Celery("tasks", broker="redis://redis:6379/0")\n',
    })
    _code, report = audit(tmp_path)
    at_boot = {f["module"] for f in report["findings"] if f["rule"] == "missing-at-boot"}
    assert at_boot == ({"redis", "packaging"} if packaging_needed else {"redis"})


# ---------------------------------------------------------------------------------------------
# Which targets are audited

def test_an_unknown_target_name_lists_the_targets_there_are(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from importaudit.cli import main

    write(tmp_path, {**FLASK_PROCFILE, "Procfile": "web: gunicorn app:app\nworker: python app.py\n"})
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--target", "nope"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "importaudit: --target nope: no such target (targets: Procfile:web, Procfile:worker)"]


def test_an_unknown_target_name_without_descriptors_says_none_was_found(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from importaudit.cli import main

    write(tmp_path, {"app.py": "import os\n"})
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--target", "nope"])
    assert result.exit_code == 2
    assert result.output.splitlines() == ["importaudit: --target nope: no such target (targets: none found)"]


def test_a_descriptor_reader_that_fails_leaves_the_project_audited_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The boundary: whatever a reader raises (here a ValueError) must not stop the audit.
    import importaudit.judge.audit as audit_module

    def broken(*_args: object, **_kwargs: object) -> object:
        raise ValueError("unexpected token")

    monkeypatch.setattr(audit_module, "read_targets", broken)
    write(tmp_path, {**FLASK_PROCFILE, "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n"})
    _code, report = audit(tmp_path)
    assert [(t["name"], t["kind"]) for t in report["targets"]] == [("project", "project")]
    unreadable = [(f["rule"], f["severity"], f["file"], f["line"], f["message"])
                  for f in report["findings"] if f["rule"] == "unreadable"]
    assert unreadable == [("unreadable", "warning", "", None,
                           ": could not read the deploy descriptors (ValueError: unexpected token)")]
    assert only(report, "markdown")["rule"] in ("missing-at-boot", "missing")


def test_a_start_command_that_runs_no_python_is_still_a_target(tmp_path: Path) -> None:
    # Nothing installed, no entry found, no Python named: the command alone makes it a deploy to judge.
    write(tmp_path, {"Procfile": "web: bin/start-nginx\n", "app.py": "import flask\n"})
    _code, report = audit(tmp_path)
    targets = [(t["name"], t["kind"], t["verdict"]) for t in report["targets"]]
    assert targets == [("Procfile:web", "procfile", "unknown")]


def test_a_descriptor_that_only_installs_is_still_a_target(tmp_path: Path) -> None:
    # No CMD, not a Python image: the pip install alone says this image runs Python.
    write(tmp_path, {"Dockerfile": "FROM ubuntu:22.04\nRUN pip install flask\n", "app.py": "import flask\n"})
    _code, report = audit(tmp_path)
    assert [(t["name"], t["kind"]) for t in report["targets"]] == [("Dockerfile", "dockerfile")]


# ---------------------------------------------------------------------------------------------
# The Python versions a requires-python range admits

@pytest.mark.parametrize(("requires", "versions"), [
    (">=3.10.5", "3.10-3.14"),   # 3.10.0 is excluded, a later 3.10 is not: 3.10 is admitted
    ("<3.11.5", "3.9-3.11"),     # 3.11.99 is excluded, 3.11.0 is not: 3.11 is admitted
])
def test_a_python_range_with_a_patch_bound_admits_its_minor_version(
    tmp_path: Path, requires: str, versions: str
) -> None:
    write(tmp_path, {
        "app.py": "import flask\n",
        "pyproject.toml": f'[project]\nname = "x"\nversion = "1"\nrequires-python = "{requires}"\n'
                          'dependencies = ["flask"]\n',
    })
    _code, report = audit(tmp_path)
    target = _target(report)
    assert (target["python"], target["python_source"]) == (versions, f"requires-python {requires}")
