"""Each target's findings about its own code only, located on its own line: compose services'
lines, images that copy nothing from the repo, Procfiles in a subfolder, `unused` per target."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from importaudit.cli import main
from importaudit.targets import read_targets


def write(root: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    return sorted(files)


def findings(root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", *args], catch_exceptions=False)
    return list(json.loads(result.output)["findings"])


COMPOSE = """\
    x-deploy:
      web:
        replicas: 2
      worker:
        replicas: 1
    services:
      worker:
        build: .
        command: celery -A tasks worker
        depends_on:
          web:
            condition: service_started
      web:
        build: .
        command: gunicorn app:app
"""


def test_each_compose_service_is_located_on_its_own_line(tmp_path: Path) -> None:
    """Names also appear as keys elsewhere (an extension block, a long-form depends_on): the
    service's own key under `services:` is the line."""
    files = write(tmp_path, {"docker-compose.yml": COMPOSE, "Dockerfile": "FROM python:3.11-slim\nCOPY . .\n",
                             "app.py": "app = object()\n", "tasks.py": "\n"})
    lines = {t.name: t.line for t in read_targets(tmp_path, files) if t.kind == "compose"}
    assert lines == {"docker-compose.yml:web": 13, "docker-compose.yml:worker": 7}


def test_a_services_start_command_finding_points_at_its_service(tmp_path: Path) -> None:
    write(tmp_path, {"docker-compose.yml": COMPOSE, "Dockerfile": "FROM python:3.11-slim\nCOPY . .\n",
                     "app.py": "app = object()\n", "tasks.py": "\n", "requirements.txt": "\n"})
    located = {(f["target"], f["module"]): f["line"] for f in findings(tmp_path)
               if f["file"] == "docker-compose.yml"}
    assert located[("docker-compose.yml:web", "gunicorn")] == 13
    assert located[("docker-compose.yml:worker", "celery")] == 7


def test_an_image_that_copies_nothing_from_the_repo_carries_none_of_its_files(tmp_path: Path) -> None:
    """It pip-installs a published package: the repo's own code is not in it, so its imports are not
    this image's business (before, a target with no COPY counted as carrying the whole repo)."""
    write(tmp_path, {
        "Dockerfile": """\
            FROM python:3.11-slim
            RUN pip install --no-cache-dir gunicorn==22.0.0 flask==3.0.3
            CMD ["gunicorn", "flask:Flask"]
        """,
        "web/app.py": "import flask\nimport redis\n",
        "scripts/tool.py": "import pandas\n",
        "requirements.txt": "flask\n",
    })
    [target] = [t for t in read_targets(tmp_path, ["Dockerfile", "requirements.txt", "scripts/tool.py",
                                                    "web/app.py"])]
    assert target.ships == () and not target.carries("web/app.py")
    assert [(f["file"], f["module"]) for f in findings(tmp_path) if f["target"] == "Dockerfile"] == []


def test_an_image_that_installs_the_repo_through_a_mount_still_carries_it(tmp_path: Path) -> None:
    files = write(tmp_path, {
        "Dockerfile": """\
            FROM python:3.11-slim
            RUN --mount=type=bind,target=/src pip install /src
            CMD ["gunicorn", "app:app"]
        """,
        "app.py": "app = object()\n",
        "pyproject.toml": "[project]\\nname = 'x'\\nversion = '1'\\n",
    })
    [target] = read_targets(tmp_path, files)
    assert target.ships is None


def test_an_image_that_installs_a_wheel_built_in_a_stage_may_carry_the_repo(tmp_path: Path) -> None:
    """The final stage copies no repo file, but installs a wheel an earlier stage built from the
    repo in a way importaudit cannot follow: its code may be the repo's, so it is not scoped out."""
    files = write(tmp_path, {
        "Dockerfile": """\
            FROM python:3.11-slim AS build
            COPY . /src
            RUN cd /src && ./build.sh && mv dist /dist
            FROM python:3.11-slim
            COPY --from=build /dist/*.whl /tmp/dist/
            RUN pip install /tmp/dist/*.whl
            CMD ["gunicorn", "app:app"]
        """,
        "app.py": "app = object()\n",
        "build.sh": "python -m build\n",
    })
    [target] = read_targets(tmp_path, files)
    assert target.ships is None


def test_a_procfile_in_a_subfolder_carries_that_folder(tmp_path: Path) -> None:
    """The platform deploys the folder holding the Procfile: another folder's imports are not its own."""
    write(tmp_path, {
        "api/Procfile": "web: gunicorn app:app\n",
        "api/app.py": "import flask\n\napp = flask.Flask(__name__)\n\n\ndef f():\n    import redis\n",
        "api/requirements.txt": "flask\ngunicorn\n",
        "jobs/etl.py": "import pandas\n",
    })
    got = {(f["target"], f["file"], f["module"]) for f in findings(tmp_path)}
    assert ("api/Procfile:web", "api/app.py", "redis") in got  # its own request-time import stays
    assert not any(file.startswith("jobs/") for _t, file, _m in got), got
    [target] = [t for t in read_targets(tmp_path, ["api/Procfile", "api/app.py", "api/requirements.txt",
                                                   "jobs/etl.py"])]
    assert target.ships == ("api",)



