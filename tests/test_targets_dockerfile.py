"""Dockerfile targets: tokenizer, stages, installs, COPY path mapping, CMD/ENTRYPOINT, Python."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any, Optional

import pytest
from targets_support import DJANGO_MANAGE, write_files

from importaudit.model import Target
from importaudit.targets import read_dockerfile, read_targets
from importaudit.targets.dockerfile import python_from_image
from importaudit.targets.dockerfile_syntax import parse_dockerfile


def build(
    root: Path, dockerfile: str, extra: Optional[dict[str, str]] = None, stage: Optional[str] = None
) -> Target:
    files = {"Dockerfile": dockerfile, "app.py": "", "requirements.txt": "flask\n", **(extra or {})}
    names = write_files(root, files)
    return read_dockerfile(root, "Dockerfile", stage, names)


def installs(target: Target) -> list[tuple[Any, ...]]:
    return [(i.kind.value, i.spec, i.tool) for i in target.installs]


def entries(target: Target) -> list[str]:
    return [e.spec for e in target.entries]


# --- tokenizer ---------------------------------------------------------------------------


def test_continuations_and_comments_inside_them() -> None:
    instructions, problems = parse_dockerfile(
        textwrap.dedent("""\
        FROM python:3.12-slim
        RUN pip install \\
        # a comment line inside the continuation
              flask \\

              gunicorn
        CMD ["gunicorn", "app:app"]
    """)
    )
    assert problems == []
    assert [(i.keyword, i.line) for i in instructions] == [("FROM", 1), ("RUN", 2), ("CMD", 7)]
    assert instructions[1].args.split() == ["pip", "install", "flask", "gunicorn"]
    assert instructions[2].exec_form == ("gunicorn", "app:app")


def test_escape_directive_backtick() -> None:
    instructions, _ = parse_dockerfile("# escape=`\nFROM python:3.11\nRUN pip install `\n  x\n")
    assert instructions[1].args.split() == ["pip", "install", "x"]


def test_heredocs_and_their_problems() -> None:
    instructions, problems = parse_dockerfile(
        textwrap.dedent("""\
        FROM python:3.12
        RUN <<EOF
        pip install -r requirements.txt
        EOF
        COPY <<-"CONF" /etc/app.conf
        \tkey=value
        CONF
        RUN <<NEVER
        pip install x
    """)
    )
    assert [i.keyword for i in instructions] == ["FROM", "RUN", "COPY", "RUN"]
    assert instructions[1].heredocs == (("EOF", "pip install -r requirements.txt"),)
    assert instructions[2].heredocs == (("CONF", "key=value"),)
    assert [p.message for p in problems] == ["heredoc <<NEVER never ends"]


def test_bad_json_exec_form_falls_back_to_the_shell() -> None:
    instructions, problems = parse_dockerfile('FROM python:3.12\nCMD ["gunicorn", app:app]\n')
    assert instructions[1].exec_form is None
    assert problems and "not valid JSON" in problems[0].message


# --- Python version ------------------------------------------------------------------------

NEWEST = "3.14"  # the newest CPython of importaudit's bundled stdlib table


@pytest.mark.parametrize(
    ("image", "version", "floats"),
    [
        ("python:3.12-slim", "3.12", False),
        ("python:3.11.9-alpine3.20", "3.11", False),
        ("python:3.9-bookworm", "3.9", False),
        ("docker.io/library/python:3.13", "3.13", False),
        ("mirror.gcr.io/python:3.10-slim@sha256:abc", "3.10", False),
        ("ghcr.io/astral-sh/uv:python3.12-bookworm-slim", "3.12", False),
        ("mcr.microsoft.com/devcontainers/python:3.11", "3.11", False),
        ("tiangolo/uvicorn-gunicorn-fastapi:python3.11", "3.11", False),
        ("public.ecr.aws/lambda/python:3.12", "3.12", False),
        ("python:3", NEWEST, True),
        ("python:3-slim-bookworm", NEWEST, True),
        ("python:slim", NEWEST, True),
        ("python:alpine", NEWEST, True),
        ("python:alpine3.20", NEWEST, True),
        ("python:latest", NEWEST, True),
        ("python", NEWEST, True),
        ("python:2", None, True),
        ("ubuntu:22.04", None, False),
    ],
)
def test_python_from_image(image: str, version: Optional[str], floats: bool) -> None:
    found, note = python_from_image(image)
    assert found == version
    assert (note is not None and "floats" in note) == floats
    if floats and version:
        assert note == f"`{image}` floats: taken as the newest Python importaudit knows ({version})"


def test_floating_python_tag_is_the_newest_known_python_not_the_hosts(tmp_path: Path) -> None:
    target = build(tmp_path, "FROM python:slim\nCOPY . /app\nCMD python /app/app.py\n")
    assert (target.python, target.python_source) == (NEWEST, "Dockerfile:1 FROM python:slim")
    assert f"`python:slim` floats: taken as the newest Python importaudit knows ({NEWEST})" in target.notes


def test_arg_before_from_and_stage_chains(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        ARG PYTHON_VERSION=3.10
        FROM python:${PYTHON_VERSION}-slim AS base
        WORKDIR /app
        FROM base AS final
        COPY . .
        CMD gunicorn app:app
    """,
    )
    assert target.python == "3.10"
    assert target.python_source == "Dockerfile:2 FROM python:3.10-slim"


