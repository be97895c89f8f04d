"""systemd `EnvironmentFile=`: read from the checkout (or beside the unit), its values over Environment=."""

from __future__ import annotations

from pathlib import Path

from targets_support import write_files

from importaudit.targets import read_targets

UNIT = """\
    [Service]
    WorkingDirectory=/srv/app
    Environment=MODE=unit SETTINGS=from.unit
    {files}
    ExecStart=/srv/app/venv/bin/gunicorn app:app
"""


def _target_env(tmp_path: Path, env_files: str, files: dict[str, str]) -> tuple[dict[str, str], tuple[str, ...]]:
    names = write_files(tmp_path, {"deploy/app.service": UNIT.format(files=env_files), "app.py": "", **files})
    (target,) = read_targets(tmp_path, names)
    return dict(target.env), target.notes


def test_environment_file_in_the_checkout_overrides_environment(tmp_path: Path) -> None:
    env, _ = _target_env(
        tmp_path,
        "EnvironmentFile=/srv/app/deploy/prod.env\n    EnvironmentFile=-/srv/app/deploy/local.env",
        {"deploy/prod.env": "# prod\nSETTINGS=from.file\nMODE='prod'\n", "deploy/local.env": "MODE=local\n"},
    )
    assert env == {"MODE": "local", "SETTINGS": "from.file"}


def test_environment_file_beside_the_unit(tmp_path: Path) -> None:
    env, _ = _target_env(tmp_path, "EnvironmentFile=/etc/default/app.env", {"deploy/app.env": "SETTINGS=beside\n"})
    assert env["SETTINGS"] == "beside"


def test_environment_file_not_in_the_repo_is_named(tmp_path: Path) -> None:
    env, notes = _target_env(tmp_path, "EnvironmentFile=-/etc/secret/app.env", {})
    assert env == {"MODE": "unit", "SETTINGS": "from.unit"}
    assert any(
        n.startswith("deploy/app.service:4: EnvironmentFile /etc/secret/app.env (optional") for n in notes
    ), notes
