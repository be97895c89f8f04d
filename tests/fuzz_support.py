"""Hypothesis strategies for the fuzz tests: documents of every format, with wrong types in every field.

Each format has a skeleton of the keys its reader looks at; every leaf is drawn from `anything`,
so a reader meets a list where it expects a string, a table where it expects a list, and so on.
Text formats are lines drawn from the format's own vocabulary mixed with arbitrary text.
"""

from __future__ import annotations

import json
from typing import Any

import tomli_w
import yaml
from hypothesis import strategies as st

# Strings a reader may take for something it knows: requirement lines, paths, commands, specs.
PLAUSIBLE = (
    "flask", "flask>=2", "Django[argon2]==4.2; python_version >= '3.8'", "-r base.txt", "-e .",
    ".[postgres]", "git+https://example.invalid/x.git#egg=x", "./wheels/x.whl", "^3.1", "*", "~=1.0",
    ">=3.11", "app:app", "mysite.wsgi", "gunicorn app:app", "uvicorn main:app --port 8000",
    "requirements.txt", "pyproject.toml", "../x", "/abs/path", "", " ", "main", "dev", "$VAR",
    "${PORT:-8000}", "x" * 300, "\x00", "é", "[", "]", "{", "'", '"', "\\",
)

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(PLAUSIBLE), st.text(max_size=30),
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(PLAUSIBLE) | st.text(max_size=8),
                                                                 inner, max_size=4),
    max_leaves=12,
)


def _toml_safe(value: Any) -> Any:
    """TOML has no null and wants string keys; lists may mix types in TOML 1.0."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return {str(k): _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_toml_safe(v) for v in value if v is not None]
    return value


def skeleton(spec: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A table with some of the spec's keys; a nested spec is a nested table, None a random leaf."""
    return st.fixed_dictionaries({}, optional={
        key: (skeleton(sub) if isinstance(sub, dict) else anything) | anything
        for key, sub in spec.items()
    })