# --- installs -------------------------------------------------------------------------------

RUN_CASES = [
    ("pip install -r requirements.txt", [("requirements", "requirements.txt", "pip")]),
    (
        "pip3 install --no-cache-dir -r requirements.txt -r requirements/prod.txt",
        [("requirements", "requirements.txt", "pip"), ("requirements", "requirements/prod.txt", "pip")],
    ),
    (
        "python -m pip install 'flask[async]==3.0' gunicorn",
        [("package", "flask[async]==3.0", "pip"), ("package", "gunicorn", "pip")],
    ),
    (
        "python3 -m pip install --upgrade pip && pip install .",
        [("package", "pip", "pip"), ("project", ".", "pip")],
    ),
    ("pip install -e .[postgres]", [("project", ".", "pip")]),
    ("pip install ./backend", [("project", "backend", "pip")]),
    ("uv pip install --system -r requirements.txt", [("requirements", "requirements.txt", "uv")]),
    ("uv sync --frozen --no-dev", [("project", ".", "uv")]),
    ("poetry install --only main --no-root", [("project", ".", "poetry")]),
    ("pipenv install --deploy --system", [("project", ".", "pipenv")]),
    ("pdm install --prod", [("project", ".", "pdm")]),
    ("pip install https://example.com/x.tar.gz", [("unknown", "https://example.com/x.tar.gz", "pip")]),
    ("apt-get update && apt-get install -y libpq-dev", []),
]


@pytest.mark.parametrize(("run", "expected"), RUN_CASES, ids=[r for r, _ in RUN_CASES])
def test_run_installs(tmp_path: Path, run: str, expected: list[tuple[str, str, str]]) -> None:
    target = build(
        tmp_path,
        f"FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN {run}\n",
        {"requirements/prod.txt": "", "backend/pyproject.toml": "", "pyproject.toml": ""},
    )
    assert installs(target) == expected


@pytest.mark.parametrize(
    ("run", "extras", "groups", "include_dev", "no_deps"),
    [
        ("uv sync --locked --extra api --group web", ("api",), ("web",), True, False),
        ("uv sync --no-dev --no-install-project", (), (), False, False),
        # Poetry's default groups stay selected; `--without` names the ones left out (checked below).
        ("poetry install --without dev --with docs", (), ("docs",), True, False),
        ("poetry install", (), (), True, False),
        ("pipenv install --dev --system", (), (), True, False),
        ("pip install --no-deps .[s3,gcs]", ("gcs", "s3"), (), False, True),
    ],
)
def test_project_install_options(
    tmp_path: Path, run: str, extras: tuple[str, ...], groups: tuple[str, ...], include_dev: bool, no_deps: bool
) -> None:
    target = build(tmp_path, f"FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN {run}\n", {"pyproject.toml": ""})
    (install,) = target.installs
    assert (install.extras, install.groups, install.include_dev, install.no_deps) == (
        extras,
        groups,
        include_dev,
        no_deps,
    )
    assert install.without == (("dev",) if "--without dev" in run else ())


