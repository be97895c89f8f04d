"""Where a Procfile's processes run: a platform's image, or a buildpack's (and when that is a guess)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest
from targets_support import write_files

from importaudit.targets import read_targets

BASE = {
    "Procfile": "release: python manage.py migrate\nweb: gunicorn shop:app\n",
    "requirements.txt": "flask\n",
    "pyproject.toml": "[project]\nname = 'shop'\n[project.optional-dependencies]\nprod = ['gunicorn']\n",
    "shop/__init__.py": "",
    "manage.py": "",
}
IMAGE = 'FROM python:3.12-slim\nWORKDIR /code\nCOPY . .\nRUN pip install ".[prod]"\n'


def test_cabotage_runs_the_procfile_in_its_image(tmp_path: Path) -> None:
    image = IMAGE + "ENV DJANGO_SETTINGS_MODULE=shop.prod\n"
    names = write_files(tmp_path, {**BASE, "Dockerfile.cabotage": image})
    web = {t.name: t for t in read_targets(tmp_path, names)}["Procfile:web"]
    assert [(i.kind.value, i.spec, i.extras) for i in web.installs] == [("project", ".", ("prod",))]
    assert (web.python, dict(web.env).get("DJANGO_SETTINGS_MODULE")) == ("3.12", "shop.prod")
    assert web.commands == ("gunicorn shop:app", "release: python manage.py migrate")
    assert [e.via for e in web.entries][:1] == ["release"] and web.install_doubt is None


@pytest.mark.parametrize(
    ("extra", "doubt"),
    [
        ({"Dockerfile": IMAGE}, "Dockerfile sits beside it"),
        # what pins a buildpack build: the Procfile is Heroku's / Dokku-herokuish / Cloud Foundry's
        ({"Dockerfile": IMAGE, "runtime.txt": "python-3.12.8\n"}, None),
        ({"Dockerfile": IMAGE, ".buildpacks": "https://github.com/heroku/heroku-buildpack-python\n"}, None),
        ({"Dockerfile": IMAGE, "app.json": '{"buildpacks": [{"url": "heroku/python"}]}'}, None),
        ({"Dockerfile": IMAGE, "manifest.yml": "applications:\n- name: shop\n  buildpack: python\n"}, None),
        # a Dockerfile elsewhere is not the Procfile's
        ({"docker/Dockerfile": IMAGE}, None),
        ({}, None),
    ],
)
def test_buildpack_is_a_guess_beside_a_dockerfile(
    tmp_path: Path, extra: dict[str, str], doubt: Optional[str]
) -> None:
    names = write_files(tmp_path, {**BASE, **extra})
    web = {t.name: t for t in read_targets(tmp_path, names)}["Procfile:web"]
    assert [(i.kind.value, i.spec) for i in web.installs] == [("requirements", "requirements.txt")]
    if doubt is None:
        assert web.install_doubt is None
    else:
        assert web.install_doubt is not None and doubt in web.install_doubt