def toml_doc(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    return skeleton(spec).map(lambda doc: tomli_w.dumps(_toml_safe(doc)))


def yaml_doc(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    return skeleton(spec).map(lambda doc: yaml.safe_dump(doc, allow_unicode=True))


def json_doc(spec: dict[str, Any]) -> st.SearchStrategy[str]:
    return skeleton(spec).map(json.dumps)


def lines_doc(vocabulary: tuple[str, ...]) -> st.SearchStrategy[str]:
    line = st.sampled_from(vocabulary) | st.sampled_from(PLAUSIBLE) | st.text(max_size=40)
    glued = st.lists(line, max_size=3).map(" ".join)
    return st.lists(line | glued, max_size=12).map("\n".join)


_DEP = {"version": None, "extras": None, "markers": None, "python": None, "platform": None,
        "git": None, "rev": None, "path": None, "url": None, "optional": None, "develop": None}
PYPROJECT = {
    "project": {"name": None, "dependencies": None, "optional-dependencies": None,
                "requires-python": None, "scripts": None, "dynamic": None},
    "dependency-groups": {"dev": None, "main": None},
    "tool": {
        "poetry": {"name": None, "dependencies": {"python": None, "flask": _DEP, "requests": None},
                   "group": {"dev": {"dependencies": {"pytest": _DEP}, "optional": None}},
                   "dev-dependencies": None, "extras": None, "scripts": None},
        "pdm": {"dev-dependencies": None}, "uv": {"dev-dependencies": None, "workspace": {"members": None}},
        "importaudit": {"exclude": None, "entry": None, "requirements": None, "module-map": None,
                        "first-party": None, "python-version": None, "ignore": None},
        "setuptools": {"dynamic": {"dependencies": {"file": None}}},
    },
}
PIPFILE = {"packages": {"flask": None, "django": {"version": None, "extras": None}}, "dev-packages": None,
           "requires": {"python_version": None}, "source": None}
PIPFILE_LOCK = {"_meta": None, "default": {"flask": {"version": None, "markers": None}}, "develop": None}
POETRY_LOCK = {"package": None, "metadata": {"content-hash": None, "files": None}}
UV_LOCK = {"version": None, "package": None, "requires-python": None, "manifest": {"members": None}}
CONDA = {"name": None, "channels": None, "dependencies": None}
COMPOSE = {"version": None, "services": {"web": {"build": {"context": None, "dockerfile": None, "target": None},
                                                 "command": None, "entrypoint": None, "environment": None,
                                                 "env_file": None, "working_dir": None, "image": None},
                                         "worker": None}, "x-common": None}
RENDER = {"services": None, "envVarGroups": None}
APP_YAML = {"runtime": None, "entrypoint": None, "env_variables": None, "handlers": None}
FLY = {"app": None, "build": {"dockerfile": None, "builder": None}, "processes": None,
       "deploy": {"release_command": None}, "experimental": {"cmd": None}}
RAILWAY = {"build": {"builder": None, "dockerfilePath": None, "buildCommand": None},
           "deploy": {"startCommand": None, "preDeployCommand": None}}
NIXPACKS = {"phases": {"install": {"cmds": None}, "setup": {"nixPkgs": None}}, "start": {"cmd": None},
            "variables": None}
NOTEBOOK = {"nbformat": None, "metadata": {"kernelspec": {"language": None}, "language_info": None},
            "cells": None, "worksheets": None}

REQUIREMENT_LINES = ("flask==3.0", "-r other.txt", "-c constraints.txt", "--index-url x", "-e .",
                     "pkg @ file:///x", "# via flask", "#   -r requirements.in", "--hash=sha256:0",
                     "name; sys_platform == 'win32'", "-r requirements.txt", "\\", "--no-binary :all:")
DOCKERFILE_LINES = ("FROM python:3.11-slim AS base", "FROM base", "ARG X=1", "ENV A=b C=d",
                    "WORKDIR /app", "COPY . .", "COPY --from=base /x /y", "RUN pip install -r requirements.txt",
                    "RUN <<EOF", "EOF", "RUN pip install $X && pip install .", "CMD [\"gunicorn\", \"app:app\"]",
                    "CMD gunicorn app:app", "ENTRYPOINT [\"./entrypoint.sh\"]", "ENTRYPOINT", "CMD [", "\\",
                    "CMD uwsgi --ini uwsgi.ini", "CMD gunicorn -c gunicorn.conf.py",
                    "# syntax=docker/dockerfile:1")
PROCFILE_LINES = ("web: gunicorn app:app", "worker: celery -A tasks worker", "release: python manage.py migrate",
                  "web:", ":", "web: $(cat x)", "web: sh -c 'a && b'")
INI_LINES = ("[uwsgi]", "[Unit]", "[Service]", "[program:web]", "module = app:app", "wsgi-file = x.py",
             "ini = %p", "pythonpath = .", "ExecStart=/srv/venv/bin/gunicorn app:app",
             "WorkingDirectory=/srv/app", "Environment=A=b", "command=gunicorn app:app", "directory=/srv",
             "chdir = /app", "%(here)s", "[", "=", "callable = app")
GUNICORN_LINES = ("bind = '0.0.0.0:8000'", "worker_class = 'uvicorn.workers.UvicornWorker'", "wsgi_app = 'a:b'",
                  "import os", "workers = int(os.environ.get('W', 2))", "raw_env = ['A=b']", "def f(:")
GITIGNORE_LINES = ("*.pyc", "build/", "!keep.py", "**/", "/root", "a/**/b", "[abc]", "\\#x", "**/**/**/x",
                   "*" * 30 + "a", "?", "[", "!", "\\")
SETUP_PY_LINES = ("from setuptools import setup", "setup(install_requires=['flask'])", "setup(**kw)",
                  "REQS = open('r.txt').read().splitlines()", "setup(extras_require={'x': REQS})",
                  "setup(install_requires=REQS + ['a'], entry_points={'console_scripts': ['a=b:c']})", "def f(:")
SETUP_CFG_LINES = ("[options]", "install_requires =", "    flask", "    -r x", "[options.extras_require]",
                   "dev = pytest", "[metadata]", "name = x", "python_requires = >=3.8", "[options.entry_points]",
                   "console_scripts =", "    x = a:b", "%(x)s")

# A Cloud Foundry manifest: `applications` is a list of app tables (each field may have any type).
CF_APP = {"name": None, "path": None, "command": None, "buildpacks": None, "buildpack": None,
          "env": {"DJANGO_SETTINGS_MODULE": None}, "processes": None, "docker": None, "instances": None}


def cf_manifest_doc() -> st.SearchStrategy[str]:
    apps = st.lists(skeleton(CF_APP) | anything, max_size=3)
    return st.fixed_dictionaries({"applications": apps | anything}, optional={"version": anything}).map(
        lambda doc: yaml.safe_dump(doc, allow_unicode=True))