def test_copy_maps_container_paths_back_to_the_repo(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        FROM python:3.11-slim
        WORKDIR /app
        COPY requirements/prod.txt /app/req.txt
        COPY requirements/ ./reqs/
        RUN pip install -r /app/req.txt && cd reqs && pip install -r base.txt
        RUN pip install -r not-copied.txt
    """,
        {"requirements/prod.txt": "", "requirements/base.txt": "", "not-copied.txt": ""},
    )
    assert installs(target) == [
        ("requirements", "requirements/prod.txt", "pip"),
        ("requirements", "requirements/base.txt", "pip"),
        ("unknown", "not-copied.txt", "pip"),
    ]
    assert any("not-copied.txt" in note for note in target.notes)


def test_bind_mounts_count_as_copies(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        FROM python:3.12-slim
        WORKDIR /app
        RUN --mount=type=bind,source=deploy/requirements.txt,target=/tmp/r.txt \\
            pip install -r /tmp/r.txt
    """,
        {"deploy/requirements.txt": ""},
    )
    assert installs(target) == [("requirements", "deploy/requirements.txt", "pip")]


def test_venv_copied_from_a_builder_stage(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        FROM python:3.12 AS builder
        RUN python -m venv /opt/venv
        ENV PATH="/opt/venv/bin:$PATH"
        COPY requirements.txt .
        RUN pip install -r requirements.txt
        FROM node:20 AS assets
        RUN npm ci
        FROM python:3.12-slim
        COPY --from=builder /opt/venv /opt/venv
        COPY --from=assets /static /app/static
        WORKDIR /app
        COPY . .
        CMD ["/opt/venv/bin/gunicorn", "app:app"]
    """,
    )
    assert installs(target) == [("requirements", "requirements.txt", "pip")]
    assert entries(target) == ["app:app", "gunicorn"]
    assert target.python == "3.12"


def test_prefix_install_copied_to_usr_local(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        FROM python:3.11 AS builder
        COPY requirements.txt /tmp/
        RUN pip install --prefix=/install -r /tmp/requirements.txt
        FROM python:3.11-slim
        COPY --from=builder /install /usr/local
        CMD python app.py
    """,
    )
    assert installs(target) == [("requirements", "requirements.txt", "pip")]


def test_wheel_stage_installs_what_the_wheels_hold(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        FROM python:3.11-slim AS builder
        WORKDIR /build
        COPY requirements.txt .
        RUN pip wheel --no-cache-dir -r requirements.txt -w /wheels
        FROM python:3.11-slim
        COPY --from=builder /wheels /wheels
        RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
        CMD ["gunicorn", "app:app"]
    """,
    )
    assert installs(target) == [("requirements", "requirements.txt", "pip")]
    assert target.installs[0].location is not None and target.installs[0].location.line == 7


WHEEL_STAGE = """\
    FROM python:3.14-slim AS builder
    COPY requirements.txt /tmp
    RUN pip wheel --wheel-dir /wheels apprise uwsgi "psycopg[c]" -r /tmp/requirements.txt
    COPY . /opt/app/
    FROM python:3.14-slim
    WORKDIR /opt/app
    {install}
    COPY --from=builder /opt/app/ /opt/app/
    CMD ["python", "/opt/app/app.py"]
"""
WHEEL_INSTALLS = [
    ("package", "apprise", "pip"),
    ("package", "uwsgi", "pip"),
    ("package", "psycopg[c]", "pip"),
    ("requirements", "requirements.txt", "pip"),
]


@pytest.mark.parametrize(
    ("install", "expected"),
    [
        (
            "RUN --mount=type=bind,target=/wheels,source=/wheels,from=builder \\\n"
            "    pip install --upgrade pip && pip install --no-cache /wheels/*",
            [("package", "pip", "pip"), *WHEEL_INSTALLS],
        ),
        ("RUN --mount=type=cache,from=builder,source=/wheels,target=/w pip install /w/*.whl", WHEEL_INSTALLS),
        ("COPY --from=builder /wheels /wheels\nRUN pip install /wheels/* && rm -rf /wheels", WHEEL_INSTALLS),
        # The mount lasts one RUN: a later install of /wheels has nothing to follow.
        (
            "RUN --mount=type=bind,target=/wheels,source=/wheels,from=builder true\nRUN pip install /wheels/*",
            [("unknown", "/wheels/*", "pip")],
        ),
    ],
    ids=["bind-mount", "cache-mount", "copy-from", "mount-is-one-run"],
)
def test_wheel_stage_packages_and_requirements(tmp_path: Path, install: str, expected: list[Any]) -> None:
    target = build(tmp_path, WHEEL_STAGE.format(install=install.replace("\n", "\n    ")))
    assert installs(target) == expected
    # The repo copied into the builder travels with COPY --from: /opt/app/app.py is app.py.
    assert [(e.module, e.path) for e in target.entries][:1] == [("app", "app.py")]


@pytest.mark.parametrize(
    ("copy", "install", "expected"),
    [
        ("COPY requirements.txt /tmp", "pip install -r /tmp/requirements.txt", "requirements.txt"),
        ("COPY requirements.txt /srv", "pip install -r /srv/requirements.txt", "requirements.txt"),
        ("COPY requirements.txt /data/req.txt", "pip install -r /data/req.txt", "requirements.txt"),
        ("COPY requirements.txt /data\nRUN true", "pip install -r /data/requirements.txt", "requirements.txt"),
    ],
)
def test_copy_into_a_directory_the_base_image_has(tmp_path: Path, copy: str, install: str, expected: str) -> None:
    target = build(tmp_path, f"FROM python:3.12\n{copy}\nRUN {install}\n")
    assert installs(target) == [("requirements", expected, "pip")]


@pytest.mark.parametrize(
    ("files", "expected", "noted"),
    [
        ({"requirements.txt": ""}, "requirements.txt", True),
        ({"requirements.txt": "", "docker/requirements.txt": ""}, "docker/requirements.txt", False),
    ],
)
def test_dockerfile_in_a_folder_built_from_the_root(
    tmp_path: Path, files: dict[str, str], expected: str, noted: bool
) -> None:
    dockerfile = "FROM python:3.12\nCOPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\n"
    names = write_files(tmp_path, {"docker/Dockerfile": dockerfile, **files})
    target = read_dockerfile(tmp_path, "docker/Dockerfile", None, names)
    assert installs(target) == [("requirements", expected, "pip")]
    assert any("repo root" in note for note in target.notes) is noted


def test_poetry_export_then_pip_install(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        FROM python:3.12 AS builder
        WORKDIR /src
        COPY pyproject.toml poetry.lock ./
        RUN pip install poetry && poetry export -f requirements.txt -o /tmp/req.txt
        FROM python:3.12-slim
        COPY --from=builder /tmp/req.txt /tmp/req.txt
        RUN pip install -r /tmp/req.txt
    """,
        {"pyproject.toml": "", "poetry.lock": ""},
    )
    assert installs(target) == [("project", ".", "poetry")]
    assert target.installs[0].include_dev is False