SERVICE = """\
    FROM python:3.11-slim
    WORKDIR /srv
    COPY requirements.txt .
    RUN pip install -r requirements.txt
    COPY app ./app
    CMD ["gunicorn", "app.main:app"]
"""


def test_unused_counts_only_the_imports_of_what_the_target_ships(tmp_path: Path) -> None:
    """api declares pandas and its code never imports it; the sales service's code does, in
    another image: that does not make pandas used in api's."""
    write(tmp_path, {
        "services/api/Dockerfile": SERVICE,
        "services/api/requirements.txt": "flask\ngunicorn\npandas\n",
        "services/api/app/__init__.py": "",
        "services/api/app/main.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "services/sales/Dockerfile": SERVICE,
        "services/sales/requirements.txt": "flask\ngunicorn\npandas\n",
        "services/sales/app/__init__.py": "",
        "services/sales/app/main.py": "import pandas\nfrom flask import Flask\n\napp = Flask(__name__)\n",
    })
    unused = {(f["target"], f["module"]) for f in findings(tmp_path) if f["rule"] == "unused"}
    assert unused == {("services/api/Dockerfile", "pandas")}


INSTALL = "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"


def test_a_requirements_file_two_targets_install_is_used_when_either_uses_it(tmp_path: Path) -> None:
    """One requirements.txt for the web image and the worker image: removing pandas would break the
    worker, so it is not unused because the web image's code does not import it."""
    write(tmp_path, {
        "Dockerfile.web": INSTALL + "COPY web ./web\nCMD [\"gunicorn\", \"web.main:app\"]\n",
        "Dockerfile.worker": INSTALL + "COPY worker ./worker\nCMD [\"python\", \"-m\", \"worker.run\"]\n",
        "requirements.txt": "flask\ngunicorn\npandas\n",
        "web/__init__.py": "", "web/main.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "worker/__init__.py": "", "worker/run.py": "import pandas\n",
    })
    assert [f for f in findings(tmp_path) if f["rule"] == "unused"] == []


def test_a_unit_whose_working_directory_is_a_repo_folder_runs_and_carries_that_folder(tmp_path: Path) -> None:
    """WorkingDirectory=/srv/app/backend with the app in backend/: the checkout is /srv/app, the
    command runs in backend/ (its module resolves there), and tools/ is not this service's code."""
    files = write(tmp_path, {
        "deploy/web.service": "[Service]\nWorkingDirectory=/srv/app/backend\n"
                              "ExecStart=/srv/app/venv/bin/gunicorn -c /srv/app/deploy/gunicorn.py config.wsgi\n",
        "deploy/gunicorn.py": "workers = 2\n",
        "backend/config/__init__.py": "",
        "backend/config/wsgi.py": "import django\nimport redis\n",
        "tools/report.py": "import pandas\n",
        "requirements.txt": "django\ngunicorn\n",
    })
    [target] = read_targets(tmp_path, files)
    assert target.paths == ("backend",)
    assert target.ships == ("backend", "deploy/gunicorn.py")
    got = {(f["file"], f["module"], f["rule"]) for f in findings(tmp_path)}
    assert ("backend/config/wsgi.py", "redis", "missing-at-boot") in got
    assert not any(file.startswith("tools/") for file, _m, _r in got), got


def test_a_unit_whose_working_directory_is_the_checkout_keeps_the_whole_repo(tmp_path: Path) -> None:
    """WorkingDirectory=/home/debian/asu/ where the repo also has a package folder asu/: the entry
    asu.app resolves from the checkout root, not from inside asu/."""
    files = write(tmp_path, {
        "misc/asu.service": "[Service]\nWorkingDirectory=/home/debian/asu/\n"
                            "ExecStart=/home/debian/.local/bin/gunicorn \"asu.app:create_app()\"\n",
        "asu/__init__.py": "",
        "asu/app.py": "def create_app():\n    pass\n",
        "requirements.txt": "gunicorn\n",
    })
    [target] = read_targets(tmp_path, files)
    assert target.ships is None and target.paths == ()


def test_an_image_that_carries_no_code_calls_nothing_unused(tmp_path: Path) -> None:
    """A docs image installs mkdocs plugins and copies only docs/: its distributions are used by
    the tool it runs, not imported, so none of them is `unused` (they were, once only the code an
    image carries counted)."""
    write(tmp_path, {
        "docs/Dockerfile": "FROM python:3.11-slim\nRUN pip install mkdocs mdx-breakless-lists\nCOPY . /docs\n"
                           "CMD [\"mkdocs\", \"build\"]\n",
        "docs/index.md": "# hi\n",
        "Dockerfile": "FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
                      "COPY app.py .\nCMD [\"gunicorn\", \"app:app\"]\n",
        "app.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        "requirements.txt": "flask\ngunicorn\n",
    })
    assert [f["module"] for f in findings(tmp_path) if f["rule"] == "unused"] == []
