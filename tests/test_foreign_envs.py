"""A Python environment copied from an image importaudit cannot read makes absences non-definitive."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from targets_support import write_files

from importaudit.cli import main
from importaudit.model import InstallKind
from importaudit.targets import read_targets

DOCKERFILE = """\
    FROM {builder} AS builder
    FROM python:3.12-slim
    COPY --from=ghcr.io/astral-sh/uv:latest /uv /bin/
    COPY --from=builder {source} /app/.venv
    WORKDIR /app
    COPY app.py .
    ENV PATH=/app/.venv/bin:$PATH
    CMD ["gunicorn", "app:app"]
"""


def _project(root: Path, builder: str, source: str = "/build/.venv") -> list[str]:
    return write_files(
        root,
        {
            "Dockerfile": DOCKERFILE.format(builder=builder, source=source),
            "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
            "requirements.txt": "flask\ngunicorn\n",
        },
    )


def _report(root: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    report: dict[str, object] = json.loads(result.output)
    return report


def test_a_venv_from_an_unreadable_image_is_an_opaque_install(tmp_path: Path) -> None:
    (target,) = read_targets(tmp_path, _project(tmp_path, "ghcr.io/org/app:builder"))
    assert [(i.kind, i.spec, i.tool) for i in target.installs] == [
        (InstallKind.UNKNOWN, "/build/.venv from ghcr.io/org/app:builder", "image")
    ]
    report = _report(tmp_path)
    findings = {f["module"]: f for f in report["findings"]}  # type: ignore[index]
    # Declared or not, nothing is definitively absent from an environment nobody can read.
    for module in ("flask", "markdown", "gunicorn"):
        assert findings[module]["severity"] == "warning", findings[module]
        assert "cannot read that step" in findings[module]["message"]
    assert [t["verdict"] for t in report["targets"]] == ["unknown"]  # type: ignore[index]


def test_copies_that_are_not_environments_install_nothing(tmp_path: Path) -> None:
    (target,) = read_targets(tmp_path, _project(tmp_path, "ghcr.io/org/app:builder", "/build/static"))
    assert target.installs == ()


def test_a_builder_stage_that_was_read_is_not_opaque(tmp_path: Path) -> None:
    files = write_files(
        tmp_path,
        {
            "Dockerfile": """\
                FROM python:3.12 AS builder
                COPY requirements.txt .
                RUN python -m venv /build/.venv && /build/.venv/bin/pip install -r requirements.txt
                FROM python:3.12-slim
                COPY --from=builder /build/.venv /app/.venv
                COPY app.py /app/
                WORKDIR /app
                CMD ["/app/.venv/bin/gunicorn", "app:app"]
            """,
            "app.py": "import flask\nimport markdown\napp = flask.Flask(__name__)\n",
            "requirements.txt": "flask\ngunicorn\n",
        },
    )
    (target,) = read_targets(tmp_path, files)
    assert all(i.kind is not InstallKind.UNKNOWN for i in target.installs)
    errors = [f["module"] for f in _report(tmp_path)["findings"] if f["severity"] == "error"]  # type: ignore[attr-defined]
    assert errors == ["markdown"]
