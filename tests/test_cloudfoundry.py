"""Cloud Foundry manifests, more cases: requirements.txt over Pipfile.lock, Procfile web, env, ships, not k8s."""

from __future__ import annotations

from pathlib import Path

from targets_support import write_files

from importaudit.targets import read_targets

MANIFEST = """\
    applications:
    - name: api
      buildpack: python_buildpack
      path: ../src
      env:
        DJANGO_SETTINGS_MODULE: site.prod
    - name: worker
      buildpacks: [python_buildpack]
      path: ../src
      command: celery -A site worker
    - name: static
      buildpacks: [staticfile_buildpack]
"""
FILES = {
    "ops/manifest-prod.yml": MANIFEST,
    "src/Procfile": "release: python manage.py migrate\nweb: gunicorn site.wsgi\n",
    "src/requirements.txt": "django\n",
    "src/Pipfile.lock": "{}",
    "src/runtime.txt": "python-3.12.4\n",
    "src/site/__init__.py": "",
    "src/site/wsgi.py": "",
    "k8s/manifest.yaml": "apiVersion: v1\nkind: Service\n",
}


def test_python_applications_of_a_manifest(tmp_path: Path) -> None:
    names = write_files(tmp_path, FILES)
    targets = {t.name: t for t in read_targets(tmp_path, names) if t.file and "manifest" in t.file}
    assert sorted(targets) == ["ops/manifest-prod.yml:api", "ops/manifest-prod.yml:worker"]
    api, worker = targets["ops/manifest-prod.yml:api"], targets["ops/manifest-prod.yml:worker"]
    # no command: the folder's Procfile web process; requirements.txt wins over Pipfile.lock
    assert api.commands == ("gunicorn site.wsgi",)
    # (Cloud Foundry runs no `release:` process: migrate is not part of it)
    assert [e.spec for e in api.entries] == ["site.wsgi:application", "gunicorn"]
    assert [(i.kind.value, i.spec) for i in api.installs] == [("requirements", "src/requirements.txt")]
    assert (api.python, dict(api.env)["DJANGO_SETTINGS_MODULE"], api.ships) == ("3.12", "site.prod", ("src",))
    assert worker.commands == ("celery -A site worker",)


def test_single_application_is_named_after_the_file(tmp_path: Path) -> None:
    files = {
        "manifest.yml": "applications:\n- name: web\n  buildpacks: [python_buildpack]\n  command: python app.py\n",
        "app.py": "",
        "requirements.txt": "",
    }
    names = write_files(tmp_path, files)
    (target,) = read_targets(tmp_path, names)
    assert (target.name, [e.spec for e in target.entries]) == ("manifest.yml", ["app.py"])
