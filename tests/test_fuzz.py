"""Every reader, fed documents with wrong types in every field and raw bytes, returns data and warnings.

The property: no exception escapes a reader (except the one each documents: NotebookError,
AuditError for a config), and no example takes longer than the deadline. The fast profile runs in
the normal suite; `pytest -m fuzz tests/test_fuzz.py` runs the long one (IMPORTAUDIT_FUZZ_EXAMPLES,
default 10,000 per reader).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Union

import fuzz_support as fz
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importaudit.cli import main
from importaudit.config import load_config
from importaudit.model import AuditError
from importaudit.requirements.formats import read_source
from importaudit.source.discover import discover
from importaudit.source.notebooks import NotebookError, read_notebook
from importaudit.targets import read_targets

pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")

Doc = Union[str, bytes]
FAST = 12
LONG = int(os.environ.get("IMPORTAUDIT_FUZZ_EXAMPLES", "10000"))
DEADLINE = timedelta(seconds=5)  # generous: the suite shares two cores; a hang takes minutes


def _write(root: Path, files: dict[str, Doc]) -> list[str]:
    for relpath, doc in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(doc, bytes):
            path.write_bytes(doc)
        else:
            path.write_text(doc, encoding="utf-8", errors="surrogatepass")
    return sorted(files)


def _requirements(relpath: str) -> Callable[[Path, list[str]], object]:
    return lambda root, _files: read_source(root, relpath)


def _targets(root: Path, files: list[str]) -> object:
    return read_targets(root, files)


def _gitignore(root: Path, _files: list[str]) -> object:
    return discover(root)


def _config(root: Path, _files: list[str]) -> object:
    try:
        return load_config(root)
    except AuditError:  # an invalid [tool.importaudit] is exit 2 by the contract: one clear line
        return None


def _with(doc: st.SearchStrategy[str]) -> st.SearchStrategy[Doc]:
    return doc | st.binary(max_size=300)


# (name, the file the document is written to, extra fixed files, document strategy, reader)
READERS: list[tuple[str, str, dict[str, str], st.SearchStrategy[Doc], Callable[[Path, list[str]], object]]] = [
    ("requirements", "requirements.txt", {"other.txt": "flask\n"}, _with(fz.lines_doc(fz.REQUIREMENT_LINES)),
     _requirements("requirements.txt")),
    ("pyproject", "pyproject.toml", {}, _with(fz.toml_doc(fz.PYPROJECT)), _requirements("pyproject.toml")),
    ("setup.cfg", "setup.cfg", {}, _with(fz.lines_doc(fz.SETUP_CFG_LINES)), _requirements("setup.cfg")),
    ("setup.py", "setup.py", {}, _with(fz.lines_doc(fz.SETUP_PY_LINES)), _requirements("setup.py")),
    ("Pipfile", "Pipfile", {}, _with(fz.toml_doc(fz.PIPFILE)), _requirements("Pipfile")),
    ("Pipfile.lock", "Pipfile.lock", {}, _with(fz.json_doc(fz.PIPFILE_LOCK)), _requirements("Pipfile.lock")),
    ("poetry.lock", "poetry.lock", {}, _with(fz.toml_doc(fz.POETRY_LOCK)), _requirements("poetry.lock")),
    ("uv.lock", "uv.lock", {}, _with(fz.toml_doc(fz.UV_LOCK)), _requirements("uv.lock")),
    ("pdm.lock", "pdm.lock", {}, _with(fz.toml_doc(fz.POETRY_LOCK)), _requirements("pdm.lock")),
    ("conda", "environment.yml", {}, _with(fz.yaml_doc(fz.CONDA)), _requirements("environment.yml")),
    ("Dockerfile", "Dockerfile", {"requirements.txt": "flask\n"}, _with(fz.lines_doc(fz.DOCKERFILE_LINES)),
     _targets),
    ("Procfile", "Procfile", {}, _with(fz.lines_doc(fz.PROCFILE_LINES)), _targets),
    ("compose", "docker-compose.yml", {"Dockerfile": "FROM python:3.11\nCMD gunicorn app:app\n"},
     _with(fz.yaml_doc(fz.COMPOSE)), _targets),
    ("render.yaml", "render.yaml", {}, _with(fz.yaml_doc(fz.RENDER)), _targets),
    ("app.yaml", "app.yaml", {}, _with(fz.yaml_doc(fz.APP_YAML)), _targets),
    ("fly.toml", "fly.toml", {}, _with(fz.toml_doc(fz.FLY)), _targets),
    ("railway.json", "railway.json", {}, _with(fz.json_doc(fz.RAILWAY)), _targets),
    ("railway.toml", "railway.toml", {}, _with(fz.toml_doc(fz.RAILWAY)), _targets),
    ("nixpacks.toml", "nixpacks.toml", {}, _with(fz.toml_doc(fz.NIXPACKS)), _targets),
    ("systemd", "deploy/app.service", {}, _with(fz.lines_doc(fz.INI_LINES)), _targets),
    ("cloud foundry", "ops/manifest.yml", {"requirements.txt": "flask\n", "src/Pipfile": "[packages]\n"},
     _with(fz.cf_manifest_doc() | fz.yaml_doc({"applications": None})), _targets),
    ("supervisor", "supervisord.conf", {}, _with(fz.lines_doc(fz.INI_LINES)), _targets),
    ("uwsgi", "uwsgi.ini", {"Dockerfile": "FROM python:3.11\nCMD uwsgi --ini uwsgi.ini\n"},
     _with(fz.lines_doc(fz.INI_LINES)), _targets),
    ("gunicorn config", "gunicorn.conf.py", {"Dockerfile": "FROM python:3.11\nCMD gunicorn -c gunicorn.conf.py\n"},
     _with(fz.lines_doc(fz.GUNICORN_LINES)), _targets),
    ("gitignore", ".gitignore", {"a/b.py": "import os\n", "build/x.py": "", "keep.py": ""},
     _with(fz.lines_doc(fz.GITIGNORE_LINES)), _gitignore),
    ("config", "pyproject.toml", {}, _with(fz.toml_doc(fz.PYPROJECT)), _config),
]
IDS = [name for name, *_ in READERS]


def _check(relpath: str, fixed: dict[str, str], doc: Doc, reader: Callable[[Path, list[str]], object]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        files = _write(root, {**fixed, relpath: doc})
        reader(root, files)  # the property: it returns


def _notebook(doc: Doc) -> None:
    # NotebookError is the documented "unreadable notebook", which the caller turns into a finding.
    with contextlib.suppress(NotebookError):
        read_notebook(doc)


def _profile(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    return settings(max_examples=examples, deadline=DEADLINE, derandomize=examples == FAST,
                    suppress_health_check=list(HealthCheck))


def _reader_test(examples: int) -> Callable[..., None]:
    @pytest.mark.parametrize(("relpath", "fixed", "strategy", "reader"),
                             [row[1:] for row in READERS], ids=IDS)
    def test(relpath: str, fixed: dict[str, str], strategy: st.SearchStrategy[Doc],
             reader: Callable[[Path, list[str]], object]) -> None:
        @_profile(examples)
        @given(doc=strategy)
        def prop(doc: Doc) -> None:
            _check(relpath, fixed, doc, reader)

        prop()

    return test


def _notebook_test(examples: int) -> Callable[..., None]:
    @_profile(examples)
    @given(doc=fz.json_doc(fz.NOTEBOOK) | st.binary(max_size=300))
    def test(doc: Doc) -> None:
        _notebook(doc)

    return test


# A whole project: some descriptors and requirement files at once, audited by the real CLI.
_PROJECT_FILES = st.dictionaries(
    st.sampled_from([row[1] for row in READERS]),
    st.sampled_from(READERS).flatmap(lambda row: row[3]),
    max_size=5,
)


def _cli_test(examples: int) -> Callable[..., None]:
    @_profile(examples)
    @given(files=_PROJECT_FILES, code=fz.lines_doc(("import flask", "from . import x", "import os",
                                                    "try:", "    import ujson", "except ImportError:",
                                                    "    pass", "def f(:")))
    def test(files: dict[str, Doc], code: str) -> None:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            _write(root, {"app.py": code, **files})
            result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
            assert "internal error" not in result.output, result.output
            assert result.exit_code in (0, 1), (result.exit_code, result.output)

    return test


test_every_reader_returns = _reader_test(FAST)
test_notebook_reader_returns = _notebook_test(FAST)
test_whole_cli_never_fails_on_a_fuzzed_project = _cli_test(FAST)

test_every_reader_returns_long = pytest.mark.fuzz(_reader_test(LONG))
test_notebook_reader_returns_long = pytest.mark.fuzz(_notebook_test(LONG))
test_whole_cli_never_fails_on_a_fuzzed_project_long = pytest.mark.fuzz(_cli_test(max(LONG // 20, 100)))

