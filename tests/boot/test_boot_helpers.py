"""Fast checks of the boot harness's own parsing: rebinding commands and reading tracebacks."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from boot_descriptors import container_layout_from_text, final_chain, grep_installs, read_stages
from boot_launch import Launch, missing_module_groups, missing_programs, plan_launch
from boot_process import observe_process


@pytest.mark.parametrize(
    ("command", "argv_or_text", "server"),
    [
        ("gunicorn --bind 0.0.0.0:8000 app:app", "gunicorn -b 127.0.0.1:5555 app:app", "gunicorn"),
        (
            '["gunicorn", "-b0.0.0.0:80", "app:app"]',
            ["gunicorn", "-b", "127.0.0.1:5555", "app:app"],
            "gunicorn",
        ),
        (
            "gunicorn --bind=:$PORT -w 2 app:app",
            "gunicorn -b 127.0.0.1:5555 -w 2 app:app",
            "gunicorn",
        ),
        (
            "uvicorn main:app --host 0.0.0.0 --port ${PORT:-80} --loop uvloop",
            "uvicorn --host 127.0.0.1 --port 5555 main:app --loop uvloop",
            "uvicorn",
        ),
        (
            "python manage.py migrate && python manage.py runserver 0.0.0.0:8000",
            "python manage.py migrate && python manage.py runserver 127.0.0.1:5555",
            "manage.py runserver",
        ),
        (
            "FLASK_APP=app flask run --host=0.0.0.0",
            "FLASK_APP=app flask run --host 127.0.0.1 --port 5555",
            "flask",
        ),
        (
            "sh -c 'exec gunicorn app:app'",
            "sh -c 'exec gunicorn -b 127.0.0.1:5555 app:app'",
            "gunicorn",
        ),
        ("celery -A tasks worker", "celery -A tasks worker", "celery"),
    ],
)
def test_commands_are_rebound_to_loopback(command: str, argv_or_text: object, server: str) -> None:
    launch = plan_launch(command, 5555)
    if isinstance(argv_or_text, list):
        assert list(launch.argv) == argv_or_text
    else:
        assert launch.argv[:2] == ("/bin/sh", "-c")
        assert launch.argv[2] == argv_or_text
    assert launch.server == server


CHAINED = """\
Traceback (most recent call last):
  File "x.py", line 1, in <module>
ModuleNotFoundError: No module named 'psycopg'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "y.py", line 2, in <module>
ModuleNotFoundError: No module named 'psycopg2'
[ERROR] Worker (pid:7) exited with code 3
Traceback (most recent call last):
  File "z.py", line 3, in <module>
ModuleNotFoundError: No module named 'uvicorn'
"""


@pytest.mark.parametrize(
    ("log", "groups", "programs"),
    [
        (CHAINED, [("psycopg", "psycopg2"), ("uvicorn",)], []),
        ("/bin/sh: 1: gunicorn: not found\n", [], ["gunicorn"]),
        ("[INFO] Listening at: http://127.0.0.1:5555\n", [], []),
    ],
)
def test_boot_failures_are_read_from_the_log(
    log: str, groups: list[tuple[str, ...]], programs: list[str]
) -> None:
    assert missing_module_groups(log) == groups
    assert missing_programs(log) == programs


DOCKERFILE = textwrap.dedent(
    """\
    FROM python:3.11-slim AS base
    RUN pip install --no-cache-dir -r requirements/base.txt \\
        && pip install gunicorn==23.0.0
    FROM base
    WORKDIR /srv
    COPY backend/ /srv/
    RUN pip install --upgrade pip && pip install -r /srv/req.txt uvicorn[standard]
    CMD ["gunicorn", "app:app"]
    """
)


def test_the_crude_dockerfile_read_follows_the_final_stage_chain() -> None:
    found = grep_installs(final_chain(read_stages(DOCKERFILE)))
    assert found.requirement_files == ["requirements/base.txt", "/srv/req.txt"]
    assert found.packages == ["gunicorn", "uvicorn"]
    assert container_layout_from_text(DOCKERFILE, "", lambda p: p == "backend") == (
        "backend",
        {"/srv": "backend"},
    )


# A worker that starts a pool child, then idles: both must be gone after the probe.
_IDLE = "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"


@pytest.mark.parametrize(
    ("server", "script", "window", "outcome", "note", "failures"),
    [
        ("celery", "import redis_not_here_xyz", 20.0, "fails-at-boot", "exited within", [("redis_not_here_xyz",)]),
        ("celery", "print('bye')", 20.0, "fails-at-boot", "exited within", []),
        ("rq", _IDLE, 2.0, "boots", "still running after 2s", []),
        (
            "celery",
            "print('[..] celery@vm ready.', flush=True); " + _IDLE,
            30.0,
            "boots",
            "printed its ready line",
            [],
        ),
    ],
    ids=["import-error", "clean-exit", "still-running", "ready-line"],
)
def test_a_process_probe_tells_a_crash_from_a_running_worker(
    tmp_path: Path,
    server: str,
    script: str,
    window: float,
    outcome: str,
    note: str,
    failures: list[tuple[str, ...]],
) -> None:
    launch = Launch((sys.executable, "-c", script), server, script)
    env = {"PATH": "/usr/bin:/bin", "PYTHONUNBUFFERED": "1"}
    obs = observe_process(launch, cwd=tmp_path, env=env, log_path=tmp_path / "log", window=window)
    assert (obs.outcome, obs.boot_failures, obs.probe) == (outcome, failures, "process")
    assert obs.note.startswith(note)
    assert obs.seconds < min(window, 10.0) + 12.0  # the ready line ends the window early
    assert obs.problems == []  # the whole group (the pool child too) was stopped


def test_image_plan_builds_from_the_folder_holding_the_copy_sources(tmp_path: Path) -> None:
    from boot_image import plan_image, takes_part

    (tmp_path / "services" / "api" / "app").mkdir(parents=True)
    (tmp_path / "services" / "api" / "requirements.txt").write_text("flask\n")
    (tmp_path / "services" / "api" / "Dockerfile").write_text(
        "FROM python:3.11-slim\nCOPY requirements.txt .\nCOPY app ./app\nCMD [\"gunicorn\", \"app:app\"]\n"
    )
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(
        "FROM python:3.12-slim AS app\nCOPY services/api/requirements.txt .\n"
        "FROM app AS test\nRUN pip install pytest\nCMD [\"pytest\"]\n"
    )
    api = plan_image(tmp_path, "services/api/Dockerfile")
    assert (api.context, api.stage, takes_part(api)) == ("services/api", None, True)
    # sources only found from the root: `docker build -f docker/Dockerfile .`; the deploy stage
    # is `app`, not the trailing test stage; python:3.12 is not a base this machine has
    root = plan_image(tmp_path, "docker/Dockerfile")
    assert (root.context, root.stage, root.base, takes_part(root)) == ("", "app", "python:3.12-slim", False)


def test_an_image_whose_cmd_program_is_not_there_failed_to_boot() -> None:
    """docker run exits 127 without starting anything: what runc says names the program."""
    from boot_container import _NOT_STARTED

    said = ('docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc '
            'create failed: unable to start container process: exec: "/srv/venv/bin/gunicorn": stat '
            '/srv/venv/bin/gunicorn: no such file or directory: unknown.')
    found = _NOT_STARTED.search(said)
    assert found and found.group(1) == "/srv/venv/bin/gunicorn"
    assert _NOT_STARTED.search('exec: "gunicorn": executable file not found in $PATH: unknown.')