# --- what runs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "expected", "command"),
    [
        ('CMD ["gunicorn", "app:app"]', ["app:app", "gunicorn"], "gunicorn app:app"),
        (
            "CMD gunicorn app:app --bind 0.0.0.0:$PORT",
            ["app:app", "gunicorn"],
            "gunicorn app:app --bind 0.0.0.0:$PORT",
        ),
        ('ENTRYPOINT ["gunicorn"]\nCMD ["app:app"]', ["app:app", "gunicorn"], "gunicorn app:app"),
        ('ENTRYPOINT gunicorn app:app\nCMD ["ignored:x"]', ["app:app", "gunicorn"], "gunicorn app:app"),
        ('CMD ["python", "app.py"]\nCMD ["uvicorn", "app:app"]', ["app:app", "uvicorn"], "uvicorn app:app"),
        ('ENTRYPOINT ["python", "-m"]\nCMD ["app"]', ["app"], "python -m app"),
    ],
)
def test_cmd_and_entrypoint(tmp_path: Path, tail: str, expected: list[str], command: str) -> None:
    target = build(tmp_path, f"FROM python:3.12\nWORKDIR /app\nCOPY . .\n{tail}\n")
    assert entries(target) == expected
    assert target.commands == (command,)


def test_entrypoint_script_is_read_through_copy(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        FROM python:3.12-slim
        WORKDIR /srv
        COPY docker/entrypoint.sh /usr/local/bin/entrypoint.sh
        COPY . .
        ENV DJANGO_SETTINGS_MODULE=mysite.settings.prod
        ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]
        CMD ["gunicorn", "mysite.wsgi"]
    """,
        {
            "docker/entrypoint.sh": '#!/bin/sh\npython manage.py migrate\nexec "$@"\n',
            "manage.py": DJANGO_MANAGE,
            "mysite/wsgi.py": "",
        },
    )
    assert [(e.spec, e.via) for e in target.entries] == [
        ("manage.py", "pre-start"),
        ("mysite.wsgi:application", "gunicorn"),
        ("django", "start command"),
        ("gunicorn", "start command"),
    ]
    assert ("DJANGO_SETTINGS_MODULE", "mysite.settings.prod") in target.env


def test_cmd_inherited_from_the_stage_it_is_built_from(tmp_path: Path) -> None:
    dockerfile = """\
        FROM python:3.12 AS base
        WORKDIR /app
        COPY . .
        RUN pip install -r requirements.txt
        CMD ["gunicorn", "app:app"]
        FROM base AS dev
        RUN pip install pytest
        CMD ["python", "app.py"]
        FROM base AS prod
        ENV MODE=prod
    """
    assert entries(build(tmp_path, dockerfile)) == ["app:app", "gunicorn"]
    dev = build(tmp_path, dockerfile, stage="dev")
    assert entries(dev) == ["app.py"]
    assert installs(dev) == [("requirements", "requirements.txt", "pip"), ("package", "pytest", "pip")]


def test_workdir_makes_relative_script_paths(tmp_path: Path) -> None:
    target = build(
        tmp_path,
        """\
        FROM python:3.12
        COPY backend /code
        WORKDIR /code
        CMD ["python", "server.py"]
    """,
        {"backend/server.py": ""},
    )
    assert [(e.spec, e.path) for e in target.entries] == [("backend/server.py", "backend/server.py")]
    assert target.paths == ("backend",)


def test_no_cmd_means_no_entry(tmp_path: Path) -> None:
    target = build(tmp_path, "FROM python:3.12\nRUN pip install flask\n")
    assert target.entries == ()
    assert any("no CMD" in note for note in target.notes)


@pytest.mark.parametrize("content", [b"\x00\x01\x02binary", b"\xff\xfe\xfa", b"", b"RUN x\n"])
def test_unreadable_dockerfiles_are_warnings(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "Dockerfile").write_bytes(content)
    target = read_dockerfile(tmp_path, "Dockerfile", None, ["Dockerfile"])
    assert target.entries == ()
    assert target.warnings


def test_registry_finds_every_dockerfile_name(tmp_path: Path) -> None:
    names = write_files(
        tmp_path,
        {
            name: "FROM python:3.12\nCMD python app.py\n"
            for name in (
                "Dockerfile",
                "Dockerfile.zeabur",
                "deploy/api.Dockerfile",
                "web.dockerfile",
                "Containerfile",
            )
        }
        | {"Dockerfile.md": "# docs", "app.py": ""},
    )
    found = read_targets(tmp_path, names)
    assert [(t.name, t.kind) for t in found] == [
        ("Containerfile", "dockerfile"),
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.zeabur", "dockerfile"),
        ("deploy/api.Dockerfile", "dockerfile"),
        ("web.dockerfile", "dockerfile"),
    ]


@pytest.mark.parametrize(
    ("run", "files", "expected"),
    [
        # An install script in the repo is read like the RUN itself.
        (
            "RUN ./scripts/install.sh",
            {"scripts/install.sh": "#!/bin/sh\nset -e\npip install -r requirements.txt\n"},
            [("requirements", "requirements.txt", "pip")],
        ),
        ("RUN bash scripts/install.sh", {"scripts/install.sh": "for g in web; do pip install --group $g; done\n"},
         [("project", ".", "pip")]),
        # `uv export > FILE` then `pip install -r FILE`: that file is the project's no-dev set.
        ("RUN uv export --no-dev --format requirements-txt > /tmp/r.txt && pip install -r /tmp/r.txt", {},
         [("project", ".", "uv")]),
        # A build argument without a default: the gated install does not run by default.
        ('ARG EXTRA\nRUN if [ -n "$EXTRA" ]; then pip install $EXTRA; fi', {}, []),
        ('ARG EXTRA=redis\nRUN if [ -n "$EXTRA" ]; then pip install $EXTRA; fi', {},
         [("package", "redis", "pip")]),
        # Unconditionally, it is an install only the build knows.
        ("ARG WHEELS\nRUN pip install $WHEELS", {}, [("package", "$WHEELS", "pip")]),
    ],
)
def test_computed_installs(
    tmp_path: Path, run: str, files: dict[str, str], expected: list[tuple[str, str, str]]
) -> None:
    target = build(
        tmp_path,
        f"FROM python:3.12\nWORKDIR /app\nCOPY . .\n{run}\n",
        {"requirements.txt": "", "pyproject.toml": "", **files},
    )
    assert installs(target) == expected


# --- deploy stage ----------------------------------------------------------------------------

SERVER_THEN = "FROM python:3.12-slim AS app\nCOPY . /srv\nWORKDIR /srv\nCMD gunicorn app:app\n"


@pytest.mark.parametrize(
    ("tail", "stage", "expected"),
    [
        pytest.param("FROM app AS test\nRUN pip install pytest\nCMD pytest\n", None, "app:app",
                     id="trailing-test"),
        pytest.param("FROM app AS lint\nRUN pip install ruff\nRUN ruff check .\n", None, "app:app",
                     id="trailing-lint-inherits-cmd"),
        pytest.param("FROM app AS checks\nCMD [\"python\", \"-m\", \"pytest\"]\n", None, "app:app",
                     id="runs-pytest"),
        pytest.param("FROM app AS test\nCMD pytest\n", "test", None, id="build-target-selects-test"),
        pytest.param("FROM app AS worker\nCMD celery -A tasks worker\n", None, "tasks", id="trailing-worker-kept"),
    ],
)
def test_deploy_stage_skips_a_trailing_check_stage(tmp_path: Path, tail: str, stage: Optional[str],
                                                   expected: Optional[str]) -> None:
    target = build(tmp_path, SERVER_THEN + tail, {"tasks.py": ""}, stage=stage)
    specs = [e.spec for e in target.entries if e.kind.value != "server"]
    assert (specs[0] if specs else None) == expected


@pytest.mark.parametrize(
    ("run", "placed"),
    [
        pytest.param("RUN cp deploy/config.py settings/local.py", (("settings/local.py", "deploy/config.py"),),
                     id="file-to-file"),
        pytest.param("RUN cp -f deploy/config.py settings/", (("settings/config.py", "deploy/config.py"),),
                     id="file-into-folder"),
        pytest.param("RUN cd /app && mv deploy/config.py settings/local.py",
                     (("settings/local.py", "deploy/config.py"),), id="after-cd"),
        pytest.param("RUN cp deploy/missing.py settings/local.py", (), id="source-not-in-repo"),
        pytest.param("RUN cp deploy/config.py /etc/app/config.py", (), id="destination-outside-the-code"),
        pytest.param("RUN cp a.py b.py settings/", (), id="several-sources-not-followed"),
    ],
)
def test_build_time_copies_of_python_files_are_placed(tmp_path: Path, run: str,
                                                       placed: tuple[tuple[str, str], ...]) -> None:
    extra = {"deploy/config.py": "", "settings/__init__.py": "", "settings/base.py": "", "a.py": "", "b.py": ""}
    target = build(tmp_path, f"FROM python:3.12\nWORKDIR /app\nCOPY . .\n{run}\nCMD gunicorn app:app\n", extra)
    assert target.placed == placed


def test_context_from_the_files_run_steps_name(tmp_path: Path) -> None:
    """`COPY . /app` alone says nothing; `pip install -r requirements.txt` found only at the root does."""
    names = write_files(tmp_path, {
        "docker/Dockerfile": "FROM python:3.12\nCOPY . /app\nWORKDIR /app\nRUN pip install -r requirements.txt\n"
                             "CMD gunicorn app:app\n",
        "requirements.txt": "flask\n", "app.py": "",
    })
    target = read_dockerfile(tmp_path, "docker/Dockerfile", None, names)
    assert [i.spec for i in target.installs] == ["requirements.txt"]
    note = "docker/Dockerfile copies files found from the repo root: built with the root as context"
    assert note in target.notes


@pytest.mark.parametrize(
    "build_step",
    [
        "RUN pip install uv && uv build --wheel",
        "RUN pip install build && python -m build --wheel",
        "RUN pip install uv && uv build -o /out && mv /out dist",
        "RUN pip install poetry && poetry build -f wheel",
    ],
)
def test_project_wheel_built_then_installed(tmp_path: Path, build_step: str) -> None:
    dockerfile = f"""\
        FROM python:3.12 AS builder
        WORKDIR /src
        COPY . .
        {build_step}
        FROM python:3.12-slim
        COPY --from=builder /src/dist /dist
        RUN pip install /dist/*.whl
    """
    if "-o /out" in build_step:
        dockerfile = dockerfile.replace("/src/dist /dist", "/out /dist")
    target = build(tmp_path, dockerfile, {"pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n"})
    assert installs(target) == [("project", ".", "pip")]


def test_project_wheel_built_and_installed_in_one_step(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nWORKDIR /src\nCOPY . .\nRUN uv build && pip install dist/*.whl\n"
    target = build(tmp_path, dockerfile, {"pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n"})
    assert installs(target) == [("project", ".", "pip")]


def test_wheels_copied_by_glob_from_the_builder(tmp_path: Path) -> None:
    dockerfile = """\
        FROM python:3.12 AS builder
        WORKDIR /src
        COPY . .
        RUN uv build --wheel
        FROM python:3.12-slim
        COPY --from=builder /src/dist/*.whl /tmp/
        RUN uv pip install --system --no-deps /tmp/*.whl
    """
    target = build(tmp_path, dockerfile, {"pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n"})
    assert installs(target) == [("project", ".", "pip")]


_BACKEND = {
    "hypercorn.toml": "", "backend/pyproject.toml": "[project]\nname = 'b'\nversion = '1'\n",
    "backend/pdm.lock": "", "backend/uv.lock": "", "backend/poetry.lock": "", "backend/Pipfile": "",
    "backend/Pipfile.lock": "{}", "backend/app.py": "",
}


@pytest.mark.parametrize(
    ("copy", "run", "spec"),
    [
        ("COPY backend/pdm.lock backend/pyproject.toml /app/", "pdm install --prod --no-lock --no-editable",
         "backend"),
        ("COPY backend/pyproject.toml backend/uv.lock ./", "uv sync --frozen --no-dev", "backend"),
        ("COPY backend/pyproject.toml backend/poetry.lock /app/", "poetry install --only main", "backend"),
        ("COPY backend/Pipfile backend/Pipfile.lock ./", "pipenv sync --system --dev", "backend"),
        ("COPY backend/pyproject.toml ./", "pip install .", "backend"),
        ("COPY backend/ ./", "uv sync", "backend"),
        # The COPY map says the working directory is the root's copy: then the root it is.
        ("COPY . .", "uv sync", "."),
    ],
)
def test_project_install_reads_the_manifest_copied_into_its_working_directory(
    tmp_path: Path, copy: str, run: str, spec: str
) -> None:
    """`pdm install` in /app reads /app/pyproject.toml and its lock: the repo files COPY put there,
    even when other files (hypercorn.toml from the root) were copied beside them."""
    dockerfile = f"FROM python:3.12\nWORKDIR /app\nCOPY hypercorn.toml /app/\n{copy}\nRUN {run}\n"
    target = build(tmp_path, dockerfile, _BACKEND)
    assert [(i.kind.value, i.spec) for i in target.installs] == [("project", spec)]
    assert not [n for n in target.notes if "skipped option" in n]


def test_pipfile_copied_into_the_image_root_from_the_build_context(tmp_path: Path) -> None:
    """No WORKDIR: `COPY Pipfile Pipfile` puts src/Pipfile (context src/) at /Pipfile, where
    `pipenv sync --dev` runs; --dev installs [dev-packages] too."""
    names = write_files(tmp_path, {
        "src/Dockerfile": "FROM python:3.12\nCOPY Pipfile Pipfile\nCOPY Pipfile.lock Pipfile.lock\n"
                          "RUN pip install pipenv\nRUN pipenv sync --system --dev\n",
        "src/Pipfile": "", "src/Pipfile.lock": "{}", "src/manage.py": "",
    })
    target = read_dockerfile(tmp_path, "src/Dockerfile", None, names)
    project = [i for i in target.installs if i.kind.value == "project"]
    assert [(i.spec, i.tool, i.include_dev) for i in project] == [("src", "pipenv", True)]


def test_wheel_built_under_pushd_then_moved(tmp_path: Path) -> None:
    """`pushd DIR && uv build && mv DIR/dist /dist`, then `COPY --from=sdist /dist/*.whl` and an
    install by glob: the build ran in the project's copy, and the moved folder keeps its wheel."""
    dockerfile = """\
        FROM python:3.12 AS sdist
        SHELL ["/bin/bash", "-c"]
        COPY . /usr/src/app/
        RUN X="$(mktemp -d)" && export X && pushd /usr/src/app && uv build && popd && mv /usr/src/app/dist /dist
        FROM python:3.12-slim
        COPY --from=sdist /dist/*.whl /tmp/dist/
        RUN uv pip install --system -U /tmp/dist/*.whl
    """
    target = build(tmp_path, dockerfile, {"pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n"})
    assert installs(target) == [("project", ".", "pip")]


def test_a_folder_without_metadata_builds_no_known_wheel(tmp_path: Path) -> None:
    """The build context (docker/) holds no pyproject.toml: what `uv build` makes there is not the
    project, and the install of its wheels stays unread (and says so as written)."""
    names = write_files(tmp_path, {
        "docker/Dockerfile": "FROM python:3.12 AS sdist\nCOPY . /src/\nWORKDIR /src\nRUN uv build\n"
                             "FROM python:3.12-slim\nCOPY --from=sdist /src/dist/*.whl /tmp/dist/\n"
                             "RUN uv pip install --system /tmp/dist/*.whl\n",
        "docker/compose.yml": "", "pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n",
    })
    target = read_dockerfile(tmp_path, "docker/Dockerfile", None, names)
    assert [(i.kind.value, i.spec) for i in target.installs] == [("unknown", "/tmp/dist/*.whl")]
    assert "could not tell what `uv pip install /tmp/dist/*.whl` installs" in target.notes


@pytest.mark.parametrize(
    ("build_step", "install", "expected"),
    [
        # --no-deps keeps the dependencies out of the folder, not out of the wheel's metadata.
        ("pip wheel --no-deps -w /dist .", "pip install /tmp/dist/*.whl", ((), False)),
        ("pip wheel --no-deps -w /dist .", "pip install --no-deps /tmp/dist/*.whl", ((), True)),
        ("poetry build -o /dist", "uv pip install --system '/tmp/dist/*.whl[postgres]'", (("postgres",), False)),
        ("python -m build --outdir /dist", "pip install /tmp/dist/*.whl[pg,s3]", (("pg", "s3"), False)),
    ],
)
def test_project_wheel_installs_its_dependencies_and_extras(
    tmp_path: Path, build_step: str, install: str, expected: tuple[tuple[str, ...], bool]
) -> None:
    dockerfile = f"""\
        FROM python:3.12 AS build
        WORKDIR /src
        COPY . .
        RUN {build_step}
        FROM python:3.12-slim
        COPY --from=build /dist/*.whl /tmp/dist/
        RUN {install}
    """
    target = build(tmp_path, dockerfile, {"pyproject.toml": "[project]\nname = 'x'\nversion = '1'\n"})
    assert [(i.kind.value, i.spec, i.extras, i.no_deps) for i in target.installs] == [
        ("project", ".", *expected)]


def test_project_tools_find_the_manifest_above_the_working_directory(tmp_path: Path) -> None:
    """poetry (like uv, pdm and pipenv) reads the nearest pyproject.toml at or above its working
    directory: copied to /pyproject.toml, `poetry install` in /app installs it."""
    dockerfile = ("FROM python:3.12\nWORKDIR /app\nCOPY ./api/pyproject.toml /pyproject.toml\n"
                  "COPY ./api/poetry.lock /poetry.lock\nRUN poetry install\nCOPY api .\n")
    target = build(tmp_path, dockerfile, {"api/pyproject.toml": "", "api/poetry.lock": ""})
    assert installs(target) == [("project", "api", "poetry")]


def test_a_project_install_where_nothing_was_copied_is_unread(tmp_path: Path) -> None:
    """FROM an image built elsewhere, nothing copied: which project `uv sync` installs is not
    known (the repo root would be a guess), so the step is unread and says why."""
    target = build(tmp_path, "FROM acme/app:latest\nWORKDIR /app\nRUN uv sync --all-extras\n",
                   {"pyproject.toml": ""})
    assert installs(target) == [("unknown", "uv sync", "uv")]
    assert any("could not tell which project `uv sync` installs" in note for note in target.notes)


def test_bind_mount_sources_say_the_build_context(tmp_path: Path) -> None:
    """dockerfiles/py313/Dockerfile binds uv.lock and pyproject.toml, which exist only at the
    root: the image is built with the root as context, and `uv sync` installs the root project
    (not a folder holding no manifest)."""
    names = write_files(tmp_path, {
        "dockerfiles/py313/Dockerfile": (
            "FROM python:3.13-slim AS builder\nWORKDIR /app\n"
            "RUN --mount=type=bind,source=uv.lock,target=uv.lock "
            "--mount=type=bind,source=pyproject.toml,target=pyproject.toml uv sync --locked --no-dev\n"
            "COPY . /app\nFROM python:3.13-slim\nWORKDIR /app\nCOPY --from=builder /app /app\n"
        ),
        "pyproject.toml": "", "uv.lock": "", "svc/main.py": "",
    })
    target = read_dockerfile(tmp_path, "dockerfiles/py313/Dockerfile", None, names)
    assert installs(target) == [("project", ".", "uv")]
