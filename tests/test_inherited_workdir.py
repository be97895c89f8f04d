"""An absolute start path under a WORKDIR only an external base image sets, matched to its COPY."""

from __future__ import annotations

from pathlib import Path

import pytest
from targets_support import write_files

from importaudit.targets import read_targets
from importaudit.targets.image_state import Copy
from importaudit.targets.inherited_workdir import loose_match, workdir_unknown

DOCKERFILE = """\
    FROM {base}
    {workdir}
    COPY ./container/ ./
    COPY requirements.txt ./
    RUN pip install -r requirements.txt
    COPY ./web/ ./web/
    ENTRYPOINT ["/usr/local/app/entrypoint.sh"]
"""


def _target(root: Path, base: str, workdir: str = "", **extra: str) -> tuple[list[str], list[str]]:
    files = write_files(
        root,
        {
            "container/app.dockerfile": DOCKERFILE.format(base=base, workdir=workdir),
            "container/entrypoint.sh": "#!/bin/sh\nexec gunicorn web.main:app\n",
            "requirements.txt": "flask\ngunicorn\n",
            "web/__init__.py": "",
            "web/main.py": "",
            **extra,
        },
    )
    (target,) = read_targets(root, files)
    return [e.spec for e in target.entries], list(target.notes)


def test_a_relative_copy_under_the_base_images_workdir_is_matched(tmp_path: Path) -> None:
    entries, notes = _target(tmp_path, "ghcr.io/example/base:3")
    assert entries == ["web.main:app", "gunicorn"]
    assert any("/usr/local/app/entrypoint.sh is taken to be container/entrypoint.sh" in n for n in notes)


def test_two_copies_that_fit_the_path_match_neither(tmp_path: Path) -> None:
    second = "COPY ./scripts/ ./\n    COPY requirements.txt ./"
    dockerfile = DOCKERFILE.replace("COPY requirements.txt ./", second).format(base="example/base", workdir="")
    files = write_files(
        tmp_path,
        {
            "container/app.dockerfile": dockerfile,
            "container/entrypoint.sh": "#!/bin/sh\nexec gunicorn web.main:app\n",
            "scripts/entrypoint.sh": "#!/bin/sh\nexec gunicorn other:app\n",
            "requirements.txt": "",
            "web/main.py": "",
        },
    )
    (target,) = read_targets(tmp_path, files)
    assert [e.spec for e in target.entries] == []
    assert not any("is taken to be" in n for n in target.notes)


@pytest.mark.parametrize(
    ("base", "workdir"),
    [
        ("python:3.12-slim", ""),  # official images leave WORKDIR at /: the COPY went to /
        ("ghcr.io/example/base:3", "WORKDIR /srv"),  # our own absolute WORKDIR: nothing unknown
    ],
)
def test_a_known_workdir_is_not_guessed(tmp_path: Path, base: str, workdir: str) -> None:
    entries, notes = _target(tmp_path, base, workdir)
    assert entries == []
    assert not any("is taken to be" in n for n in notes)


def test_loose_match_needs_the_destination_folder_in_the_path() -> None:
    files = frozenset({"container/entrypoint.sh", "web/entrypoint.sh", "run.sh"})
    dirs = frozenset({"", "container", "web"})
    loose = [("/", Copy("/", "container", "dir")), ("/", Copy("/web", "web", "dir"))]
    assert loose_match("/usr/local/app/entrypoint.sh", loose, files, dirs) == "container/entrypoint.sh"
    assert loose_match("/usr/local/app/web/entrypoint.sh", loose, files, dirs) is None  # both fit
    assert loose_match("/entrypoint.sh", loose, files, dirs) is None  # X cannot be empty
    assert loose_match("relative.sh", loose, files, dirs) is None
    one_file = [("/", Copy("/bin/run.sh", "run.sh", "file"))]
    assert loose_match("/opt/app/bin/run.sh", one_file, files, dirs) == "run.sh"


def test_which_bases_keep_workdir_at_root() -> None:
    assert not workdir_unknown("python:3.12-slim")
    assert not workdir_unknown("docker.io/library/debian:bookworm")
    assert workdir_unknown("docker.io/searxng/base:searxng")
    assert workdir_unknown("ghcr.io/astral-sh/uv:python3.12-bookworm")
