"""`--dockerfile PATH`: a descriptor outside the audited folder (a package copied into an image
without its Dockerfile) is read as the target, its COPY sources taken from the audited folder."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from importaudit.cli import main

APP = "from flask import Flask\nimport requests\n\napp = Flask(__name__)\n"
DOCKERFILE = textwrap.dedent("""\
    FROM python:3.11-slim
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install -r requirements.txt
    COPY app.py .
    CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
""")


def _layout(tmp_path: Path) -> tuple[Path, Path]:
    """/app holds only the package; the descriptor, named differently, lives elsewhere."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text(APP)
    (app / "requirements.txt").write_text("flask\ngunicorn\n")
    build = tmp_path / "build"
    build.mkdir()
    (build / "Dockerfile.prod").write_text(DOCKERFILE)
    return app, build / "Dockerfile.prod"


def _check(*args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output) if result.output.startswith("{") else {}


def test_a_descriptor_outside_the_folder_is_the_target(tmp_path: Path) -> None:
    app, dockerfile = _layout(tmp_path)
    code, report = _check(str(app), "--dockerfile", str(dockerfile))
    assert code == 1
    [target] = report["targets"]
    assert (target["name"], target["kind"]) == ("Dockerfile.prod", "dockerfile")
    assert target["verdict"] == "fails-at-boot"
    assert target["installs"] == ["requirements.txt"]  # the COPY source found in the audited folder
    assert target["commands"] == ["gunicorn --bind 0.0.0.0:8000 app:app"]
    [finding] = report["findings"]
    assert (finding["rule"], finding["module"], finding["file"]) == ("missing-at-boot", "requests", "app.py")


def test_target_names_the_descriptor_read(tmp_path: Path) -> None:
    app, dockerfile = _layout(tmp_path)
    (app / "requirements.txt").write_text("flask\ngunicorn\nrequests\n")
    code, report = _check(str(app), "--target", "Dockerfile", "--dockerfile", str(dockerfile))
    assert code == 0
    assert [(t["name"], t["verdict"]) for t in report["targets"]] == [("Dockerfile", "boots")]


def test_without_it_the_copied_package_has_no_such_target(tmp_path: Path) -> None:
    """What the option is for: the image has the package, not its Dockerfile."""
    app, _ = _layout(tmp_path)
    result = CliRunner().invoke(main, ["check", str(app), "--target", "Dockerfile"])
    assert result.exit_code == 2
    assert "no such target" in result.output


def test_a_descriptor_inside_the_folder_keeps_its_relative_name(tmp_path: Path) -> None:
    app, dockerfile = _layout(tmp_path)
    (app / "deploy").mkdir()
    (app / "deploy" / "web.dockerfile").write_text(dockerfile.read_text())
    # deploy/ has files of the same names (an older layout): not what the image copied
    (app / "deploy" / "requirements.txt").write_text("flask\ngunicorn\nrequests\n")
    (app / "deploy" / "app.py").write_text("from flask import Flask\n\napp = Flask(__name__)\n")
    code, report = _check(str(app), "--dockerfile", str(app / "deploy" / "web.dockerfile"))
    assert code == 1
    [target] = report["targets"]
    assert (target["name"], target["file"]) == ("web.dockerfile", "deploy/web.dockerfile")
    # the build context is the audited folder (where the image's package came from), not deploy/
    assert target["installs"] == ["requirements.txt"]
    assert [f["module"] for f in report["findings"]] == ["requests"]


def test_one_descriptor_is_one_target(tmp_path: Path) -> None:
    app, dockerfile = _layout(tmp_path)
    result = CliRunner().invoke(main, ["check", str(app), "--dockerfile", str(dockerfile), "--target", "a",
                                       "--target", "b"])
    assert result.exit_code == 2
    assert "at most one --target" in result.output


def test_sarif_points_at_a_descriptor_outside_the_checkout_by_its_own_uri(tmp_path: Path) -> None:
    """A finding on the descriptor's CMD line (gunicorn installed by nothing) is located in it:
    not as a path under the checkout's %SRCROOT%, which would name a file that is not there."""
    from test_report_causes import sarif_validate

    app, dockerfile = _layout(tmp_path)
    (app / "requirements.txt").write_text("flask\nrequests\n")
    result = CliRunner().invoke(main, ["check", str(app), "--dockerfile", str(dockerfile), "--format", "sarif"])
    doc = json.loads(result.output)
    sarif_validate(doc)
    [found] = doc["runs"][0]["results"]
    artifact = found["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "file://" + dockerfile.resolve().as_posix()}
